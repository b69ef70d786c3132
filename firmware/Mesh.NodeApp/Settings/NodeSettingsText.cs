using Mesh.NodeApp.Hal;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;

namespace Mesh.NodeApp.Settings
{
    /// <summary>
    /// The stored form of <see cref="NodeSettings"/>: UTF-8 text, one <c>name = value</c> per line, <c>#</c>
    /// comments — what a person can write onto a board's flash or into mesh-node's config file by hand.
    /// Parsing never fails as a whole: each unknown or malformed line is logged with the reason and the
    /// setting keeps its safe default, so a damaged file still gives a node that relays. The key's value
    /// is never logged.
    /// </summary>
    public static class NodeSettingsText
    {
        /// <summary>Applies every valid line of <paramref name="text"/> to <paramref name="into"/>; returns how many lines were rejected.</summary>
        public static int Parse(string text, NodeSettings into, ILog log)
        {
            if (text == null)
            {
                return 0;
            }

            int problems = 0;
            bool sequenceRead = false;
            string[] lines = text.Split('\n');
            for (int n = 0; n < lines.Length; n++)
            {
                string line = lines[n].Trim();
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                int eq = line.IndexOf('=');
                if (eq <= 0)
                {
                    Warn(log, "line " + (n + 1) + ": expected 'name = value', ignored");
                    problems++;
                    continue;
                }

                string name = line.Substring(0, eq).Trim().ToLower();
                string value = line.Substring(eq + 1).Trim();
                string error = Apply(name, value, into);
                if (error != null)
                {
                    Warn(log, "line " + (n + 1) + ": " + error);
                    problems++;
                }
                else if (name == "sequence_start")
                {
                    sequenceRead = true;
                }
            }

            // A key without a checkpoint: this node may have sent under that key before, with sequence
            // numbers nobody here knows. The runner jumps forward instead of starting at 1.
            into.SequenceStartLost = into.Key != null && !sequenceRead;
            if (into.SequenceStartLost)
            {
                Warn(log, "sequence_start missing or damaged while a key is set: the node will jump its sequence forward before sending");
            }

            return problems;
        }

