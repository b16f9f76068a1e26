package io.integrityauditor.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * Audit runs and their results. Every state change is a guarded UPDATE (status and owner in the
 * WHERE clause), so two instances can never both claim, finish or requeue the same run.
 */
@RegisterConstructorMapper(AuditRun.class)
@RegisterConstructorMapper(CopyResult.class)
@RegisterConstructorMapper(StoredFinding.class)
@RegisterConstructorMapper(TableCheckpointRow.class)
@RegisterConstructorMapper(ChunkCheckpointRow.class)
@RegisterConstructorMapper(AuditEvent.class)
public interface RunDao {
  String HEAD =
      "id, dataset, table_name, user_id, trigger_kind, triggered_by, fire_key, status, created_at,"
          + " started_at, finished_at, heartbeat_at, progress_at, instance_id, attempts,"
          + " chunks_done, chunks_total, rows_checked, eta_seconds, users_at_risk, cancelled_by,"
          + " error";

  String COLUMNS = HEAD + ", report";

  /**
   * {@link #COLUMNS} without the report, which may be megabytes: runs listed, or looked at for
   * their status, read it by {@link #report} only where they need it.
   */
  String HEAD_COLUMNS = HEAD + ", NULL AS report";

  /** A run's report (null while it runs, or when it has none). */
  @SqlQuery("SELECT report FROM audit_runs WHERE id = :id")
  Optional<String> report(@Bind("id") String id);

  @SqlUpdate(
      "INSERT INTO audit_runs (id, dataset, table_name, user_id, trigger_kind, triggered_by,"
          + " fire_key, status, created_at) VALUES (:id, :dataset, :tableName, :userId,"
          + " :triggerKind, :triggeredBy, :fireKey, :status, :createdAt)")
  void insert(@BindMethods AuditRun run);

  @SqlQuery("SELECT " + COLUMNS + " FROM audit_runs WHERE id = :id")
  Optional<AuditRun> find(@Bind("id") String id);

  @SqlQuery("SELECT " + COLUMNS + " FROM audit_runs WHERE fire_key = :fireKey")
  Optional<AuditRun> findByFireKey(@Bind("fireKey") String fireKey);

  /**
   * A run of the whole dataset, not cancelled, started at or after {@code since}: its id. Started,
   * not only queued: a queued run may be cancelled before it starts (review 4 of session 23: a fire
   * skipped for a queued API run that was then cancelled was an audit lost).
   */
  @SqlQuery(
      "SELECT id FROM audit_runs WHERE dataset = :dataset AND table_name IS NULL"
          + " AND user_id IS NULL AND status <> 'CANCELLED' AND started_at >= :since"
          + " ORDER BY started_at, id FETCH FIRST 1 ROWS ONLY")
  Optional<String> wholeRunSince(@Bind("dataset") String dataset, @Bind("since") Instant since);

  @SqlQuery(
      "SELECT "
          + HEAD_COLUMNS
          + " FROM audit_runs WHERE dataset = :dataset ORDER BY created_at DESC, id"
          + " FETCH FIRST :limit ROWS ONLY")
  List<AuditRun> history(@Bind("dataset") String dataset, @Bind("limit") int limit);

  @SqlQuery(
      "SELECT "
          + HEAD_COLUMNS
          + " FROM audit_runs ORDER BY created_at DESC, id FETCH FIRST :limit ROWS ONLY")
  List<AuditRun> recent(@Bind("limit") int limit);

  @SqlQuery(
      "SELECT "
          + HEAD_COLUMNS
          + " FROM audit_runs WHERE dataset = :dataset AND status IN ('CONSISTENT', 'FINDINGS',"
          + " 'FAILED') ORDER BY finished_at DESC, id FETCH FIRST 1 ROWS ONLY")
  Optional<AuditRun> lastFinished(@Bind("dataset") String dataset);

  /** The last finished run of the whole dataset (not one table, not one user), failed or not. */
  @SqlQuery(
      "SELECT "
          + HEAD_COLUMNS
          + " FROM audit_runs WHERE dataset = :dataset AND status IN ('CONSISTENT', 'FINDINGS',"
          + " 'FAILED') AND table_name IS NULL AND user_id IS NULL ORDER BY finished_at DESC, id"
          + " FETCH FIRST 1 ROWS ONLY")
  Optional<AuditRun> lastFinishedDatasetRun(@Bind("dataset") String dataset);

