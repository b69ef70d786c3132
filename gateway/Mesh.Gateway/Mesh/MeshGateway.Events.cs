using System;
using System.Collections.Generic;
using Mesh.Gateway.Model;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// Turning the core's events into readings, heartbeats, texts and stored settings for the listeners,
    /// each listener isolated so one failing does not stop the loop.
    /// </summary>
    public sealed partial class MeshGateway
    {
        private void Drain(long now)
        {
            while (_node.TryTakeEvent(_event))
            {
                DateTimeOffset at = _time.GetUtcNow();
                switch (_event.Kind)
                {
                    case MeshEventKind.Message:
                        Deliver(at);
                        break;
                    case MeshEventKind.CommandAcknowledged:
                    case MeshEventKind.CommandTimedOut:
                        Complete(at);
                        break;
                    case MeshEventKind.SettingsChanged:
                        // Another gateway commanded this one (it was provisioned from it): stored before the ack
                        // leaves (the loop flushes after draining), as a board stores it.
                        try
                        {
                            CommandedSettings?.Persist(_event);
                        }
                        catch (Exception ex)
                        {
                            _logger.LogError(ex, "a setting changed by command was not stored; it is lost at the next restart");
                        }

                        SnapshotKeys();
                        break;
                }
            }
        }

        private void Deliver(DateTimeOffset at)
        {
            switch (_event.Type)
            {
                case MessageType.Readings:
                    IReadOnlyList<SensorReading> readings = _decoder.Readings(_network, _event, at);
                    if (readings.Count > 0)
                    {
                        // Per reading: a plain try/catch, no closure allocated per listener.
                        foreach (IMeshListener l in _listeners)
                        {
                            try
                            {
                                l.OnReadings(readings);
                            }
                            catch (Exception ex)
                            {
                                ListenerFailed(ex);
                            }
                        }
                    }

                    break;
                case MessageType.Heartbeat:
                    NodeHeartbeat? hb = _decoder.Heartbeat(_network, _event, at);
                    if (hb != null)
                    {
                        foreach (IMeshListener l in _listeners)
                        {
                            Safe(() => l.OnHeartbeat(hb));
                        }
                    }

                    break;
                case MessageType.Text:
                    string text = MeshEventDecoder.Text(_event);
                    uint origin = _event.Origin;
                    foreach (IMeshListener l in _listeners)
                    {
                        Safe(() => l.OnText(_network, origin, text));
                    }

                    break;
            }
        }

        private void Safe(Action action)
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                ListenerFailed(ex);
            }
        }

        private void ListenerFailed(Exception ex) => _logger.LogError(ex, "a mesh listener failed; the mesh loop continues");
    }
}
