package io.integrityauditor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.ReportSummary;
import io.integrityauditor.store.RunDao;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The configured datasets with their last run, users at risk and newest backup. */
@Path("/api/datasets")
@Produces(MediaType.APPLICATION_JSON)
public final class DatasetResource {
  /** One dataset as the API shows it. Endpoint names only: never URLs or credentials. */
  public record DatasetView(
      String name,
      String primary,
      List<String> replicas,
      List<String> backups,
      String schedule,
      List<String> tables,
      AuditView lastRun,
      Long usersAtRisk,
      NewestBackup newestBackup,
      List<String> activeRuns) {}

  /**
   * The newest backup time the last complete run found, and the kinds of what that run found wrong
   * with that backup ({@code MISSING_BACKUP}, {@code RESTORE_FAILED}, ...; empty when nothing).
   */
  public record NewestBackup(
      String endpoint, String asOf, Long ageSeconds, Boolean stale, List<String> findings) {}

  private final Map<String, DatasetConfig> datasets;
  private final RunDao dao;
  private final ObjectMapper json;

  public DatasetResource(Map<String, DatasetConfig> datasets, RunDao dao, ObjectMapper json) {
    this.datasets = datasets;
    this.dao = dao;
    this.json = json;
  }

  @GET
  @RolesAllowed(ApiUser.VIEWER)
  public List<DatasetView> list() {
    List<DatasetView> out = new ArrayList<>();
    for (var e : datasets.entrySet()) {
      DatasetConfig ds = e.getValue();
      // The dataset's status is its last audit of the whole dataset: a one-user or one-table audit
      // says nothing of the rest. Regression (review 1 of session 23): a CONSISTENT one-user audit
      // turned a dataset with 5 users at risk green in the console.
      AuditRun last = dao.lastFinishedDatasetRun(e.getKey()).orElse(null);
      AuditRun complete = dao.lastCompleteDatasetRun(e.getKey()).orElse(null);
      out.add(
          new DatasetView(
              e.getKey(),
              ds.primary(),
              ds.replicas(),
              ds.backups().stream().map(BackupConfig::endpoint).toList(),
              ds.schedule(),
              ds.tables().stream().map(TableConfig::name).toList(),
              last == null ? null : AuditView.of(last, false),
              complete == null ? null : complete.usersAtRisk(),
              newestBackup(complete),
              dao.active(e.getKey()).stream().map(AuditRun::id).toList()));
    }
    return out;
  }

  private NewestBackup newestBackup(AuditRun run) {
    if (run == null) {
      return null;
    }
    try {
      NewestBackup best = null;
      // read without the rows it lists (ReportSummary): a report can be megabytes
      JsonNode report = ReportSummary.of(json, dao.report(run.id()).orElse(null));
      for (JsonNode b : report.path("backups")) {
        String asOf = b.path("asOf").isTextual() ? b.path("asOf").asText() : null;
        // The newest backup with a time; with none, the first backup with what was wrong with it.
        // Regression: a backup without a time (MISSING_BACKUP, RESTORE_FAILED) was left out, so
        // newestBackup was null and its findings never shown, while IntegrityBackupMissing fired.
        if (best == null
            || asOf != null && (best.asOf() == null || asOf.compareTo(best.asOf()) > 0)) {
          best =
              new NewestBackup(
                  b.path("endpoint").asText(),
                  asOf,
                  b.path("ageSeconds").isNumber() ? b.path("ageSeconds").asLong() : null,
                  b.path("stale").isBoolean() ? b.path("stale").asBoolean() : null,
                  io.integrityauditor.report.WeeklyReportBuilder.findingKinds(b));
        }
      }
      return best;
    } catch (Exception e) {
      return null;
    }
  }
}