  /** The last run that compared every copy it could (a whole-dataset run that did not fail). */
  @SqlQuery(
      "SELECT "
          + HEAD_COLUMNS
          + " FROM audit_runs WHERE dataset = :dataset AND status IN ('CONSISTENT', 'FINDINGS')"
          + " AND table_name IS NULL AND user_id IS NULL ORDER BY finished_at DESC, id"
          + " FETCH FIRST 1 ROWS ONLY")
  Optional<AuditRun> lastCompleteDatasetRun(@Bind("dataset") String dataset);

  /** The dataset's newest whole-dataset runs that FAILED after {@code after}, newest first. */
  @SqlQuery(
      "SELECT "
          + HEAD_COLUMNS
          + " FROM audit_runs WHERE dataset = :dataset AND status = 'FAILED' AND table_name IS NULL"
          + " AND user_id IS NULL AND finished_at > :after ORDER BY finished_at DESC, id"
          + " FETCH FIRST 20 ROWS ONLY")
  List<AuditRun> failedDatasetRunsAfter(
      @Bind("dataset") String dataset, @Bind("after") Instant after);

  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM audit_runs WHERE dataset = :dataset AND status IN ('QUEUED', 'RUNNING')"
          + " ORDER BY created_at, id")
  List<AuditRun> active(@Bind("dataset") String dataset);

  @SqlQuery("SELECT " + COLUMNS + " FROM audit_runs WHERE status = :status ORDER BY created_at, id")
  List<AuditRun> withStatus(@Bind("status") String status);

  @SqlUpdate(
      "UPDATE audit_runs SET status = 'RUNNING', instance_id = :instance,"
          + " started_at = COALESCE(started_at, :now), heartbeat_at = :now, progress_at = :now,"
          + " attempts = attempts + 1 WHERE id = :id AND status = 'QUEUED'")
  int claim(@Bind("id") String id, @Bind("instance") String instance, @Bind("now") Instant now);

  @SqlUpdate(
      "UPDATE audit_runs SET heartbeat_at = :now, chunks_done = :chunksDone,"
          + " chunks_total = :chunksTotal, rows_checked = :rows, eta_seconds = :eta,"
          + " progress_at = CASE WHEN rows_checked <> :rows OR chunks_done <> :chunksDone"
          + " OR :working THEN :now ELSE progress_at END"
          + " WHERE id = :id AND status = 'RUNNING' AND instance_id = :instance")
  int heartbeat(
      @Bind("id") String id,
      @Bind("instance") String instance,
      @Bind("now") Instant now,
      @Bind("chunksDone") long chunksDone,
      @Bind("chunksTotal") long chunksTotal,
      @Bind("rows") long rows,
      @Bind("eta") Long eta,
      @Bind("working") boolean working);

  /** A heartbeat whose progress is its rows and chunks alone. */
  default int heartbeat(
      String id,
      String instance,
      Instant now,
      long chunksDone,
      long chunksTotal,
      long rows,
      Long eta) {
    return heartbeat(id, instance, now, chunksDone, chunksTotal, rows, eta, false);
  }

  @SqlUpdate(
      "UPDATE audit_runs SET status = :status, finished_at = :now, heartbeat_at = :now,"
          + " users_at_risk = :usersAtRisk, error = :error, report = :report, eta_seconds = 0,"
          + " rows_checked = :rows, chunks_done = :chunks, chunks_total = :chunks"
          + " WHERE id = :id AND status = 'RUNNING' AND instance_id = :instance")
  int finish(
      @Bind("id") String id,
      @Bind("instance") String instance,
      @Bind("status") String status,
      @Bind("now") Instant now,
      @Bind("rows") long rows,
      @Bind("chunks") long chunks,
      @Bind("usersAtRisk") Long usersAtRisk,
      @Bind("error") String error,
      @Bind("report") String report);

  /** Closes a run that is not (or no longer) executing anywhere, whatever it was doing. */
  @SqlUpdate(
      "UPDATE audit_runs SET status = :status, finished_at = :now, error = :error"
          + " WHERE id = :id AND status IN ('QUEUED', 'RUNNING')")
  int close(
      @Bind("id") String id,
      @Bind("status") String status,
      @Bind("now") Instant now,
      @Bind("error") String error);

  @SqlUpdate(
      "UPDATE audit_runs SET status = 'CANCELLED', finished_at = :now, cancelled_by = :actor,"
          + " error = 'cancelled by ' || :actor WHERE id = :id AND status = 'QUEUED'")
  int cancelQueued(@Bind("id") String id, @Bind("actor") String actor, @Bind("now") Instant now);

  @SqlUpdate("UPDATE audit_runs SET cancelled_by = :actor WHERE id = :id AND status = 'RUNNING'")
  int requestCancel(@Bind("id") String id, @Bind("actor") String actor);

  /** Takes a run whose instance stopped heart-beating back to the queue, to resume it. */
  @SqlUpdate(
      "UPDATE audit_runs SET status = 'QUEUED', instance_id = NULL"
          + " WHERE id = :id AND status = 'RUNNING' AND heartbeat_at < :cutoff")
  int requeueStale(@Bind("id") String id, @Bind("cutoff") Instant cutoff);

  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM audit_runs WHERE status = 'RUNNING' AND heartbeat_at < :cutoff"
          + " ORDER BY created_at, id")
  List<AuditRun> staleRunning(@Bind("cutoff") Instant cutoff);

  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM audit_runs WHERE status = 'RUNNING' AND progress_at < :cutoff"
          + " ORDER BY created_at, id")
  List<AuditRun> withoutProgressSince(@Bind("cutoff") Instant cutoff);

  @SqlUpdate(
      "INSERT INTO audit_tables (run_id, table_name, finished_at, rows_checked, checkpoint)"
          + " VALUES (:runId, :tableName, :finishedAt, :rowsChecked, :checkpoint)")
  void insertTable(@BindMethods TableCheckpointRow row);

  @SqlQuery(
      "SELECT run_id, table_name, finished_at, rows_checked, checkpoint FROM audit_tables"
          + " WHERE run_id = :runId ORDER BY finished_at")
  List<TableCheckpointRow> tables(@Bind("runId") String runId);

  @SqlUpdate(
      "DELETE FROM audit_chunk_checkpoints WHERE run_id = :runId AND table_name = :tableName"
          + " AND scan = :scan")
  int deleteChunkCheckpoint(
      @Bind("runId") String runId, @Bind("tableName") String table, @Bind("scan") String scan);

  @SqlUpdate(
      "INSERT INTO audit_chunk_checkpoints (run_id, table_name, scan, updated_at, rows_scanned,"
          + " state) VALUES (:runId, :tableName, :scan, :updatedAt, :rowsScanned, :state)")
  void insertChunkCheckpoint(@BindMethods ChunkCheckpointRow row);

  /** Replaces the chunk checkpoint of a table and scan, atomically. */
  @Transaction
  default void saveChunkCheckpoint(ChunkCheckpointRow row) {
    deleteChunkCheckpoint(row.runId(), row.tableName(), row.scan());
    insertChunkCheckpoint(row);
  }

  @SqlQuery(
      "SELECT run_id, table_name, scan, updated_at, rows_scanned, state"
          + " FROM audit_chunk_checkpoints WHERE run_id = :runId ORDER BY table_name, scan")
  List<ChunkCheckpointRow> chunkCheckpoints(@Bind("runId") String runId);

  @SqlUpdate(
      "DELETE FROM audit_chunk_checkpoints WHERE run_id = :runId AND table_name = :tableName")
  int deleteChunkCheckpoints(@Bind("runId") String runId, @Bind("tableName") String table);

  @SqlUpdate("DELETE FROM audit_findings WHERE run_id = :runId AND table_name = :tableName")
  int deleteTableFindings(@Bind("runId") String runId, @Bind("tableName") String table);

  @SqlUpdate("DELETE FROM audit_copies WHERE run_id = :runId AND table_name = :tableName")
  int deleteTableCopies(@Bind("runId") String runId, @Bind("tableName") String table);

  @SqlUpdate("DELETE FROM audit_tables WHERE run_id = :runId AND table_name = :tableName")
  int deleteTable(@Bind("runId") String runId, @Bind("tableName") String table);

  /**
   * Stores a completed table of a run — its checkpoint, its copies' counts and its findings — in
   * one transaction, the table forgotten first when {@code replace}. Regression (review 1 of
   * session 27): written one statement after another, a service killed (kill -9) between the
   * checkpoint and the findings left a table a resumed run took for done and whose 40,000 findings
   * were never stored: the weekly report and the metrics showed none, 3 times out of 3.
   */
  @org.jdbi.v3.sqlobject.transaction.Transaction
  default void storeTable(
      TableCheckpointRow row,
      List<CopyResult> copies,
      List<StoredFinding> findings,
      boolean replace) {
    if (replace) {
      forgetTable(row.runId(), row.tableName());
    }
    insertTable(row);
    deleteChunkCheckpoints(row.runId(), row.tableName());
    insertCopies(copies);
    if (!findings.isEmpty()) {
      insertFindings(findings);
    }
  }

  /** Forgets a completed table of a run: its checkpoint, copies and findings. */
  @org.jdbi.v3.sqlobject.transaction.Transaction
  default void forgetTable(String runId, String table) {
    deleteTableFindings(runId, table);
    deleteTableCopies(runId, table);
    deleteTable(runId, table);
    deleteChunkCheckpoints(runId, table);
  }

  @SqlBatch(
      "INSERT INTO audit_copies (run_id, table_name, endpoint, role, status, missing, extra,"
          + " changed, in_flight, users_affected, error) VALUES (:runId, :tableName, :endpoint,"
          + " :role, :status, :missing, :extra, :changed, :inFlight, :usersAffected, :error)")
  void insertCopies(@BindMethods List<CopyResult> rows);

  @SqlQuery(
      "SELECT run_id, table_name, endpoint, role, status, missing, extra, changed, in_flight,"
          + " users_affected, error FROM audit_copies WHERE run_id = :runId"
          + " ORDER BY table_name, endpoint")
  List<CopyResult> copies(@Bind("runId") String runId);

  @SqlBatch(
      "INSERT INTO audit_findings (run_id, table_name, endpoint, kind, row_key, owner,"
          + " columns_changed) VALUES (:runId, :tableName, :endpoint, :kind, :rowKey, :owner,"
          + " :columnsChanged)")
  void insertFindings(@BindMethods List<StoredFinding> rows);

  @SqlQuery(
      "SELECT run_id, table_name, endpoint, kind, row_key, owner, columns_changed"
          + " FROM audit_findings WHERE run_id = :runId ORDER BY id")
  List<StoredFinding> findings(@Bind("runId") String runId);

  @SqlUpdate(
      "INSERT INTO audit_events (run_id, action, actor, at) VALUES (:runId, :action, :actor, :at)")
  void insertEvent(@BindMethods AuditEvent event);

  @SqlQuery("SELECT run_id, action, actor, at FROM audit_events WHERE run_id = :runId ORDER BY id")
  List<AuditEvent> events(@Bind("runId") String runId);

  /** What the metrics count as runs ended, by result. */
  String ENDED_STATUSES = "('CONSISTENT', 'FINDINGS', 'FAILED', 'CANCELLED')";

  /**
   * The newest complete whole-dataset run of each dataset, which retention keeps whatever its age:
   * the metrics' divergence, users at risk and backup time come from it. Regression: with every
   * later audit failing for longer than the retention, the purge deleted it and those gauges fell
   * to 0 (IntegrityUsersAtRisk and IntegrityDivergentRows resolved with nothing fixed).
   */
  String NEWEST_COMPLETE =
      "(SELECT k.id FROM audit_runs k WHERE k.status IN ('CONSISTENT', 'FINDINGS')"
          + " AND k.table_name IS NULL AND k.user_id IS NULL AND k.finished_at ="
          + " (SELECT MAX(m.finished_at) FROM audit_runs m WHERE m.dataset = k.dataset"
          + " AND m.status IN ('CONSISTENT', 'FINDINGS') AND m.table_name IS NULL"
          + " AND m.user_id IS NULL))";

  /**
   * Deletes the runs finished before {@code before} (their tables, copies, findings and checkpoints
   * cascade), first adding what they counted to {@code purged_run_counts} and {@code
   * purged_row_counts}, in one transaction: the exported counters are those plus the retained
   * history and must never go down. The runs are locked first, so two instances purging at once
   * cannot both add the same runs.
   */
  @Transaction
  default int purgeRuns(Instant before) {
    if (lockRunsFinishedBefore(before).isEmpty()) {
      return 0;
    }
    for (PurgedCount c : endedRunsFinishedBefore(before)) {
      if (addPurgedRuns(c) == 0) {
        insertPurgedRuns(c);
      }
    }
    for (PurgedCount c : rowsCheckedOfRunsFinishedBefore(before)) {
      if (addPurgedRows(c) == 0) {
        insertPurgedRows(c);
      }
    }
    return deleteRunsFinishedBefore(before);
  }

  /** A count the purge adds up: runs by (dataset, result), or rows by (dataset, endpoint). */
  record PurgedCount(String dataset, String label, long amount) {}

  @SqlQuery(
      "SELECT id FROM audit_runs WHERE finished_at < :before AND id NOT IN "
          + NEWEST_COMPLETE
          + " FOR UPDATE")
  List<String> lockRunsFinishedBefore(@Bind("before") Instant before);

  @SqlQuery(
      "SELECT dataset, status AS label, COUNT(*) AS amount FROM audit_runs"
          + " WHERE finished_at < :before AND status IN "
          + ENDED_STATUSES
          + " AND id NOT IN "
          + NEWEST_COMPLETE
          + " GROUP BY dataset, status")
  @RegisterConstructorMapper(PurgedCount.class)
  List<PurgedCount> endedRunsFinishedBefore(@Bind("before") Instant before);

  /**
   * A copy of a table that was compared (alias {@code c} of audit_copies): not FAILED, and not a
   * backup that was not compared (a restore that failed, no backup found, no asOf time), which is
   * stored as FINDINGS without a divergent row — a compared copy is FINDINGS only with one.
   * Regression: such a backup counted the table's rows in integrity_rows_checked_total.
   */
  String COMPARED_COPY =
      "c.status <> 'FAILED' AND NOT (c.status = 'FINDINGS' AND c.missing + c.extra + c.changed = 0)";

  /** As the metric counts rows: every copy compared, per table completed. */
  @SqlQuery(
      "SELECT r.dataset, c.endpoint AS label, SUM(t.rows_checked) AS amount FROM audit_copies c"
          + " JOIN audit_tables t ON t.run_id = c.run_id AND t.table_name = c.table_name"
          + " JOIN audit_runs r ON r.id = c.run_id"
          + " WHERE "
          + COMPARED_COPY
          + " AND r.finished_at < :before AND r.id NOT IN "
          + NEWEST_COMPLETE
          + " GROUP BY r.dataset, c.endpoint")
  @RegisterConstructorMapper(PurgedCount.class)
  List<PurgedCount> rowsCheckedOfRunsFinishedBefore(@Bind("before") Instant before);

  @SqlUpdate(
      "UPDATE purged_run_counts SET runs = runs + :amount"
          + " WHERE dataset = :dataset AND result = :label")
  int addPurgedRuns(@BindMethods PurgedCount c);

  @SqlUpdate(
      "INSERT INTO purged_run_counts (dataset, result, runs) VALUES (:dataset, :label, :amount)")
  void insertPurgedRuns(@BindMethods PurgedCount c);

  @SqlUpdate(
      "UPDATE purged_row_counts SET rows_checked = rows_checked + :amount"
          + " WHERE dataset = :dataset AND endpoint = :label")
  int addPurgedRows(@BindMethods PurgedCount c);

  @SqlUpdate(
      "INSERT INTO purged_row_counts (dataset, endpoint, rows_checked)"
          + " VALUES (:dataset, :label, :amount)")
  void insertPurgedRows(@BindMethods PurgedCount c);

  @SqlUpdate("DELETE FROM audit_runs WHERE finished_at < :before AND id NOT IN " + NEWEST_COMPLETE)
  int deleteRunsFinishedBefore(@Bind("before") Instant before);

  @SqlUpdate("DELETE FROM audit_events WHERE at < :before")
  int purgeEvents(@Bind("before") Instant before);

  /** Weekly reports past the retention; the newest is always kept. */
  @SqlUpdate(
      "DELETE FROM weekly_reports WHERE generated_at < :before"
          + " AND generated_at < (SELECT max(generated_at) FROM weekly_reports)")
  int purgeReports(@Bind("before") Instant before);
}
