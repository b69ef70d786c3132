using System.Text.Json;
using System.Buffers;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/sensor.mqtt/ and
    /// https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery): one retained config message per
    /// node and quantity under &lt;discovery prefix&gt;/sensor/&lt;unique id&gt;/config, grouped into one
    /// device per node, available only while both the node and the gateway are online.
    /// </summary>
    public static class HomeAssistantDiscovery
    {
        /// <summary>Home Assistant device class, unit and display name for a protocol quantity name.</summary>
        public static (string? DeviceClass, string? Unit, string Name) Describe(string quantity) => quantity switch
        {
            "temperature" => ("temperature", "°C", "Temperature"),
            "humidity" => ("humidity", "%", "Humidity"),
            "pressure" => ("pressure", "Pa", "Pressure"),
            "battery_voltage" => ("voltage", "V", "Battery voltage"),
            "battery" => ("battery", "%", "Battery"),
            "illuminance" => ("illuminance", "lx", "Illuminance"),
            "co2" => ("carbon_dioxide", "ppm", "CO2"),
            _ => (null, null, quantity.Replace('_', ' ')),
        };

        public static byte[] SensorConfig(TopicTree topics, uint gatewayNode, uint node, string quantity, string? role)
        {
            (string? deviceClass, string? unit, string name) = Describe(quantity);
            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var w = new Utf8JsonWriter(buffer, Json.WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("unique_id", topics.UniqueId(node, quantity));
                w.WriteString("state_topic", topics.Reading(node, quantity));
                w.WriteString("value_template", "{{ value_json.value }}");
                w.WriteString("json_attributes_topic", topics.Reading(node, quantity));
                w.WriteString("json_attributes_template", "{{ {'hops': value_json.hops, 'rssi': value_json.rssi, 'sequence': value_json.sequence} | tojson }}");
                if (deviceClass != null)
                {
                    w.WriteString("device_class", deviceClass);
                }

                if (unit != null)
                {
                    w.WriteString("unit_of_measurement", unit);
                }

                w.WriteString("state_class", "measurement");
                if (quantity == "battery" || quantity == "battery_voltage")
                {
                    w.WriteString("entity_category", "diagnostic");
                }

                w.WriteStartArray("availability");
                w.WriteStartObject();
                w.WriteString("topic", topics.Availability(node));
                w.WriteEndObject();
                w.WriteStartObject();
                w.WriteString("topic", topics.GatewayStatus(gatewayNode));
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteString("availability_mode", "all");
                w.WriteString("payload_available", "online");
                w.WriteString("payload_not_available", "offline");

                w.WriteStartObject("device");
                w.WriteStartArray("identifiers");
                w.WriteStringValue(topics.DeviceId(node));
                w.WriteEndArray();
                w.WriteString("name", "Mesh node " + node);
                w.WriteString("manufacturer", "Mesh");
                w.WriteString("model", "ESP32 mesh node" + (role != null ? " (" + role + ")" : ""));
                w.WriteString("via_device", GatewayDeviceId(topics, gatewayNode));
                w.WriteEndObject();

                w.WriteStartObject("origin");
                w.WriteString("name", "mesh-gateway");
                w.WriteEndObject();
                w.WriteNumber("qos", 1);
                w.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }

        /// <summary>Where the gateway's own device is announced: a connectivity binary sensor on its status topic.</summary>
        public static string GatewayConfigTopic(TopicTree topics, uint gatewayNode) =>
            topics.DiscoveryPrefix + "/binary_sensor/" + GatewayDeviceId(topics, gatewayNode) + "_status/config";

        /// <summary>
        /// The gateway as a Home Assistant device (the one every node's <c>via_device</c> names), with a
        /// connectivity entity on its retained status topic: online, or offline by its MQTT last will.
        /// </summary>
        public static byte[] GatewayConfig(TopicTree topics, uint gatewayNode)
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            using (var w = new Utf8JsonWriter(buffer, Json.WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("name", "Status");
                w.WriteString("unique_id", GatewayDeviceId(topics, gatewayNode) + "_status");
                w.WriteString("state_topic", topics.GatewayStatus(gatewayNode));
                w.WriteString("payload_on", "online");
                w.WriteString("payload_off", "offline");
                w.WriteString("device_class", "connectivity");
                w.WriteString("entity_category", "diagnostic");
                w.WriteStartObject("device");
                w.WriteStartArray("identifiers");
                w.WriteStringValue(GatewayDeviceId(topics, gatewayNode));
                w.WriteEndArray();
                w.WriteString("name", "Mesh gateway " + gatewayNode);
                w.WriteString("manufacturer", "Mesh");
                w.WriteString("model", "mesh-gateway (network " + topics.Network + ")");
                w.WriteEndObject();
                w.WriteStartObject("origin");
                w.WriteString("name", "mesh-gateway");
                w.WriteEndObject();
                w.WriteNumber("qos", 1);
                w.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }

        public static string GatewayDeviceId(TopicTree topics, uint gatewayNode) => topics.DeviceId(gatewayNode) + "_gateway";
    }
}
