package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.StateDatabaseConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.metrics.AuditMetrics;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.StateStore;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * integrity_endpoint_up for an endpoint the last run never tried keeps what the newest run that
 * tried it saw. Regression (review): a run failing on its primary exported every other endpoint as
 * up (1) — a replica still down had its IntegrityEndpointDown resolved.
 */
class EndpointUpMetricTest {
  @Test
  void anEndpointTheLastRunNeverTriedKeepsItsLastKnownState() throws Exception {
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, "jdbc:h2:file:" + Files.createTempDirectory("ia-up").resolve("state"));
    StateStore store = new StateStore(c);
    try {
      store.migrate();
      var dao = store.runs();
      Instant t = Instant.parse("2026-12-01T12:00:00Z");
      // 1: the primary answered, the replica could not be opened.
      dao.insert(AuditRun.queued("r1", "users", null, null, "API", "dba", null, t));
      dao.claim("r1", "a", t);
      dao.finish(
          "r1",
          "a",
          "FAILED",
          t.plusSeconds(5),
          10,
          1,
          0L,
          "replica: cannot open endpoint 'replica' (jdbc:postgresql://db2/app): refused",
          "{\"tables\":[{\"table\":\"public.contacts\",\"error\":null,\"copies\":[{\"endpoint\":"
              + "\"replica\",\"status\":\"FAILED\",\"error\":\"cannot open endpoint 'replica'"
              + " (jdbc:postgresql://db2/app): refused\"}]}]}");
      // 2: the primary could not be opened; the replica was never tried.
      Instant t2 = t.plusSeconds(60);
      dao.insert(AuditRun.queued("r2", "users", null, null, "API", "dba", null, t2));
      dao.claim("r2", "a", t2);
      dao.finish(
          "r2",
          "a",
          "FAILED",
          t2.plusSeconds(5),
          0,
          0,
          null,
          "primary 'primary': cannot open endpoint 'primary' (jdbc:postgresql://db1/app): refused",
          "{\"tables\":[{\"table\":\"public.contacts\",\"error\":\"primary 'primary': cannot open"
              + " endpoint 'primary' (jdbc:postgresql://db1/app): refused\",\"copies\":[]}]}");
      DatasetConfig ds =
          new DatasetConfig(
              "primary",
              List.of("replica"),
              List.of(),
              null,
              List.of(
                  new TableConfig("public.contacts", List.of("id"), "user_id", null, List.of())));
      AuditMetrics metrics =
          new AuditMetrics(Map.of("users", ds), store, new ObjectMapper(), "UTC", 30);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, metrics.collect());
      String text = out.toString(StandardCharsets.UTF_8);
      assertThat(text)
          .contains("integrity_endpoint_up{dataset=\"users\",endpoint=\"primary\"} 0.0")
          .contains("integrity_endpoint_up{dataset=\"users\",endpoint=\"replica\"} 0.0");
    } finally {
      store.close();
    }
  }

  /** A replica found STOPPED or FORKED has no finite lag: +Inf, so IntegrityReplicaLag fires. */
  @Test
  void aStoppedReplicasLagIsInfinite() throws Exception {
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, "jdbc:h2:file:" + Files.createTempDirectory("ia-lag").resolve("state"));
    StateStore store = new StateStore(c);
    try {
      store.migrate();
      var dao = store.runs();
      Instant t = Instant.parse("2026-12-01T12:00:00Z");
      dao.insert(AuditRun.queued("r1", "users", null, null, "API", "dba", null, t));
      dao.claim("r1", "a", t);
      dao.finish(
          "r1",
          "a",
          "FINDINGS",
          t.plusSeconds(5),
          10,
          1,
          0L,
          null,
          "{\"tables\":[],\"replication\":[{\"endpoint\":\"replica\",\"state\":\"STOPPED\","
              + "\"lagSeconds\":null,\"message\":\"replication stopped\"},{\"endpoint\":"
              + "\"replica2\",\"state\":\"STREAMING\",\"lagSeconds\":0.5,\"message\":\"ok\"}]}");
      DatasetConfig ds =
          new DatasetConfig(
              "primary",
              List.of("replica", "replica2"),
              List.of(),
              null,
              List.of(
                  new TableConfig("public.contacts", List.of("id"), "user_id", null, List.of())));
      AuditMetrics metrics =
          new AuditMetrics(Map.of("users", ds), store, new ObjectMapper(), "UTC", 30);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, metrics.collect());
      assertThat(out.toString(StandardCharsets.UTF_8))
          .contains("integrity_replica_lag_seconds{dataset=\"users\",endpoint=\"replica\"} +Inf")
          .contains("integrity_replica_lag_seconds{dataset=\"users\",endpoint=\"replica2\"} 0.5");
    } finally {
      store.close();
    }
  }
}
