package io.integrityauditor.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/** {@code GET /metrics}: Prometheus text format on the application port, no token. */
@Path("/metrics")
public final class MetricsResource {
  private final PrometheusRegistry registry;
  private final PrometheusTextFormatWriter writer =
      ExpositionFormats.init().getPrometheusTextFormatWriter();

  public MetricsResource(PrometheusRegistry registry) {
    this.registry = registry;
  }

  @GET
  public Response scrape() {
    StreamingOutput body = out -> writer.write(out, registry.scrape());
    return Response.ok(body).type(writer.getContentType()).build();
  }
}
