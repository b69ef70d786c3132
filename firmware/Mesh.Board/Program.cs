using System;
using System.Device.Gpio;
using System.Threading;
using Mesh.Board.Platform;
using Mesh.Board.Radio;
using Mesh.Board.Sensors;
using Mesh.NodeApp.Bridge;
using Mesh.NodeApp.Crypto;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;
using Mesh.NodeApp.Sensors;
using Mesh.NodeApp.Settings;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using nanoFramework.Hardware.Esp32;

namespace Mesh.Board
{
    /// <summary>
    /// The board, as a wiring diagram: settings from flash → status LED and watchdog → radio (ESP-NOW or
    /// WiFi UDP) → sensors → the node (or, in bridge role, the serial bridge to the gateway) → the loop.
    /// Everything with logic in it lives in Mesh.NodeApp and Mesh.Protocol, compiled and tested on the desktop.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            ILog log = new DebugLog();
            var control = new BoardControl(log);

            // 1. Settings: safe defaults, overridden line by line by I:\mesh.conf (bad lines are logged and skipped).
            var flash = new FlashConfigStore(FlashConfigStore.DefaultPath);
            if (flash.Load() == null)
            {
                byte[] first = Utf8.GetBytes(FirstBoot.Settings);
                flash.Save(first, first.Length);
                log.Write(LogLevel.Info, "first boot: wrote " + FlashConfigStore.DefaultPath + " from FirstBoot.cs");
            }

            var store = new SettingsStore(flash, log);
            NodeSettings settings = store.Load(new NodeSettings());
            uint nodeId = settings.NodeId != 0 ? settings.NodeId : BoardIdentity.FromMac();

            // 2. Status LED.
            IStatusLed led = settings.LedPin >= 0 ? (IStatusLed)new GpioStatusLed(new GpioController(), settings.LedPin) : new NoLed();
            if (settings.Key == null)
            {
                log.Write(LogLevel.Error, "no network key: write 'key = <32 hex digits>' into " + FlashConfigStore.DefaultPath + " (hardware/README.md)");
                led.Show(LedPattern.Error);
                KeepAlive(control);
            }

            // 3. Radio.
            IBoardRadio radio;
            if (settings.Radio == RadioMode.Udp)
            {
                var udp = new WifiUdpRadio(settings.UdpGroup, settings.UdpPort, log);
                if (!udp.Connect(settings.WifiSsid, settings.WifiPassword))
                {
                    led.Show(LedPattern.Error);
                    Thread.Sleep(30000);
                    control.Reboot(); // try again from a clean start
                }

                radio = udp;
            }
            else
            {
#if ESPNOW
                try
                {
                    radio = new EspNowRadio(settings.Channel);
                }
                catch (Exception ex)
                {
                    // EspNowException (native init or AddPeer refused, e.g. a bad channel) or a second controller:
                    // nothing to relay with, so show it rather than reboot in a loop.
                    log.Write(LogLevel.Error, "ESP-NOW failed to start: " + ex.Message);
                    led.Show(LedPattern.Error);
                    KeepAlive(control);
                    return;
                }
#else
                // This image was built without the ESP-NOW library (hardware/README.md, "ESP-NOW"): say so and
                // stay useful on WiFi rather than pretend.
                log.Write(LogLevel.Error, "radio = espnow, but this build has no ESP-NOW support; set 'radio = udp' and WiFi credentials, or flash an ESP-NOW build");
                led.Show(LedPattern.Error);
                KeepAlive(control);
                return;
#endif
            }

            // 4. Bridge role: a transparent radio for the gateway on the UART; the gateway is the mesh node.
            if (settings.Role == NodeRole.Bridge)
            {
                // COM2 on GPIO16 (RX) / GPIO17 (TX): hardware/README.md, "Bridge board".
                Configuration.SetPinFunction(16, DeviceFunction.COM2_RX);
                Configuration.SetPinFunction(17, DeviceFunction.COM2_TX);
                var uart = new UartLink("COM2", settings.SerialBaudRate);
                var bridge = new SerialBridge(radio, uart, log);
                FrameSink toGateway = new FrameSink(new BridgeSink(bridge).Take);
                radio.Start(toGateway);
                uart.Open(bridge);
                led.Show(LedPattern.Joined);
                KeepAlive(control);
            }

            // 5. Sensors, then the node.
            ISensor[] sensors = SensorDiscovery.Find(settings, nodeId, log);
            var wake = new AutoResetEvent(false);
            var runner = new NodeRunner(settings, nodeId, new NetworkKey(settings.Key, new ManagedCrypto()), new HardwareRandom(),
                radio, new SensorSet(sensors, log), led, control, store, log, BoardControl.NowMs);
            radio.Start(new FrameSink(new RunnerSink(runner, wake).Take));

            // 6. The loop: step the node, sleep until it wants to be woken or a frame arrives.
            while (true)
            {
                long now = BoardControl.NowMs;
                long next = runner.Step(now);
                int wait = (int)(next - BoardControl.NowMs);
                if (wait > 0)
                {
                    wake.WaitOne(wait, false);
                }
            }
        }

        private static void KeepAlive(BoardControl control)
        {
            while (true)
            {
                control.FeedWatchdog();
                Thread.Sleep(1000);
            }
        }

        /// <summary>Radio thread → node inbox, then wake the loop.</summary>
        private sealed class RunnerSink
        {
            private readonly NodeRunner _runner;
            private readonly AutoResetEvent _wake;

            public RunnerSink(NodeRunner runner, AutoResetEvent wake)
            {
                _runner = runner;
                _wake = wake;
            }

            public bool Take(byte[] frame, int offset, int length, int rssi)
            {
                bool ok = _runner.OnFrameReceived(frame, offset, length, rssi);
                _wake.Set();
                return ok;
            }
        }

        private sealed class BridgeSink
        {
            private readonly SerialBridge _bridge;

            public BridgeSink(SerialBridge bridge)
            {
                _bridge = bridge;
            }

            public bool Take(byte[] frame, int offset, int length, int rssi)
            {
                _bridge.OnRadioFrame(frame, offset, length, rssi);
                return true;
            }
        }

        private sealed class NoLed : IStatusLed
        {
            public void Show(LedPattern pattern)
            {
            }
        }
    }
}
