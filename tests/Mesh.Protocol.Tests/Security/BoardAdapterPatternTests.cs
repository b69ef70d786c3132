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
        [InlineData(true, WireFormatKnownAnswerTests.EncryptedFrame)]
        [InlineData(false, WireFormatKnownAnswerTests.PlainFrame)]
        public void Core_on_the_nano_shaped_provider_produces_the_pinned_frame(bool encrypted, string expectedHex)
        {
            NanoShapedCryptoProvider nano = new NanoShapedCryptoProvider();
            byte[] frame = CoreReadingsFrame(Key(Secret, nano), encrypted);
            Assert.Equal(expectedHex, Hex(frame));
            Assert.Equal(Hex(CoreReadingsFrame(Key(Secret, DesktopCrypto.Instance), encrypted)), Hex(frame));
        }

        [Fact]
        public void Adapter_hands_the_primitives_exactly_the_covered_bytes_not_the_whole_scratch_buffer()
        {
            NanoShapedCryptoProvider nano = new NanoShapedCryptoProvider();
            NetworkKey key = Key(Secret, nano);
            Assert.Equal(2, nano.MacsComputed); // key derivation: the two labels
            Assert.Equal("Mesh v1 mac".Length, nano.LastMacInputLength);

            byte[] frame = CoreReadingsFrame(key, true);
            Assert.Equal(3, nano.MacsComputed);
            Assert.Equal(FrameLayout.HeaderSize + 11, nano.LastMacInputLength); // 38, not the 250-byte scratch
            Assert.Equal(1, nano.BlocksEncrypted); // 11 payload bytes: one keystream block

            FrameHeader h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            Assert.True(new FrameProtector(key).Verify(h, frame, 0));
            Assert.Equal(FrameLayout.HeaderSize + 11, nano.LastMacInputLength);
        }

        [Fact]
        public void Largest_frame_encrypts_in_fourteen_blocks_through_the_adapter_and_matches_the_reference()
        {
            NanoShapedCryptoProvider nano = new NanoShapedCryptoProvider();
            NetworkKey key = Key(Secret, nano);
            byte[] payload = new byte[FrameLayout.MaxPayloadSize];
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)(i * 7);
            }

            RefHeader header = new RefHeader(true, (byte)MessageType.Text, Network, Origin, NodeAddress.Broadcast, 99, 3, 0, Origin, 0);
            byte[] frame = CoreSeal(key, header, payload);
            Assert.Equal(FrameLayout.MaxFrameSize, frame.Length);
            Assert.Equal(14, nano.BlocksEncrypted); // ceil(215 / 16)
            Assert.Equal(FrameLayout.MaxFrameSize - FrameLayout.MicSize, nano.LastMacInputLength);
            Assert.Equal(Hex(MeshV1Reference.Seal(Secret, header, payload)), Hex(frame));
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Board_and_desktop_nodes_accept_each_others_frames(bool encrypted)
        {
            NetworkKey board = Key(Secret, new NanoShapedCryptoProvider());
            NetworkKey desktop = Key(Secret, DesktopCrypto.Instance);

            byte[] fromBoard = CoreReadingsFrame(board, encrypted);
            MeshNode desktopBridge = Receiver(desktop);
            Assert.Equal(RejectReason.None, desktopBridge.Receive(fromBoard, 0, fromBoard.Length, -50, 0));

            MeshNode desktopSensor = Sender(desktop, encrypted, id: 0x0C0FFEE0);
            Assert.Equal(SendResult.Queued, desktopSensor.SendReadings(KnownReadings(), 0));
            byte[] fromDesktop = TakeFrame(desktopSensor);
            MeshNode boardBridge = Receiver(board);
            Assert.Equal(RejectReason.None, boardBridge.Receive(fromDesktop, 0, fromDesktop.Length, -50, 0));

            MeshEvent e = new MeshEvent();
            Assert.True(boardBridge.TryTakeEvent(e));
            Assert.Equal(Hex(ReadingsPayload), Hex(e.Payload.AsSpan(0, e.PayloadLength).ToArray()));
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
