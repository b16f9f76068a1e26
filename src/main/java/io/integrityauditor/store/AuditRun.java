package io.integrityauditor.store;

import java.time.Instant;

/** One audit run as stored: who or what triggered it, where it is, how it ended. */
public record AuditRun(
    String id,
    String dataset,
    String tableName,
    String userId,
    String triggerKind,
    String triggeredBy,
    String fireKey,
    String status,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant heartbeatAt,
    Instant progressAt,
    String instanceId,
    int attempts,
    long chunksDone,
    long chunksTotal,
    long rowsChecked,
    Long etaSeconds,
    Long usersAtRisk,
    String cancelledBy,
    String error,
    String report) {

  /** Statuses a run can be in; the last four are final. */
  public static final String QUEUED = "QUEUED";

  public static final String RUNNING = "RUNNING";
  public static final String CONSISTENT = "CONSISTENT";
  public static final String FINDINGS = "FINDINGS";
  public static final String FAILED = "FAILED";
  public static final String CANCELLED = "CANCELLED";

  public boolean finished() {
    return !QUEUED.equals(status) && !RUNNING.equals(status);
  }

  /** A new run waiting to be executed. */
  public static AuditRun queued(
      String id,
      String dataset,
      String table,
      String user,
      String triggerKind,
      String triggeredBy,
      String fireKey,
      Instant now) {
    return new AuditRun(
        id,
        dataset,
        table,
        user,
        triggerKind,
        triggeredBy,
        fireKey,
        QUEUED,
        now,
        null,
        null,
        null,
        null,
        null,
        0,
        0,
        0,
        0,
        null,
        null,
        null,
        null,
        null);
  }
}
