package io.integrityauditor.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.integrityauditor.store.AuditRun;

/**
 * A run as the API shows it ({@code GET /api/audits/{id}}): status, progress and, once finished,
 * the report of README "Audit report". History entries leave the report out.
 */
public record AuditView(
    String id,
    String status,
    String dataset,
    String table,
    String user,
    String trigger,
    String triggeredBy,
    String createdAt,
    String startedAt,
    String finishedAt,
    int attempts,
    String instance,
    Progress progress,
    Long usersAtRisk,
    String cancelledBy,
    String error,
    @JsonRawValue String report) {

  /** How far a run got; etaSeconds is null while unknown. */
  public record Progress(long chunksDone, long chunksTotal, long rowsChecked, Long etaSeconds) {}

  public static AuditView of(AuditRun r, boolean withReport) {
    boolean finished = r.finished();
    Progress p =
        new Progress(
            r.chunksDone(),
            finished ? r.chunksDone() : Math.max(r.chunksTotal(), r.chunksDone()),
            r.rowsChecked(),
            finished ? Long.valueOf(0) : r.etaSeconds());
    return new AuditView(
        r.id(),
        r.status(),
        r.dataset(),
        r.tableName(),
        r.userId(),
        r.triggerKind(),
        r.triggeredBy(),
        text(r.createdAt()),
        text(r.startedAt()),
        text(r.finishedAt()),
        r.attempts(),
        r.instanceId(),
        p,
        r.usersAtRisk(),
        r.cancelledBy(),
        r.error(),
        withReport ? r.report() : null);
  }

  private static String text(java.time.Instant t) {
    return t == null ? null : t.toString();
  }
}
