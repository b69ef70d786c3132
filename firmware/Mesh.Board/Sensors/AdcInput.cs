using System.Device.Adc;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Sensors
{
    /// <summary>One ESP32 ADC channel (the battery divider).</summary>
    internal sealed class AdcInput : IAnalogInput
    {
        private readonly AdcController _adc;
        private readonly AdcChannel _channel;

        public AdcInput(int channel)
        {
            _adc = new AdcController();
            _channel = _adc.OpenChannel(channel);
        }

        public int MaxValue
        {
            get { return _adc.MaxValue; }
        }

        public int ReadRaw()
        {
            return _channel.ReadValue();
        }
    }
}
