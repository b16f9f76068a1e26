package io.integrityauditor.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The audit report: the {@code --json} output and the API's report (README "Audit report"). */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AuditReport(
    String id,
    String dataset,
    Status status,
    String startedAt,
    String finishedAt,
    List<TableReport> tables,
    List<BackupReport> backups,
    List<ReplicationReport> replication,
    long usersAtRisk,
    List<String> usersAtRiskSample,
    boolean usersAtRiskComplete,
    String error) {

  /** The outcome of an audit. */
  public enum Status {
    CONSISTENT,
    FINDINGS,
    FAILED
  }

  /** One table of the dataset. */
  public record TableReport(
      String table,
      long rowsChecked,
      long bytesFromDatabases,
      List<CopyReport> copies,
      String error) {}

  /**
   * One copy (replica or restored backup) of one table.
   *
   * <p>For a backup: {@code inFlight} counts the differing rows the primary wrote at or after the
   * backup's time ({@code asOf}); {@code deletedSinceBackup} the rows only the backup holds (not in
   * {@code extra}, not findings); {@code countsOnly} is true when the table has no updatedAt, so
   * expected differences cannot be told from defects: the counts are reported, not findings. {@code
   * note} says why a copy was not compared or only counted.
   */
  public record CopyReport(
      String endpoint,
      String role,
      Status status,
      long missing,
      long extra,
      long changed,
      long inFlight,
      long usersAffected,
      List<FindingReport> findings,
      String hashing,
      String error,
      List<String> usersAffectedSample,
      String asOf,
      long deletedSinceBackup,
      boolean countsOnly,
      String note) {

    public CopyReport(
        String endpoint,
        String role,
        Status status,
        long missing,
        long extra,
        long changed,
        long inFlight,
        long usersAffected,
        List<FindingReport> findings,
        String hashing,
        String error) {
      this(
          endpoint,
          role,
          status,
          missing,
          extra,
          changed,
          inFlight,
          usersAffected,
          findings,
          hashing,
          error,
          List.of(),
          null,
          0,
          false,
          null);
    }
  }

  /** One differing row. */
  public record FindingReport(
      String kind, Map<String, Object> key, String owner, List<String> columns) {}

  /**
   * How one replica replicates: STREAMING, STOPPED, LAGGING, NOT_REPLICATING, FORKED or UNKNOWN.
   */
  public record ReplicationReport(
      String endpoint, String state, Double lagSeconds, String message) {}

  /**
   * One backup: its time and freshness, files, restore drill, and what its comparison showed.
   *
   * @param endpoint the backup's endpoint
   * @param asOf when the backup was taken (ISO-8601 UTC), or null when unknown
   * @param ageSeconds seconds from {@code asOf} to the audit's start (0 when {@code asOf} is
   *     later), or null
   * @param stale older than {@code maxAge} (the backup's time or its newest file's)
   * @param asOfSource where {@code asOf} came from: "asOf query" or "modification time of FILE"
   * @param maxAgeSeconds the configured {@code maxAge}, or null
   * @param newestFile the newest file matching {@code files}, or null
   * @param newestFileBytes its size, or null
   * @param previousFileBytes the size of the file before it, or null
   * @param restore the restore drill, or null when none ran
   * @param compared whether its rows were compared with the primary as of {@code asOf}
   * @param countsOnlyTables tables without updatedAt, compared by counts only
   * @param writtenAfterBackup differing rows the primary wrote at or after {@code asOf} (all
   *     tables): expected, but the backup cannot restore them
   * @param deletedSinceBackup rows only the backup holds (all tables): deleted since
   * @param findings what is wrong with the backup itself
   * @param restoreSkipped why the restore command did not run this time ({@code restoreWhen:
   *     newFile} and the newest file unchanged), or null
   */
  public record BackupReport(
      String endpoint,
      String asOf,
      Long ageSeconds,
      boolean stale,
      String asOfSource,
      Long maxAgeSeconds,
      String newestFile,
      String newestFileTime,
      Long newestFileBytes,
      Long previousFileBytes,
      RestoreReport restore,
      boolean compared,
      List<String> countsOnlyTables,
      long writtenAfterBackup,
      long deletedSinceBackup,
      List<BackupFindingReport> findings,
      String restoreSkipped,
      List<String> filesBeingWritten) {

    public BackupReport {
      filesBeingWritten = filesBeingWritten == null ? List.of() : List.copyOf(filesBeingWritten);
    }

    public BackupReport(String endpoint, String asOf, Long ageSeconds, boolean stale) {
      this(
          endpoint,
          asOf,
          ageSeconds,
          stale,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          false,
          List.of(),
          0,
          0,
          List.of(),
          null,
          List.of());
    }
  }

  /**
   * A restore drill: the command as run (placeholders replaced, no password), its exit code (null
   * when it timed out or could not start), how long it ran, and the end of its output.
   */
  public record RestoreReport(
      String command, Integer exitCode, long durationMs, boolean timedOut, String outputTail) {}

  /** Something wrong with a backup: STALE, MISSING_BACKUP, SHRUNK, RESTORE_FAILED, ASOF_FAILED. */
  public record BackupFindingReport(String kind, String message) {}

  /** The process exit code of the {@code audit} command for this report. */
  public int exitCode() {
    return switch (status) {
      case CONSISTENT -> 0;
      case FINDINGS -> 1;
      case FAILED -> 2;
    };
  }
}
