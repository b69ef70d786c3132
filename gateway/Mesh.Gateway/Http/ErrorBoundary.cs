using System;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Http
{
    /// <summary>
    /// The outermost middleware: a request ASP.NET Core itself finds malformed gets a 400 with its reason,
    /// and anything an endpoint failed to anticipate is logged and answered with a JSON error instead
    /// of an empty 500 — the gateway keeps serving either way.
    /// </summary>
    public sealed class ErrorBoundary
    {
        private readonly ILogger _logger;

        public ErrorBoundary(ILogger<ErrorBoundary> logger)
        {
            _logger = logger;
        }

        public async Task InvokeAsync(HttpContext context, RequestDelegate next)
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = ex.StatusCode;
                await context.Response.WriteAsJsonAsync(new { error = "request: " + ex.Message }, GatewayApp.Json).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
            {
                _logger.LogError(ex, "HTTP {Method} {Path} failed", context.Request.Method, context.Request.Path.Value);
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = $"internal error ({ex.GetType().Name}); the gateway log has the details" }, GatewayApp.Json)
                    .ConfigureAwait(false);
            }
        }
    }
}
