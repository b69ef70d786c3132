using System;
using System.Globalization;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// The documented topic tree (gateway/README.md, "MQTT topics"), in one place so publisher,
    /// subscriber and tests agree. Node ids are decimal, as a person types them in mosquitto_pub.
    /// </summary>
    public sealed class TopicTree
    {
        private const int ReadingTopicsCached = 16_384;
        private readonly string _root;
        private readonly System.Collections.Generic.Dictionary<(uint Node, string Quantity), string> _readingTopics = new();

        public TopicTree(string prefix, ushort network, string discoveryPrefix)
        {
            Prefix = prefix;
            Network = network;
            DiscoveryPrefix = discoveryPrefix;
            _root = prefix + "/" + network.ToString(CultureInfo.InvariantCulture) + "/";
        }

        public string Prefix { get; }

        public ushort Network { get; }

        public string DiscoveryPrefix { get; }

        /// <summary>&lt;prefix&gt;/&lt;network&gt;/# — everything this gateway publishes for its network.</summary>
        public string All => _root + "#";

        public string Node(uint node) => _root + node.ToString(CultureInfo.InvariantCulture);

        /// <summary>Latest value of one quantity (JSON, retained, QoS 1).</summary>
        public string Reading(uint node, string quantity)
        {
            // Every reading needs its topic: built once per (node, quantity) instead of two strings per reading.
            // Bounded: a mesh with more combinations than the cache holds just builds some again.
            lock (_readingTopics)
            {
                if (_readingTopics.TryGetValue((node, quantity), out string? topic))
                {
                    return topic;
                }

                if (_readingTopics.Count >= ReadingTopicsCached)
                {
                    _readingTopics.Clear();
                }

                topic = Node(node) + "/" + quantity;
                _readingTopics[(node, quantity)] = topic;
                return topic;
            }
        }

        /// <summary>online / offline (retained), from heartbeats and readings.</summary>
        public string Availability(uint node) => Node(node) + "/availability";

        /// <summary>The node's last heartbeat: role, policy, uptime, neighbours (JSON, retained).</summary>
        public string Status(uint node) => Node(node) + "/status";

        public string Text(uint node) => Node(node) + "/text";

        /// <summary>Where commands come in: &lt;prefix&gt;/&lt;network&gt;/&lt;node&gt;/cmd/&lt;name&gt;.</summary>
        public string Command(uint node, string name) => Node(node) + "/cmd/" + name;

        /// <summary>Every topic under this network with a cmd level, well-formed or not: malformed ones get an error result rather than silence.</summary>
        public string CommandFilter => _root + "+/cmd/#";

        /// <summary>The outcome of a command: acknowledged with a status, timed out, or refused.</summary>
        public string CommandResult(uint node, string name) => Command(node, name) + "/result";

        /// <summary>The gateway's own online/offline (its MQTT last will says offline).</summary>
        public string GatewayStatus(uint gatewayNode) => _root + "gateway/" + gatewayNode.ToString(CultureInfo.InvariantCulture) + "/status";

        public string Discovery(uint node, string quantity) =>
            DiscoveryPrefix + "/sensor/" + UniqueId(node, quantity) + "/config";

        public string UniqueId(uint node, string quantity) =>
            "mesh_" + Network.ToString(CultureInfo.InvariantCulture) + "_" + node.ToString(CultureInfo.InvariantCulture) + "_" + quantity;

        public string DeviceId(uint node) =>
            "mesh_" + Network.ToString(CultureInfo.InvariantCulture) + "_" + node.ToString(CultureInfo.InvariantCulture);

        /// <summary>Home Assistant announces itself here; on "online" every discovery config is sent again.</summary>
        public string HomeAssistantStatus => DiscoveryPrefix + "/status";

        /// <summary>
        /// Classifies a topic under &lt;prefix&gt;/&lt;network&gt;/+/cmd/#: a command (node and name), a result
        /// (published by a gateway, not a command), or a malformed command topic with what is wrong.
        /// </summary>
        public CommandTopic ClassifyCommand(string topic, out uint node, out string name, out string? error)
        {
            node = 0;
            name = "";
            error = null;
            if (!topic.StartsWith(_root, StringComparison.Ordinal))
            {
                return CommandTopic.NotACommand;
            }

            string[] parts = topic.Substring(_root.Length).Split('/');
            if (parts.Length < 2 || parts[1] != "cmd")
            {
                return CommandTopic.NotACommand;
            }

            if (parts.Length == 4 && parts[3] == "result")
            {
                return CommandTopic.Result;
            }

            name = parts.Length > 2 ? parts[2] : "";
            if (!uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out node) || !Protocol.Wire.NodeAddress.IsValidNodeId(node))
            {
                error = $"node: '{parts[0]}' in the topic is not a node id (a decimal number, e.g. {Command(2, "ping")})";
                return CommandTopic.Malformed;
            }

            if (parts.Length != 3 || name.Length == 0)
            {
                error = $"topic: a command topic is {Prefix}/{Network}/<node>/cmd/<name>, with nothing after the name (was '{topic}')";
                return CommandTopic.Malformed;
            }

            return CommandTopic.Command;
        }
    }

    public enum CommandTopic
    {
        NotACommand,
        Command,
        Result,
        Malformed,
    }
}
