package io.integrityauditor.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.StateDatabaseConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.metrics.AuditMetrics;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.RunDao;
import io.integrityauditor.store.StateStore;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Runs stored in a fresh H2 state database, and the metrics exported from them as text. */
final class MetricsOfRuns implements AutoCloseable {
  private final StateStore store;

  MetricsOfRuns() throws Exception {
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, "jdbc:h2:file:" + Files.createTempDirectory("ia-metrics").resolve("state"));
    store = new StateStore(c);
    store.migrate();
  }

  /** A finished run of dataset users, finished 5 s after {@code at}. */
  MetricsOfRuns run(String id, Instant at, String status, String error, String report) {
    RunDao dao = store.runs();
    dao.insert(AuditRun.queued(id, "users", null, null, "API", "dba", null, at));
    dao.claim(id, "a", at);
    dao.finish(id, "a", status, at.plusSeconds(5), 10, 1, 0L, error, report);
    return this;
  }

  /** Run {@code id}'s table public.contacts with {@code rows} rows, and its copies as stored. */
  MetricsOfRuns table(String id, long rows, io.integrityauditor.store.CopyResult... copies) {
    RunDao dao = store.runs();
    dao.insertTable(
        new io.integrityauditor.store.TableCheckpointRow(
            id, "public.contacts", Instant.parse("2026-12-01T12:00:00Z"), rows, "{}"));
    dao.insertCopies(List.of(copies));
    return this;
  }

  /** The Prometheus text of dataset users over public.contacts with these copies. */
  String exported(List<String> replicas, List<io.integrityauditor.config.BackupConfig> backups)
      throws Exception {
    return exported(replicas, backups, null, d -> null);
  }

  /** The same, the dataset on a schedule that this instance started at {@code started}. */
  String exported(
      List<String> replicas,
      List<io.integrityauditor.config.BackupConfig> backups,
      String schedule,
      java.util.function.Function<String, Instant> started)
      throws Exception {
    DatasetConfig ds =
        new DatasetConfig(
            "primary",
            replicas,
            backups,
            schedule,
            List.of(new TableConfig("public.contacts", List.of("id"), "user_id", null, List.of())));
    AuditMetrics metrics =
        new AuditMetrics(Map.of("users", ds), store, new ObjectMapper(), "UTC", 30)
            .withScheduleStart(started);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, metrics.collect());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    store.close();
  }
}
