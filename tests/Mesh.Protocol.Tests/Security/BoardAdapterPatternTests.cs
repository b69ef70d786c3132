using System;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.WireTests;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.Security
{
    /// <summary>
    /// The core runs unchanged on top of a crypto provider with nanoFramework's API shape (whole arrays in,
    /// new arrays out): the frames are byte-identical to the desktop ones and the two interoperate.
    /// </summary>
    public class BoardAdapterPatternTests
    {
        [Theory]
        [MemberData(nameof(WireFormatKnownAnswerTests.AllKats), MemberType = typeof(WireFormatKnownAnswerTests))]
        public void Core_on_the_nano_shaped_provider_produces_the_pinned_frame(WireFormatKnownAnswerTests.Kat k)
        {
            byte[] frame = WireFormatKnownAnswerTests.CoreNodeFrame(k, new NanoShapedCryptoProvider());
            Assert.Equal(WireFormatKnownAnswerTests.LiteralOf(k), Hex(frame));
            Assert.Equal(Hex(WireFormatKnownAnswerTests.CoreNodeFrame(k, DesktopCrypto.Instance)), Hex(frame));
        }

        [Fact]
        public void Adapter_hands_the_primitives_exactly_the_covered_bytes_not_the_whole_scratch_buffer()
        {
            NanoShapedCryptoProvider nano = new NanoShapedCryptoProvider();
            NetworkKey key = Key(Secret, nano);
            Assert.Equal(3, nano.MacsComputed); // key derivation: net hop, net enc, net mac
            Assert.Equal("Mesh v2 net mac".Length, nano.LastMacInputLength);
            DeviceKey device = new DeviceKey(Origin, DeviceSecret, DeviceKeyIndex, nano);
            Assert.Equal(5, nano.MacsComputed); // dev enc, dev mac
            Assert.Equal("Mesh v2 dev mac".Length, nano.LastMacInputLength);

            FrameHeader h = new FrameHeader();
            byte[] frame = Convert.FromHexString(WireFormatKnownAnswerTests.ReadingsFrame);
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            byte[] built = new byte[frame.Length];
            FrameCodec.WriteHeader(h, built, 0);
            ReadingsPayload.CopyTo(built, FrameLayout.HeaderSize);

            new PayloadSealer().Seal(device.Sealing, h, built, 0);
            Assert.Equal(6, nano.MacsComputed);
            Assert.Equal(FrameLayout.HeaderSize + 11, nano.LastMacInputLength); // 45, not the 250-byte scratch
            Assert.Equal(1, nano.BlocksEncrypted); // 11 payload bytes: one keystream block

            new NetworkSealer().Seal(key, built, 0, built.Length);
            Assert.Equal(7, nano.MacsComputed);
            Assert.Equal(frame.Length - FrameLayout.NetMicSize, nano.LastMacInputLength); // 53: every byte before the network MIC
            Assert.Equal(WireFormatKnownAnswerTests.ReadingsFrame, Hex(built));

            Assert.True(new NetworkSealer().Verify(key, frame, 0, frame.Length));
            Assert.Equal(frame.Length - FrameLayout.NetMicSize, nano.LastMacInputLength);
            byte[] work = new byte[PayloadSealer.WorkSize];
            Assert.True(new PayloadSealer().Open(device.Sealing, h, frame, 0, work));
            byte[] plain = work.AsSpan(FrameLayout.HeaderSize, 11).ToArray();
            Assert.Equal(FrameLayout.HeaderSize + 11, nano.LastMacInputLength);
            Assert.Equal(2, nano.BlocksEncrypted);
            Assert.Equal(Hex(ReadingsPayload), Hex(plain));
        }

        [Fact]
        public void Largest_device_sealed_frame_encrypts_in_thirteen_blocks_through_the_adapter_and_matches_the_reference()
        {
            NanoShapedCryptoProvider nano = new NanoShapedCryptoProvider();
            NetworkKey key = Key(Secret, nano);
            DeviceKey device = new DeviceKey(Origin, DeviceSecret, DeviceKeyIndex, nano);
            byte[] payload = new byte[FrameLayout.MaxPayloadSize];
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)(i * 7);
            }

            RefHeader header = KnownHeader() with { Type = (byte)MessageType.Heartbeat, Sequence = 99, HopLimit = 3 };
            byte[] frame = CoreSeal(key, device, header, payload);
            Assert.Equal(FrameLayout.MaxFrameSize, frame.Length);
            Assert.Equal(200, payload.Length);
            Assert.Equal(13, nano.BlocksEncrypted); // ceil(200 / 16)
            Assert.Equal(FrameLayout.MaxFrameSize - FrameLayout.NetMicSize, nano.LastMacInputLength);
            Assert.Equal(Hex(RefSeal(header, payload)), Hex(frame));
        }

        [Fact]
        public void Largest_plain_frame_carries_208_bytes_and_matches_the_reference()
        {
            NanoShapedCryptoProvider nano = new NanoShapedCryptoProvider();
            NetworkKey key = Key(Secret, nano);
            byte[] payload = new byte[FrameLayout.MaxFrameSize - FrameLayout.HeaderSize - FrameLayout.NetMicSize];
            Assert.Equal(208, payload.Length); // 250 - header 34 - network MIC 8
            RefHeader header = KnownHeader() with { Flags = 0, Type = (byte)MessageType.Text, Destination = NodeAddress.Broadcast };
            byte[] frame = CoreSeal(key, null, header, payload);
            Assert.Equal(FrameLayout.MaxFrameSize, frame.Length);
            Assert.Equal(0, nano.BlocksEncrypted);
            Assert.Equal(Hex(RefSeal(header, payload)), Hex(frame));
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Board_and_desktop_nodes_accept_each_others_frames(bool encryptText)
        {
            NanoShapedCryptoProvider nano = new NanoShapedCryptoProvider();
            NetworkKey board = Key(Secret, nano);
            NetworkKey desktop = Key(Secret, DesktopCrypto.Instance);

            // Board sensor -> desktop gateway: device-sealed readings, then text.
            MeshNode boardSensor = Sender(board, encryptText, crypto: nano);
            MeshNode desktopBridge = Receiver(desktop, requireEncryption: encryptText);
            Assert.Equal(SendResult.Queued, boardSensor.SendReadings(KnownReadings(), 0));
            byte[] fromBoard = TakeFrame(boardSensor);
            Assert.Equal(RejectReason.None, desktopBridge.Receive(fromBoard, 0, fromBoard.Length, -50, 0));
            byte[] text = { 1, 2, 3 };
            Assert.Equal(SendResult.Queued, boardSensor.SendText(text, 0, text.Length, NodeAddress.Broadcast, 0));
            byte[] textFromBoard = TakeFrame(boardSensor);
            Assert.Equal(RejectReason.None, desktopBridge.Receive(textFromBoard, 0, textFromBoard.Length, -50, 0));
            Assert.Equal(2, desktopBridge.PendingEvents);

            // Desktop sensor -> board gateway.
            MeshNode desktopSensor = Sender(desktop, encryptText, id: 0x0C0FFEE0);
            Assert.Equal(SendResult.Queued, desktopSensor.SendReadings(KnownReadings(), 0));
            byte[] fromDesktop = TakeFrame(desktopSensor);
            MeshNode boardBridge = Receiver(board, crypto: nano, requireEncryption: encryptText);
            Assert.Equal(RejectReason.None, boardBridge.Receive(fromDesktop, 0, fromDesktop.Length, -50, 0));

            MeshEvent e = new MeshEvent();
            Assert.True(boardBridge.TryTakeEvent(e));
            Assert.Equal(Hex(ReadingsPayload), Hex(e.Payload.AsSpan(0, e.PayloadLength).ToArray()));
            Assert.True(e.WasEncrypted);
        }

        [Fact]
        public void Nano_shaped_aes_rejects_partial_blocks_like_the_device_library()
        {
            NanoShapedAes aes = new NanoShapedAes(System.Security.Cryptography.CipherMode.ECB) { Key = new byte[16] };
            Assert.Throws<ArgumentException>(() => aes.Encrypt(new byte[15]));
            Assert.Equal(32, aes.Encrypt(new byte[32]).Length);
        }
    }
}
