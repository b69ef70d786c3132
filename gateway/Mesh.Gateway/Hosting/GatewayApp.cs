using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Gateway.Http;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Mesh.Gateway.Mqtt;
using Mesh.Gateway.Serial;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Gateway.Provisioning;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// Composes the gateway: configuration, the mesh loop and its transports, MQTT (embedded broker or
    /// external), history, the live feed, the HTTP API and the dashboard. `run`, `demo` and the
    /// end-to-end tests all build the application here, so they exercise the same wiring.
    /// </summary>
    public static class GatewayApp
    {
        /// <summary>A structured gateway's heartbeat interval (see the node configuration below): 5 minutes.</summary>
        public const long StructuredHeartbeatMs = 300_000;

        public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        };

        /// <summary>Reads configuration from appsettings.json, MESH_* environment variables and the command line.</summary>
        public static WebApplicationBuilder CreateBuilder(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
        {
            WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = args,
                ContentRootPath = AppContext.BaseDirectory,
                WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
            });
            builder.Configuration.AddEnvironmentVariables("MESH_");
            if (overrides != null)
            {
                builder.Configuration.AddInMemoryCollection(overrides);
            }

            builder.Configuration.AddCommandLine(args);
            // Start-up failures are reported by Program as one line; the host's own report is a stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
            return builder;
        }

        /// <summary>Registers every gateway service for validated <paramref name="options"/> and builds the app.</summary>
        public static WebApplication Build(WebApplicationBuilder builder, GatewayOptions options, IReadOnlyList<IFrameTransport>? extraTransports = null)
        {
            StateFolder.Prepare(options);
            HttpToken token = HttpToken.LoadOrCreate(StateFolder.TokenPath(options));
            builder.WebHost.UseUrls(options.Http.Urls);
            IServiceCollection s = builder.Services;
            s.AddSingleton(token);
            s.AddSingleton(sp => new RequestGuard(RequestGuard.AllowedHostsFor(options.Http), token, sp.GetRequiredService<ILogger<RequestGuard>>()));
            s.AddSingleton(options);
            s.AddSingleton(options.Mqtt);
            s.AddSingleton(options.Mqtt.Embedded);
            s.AddSingleton(TimeProvider.System);
            s.AddSingleton(Json);
            s.AddSingleton(sp =>
            {
                var directory = new NodeDirectory(TimeSpan.FromSeconds(options.Mesh.OfflineAfterSeconds), sp.GetRequiredService<TimeProvider>())
                {
                    MaxNodes = options.Mesh.MaxNodes,
                };
                HistoryWiring.RestoreNodes(sp, options, directory);
                return directory;
            });
            s.AddSingleton(sp => new LiveFeed(sp.GetRequiredService<NodeDirectory>(), Json));
            s.AddSingleton(sp => new HopLimitHeadroom(options.Mesh.HopLimit, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Gateway.HopLimit")));

            s.AddSingleton(sp => new TopicTree(options.Mqtt.TopicPrefix, options.Mesh.NetworkId, options.Mqtt.DiscoveryPrefix));
            s.AddSingleton(sp => MqttOutbox.Open(options.Mqtt.Outbox.Path, options.Mqtt.Outbox.MaxMessages, sp.GetRequiredService<ILogger<MqttOutbox>>()));
            s.AddSingleton(sp => new GatewayRoster(options.Mesh.NodeId, TimeSpan.FromMilliseconds(options.Mqtt.DedupHoldOffMs)));
            s.AddSingleton(sp => new MqttBridge(sp.GetRequiredService<TopicTree>(), sp.GetRequiredService<MqttOutbox>(), options.Mesh.NodeId,
                options.Mqtt.Discovery, sp.GetRequiredService<GatewayRoster>(), sp.GetRequiredService<NodeDirectory>(), sp.GetRequiredService<TimeProvider>()));

            s.AddSingleton<IReadOnlyList<IFrameTransport>>(sp =>
            {
                var transports = new List<IFrameTransport>();
                if (options.Udp.Enabled)
                {
                    try
                    {
                        transports.Add(new UdpFrameTransport(new UdpMeshOptions
                        {
                            Group = IPAddress.Parse(options.Udp.Group),
                            Port = options.Udp.Port,
                            Interface = IPAddress.Parse(options.Udp.Interface),
                            TimeToLive = options.Udp.TimeToLive,
                            NominalRssi = options.Udp.NominalRssi,
                        }, options.Udp.Relay));
                    }
                    catch (System.Net.Sockets.SocketException ex)
                    {
                        throw new StartupException($"Udp:Interface {options.Udp.Interface}, Udp:Port {options.Udp.Port}: cannot join the mesh group {options.Udp.Group} ({ex.Message})");
                    }
                }

                if (options.Serial.Enabled)
                {
                    transports.Add(new SerialFrameTransport(new SerialOptions(options.Serial.PortName, options.Serial.BaudRate)));
                }

                if (extraTransports != null)
                {
                    transports.AddRange(extraTransports);
                }

                return transports;
            });

            s.AddSingleton<IReadOnlyList<IMeshListener>>(sp =>
            {
                // The directory first: the others read the state it has just updated.
                var listeners = new List<IMeshListener> { sp.GetRequiredService<NodeDirectory>(), sp.GetRequiredService<MqttBridge>() };
                HistoryWiring.AddListener(sp, options, listeners);
                listeners.Add(sp.GetRequiredService<LiveFeed>());
                listeners.Add(sp.GetRequiredService<HopLimitHeadroom>());
                return listeners;
            });

            // The network key and any key refresh in progress live in the registry (none with derived device keys).
            KeyRefreshStore? keyStore = options.Mesh.DeriveDeviceKeys ? null : new KeyRefreshStore(options.Mesh.RegistryFile);
            // Another gateway may command this one (it was provisioned from it): the counters of what it executed.
            CommandCounterStore? counters = keyStore == null ? null : new CommandCounterStore(options.Mesh.RegistryFile);
            s.AddSingleton(sp => DeviceKeysFor(options.Mesh, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Gateway.Registry")));
            s.AddSingleton(sp =>
            {
                ILogger keyLog = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Gateway.KeyRefresh");
                NodeConfig config = NodeConfigFor(options.Mesh, sp.GetRequiredService<IDeviceKeyDirectory>(), sp.GetRequiredService<TimeProvider>());
                config.InitialCommandCounters = counters?.Load();
                var gateway = new MeshGateway(
                    config,
                    NetworkKeyFor(options.Mesh, keyStore, keyLog),
                    new BufferedCryptoRandom(),
                    sp.GetRequiredService<IReadOnlyList<IFrameTransport>>(),
                    sp.GetRequiredService<IReadOnlyList<IMeshListener>>(),
                    new SequenceStore(options.Mesh.SequenceFile),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<MeshGateway>>())
                {
                    MaxPendingPerNode = options.Mesh.MaxPendingCommandsPerNode,
                    CommandedSettings = keyStore == null || counters == null ? null
                        : new CommandedSettings(keyStore, counters, options.Mesh.RegistryFile, options.Mesh.NodeId, sp.GetRequiredService<TimeProvider>(), keyLog),
                };
                HistoryWiring.RestoreReplayState(sp, options, gateway);
                RestoreKeyRefresh(gateway, keyStore, keyLog);
                return gateway;
            });
            s.AddSingleton(sp => new DeviceKeyRotation(sp.GetRequiredService<MeshGateway>(), sp.GetRequiredService<IDeviceKeyDirectory>(), options.Mesh.RegistryFile,
                sp.GetRequiredService<ILoggerFactory>()));
            s.AddSingleton(sp => new KeyRefreshService(sp.GetRequiredService<MeshGateway>(), sp.GetRequiredService<IDeviceKeyDirectory>(), options, keyStore,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));

            HistoryWiring.AddServices(s, options);
            if (options.Mqtt.IsEmbedded)
            {
                s.AddHostedService(sp => new EmbeddedBroker(options.Mqtt.Embedded, sp.GetRequiredService<ILogger<EmbeddedBroker>>(),
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Gateway.Commands")));
            }

            s.AddSingleton(sp => new MqttConnection(sp.GetRequiredService<MqttSettings>(), sp.GetRequiredService<MqttOutbox>(), sp.GetRequiredService<MqttBridge>(),
                sp.GetRequiredService<GatewayRoster>(), sp.GetRequiredService<MeshGateway>(), sp.GetRequiredService<ILogger<MqttConnection>>(), sp.GetRequiredService<ILoggerFactory>())
            {
                KeyCommands = new MqttKeyCommands(sp.GetRequiredService<KeyRefreshService>(), sp.GetRequiredService<DeviceKeyRotation>(), sp.GetRequiredService<MeshGateway>().NodeId),
            });
            s.AddHostedService(sp => sp.GetRequiredService<MqttConnection>());
            s.AddSingleton<MeshService>();
            s.AddHostedService(sp => sp.GetRequiredService<MeshService>());
            s.AddHostedService(sp => sp.GetRequiredService<KeyRefreshService>());
            s.AddSingleton<IReadOnlyList<IMetricsSource>>(sp =>
            {
                var sources = new List<IMetricsSource> { sp.GetRequiredService<MeshGateway>(), sp.GetRequiredService<MqttConnection>() };
                HistoryWiring.AddMetrics(sp, options, sources);
                sources.Add(new SerialMetrics(sp.GetRequiredService<IReadOnlyList<IFrameTransport>>()));
                return sources;
            });

            WebApplication app = builder.Build();
            // Open the mesh's sockets and files now, so a bad interface or state file stops the start here
            // with one line (Program), not later inside the host with a stack trace.
            app.Services.GetRequiredService<MeshGateway>();
            app.Use(new ErrorBoundary(app.Services.GetRequiredService<ILogger<ErrorBoundary>>()).InvokeAsync);
            RequestGuard guard = app.Services.GetRequiredService<RequestGuard>();
            app.Use(guard.InvokeAsync);
            app.UseDefaultFiles();
            app.UseStaticFiles();
            ApiEndpoints.Map(app, options);
            KeyRefreshEndpoints.Map(app);
            DeviceKeyEndpoints.Map(app);
            if (keyStore != null)
            {
                app.Lifetime.ApplicationStopped.Register(keyStore.Dispose);
            }

            if (counters != null)
            {
                app.Lifetime.ApplicationStopped.Register(counters.Dispose);
            }

            return app;
        }

        /// <summary>
        /// The network key the gateway starts with: the one the last completed key refresh stored in the
        /// registry, else Mesh:Key (index 0).
        /// </summary>
        public static NetworkKey NetworkKeyFor(MeshSettings mesh, KeyRefreshStore? store, ILogger logger)
        {
            if (store?.CurrentKey() is (int index, byte[] secret))
            {
                logger.LogInformation("network key index {Index} from the registry {Registry} (set by a key refresh, or by provision --gateway; Mesh:Key is no longer used)", index, mesh.RegistryFile);
                return new NetworkKey(secret, index, DesktopCrypto.Instance);
            }

            return new NetworkKey(MeshSettings.TryParseKey(mesh.Key)!, DesktopCrypto.Instance);
        }

        /// <summary>Puts a key refresh a restart interrupted back into the gateway's key ring: the new key accepted, and sent if phase 2 was reached.</summary>
        private static void RestoreKeyRefresh(MeshGateway gateway, KeyRefreshStore? store, ILogger logger)
        {
            if (store?.Latest() is { Finished: null, NewKey: { } secret } r)
            {
                gateway.RestoreKeyRefresh(new NetworkKey(secret, r.NewIndex, DesktopCrypto.Instance), r.GatewayPhase);
                logger.LogInformation("key refresh #{Id} in progress (phase {Phase}): the gateway accepts network key indexes {Old} and {New}, sends under {Sending}",
                    r.Id, r.Phase, r.OldIndex, r.NewIndex, gateway.NetworkKeyIndex);
            }
            else if (store?.Followed() is { } followed)
            {
                // A refresh another gateway drives, interrupted here: this gateway's acknowledgements told it this much.
                gateway.RestoreKeyRefresh(new NetworkKey(followed.Key, followed.Index, DesktopCrypto.Instance), followed.Phase);
                logger.LogInformation("key refresh driven by another gateway in progress (phase {Phase}): the gateway accepts network key index {New} beside the current one, sends under {Sending}",
                    followed.Phase, followed.Index, gateway.NetworkKeyIndex);
            }
        }

        /// <summary>The gateway's own node: a bridge with desktop-sized tables (it hears the whole mesh).</summary>
        /// <summary>
        /// The device keys the gateway opens readings and seals commands with: the registry's, or (demo
        /// and simulator only) keys derived from the network key as mesh-sim provisions its nodes.
        /// </summary>
        public static IDeviceKeyDirectory DeviceKeysFor(MeshSettings mesh, ILogger logger)
        {
            if (mesh.DeriveDeviceKeys)
            {
                logger.LogWarning("device keys are derived from the network key (demo/simulator provisioning): anyone with the network key has every device key");
                return new DerivedDeviceKeys(MeshSettings.TryParseKey(mesh.Key)!, DesktopCrypto.Instance);
            }

            var table = new DeviceKeyTable();
            using var registry = new NodeRegistry(mesh.RegistryFile);
            if (registry.Find(mesh.NodeId) == null)
            {
                // The gateway's own device key seals its heartbeats: they carry the gateway's (wall-clock)
                // network time to nodes that have no clock of their own.
                registry.Provision(mesh.NodeId, DateTimeOffset.UtcNow, gateway: true);
            }

            int n = registry.LoadInto(table, DesktopCrypto.Instance) - 1;
            if (n == 0)
            {
                logger.LogWarning("the node registry {Registry} holds no node: readings cannot be opened until nodes are provisioned (mesh-gateway provision --node <id> --out <file>)", mesh.RegistryFile);
            }
            else
            {
                logger.LogInformation("{Count} provisioned node(s) loaded from {Registry}", n, mesh.RegistryFile);
            }

            return table;
        }

        public static NodeConfig NodeConfigFor(MeshSettings mesh, IDeviceKeyDirectory deviceKeys, TimeProvider time) => new()
        {
            DeviceKeys = deviceKeys,
            DeviceKey = deviceKeys.Current(mesh.NodeId),
            Crypto = DesktopCrypto.Instance,
            // Gateways have real clocks: network time is Unix time, and nodes synchronise to it.
            InitialNetworkTime = (uint)time.GetUtcNow().ToUnixTimeSeconds(),
            NodeId = mesh.NodeId,
            NetworkId = mesh.NetworkId,
            Role = NodeRole.Bridge,
            Policy = MeshSettings.PolicySettingsFor(mesh.Policy)!,
            // The root of the structured-routing gradient (policy kind 4); other policies ignore it.
            IsGateway = mesh.Policy == "structured",
            HopLimit = mesh.HopLimit,
            EncryptPayloads = mesh.Encrypt,
            BundleFrames = mesh.BundleFrames,
            // A gateway's heartbeat is the time beacon nodes without a clock synchronise to: every minute under the
            // flooding policies. Structured routing floods it on the backbone to every node, and every frame a node
            // hears carries the network time anyway (beacons, hop acks, forwards): there it goes every 5 minutes, a
            // board's own default. mesh-sim, city-1000 seed 23 (9 gateways, 30 min): 139,212 transmissions with
            // 60-s gateway heartbeats against 88,413 with 300 s (workload.gatewayHeartbeatIntervalSeconds).
            HeartbeatIntervalMs = mesh.Policy == "structured" ? StructuredHeartbeatMs : 60_000,
            ReportIntervalMs = 0,
            CommandTimeoutMs = mesh.CommandTimeoutMs,
            CommandMaxAttempts = mesh.CommandMaxAttempts,
            DuplicateCacheSize = 16_384,
            ReplayTableSize = 4096,
            // Replay state is restored exactly from history (RememberSequence), so readings a node retries
            // across the gateway's restart are taken, not refused for predating it.
            RefuseFramesFromBeforeStart = false,
            RouteTableSize = 4096,
            NeighbourTableSize = 64,
            TransmitQueueSize = 64,
            EventQueueSize = 256,
            PendingCommandSlots = 64, // with at most Mesh:MaxPendingCommandsPerNode each: 16 unreachable nodes before live ones wait
            RecentCommandSlots = 8,
            FairShareSlots = 1024, // a desktop relays for the whole mesh: remember every origin short of tokens
            FairShareFramesPerMinute = mesh.FairSharePerMinute,
        };
    }
}
