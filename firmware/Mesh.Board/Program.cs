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
#if !NO_BRIDGE
using nanoFramework.Hardware.Esp32;
#endif
using nanoFramework.Runtime.Native;

namespace Mesh.Board
{
    /// <summary>
    /// The board, as a wiring diagram: the board's profile (pins, table sizes) → image defaults → settings file
    /// (and a pending update) → status LED and watchdog → radio (WiFi UDP, or ESP-NOW when built with it) →
    /// the serial bridge (bridge role) or sensors and the node → the loop. Everything with logic in it lives in
    /// Mesh.NodeApp and Mesh.Protocol, compiled and tested on the desktop. Every step says on the serial log
    /// what it found, so a board set up without a debugger tells its user what is wrong.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            ILog log = new ConsoleLog();
            var control = new BoardControl(log);

            // 1. Settings: this target's pins and tables, the image's defaults, then I:\mesh.conf line by line.
            var flash = new FlashConfigStore(FlashConfigStore.DefaultPath);
            var store = new SettingsStore(flash, log);
            NodeSettings settings = LoadSettings(store, log);
            ApplyPendingUpdate(store, settings, log);
            if (flash.Load() == null)
            {
                log.Write(LogLevel.Error, "no settings file " + FlashConfigStore.DefaultPath + " on this board: write one with 'nanoff --filedeployment deploy.json' (hardware/README.md, \"Write the settings\")");
            }

            uint nodeId = settings.NodeId != 0 ? settings.NodeId : BoardIdentity.FromMac();
            log.Write(LogLevel.Info, "node id " + nodeId + (settings.NodeId != 0 ? "" : " (from the WiFi MAC)") + ", network " + settings.NetworkId + ", role " + NodeSettingsText.RoleName(settings.Role));

            // 2. Status LED.
            IStatusLed led = settings.LedPin >= 0 ? (IStatusLed)new GpioStatusLed(new GpioController(), settings.LedPin) : new NoLed();
            if (settings.Key == null)
            {
                log.Write(LogLevel.Error, "no network key: this node stays off the air. Put 'key = <32 hex digits, the gateway's Mesh:Key>' into "
                    + FlashConfigStore.DefaultPath + " with 'nanoff --filedeployment' and reset the board (hardware/README.md, \"Write the settings\")");
                led.Show(LedPattern.Error);
                KeepAlive(control);
            }

            // 3. Radio.
            IBoardRadio radio;
            if (settings.Radio == RadioMode.Udp)
            {
                // Retries with back-off for as long as it takes, feeding the watchdog and showing the error pattern
                // between attempts; returns 0 only when there is nothing to join (no SSID, logged).
                if (WifiJoin.Run(new WifiLink(), settings.WifiSsid, settings.WifiPassword, control.Watchdog, control, led, log, 0) == 0)
                {
                    KeepAlive(control);
                }

                var udp = new WifiUdpRadio(settings.UdpGroup, settings.UdpPort, log);
                udp.Open();
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
                log.Write(LogLevel.Error, "radio = espnow, but this image has no ESP-NOW support (experimental, off by default): set 'radio = udp' and WiFi credentials in the settings file");
                led.Show(LedPattern.Error);
                KeepAlive(control);
                return;
#endif
            }

            // 4. Bridge role: a transparent radio for the gateway on the UART; the gateway is the mesh node.
            if (settings.Role == NodeRole.Bridge)
            {
#if NO_BRIDGE
                // The relay image leaves the UART bridge out (System.IO.Ports and nanoFramework.Hardware.Esp32, ~2.4 KB
                // of runtime tables on the C3): a bridge only matters for an ESP-NOW mesh, which this image cannot join.
                log.Write(LogLevel.Error, "role = bridge, but this is the relay image (no serial bridge): deploy the full image (Mesh.Board) on an ESP32 or ESP32-S3 for the bridge board (hardware/README.md, \"Bridge board\")");
                led.Show(LedPattern.Error);
                KeepAlive(control);
#else
                // COM2 on the profile's pins (serial_rx / serial_tx): no single pair is free on every board.
                Configuration.SetPinFunction(settings.SerialRxPin, DeviceFunction.COM2_RX);
                Configuration.SetPinFunction(settings.SerialTxPin, DeviceFunction.COM2_TX);
                var uart = new UartLink("COM2", settings.SerialBaudRate);
                var bridge = new SerialBridge(radio, uart, log);
                FrameSink toGateway = new FrameSink(new BridgeSink(bridge).Take);
                radio.Start(toGateway);
                uart.Open(bridge);
                log.Write(LogLevel.Info, "bridge: COM2 RX GPIO" + settings.SerialRxPin + ", TX GPIO" + settings.SerialTxPin + ", " + settings.SerialBaudRate + " baud");
                led.Show(LedPattern.Joined);
                KeepAlive(control);
#endif
            }

            // 5. Sensors, then the node.
            ISensor[] sensors = SensorDiscovery.Find(settings, nodeId, log);
            var wake = new AutoResetEvent(false);
            var runner = new NodeRunner(settings, BoardTables(), nodeId, new ManagedCrypto(), new HardwareRandom(),
                radio, new SensorSet(sensors, log), led, control, store, log, BoardControl.NowMs);
            radio.Start(new FrameSink(new RunnerSink(runner, wake).Take));
            log.Write(LogLevel.Info, "running; managed heap free: " + nanoFramework.Runtime.Native.GC.Run(false) + " bytes");

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

        /// <summary>
        /// The profile, then the image's defaults, then the settings file over them. A method of its own so that the
        /// defaults object and the profile are garbage once the settings are read: the interpreter keeps every local
        /// of a running method alive, and Main never returns (on the ESP32-C3 their 70-odd fields are worth having back).
        /// </summary>
        private static NodeSettings LoadSettings(SettingsStore store, ILog log)
        {
            string target = SystemInfo.TargetName;
            BoardProfile profile = BoardProfile.ForTarget(target) ?? BoardProfile.Esp32();
            log.Write(LogLevel.Info, "Mesh board on " + target + " (firmware " + SystemInfo.Version.ToString() + "): " + profile.Name + " profile, policy "
                + NodeSettingsText.PolicyName(profile.Policy) + " unless the settings file names another");
            var defaults = new NodeSettings();
            profile.ApplyTo(defaults);
            NodeSettingsText.Parse(ImageDefaults.Settings, defaults, log);
            return store.Load(defaults);
        }

        /// <summary>This target's table sizes, built again for the node and garbage once it is built (not a local of Main, which never returns).</summary>
        private static NodeTables BoardTables()
        {
            return (BoardProfile.ForTarget(SystemInfo.TargetName) ?? BoardProfile.Esp32()).Tables();
        }

        /// <summary>I:\mesh.update, if present: merged into mesh.conf (keeping what the node stored there) and deleted.</summary>
        private static void ApplyPendingUpdate(SettingsStore store, NodeSettings settings, ILog log)
        {
            var update = new FlashConfigStore(FlashConfigStore.UpdatePath);
            try
            {
                byte[] data = update.Load();
                if (data == null)
                {
                    return;
                }

                log.Write(LogLevel.Info, "settings: applying " + FlashConfigStore.UpdatePath);
                if (store.ApplyUpdate(settings, data))
                {
                    update.Delete();
                }
            }
            catch (Exception ex)
            {
                log.Write(LogLevel.Error, "settings: cannot apply " + FlashConfigStore.UpdatePath + " (" + ex.Message + ")");
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
