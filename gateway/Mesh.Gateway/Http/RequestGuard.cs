using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Mesh.Gateway.Http
{
    /// <summary>
    /// Stands in front of every endpoint. Every request: the Host header must name this gateway (a page
    /// that re-binds its own DNS name to 127.0.0.1 sends its own name and is refused, so it cannot read
    /// the API). Every request that changes something (not GET/HEAD): no cross-origin Origin or
    /// Sec-Fetch-Site, the bearer token, and <c>application/json</c> — a body type no form and no
    /// "simple" cross-origin fetch can send. Each refusal is a 4xx naming the header.
    /// </summary>
    public sealed class RequestGuard
    {
        private readonly HashSet<string> _hosts;
        private readonly HttpToken _token;
        private readonly ILogger _logger;
        private long _refused;

        public RequestGuard(IEnumerable<string> allowedHosts, HttpToken token, ILogger<RequestGuard> logger)
        {
            _hosts = new HashSet<string>(allowedHosts, StringComparer.OrdinalIgnoreCase);
            _token = token;
            _logger = logger;
        }

        /// <summary>Requests refused by this guard (also in /metrics).</summary>
        public long Refused => System.Threading.Interlocked.Read(ref _refused);

        /// <summary>Host names the gateway answers to: each Http:Urls host, the loopback names when one of them is loopback, and Http:AllowedHosts.</summary>
        public static IEnumerable<string> AllowedHostsFor(HttpSettings http)
        {
            var hosts = new List<string>();
            foreach (string url in http.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Uri.TryCreate(url, UriKind.Absolute, out Uri? u))
                {
                    hosts.Add(u.Host);
                    if (u.IsLoopback)
                    {
                        hosts.AddRange(new[] { "localhost", "127.0.0.1", "[::1]" });
                    }
                }
            }

            hosts.AddRange(http.AllowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            return hosts;
        }

        public Task InvokeAsync(HttpContext context, RequestDelegate next)
        {
            HttpRequest r = context.Request;
            HostString host = r.Host;
            if (!host.HasValue || !_hosts.Contains(host.Host))
            {
                return Refuse(context, 400, $"Host: '{host.Value}' is not a name this gateway answers to (Http:Urls, Http:AllowedHosts)");
            }

            if (HttpMethods.IsGet(r.Method) || HttpMethods.IsHead(r.Method))
            {
                return next(context);
            }

            StringValues origin = r.Headers.Origin;
            if (origin.Count > 0 && !SameOrigin(origin.ToString(), r))
            {
                return Refuse(context, 403, $"Origin: '{origin}' is another origin; commands are accepted only from this gateway's own pages and from clients that send no Origin");
            }

            string? fetchSite = r.Headers["Sec-Fetch-Site"];
            if (fetchSite is "cross-site" or "same-site")
            {
                return Refuse(context, 403, $"Sec-Fetch-Site: '{fetchSite}': a page on another site may not send commands");
            }

            string? authorization = r.Headers.Authorization;
            if (authorization == null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_token.Matches(authorization.Substring(7).Trim()))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return Refuse(context, 401, $"Authorization: send 'Authorization: Bearer <token>' with the token from {_token.Path}");
            }

            if (!MediaTypeHeaderValue.TryParse(r.ContentType, out MediaTypeHeaderValue? type) || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return Refuse(context, 415, $"Content-Type: must be application/json (was '{r.ContentType}')");
            }

            return next(context);
        }

        private static bool SameOrigin(string origin, HttpRequest r) =>
            Uri.TryCreate(origin, UriKind.Absolute, out Uri? o)
            && string.Equals(o.Scheme, r.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(o.Authority, r.Host.Value, StringComparison.OrdinalIgnoreCase);

        private Task Refuse(HttpContext context, int status, string error)
        {
            System.Threading.Interlocked.Increment(ref _refused);
            _logger.LogWarning("HTTP {Method} {Path} from {Remote} refused ({Status}): {Error}", context.Request.Method, context.Request.Path.Value,
                context.Connection.RemoteIpAddress, status, error);
            context.Response.StatusCode = status;
            return context.Response.WriteAsJsonAsync(new { error }, GatewayApp.Json);
        }
    }
}
