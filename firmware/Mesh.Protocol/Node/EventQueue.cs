namespace Mesh.Protocol.Node
{
    /// <summary>A fixed ring of preallocated events. When full, the node pushes back instead of dropping.</summary>
    public sealed class EventQueue
    {
        private readonly MeshEvent[] _slots;
        private int _head;
        private int _count;

        public EventQueue(int capacity)
        {
            _slots = new MeshEvent[capacity];
            for (int i = 0; i < capacity; i++)
            {
                _slots[i] = new MeshEvent();
            }
        }

        public int Count
        {
            get { return _count; }
        }

        public int FreeCount
        {
            get { return _slots.Length - _count; }
        }

        public bool IsFull
        {
            get { return _count == _slots.Length; }
        }

        /// <summary>The slot to fill next; call <see cref="Commit"/> once it is filled. Null when full.</summary>
        public MeshEvent Reserve()
        {
            if (IsFull)
            {
                return null;
            }

            return _slots[(_head + _count) % _slots.Length];
        }

        public void Commit()
        {
            _count++;
        }

        /// <summary>The oldest event, left in its slot (null when none): read it, then <see cref="DropOldest"/>.</summary>
        public MeshEvent PeekOldest()
        {
            return _count == 0 ? null : _slots[_head];
        }

        /// <summary>Frees the oldest event's slot (after <see cref="PeekOldest"/>); nothing when empty.</summary>
        public void DropOldest()
        {
            if (_count == 0)
            {
                return;
            }

            _head = (_head + 1) % _slots.Length;
            _count--;
        }

        public bool TryTake(MeshEvent into)
        {
            if (_count == 0)
            {
                return false;
            }

            into.CopyFrom(_slots[_head]);
            _head = (_head + 1) % _slots.Length;
            _count--;
            return true;
        }
    }
}