        /// <summary>Null when applied; otherwise why not (naming the setting and what it accepts, never a key).</summary>
        public static string Apply(string name, string value, NodeSettings s)
        {
            int i;
            uint u;
            double d;
            switch (name)
            {
                case "node_id":
                    if (!TextNumbers.TryParseUInt(value, out u) || u > 0xFFFFFFFD)
                    {
                        return Bad(name, value, "0 (from the MAC) or 1..4294967293", s.NodeId.ToString());
                    }

                    s.NodeId = u;
                    return null;
                case "network_id":
                    if (!TextNumbers.TryParseUInt(value, out u) || u > 0xFFFF)
                    {
                        return Bad(name, value, "0..65535", s.NetworkId.ToString());
                    }

                    s.NetworkId = (ushort)u;
                    return null;
                case "key":
                    string keyProblem = KeyHex.Check(value);
                    if (keyProblem != null)
                    {
                        return "key: " + keyProblem + " (value not shown); " + (s.Key == null ? "the node stays off the air until a key is set" : "keeping the previous key");
                    }

                    s.Key = KeyHex.Parse(value);
                    return null;
                case "key_index":
                    return SetInt(name, value, 0, 15, ref s.KeyIndex);
                case "device_key":
                    string deviceProblem = KeyHex.Check(value);
                    if (deviceProblem != null)
                    {
                        return "device_key: " + deviceProblem + " (value not shown); " + (s.DeviceKey == null ? "the node sends no readings and obeys no command until one is provisioned" : "keeping the previous device key");
                    }

                    s.DeviceKey = KeyHex.Parse(value);
                    return null;
                case "device_key_index":
                    return SetInt(name, value, 0, 15, ref s.DeviceKeyIndex);
                case "next_key":
                    string nextProblem = KeyHex.Check(value);
                    if (nextProblem != null)
                    {
                        return "next_key: " + nextProblem + " (value not shown); the key refresh in progress must be repeated for this node";
                    }

                    s.NextKey = KeyHex.Parse(value);
                    return null;
                case "next_key_index":
                    return SetInt(name, value, 0, 15, ref s.NextKeyIndex);
                case "next_key_phase":
                    return SetInt(name, value, 1, 2, ref s.NextKeyPhase);
                case "require_encryption":
                    return SetBool(name, value, ref s.RequireEncryption);
                case "bundle_frames":
                    return SetBool(name, value, ref s.BundleFrames);
                case "network_time":
                    if (!TextNumbers.TryParseUInt(value, out u))
                    {
                        return Bad(name, value, "0..4294967295 (seconds)", s.NetworkTime.ToString());
                    }

                    s.NetworkTime = u;
                    return null;
                case "command_counters":
                    uint[] counters = ParseCounters(value);
                    if (counters == null)
                    {
                        return Bad(name, value, "commander:counter pairs separated by commas", "none");
                    }

                    s.CommandCounters = counters;
                    return null;
                case "role":
                    NodeRole role;
                    if (!TryRole(value, out role))
                    {
                        return Bad(name, value, "sensor, relay, bridge or edge", RoleName(s.Role));
                    }

                    s.Role = role;
                    return null;
                case "policy":
                    if (value == "flooding")
                    {
                        s.Policy.Kind = PolicyKind.Flooding;
                    }
                    else if (value == "gossip")
                    {
                        s.Policy.Kind = PolicyKind.Gossip;
                    }
                    else if (value == "managed")
                    {
                        s.Policy.Kind = PolicyKind.ManagedFlooding;
                    }
                    else if (value == "structured")
                    {
                        s.Policy.Kind = PolicyKind.Structured;
                    }
                    else
                    {
                        return Bad(name, value, "flooding, gossip, managed or structured", PolicyName(s.Policy.Kind));
                    }

                    return null;
                case "gossip_p":
                    if (!TextNumbers.TryParseFraction(value, out d) || d <= 0 || d > 1)
                    {
                        return Bad(name, value, "a probability 0 < p <= 1", "the current p");
                    }

                    s.Policy.GossipProbability = PolicySettings.ProbabilityToFixed(d);
                    return null;
                case "gossip_k":
                    return SetInt(name, value, 0, 15, ref s.Policy.GossipAlwaysHops);
                case "cancel_threshold":
                    return SetInt(name, value, 1, 15, ref s.Policy.CancelThreshold);
                case "hop_limit":
                    return SetInt(name, value, 1, 32, ref s.HopLimit);
                case "fair_share_per_minute":
                    return SetInt(name, value, 1, 6000, ref s.FairSharePerMinute);
                case "encrypt":
                    return SetBool(name, value, ref s.Encrypt);
                case "radio":
                    if (value == "espnow")
                    {
                        s.Radio = RadioMode.EspNow;
                    }
                    else if (value == "udp")
                    {
                        s.Radio = RadioMode.Udp;
                    }
                    else
                    {
                        return Bad(name, value, "espnow or udp", s.Radio == RadioMode.Udp ? "udp" : "espnow");
                    }

                    return null;
                case "channel":
                    return SetInt(name, value, 1, 13, ref s.Channel);
                case "wifi_ssid":
                    if (value.Length > 32)
                    {
                        return "wifi_ssid: longer than 32 characters; keeping '" + s.WifiSsid + "'";
                    }

                    s.WifiSsid = value;
                    return null;
                case "wifi_password":
                    if (value.Length > 64)
                    {
                        return "wifi_password: longer than 64 characters (value not shown); keeping the previous one";
                    }

                    s.WifiPassword = value;
                    return null;
                case "udp_group":
                    if (!IsMulticast(value))
                    {
                        return Bad(name, value, "an IPv4 multicast address 224.0.0.0..239.255.255.255", s.UdpGroup);
                    }

                    s.UdpGroup = value;
                    return null;
                case "udp_port":
                    return SetInt(name, value, 1, 65535, ref s.UdpPort);
                case "report_interval":
                    return SetInt(name, value, 0, 7 * 24 * 3600, ref s.ReportIntervalSeconds);
                case "heartbeat_interval":
                    return SetInt(name, value, 10, 24 * 3600, ref s.HeartbeatIntervalSeconds);
                case "heartbeat_neighbours":
                    return SetInt(name, value, 0, Heartbeat.MaxNeighbours, ref s.HeartbeatNeighbours);
                case "i2c_sda":
                    return SetInt(name, value, -1, 48, ref s.I2cDataPin);
                case "i2c_scl":
                    return SetInt(name, value, -1, 48, ref s.I2cClockPin);
                case "led_pin":
                    return SetInt(name, value, -1, 48, ref s.LedPin);
                case "dht_pin":
                    return SetInt(name, value, -1, 48, ref s.DhtPin);
                case "dht_trigger_pin":
                    return SetInt(name, value, -1, 48, ref s.DhtTriggerPin);
                case "serial_rx":
                    return SetInt(name, value, 0, 48, ref s.SerialRxPin);
                case "serial_tx":
                    return SetInt(name, value, 0, 48, ref s.SerialTxPin);
                case "battery_adc":
                    return SetInt(name, value, -1, 19, ref s.BatteryAdcChannel);
                case "battery_divider":
                    return SetInt(name, value, 1000, 20000, ref s.BatteryDividerPermille);
                case "serial_baud":
                    if (!TextNumbers.TryParseInt(value, out i) || i < 1200 || i > 4000000)
                    {
                        return Bad(name, value, "1200..4000000", s.SerialBaudRate.ToString());
                    }

                    s.SerialBaudRate = i;
                    return null;
                case "simulate":
                    return SetBool(name, value, ref s.SimulateWhenNoSensor);
                case "sequence_start":
                    if (!TextNumbers.TryParseUInt(value, out u) || u == 0)
                    {
                        return Bad(name, value, "1..4294967295", s.SequenceStart.ToString());
                    }

                    s.SequenceStart = u;
                    return null;
                default:
                    return "unknown setting '" + name + "', ignored";
            }
        }

