using System.Device.Gpio;
using System.Threading;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Platform
{
    /// <summary>The status LED on a GPIO, blinking the pattern of the node's state on a thread of its own.</summary>
    internal sealed class GpioStatusLed : IStatusLed
    {
        private readonly GpioPin _pin;
        private LedPattern _pattern = LedPattern.Booting;

        public GpioStatusLed(GpioController gpio, int pinNumber)
        {
            _pin = gpio.OpenPin(pinNumber, PinMode.Output);
            new Thread(Blink).Start();
        }

        public void Show(LedPattern pattern)
        {
            _pattern = pattern;
        }

        private void Blink()
        {
            while (true)
            {
                switch (_pattern)
                {
                    case LedPattern.Booting:
                        Pulse(100, 100);
                        break;
                    case LedPattern.Searching:
                        Pulse(50, 1950);
                        break;
                    case LedPattern.Joined:
                        _pin.Write(PinValue.High);
                        Thread.Sleep(500);
                        break;
                    case LedPattern.Relaying:
                        Pulse(30, 70);
                        break;
                    case LedPattern.Error:
                        Pulse(150, 150);
                        Pulse(150, 1200);
                        break;
                    case LedPattern.Identify:
                        Pulse(40, 40);
                        break;
                    default:
                        _pin.Write(PinValue.Low);
                        Thread.Sleep(500);
                        break;
                }
            }
        }

        private void Pulse(int onMs, int offMs)
        {
            _pin.Write(PinValue.High);
            Thread.Sleep(onMs);
            _pin.Write(PinValue.Low);
            Thread.Sleep(offMs);
        }
    }
}
