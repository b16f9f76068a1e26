package io.integrityauditor.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The weekly report's JSON twin (README "Weekly report"). Days are calendar days of the report's
 * time zone; every per-day list has one entry per day, null where nothing was measured that day.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record WeeklyReport(
    String id,
    String generatedAt,
    String timeZone,
    String weekStart,
    String periodStart,
    String periodEnd,
    boolean partial,
    List<String> days,
    WeekSummary thisWeek,
    WeekSummary previousWeek,
    Change change,
    List<DatasetWeek> datasets) {

  /**
   * One week in numbers. {@code divergentRows} and {@code usersAtRisk}: as the last complete run of
   * the week found them (summed over datasets), null when no dataset had one; {@code
   * peakUsersAtRisk}: the highest a complete run found; runs are counted by the time they finished.
   */
  public record WeekSummary(
      long runs,
      long runsSucceeded,
      long runsFailed,
      long runsCancelled,
      Long scheduledExpected,
      long scheduledRan,
      Long divergentRows,
      Long usersAtRisk,
      Long peakUsersAtRisk) {}

  /** This week minus the previous week; null where either is unknown. */
  public record Change(
      Long runs,
      Long runsFailed,
      Long scheduledRan,
      Long divergentRows,
      Long usersAtRisk,
      Long peakUsersAtRisk) {}

  /** One dataset's week. */
  public record DatasetWeek(
      String name,
      List<CopySeries> divergentRowsPerDay,
      List<Long> usersAtRiskPerDay,
      Backups backups,
      Coverage coverage,
      OpenFindings openFindings,
      WeekSummary thisWeek,
      WeekSummary previousWeek) {}

  /**
   * Per day, the most divergent rows (missing + extra + changed, all tables) a complete run found
   * on one copy.
   */
  public record CopySeries(String endpoint, String role, List<Long> values) {}

  /** Backup ages the runs of the week saw; {@code configured} false: the dataset has none. */
  public record Backups(boolean configured, boolean checked, List<BackupSeries> series) {}

  /**
   * One backup: per day the oldest age a run saw (seconds), whether any check that day found it
   * stale, and the last check of the week with the kinds of what it found wrong with the backup
   * ({@code MISSING_BACKUP}, {@code RESTORE_FAILED}, {@code SHRUNK}, {@code STALE}, ...).
   */
  public record BackupSeries(
      String endpoint,
      Long maxAgeSeconds,
      List<Long> ageSecondsPerDay,
      List<Boolean> stalePerDay,
      String lastAsOf,
      Long lastAgeSeconds,
      Boolean lastStale,
      List<String> lastFindings) {}

  /**
   * Scheduled audits: how many the cron asked for in the week (null without a schedule), how many
   * ran and how they ended; plus the ad-hoc runs (API, resumed or other triggers).
   */
  public record Coverage(
      String schedule,
      Long scheduledExpected,
      long scheduledRan,
      long scheduledSucceeded,
      long scheduledFailed,
      long scheduledCancelled,
      long adHocRuns,
      List<Long> succeededPerDay,
      String lastFailure) {}

  /** The findings of the newest complete run (as of the end of the period). */
  public record OpenFindings(
      String runId,
      String finishedAt,
      String status,
      Long usersAtRisk,
      List<String> usersAtRiskSample,
      List<CopyFindings> copies) {}

  /**
   * One table on one copy with divergence: exact counts, the users its listed findings belong to,
   * and the first findings stored.
   */
  public record CopyFindings(
      String table,
      String endpoint,
      String role,
      String status,
      long missing,
      long extra,
      long changed,
      long inFlight,
      long usersAffected,
      List<String> users,
      List<Finding> findings,
      int findingsStored) {}

  /** One differing row: key columns by name, owner, changed columns. */
  public record Finding(String kind, JsonNode key, String owner, JsonNode columns) {}
}
