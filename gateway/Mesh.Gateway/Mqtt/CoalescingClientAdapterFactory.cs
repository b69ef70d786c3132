using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// Builds the gateway client's connection as MQTTnet's own factory does (<c>MqttClientAdapterFactory</c>:
    /// same TCP/TLS channel, formatter and options), with <see cref="CoalescingMqttChannel"/> around the TCP
    /// channel. <see cref="Current"/> is the channel of the latest connection, for the publisher to cork.
    /// Other transports (WebSocket) are built by MQTTnet's factory unchanged.
    /// </summary>
    public sealed class CoalescingClientAdapterFactory : IMqttClientAdapterFactory
    {
        private readonly MqttClientAdapterFactory _default = new();
        private volatile CoalescingMqttChannel? _current;

        public CoalescingMqttChannel? Current => _current;

        public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
        {
            if (options.ChannelOptions is not MqttClientTcpOptions)
            {
                _current = null;
                return _default.CreateClientAdapter(options, packetInspector, logger);
            }

            var channel = new CoalescingMqttChannel(new MqttTcpChannel(options));
            var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
            _current = channel;
            return new MqttChannelAdapter(channel, formatter, logger)
            {
                AllowPacketFragmentation = options.AllowPacketFragmentation,
                PacketInspector = packetInspector,
            };
        }
    }
}
