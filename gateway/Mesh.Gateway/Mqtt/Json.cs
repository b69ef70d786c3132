using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>How MQTT payloads are written: people read them in mosquitto_sub, so "°C" stays "°C" rather than "\u00B0C".</summary>
    internal static class Json
    {
        // Relaxed escaping is safe here: MQTT payloads are never embedded in HTML.
        public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    }
}