        /// <summary>Every setting, one per line, in the form <see cref="Parse"/> reads (the key included: this is what is stored).</summary>
        public static string Format(NodeSettings s)
        {
            string t = "# Mesh node settings (name = value). Unknown or malformed lines are reported and ignored.\n";
            t += "node_id = " + s.NodeId + "\n";
            t += "network_id = " + s.NetworkId + "\n";
            if (s.Key != null)
            {
                t += "key = " + KeyHex.Format(s.Key) + "\n";
                t += "key_index = " + s.KeyIndex + "\n";
            }

            if (s.DeviceKey != null)
            {
                t += "device_key = " + KeyHex.Format(s.DeviceKey) + "\n";
                t += "device_key_index = " + s.DeviceKeyIndex + "\n";
            }

            if (s.NextKey != null)
            {
                t += "next_key = " + KeyHex.Format(s.NextKey) + "\n";
                t += "next_key_index = " + s.NextKeyIndex + "\n";
                t += "next_key_phase = " + s.NextKeyPhase + "\n";
            }

            t += "require_encryption = " + (s.RequireEncryption ? "true" : "false") + "\n";
            t += "bundle_frames = " + (s.BundleFrames ? "true" : "false") + "\n";

            t += "role = " + RoleName(s.Role) + "\n";
            t += "policy = " + PolicyName(s.Policy.Kind) + "\n";
            t += "gossip_p = " + TextNumbers.FormatFraction(s.Policy.GossipProbability / 65535.0) + "\n";
            t += "gossip_k = " + s.Policy.GossipAlwaysHops + "\n";
            t += "cancel_threshold = " + s.Policy.CancelThreshold + "\n";
            t += "hop_limit = " + s.HopLimit + "\n";
            t += "fair_share_per_minute = " + s.FairSharePerMinute + "\n";
            t += "encrypt = " + (s.Encrypt ? "true" : "false") + "\n";
            t += "radio = " + (s.Radio == RadioMode.Udp ? "udp" : "espnow") + "\n";
            t += "channel = " + s.Channel + "\n";
            t += "wifi_ssid = " + s.WifiSsid + "\n";
            t += "wifi_password = " + s.WifiPassword + "\n";
            t += "udp_group = " + s.UdpGroup + "\n";
            t += "udp_port = " + s.UdpPort + "\n";
            t += "report_interval = " + s.ReportIntervalSeconds + "\n";
            t += "heartbeat_interval = " + s.HeartbeatIntervalSeconds + "\n";
            t += "heartbeat_neighbours = " + s.HeartbeatNeighbours + "\n";
            t += "i2c_sda = " + s.I2cDataPin + "\n";
            t += "i2c_scl = " + s.I2cClockPin + "\n";
            t += "led_pin = " + s.LedPin + "\n";
            t += "dht_pin = " + s.DhtPin + "\n";
            t += "dht_trigger_pin = " + s.DhtTriggerPin + "\n";
            t += "battery_adc = " + s.BatteryAdcChannel + "\n";
            t += "battery_divider = " + s.BatteryDividerPermille + "\n";
            t += "serial_baud = " + s.SerialBaudRate + "\n";
            t += "serial_rx = " + s.SerialRxPin + "\n";
            t += "serial_tx = " + s.SerialTxPin + "\n";
            t += "simulate = " + (s.SimulateWhenNoSensor ? "true" : "false") + "\n";
            t += "sequence_start = " + s.SequenceStart + "\n";
            t += "network_time = " + s.NetworkTime + "\n";
            t += "command_counters = " + FormatCounters(s.CommandCounters) + "\n";
            return t;
        }

