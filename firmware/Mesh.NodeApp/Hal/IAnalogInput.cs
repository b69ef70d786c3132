namespace Mesh.NodeApp.Hal
{
    /// <summary>One ADC channel, raw. The battery sensor turns counts into volts.</summary>
    public interface IAnalogInput
    {
        /// <summary>Full-scale count (4095 for the ESP32's 12-bit ADC).</summary>
        int MaxValue { get; }

        int ReadRaw();
    }
}
