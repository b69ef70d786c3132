using System.Text;

namespace Mesh.Gateway.Model
{
    /// <summary>
    /// Anything that contributes to /metrics. Implementations append Prometheus text exposition format
    /// (https://prometheus.io/docs/instrumenting/exposition_formats/): # HELP and # TYPE lines, then
    /// samples, metric names prefixed "mesh_gateway_".
    /// </summary>
    public interface IMetricsSource
    {
        void WriteMetrics(StringBuilder output);
    }
}
