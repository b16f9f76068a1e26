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

  /** One copy (replica or restored backup) of one table. */
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
      String error) {}

  /** One differing row. */
  public record FindingReport(
      String kind, Map<String, Object> key, String owner, List<String> columns) {}

  /**
   * How one replica replicates: STREAMING, STOPPED, LAGGING, NOT_REPLICATING, FORKED or UNKNOWN.
   */
  public record ReplicationReport(
      String endpoint, String state, Double lagSeconds, String message) {}

  /** The freshness of one backup. */
  public record BackupReport(String endpoint, String asOf, Long ageSeconds, boolean stale) {}

  /** The process exit code of the {@code audit} command for this report. */
  public int exitCode() {
    return switch (status) {
      case CONSISTENT -> 0;
      case FINDINGS -> 1;
      case FAILED -> 2;
    };
  }
}
