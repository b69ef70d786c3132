using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Mesh.Protocol.Messages;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>Commands that arrive over MQTT: the command topics parsed, run against the mesh, answered or refused.</summary>
    public sealed partial class MqttConnection
    {
        private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
        {
            string topic = e.ApplicationMessage.Topic;
            if (topic.Contains("/cmd/", StringComparison.Ordinal) && topic.StartsWith(_topics.Prefix + "/", StringComparison.Ordinal))
            {
                OnCommandTopic(topic, e.ApplicationMessage);
                return Task.CompletedTask;
            }

            if (topic == _topics.HomeAssistantStatus)
            {
                if (e.ApplicationMessage.ConvertPayloadToString() == "online")
                {
                    _logger.LogInformation("Home Assistant came online: sending discovery again");
                    _ = AnnounceAsync(CancellationToken.None).ContinueWith(t => _logger.LogWarning(t.Exception, "discovery re-announce failed"), TaskContinuationOptions.OnlyOnFaulted);
                }

                return Task.CompletedTask;
            }

            string[] parts = topic.Split('/');
            if (parts.Length == 5 && parts[2] == "gateway" && parts[4] == "status" && uint.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out uint gw))
            {
                bool online = e.ApplicationMessage.ConvertPayloadToString() == "online";
                _roster.SetLive(gw, online);
                _logger.LogInformation("gateway {Gateway} on this network is {State}; {Count} live", gw, online ? "online" : "offline", _roster.Live.Count);
                return Task.CompletedTask;
            }

            // Another gateway's reading (no-local keeps our own away): remember it so we do not publish it again.
            if (!e.ApplicationMessage.Retain && Payloads.TryReadOriginSequence(e.ApplicationMessage.Payload, out uint origin, out uint sequence))
            {
                _roster.MarkPublished(origin, sequence);
            }

            return Task.CompletedTask;
        }

        private void OnCommandTopic(string topic, MqttApplicationMessage message)
        {
            if (topic.EndsWith("/result", StringComparison.Ordinal))
            {
                return; // an outcome some gateway published, not a command
            }

            DateTimeOffset at = DateTimeOffset.UtcNow;
            CommandTopic kind = _topics.ClassifyCommand(topic, out uint node, out string name, out string? error);
            if (kind == CommandTopic.NotACommand)
            {
                string network = topic.Split('/') is { Length: > 1 } p ? p[1] : "";
                _commandLog.LogInformation("MQTT command topic {Topic} ignored: network '{Network}' is not this gateway's ({Own})", topic, network, _topics.Network);
                return;
            }

            if (kind == CommandTopic.Malformed)
            {
                _commandLog.LogWarning("MQTT command topic {Topic} rejected: {Error}", topic, error);
                PublishRejection(topic + "/result", Payloads.Rejection(name, "invalid", error!, at));
                return;
            }

            if (kind != CommandTopic.Command)
            {
                return;
            }

            if (message.Retain)
            {
                // A retained command would run again after every restart and reconnection (a retained reboot, forever).
                string why = $"retained command not executed: commands must not be retained; clear it with mosquitto_pub -r -n -t '{topic}'";
                _commandLog.LogWarning("MQTT command {Name} for node {Node} on {Topic} rejected: {Error}", name, node, topic, why);
                _bridge.PublishResult(new CommandOutcome(node, name, 0, CommandState.Rejected, "retained", at, at, why));
                return;
            }

            _ = RunCommandAsync(node, name, message.ConvertPayloadToString() ?? "");
        }

        private void PublishRejection(string topic, byte[] payload) => _outbox.Enqueue(topic, payload, false);

        private async Task RunCommandAsync(uint node, string name, string body)
        {
            try
            {
                await RunCommandCoreAsync(node, name, body).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Never silence: whatever went wrong is answered on the result topic and logged.
                DateTimeOffset now = DateTimeOffset.UtcNow;
                _commandLog.LogError(ex, "MQTT command {Name} for node {Node} failed", name, node);
                _bridge.PublishResult(new CommandOutcome(node, name, 0, CommandState.Rejected, "error", now, now, ex.Message));
            }
        }

        private async Task RunCommandCoreAsync(uint node, string name, string body)
        {
            DateTimeOffset at = DateTimeOffset.UtcNow;
            if (KeyCommands != null && MqttKeyCommands.Handles(name))
            {
                string resultTopic = _topics.CommandResult(node, name);
                await KeyCommands.RunAsync(node, name, body, payload => _outbox.Enqueue(resultTopic, payload, false), _commandLog, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            if (!CommandArguments.TryParse(name, body, out CommandKind kind, out byte[] args, out string? error))
            {
                _commandLog.LogWarning("MQTT command {Name} for node {Node} rejected: {Error}", name, node, error);
                _bridge.PublishResult(new CommandOutcome(node, name, 0, CommandState.Rejected, "invalid", at, at, error));
                return;
            }

            _commandLog.LogInformation("command {Name} for node {Node} accepted from MQTT topic {Topic}", name, node, _topics.Command(node, name));
            CommandOutcome outcome = await _mesh.SendCommandAsync(node, kind, args, CancellationToken.None).ConfigureAwait(false);
            if (outcome.State == CommandState.Rejected)
            {
                // Acknowledged and timed-out outcomes reach MQTT through the mesh listener; refusals do not.
                _bridge.PublishResult(outcome);
            }
        }
    }
}
