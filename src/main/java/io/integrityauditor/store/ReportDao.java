package io.integrityauditor.store;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Stored weekly reports, and the read-only history queries a report is computed from. Each query is
 * bounded by a time window or a run id, so a report reads two weeks of history, never all of it.
 */
@RegisterConstructorMapper(StoredReport.class)
@RegisterConstructorMapper(ReportDao.ReportEntry.class)
@RegisterConstructorMapper(ReportDao.RunRow.class)
@RegisterConstructorMapper(ReportDao.CopyTotal.class)
@RegisterConstructorMapper(ReportDao.RunReport.class)
@RegisterConstructorMapper(ReportDao.FirstScheduled.class)
public interface ReportDao {
  /** A stored report without its bodies, for lists. */
  record ReportEntry(String id, LocalDate weekStart, Instant generatedAt) {}

  /** A run without its report text. */
  record RunRow(
      String id,
      String dataset,
      String tableName,
      String userId,
      String triggerKind,
      String status,
      Instant createdAt,
      Instant finishedAt,
      Long usersAtRisk,
      String error) {
    /** A whole-dataset run that compared every copy it could. */
    public boolean complete() {
      return tableName == null
          && userId == null
          && (AuditRun.CONSISTENT.equals(status) || AuditRun.FINDINGS.equals(status));
    }
  }

  /** Divergent rows (missing + extra + changed, all tables) of one copy in one run. */
  record CopyTotal(String runId, String endpoint, String role, long divergent) {}

  /**
   * A dataset's oldest scheduled run the state database holds: its fire key ({@code
   * dataset@instant}, the cron fire it ran for) and when it was created.
   */
  record FirstScheduled(String fireKey, Instant createdAt) {
    /** The fire the run was for (its creation when the key does not say). */
    public Instant fireTime() {
      if (fireKey != null && fireKey.lastIndexOf('@') >= 0) {
        try {
          return Instant.parse(fireKey.substring(fireKey.lastIndexOf('@') + 1));
        } catch (java.time.format.DateTimeParseException e) {
          // not a key the scheduler wrote: the creation below
        }
      }
      return createdAt;
    }
  }

  /** The report JSON of one finished run. */
  record RunReport(String id, String dataset, String status, Instant finishedAt, String report) {}

  @SqlUpdate(
      "INSERT INTO weekly_reports (id, week_start, generated_at, html, json)"
          + " VALUES (:id, :weekStart, :generatedAt, :html, :json)")
  void insert(@BindMethods StoredReport report);

  @SqlQuery("SELECT id, week_start, generated_at, html, json FROM weekly_reports WHERE id = :id")
  Optional<StoredReport> find(@Bind("id") String id);

  @SqlQuery(
      "SELECT id, week_start, generated_at, html, json FROM weekly_reports"
          + " ORDER BY generated_at DESC, id FETCH FIRST 1 ROWS ONLY")
  Optional<StoredReport> latest();

  @SqlQuery(
      "SELECT id, week_start, generated_at FROM weekly_reports"
          + " ORDER BY generated_at DESC, id FETCH FIRST :limit ROWS ONLY")
  List<ReportEntry> list(@Bind("limit") int limit);

  /** Runs created or finished in [from, to). */
  @SqlQuery(
      "SELECT id, dataset, table_name, user_id, trigger_kind, status, created_at, finished_at,"
          + " users_at_risk, error FROM audit_runs"
          + " WHERE (created_at >= :from AND created_at < :to)"
          + " OR (finished_at >= :from AND finished_at < :to) ORDER BY created_at, id")
  List<RunRow> runs(@Bind("from") Instant from, @Bind("to") Instant to);

  /**
   * Per run and copy, the divergent rows of the runs finished in [from, to); none for a copy found
   * CONSISTENT (a backup's table compared by counts only counts the writes since the backup).
   */
  @SqlQuery(
      "SELECT c.run_id, c.endpoint, c.role, SUM(CASE WHEN c.status = 'CONSISTENT' THEN 0"
          + " ELSE c.missing + c.extra + c.changed END) AS divergent"
          + " FROM audit_copies c JOIN audit_runs r ON r.id = c.run_id"
          + " WHERE r.finished_at >= :from AND r.finished_at < :to"
          + " GROUP BY c.run_id, c.endpoint, c.role")
  List<CopyTotal> copyTotals(@Bind("from") Instant from, @Bind("to") Instant to);

  /**
   * One dataset's runs that finished in [from, to) with a report, without it (null): read each with
   * {@link RunDao#report} in turn. Regression (review 4 of session 27): read with their reports
   * into one list, a week of 13 runs of 6.9 MB each ran a 128 MB heap out of memory (the weekly
   * report answered 500).
   */
  @SqlQuery(
      "SELECT id, dataset, status, finished_at, NULL AS report FROM audit_runs"
          + " WHERE dataset = :dataset AND finished_at >= :from AND finished_at < :to"
          + " AND report IS NOT NULL ORDER BY finished_at, id")
  List<RunReport> reports(
      @Bind("dataset") String dataset, @Bind("from") Instant from, @Bind("to") Instant to);

  /** The newest whole-dataset run that compared every copy, finished before {@code to}. */
  @SqlQuery(
      "SELECT id, dataset, status, finished_at, report FROM audit_runs WHERE dataset = :dataset"
          + " AND status IN ('CONSISTENT', 'FINDINGS') AND table_name IS NULL AND user_id IS NULL"
          + " AND finished_at < :to ORDER BY finished_at DESC, id FETCH FIRST 1 ROWS ONLY")
  Optional<RunReport> lastComplete(@Bind("dataset") String dataset, @Bind("to") Instant to);

  /** The dataset's newest scheduled run, if it has one. */
  @SqlQuery(
      "SELECT fire_key, created_at FROM audit_runs WHERE dataset = :dataset"
          + " AND trigger_kind = 'SCHEDULE' ORDER BY created_at DESC, id FETCH FIRST 1 ROWS ONLY")
  Optional<FirstScheduled> lastScheduled(@Bind("dataset") String dataset);

  /** When the newest weekly report was generated, if there is one. */
  @SqlQuery(
      "SELECT generated_at FROM weekly_reports ORDER BY generated_at DESC FETCH FIRST 1 ROWS ONLY")
  Optional<Instant> lastReportGenerated();

  /** The dataset's oldest scheduled run, if it has one. */
  @SqlQuery(
      "SELECT fire_key, created_at FROM audit_runs WHERE dataset = :dataset"
          + " AND trigger_kind = 'SCHEDULE' ORDER BY created_at, id FETCH FIRST 1 ROWS ONLY")
  Optional<FirstScheduled> firstScheduled(@Bind("dataset") String dataset);
}