        /// <summary>"id:counter,id:counter"; null when malformed.</summary>
        public static uint[] ParseCounters(string value)
        {
            if (value.Length == 0)
            {
                return new uint[0];
            }

            string[] parts = value.Split(',');
            uint[] pairs = new uint[parts.Length * 2];
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i].Trim();
                int colon = part.IndexOf(':');
                uint id;
                uint counter;
                if (colon <= 0 || !TextNumbers.TryParseUInt(part.Substring(0, colon), out id) || id == 0
                    || !TextNumbers.TryParseUInt(part.Substring(colon + 1), out counter))
                {
                    return null;
                }

                pairs[i * 2] = id;
                pairs[i * 2 + 1] = counter;
            }

            return pairs;
        }

        public static string FormatCounters(uint[] pairs)
        {
            string t = "";
            for (int i = 0; i + 1 < pairs.Length; i += 2)
            {
                t += (i == 0 ? "" : ",") + pairs[i] + ":" + pairs[i + 1];
            }

            return t;
        }

        public static string RoleName(NodeRole role)
        {
            switch (role)
            {
                case NodeRole.Relay:
                    return "relay";
                case NodeRole.Bridge:
                    return "bridge";
                case NodeRole.Edge:
                    return "edge";
                default:
                    return "sensor";
            }
        }

        public static bool TryRole(string value, out NodeRole role)
        {
            role = NodeRole.Sensor;
            switch (value)
            {
                case "sensor":
                    return true;
                case "relay":
                    role = NodeRole.Relay;
                    return true;
                case "bridge":
                    role = NodeRole.Bridge;
                    return true;
                case "edge":
                    role = NodeRole.Edge;
                    return true;
                default:
                    return false;
            }
        }

        public static string PolicyName(PolicyKind kind)
        {
            return kind == PolicyKind.Gossip ? "gossip" : kind == PolicyKind.ManagedFlooding ? "managed"
                : kind == PolicyKind.Structured ? "structured" : "flooding";
        }

        private static string SetInt(string name, string value, int min, int max, ref int field)
        {
            int v;
            if (!TextNumbers.TryParseInt(value, out v) || v < min || v > max)
            {
                return Bad(name, value, min + ".." + max, field.ToString());
            }

            field = v;
            return null;
        }

        private static string SetBool(string name, string value, ref bool field)
        {
            if (value == "true" || value == "1" || value == "yes")
            {
                field = true;
                return null;
            }

            if (value == "false" || value == "0" || value == "no")
            {
                field = false;
                return null;
            }

            return Bad(name, value, "true or false", field ? "true" : "false");
        }

        private static string Bad(string name, string value, string accepted, string keeping)
        {
            return name + ": '" + value + "' is not " + accepted + "; keeping " + keeping;
        }

        private static bool IsMulticast(string value)
        {
            string[] parts = value.Split('.');
            if (parts.Length != 4)
            {
                return false;
            }

            for (int i = 0; i < 4; i++)
            {
                int octet;
                if (!TextNumbers.TryParseInt(parts[i], out octet) || octet < 0 || octet > 255)
                {
                    return false;
                }

                if (i == 0 && (octet < 224 || octet > 239))
                {
                    return false;
                }
            }

            return true;
        }

        private static void Warn(ILog log, string message)
        {
            if (log != null)
            {
                log.Write(LogLevel.Warning, "settings: " + message);
            }
        }
    }
}
