package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * integrity_endpoint_up for an endpoint the last run never tried keeps what the newest run that
 * tried it saw. Regression (review): a run failing on its primary exported every other endpoint as
 * up (1) — a replica still down had its IntegrityEndpointDown resolved.
 */
class EndpointUpMetricTest {
  @Test
  void anEndpointTheLastRunNeverTriedKeepsItsLastKnownState() throws Exception {
    Instant t = Instant.parse("2026-12-01T12:00:00Z");
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      String text =
          m
              // 1: the primary answered, the replica could not be opened.
              .run(
                  "r1",
                  t,
                  "FAILED",
                  "replica: cannot open endpoint 'replica' (jdbc:postgresql://db2/app): refused",
                  "{\"tables\":[{\"table\":\"public.contacts\",\"error\":null,\"copies\":["
                      + "{\"endpoint\":\"replica\",\"status\":\"FAILED\",\"error\":\"cannot open"
                      + " endpoint 'replica' (jdbc:postgresql://db2/app): refused\"}]}]}")
              // 2: the primary could not be opened; the replica was never tried.
              .run(
                  "r2",
                  t.plusSeconds(60),
                  "FAILED",
                  "primary 'primary': cannot open endpoint 'primary' (jdbc:postgresql://db1/app):"
                      + " refused",
                  "{\"tables\":[{\"table\":\"public.contacts\",\"error\":\"primary 'primary':"
                      + " cannot open endpoint 'primary' (jdbc:postgresql://db1/app): refused\","
                      + "\"copies\":[]}]}")
              .exported(List.of("replica"), List.of());
      assertThat(text)
          .contains("integrity_endpoint_up{dataset=\"users\",endpoint=\"primary\"} 0.0")
          .contains("integrity_endpoint_up{dataset=\"users\",endpoint=\"replica\"} 0.0");
    }
  }

  /**
   * Regression (session 27): the endpoints a run could not open were read from the whole report's
   * text, so a row's key spelling the message (a text key "cannot open endpoint 'replica'") turned
   * a replica that was compared into "down" (0), and IntegrityEndpointDown fired. Only errors
   * count: the rows the report lists are left out (ReportSummary).
   */
  @Test
  void aKeySpellingTheErrorIsNoError() throws Exception {
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      String text =
          m.run(
                  "r1",
                  Instant.parse("2026-12-01T12:00:00Z"),
                  "FINDINGS",
                  null,
                  "{\"tables\":[{\"table\":\"public.contacts\",\"error\":null,\"copies\":["
                      + "{\"endpoint\":\"replica\",\"status\":\"FINDINGS\",\"hashing\":"
                      + "\"NATIVE\",\"findings\":[{\"kind\":\"MISSING\",\"key\":{\"id\":"
                      + "\"cannot open endpoint 'replica'\"}}]}]}]}")
              .exported(List.of("replica"), List.of());
      assertThat(text)
          .contains("integrity_endpoint_up{dataset=\"users\",endpoint=\"primary\"} 1.0")
          .contains("integrity_endpoint_up{dataset=\"users\",endpoint=\"replica\"} 1.0");
    }
  }

  /** A replica found STOPPED or FORKED has no finite lag: +Inf, so IntegrityReplicaLag fires. */
  @Test
  void aStoppedReplicasLagIsInfinite() throws Exception {
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      String text =
          m.run(
                  "r1",
                  Instant.parse("2026-12-01T12:00:00Z"),
                  "FINDINGS",
                  null,
                  "{\"tables\":[],\"replication\":[{\"endpoint\":\"replica\",\"state\":"
                      + "\"STOPPED\",\"lagSeconds\":null,\"message\":\"replication stopped\"},"
                      + "{\"endpoint\":\"replica2\",\"state\":\"STREAMING\",\"lagSeconds\":0.5,"
                      + "\"message\":\"ok\"}]}")
              .exported(List.of("replica", "replica2"), List.of());
      assertThat(text)
          .contains("integrity_replica_lag_seconds{dataset=\"users\",endpoint=\"replica\"} +Inf")
          .contains("integrity_replica_lag_seconds{dataset=\"users\",endpoint=\"replica2\"} 0.5");
    }
  }
}
