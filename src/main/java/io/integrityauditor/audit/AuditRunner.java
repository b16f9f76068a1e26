package io.integrityauditor.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.audit.AuditReport.CopyReport;
import io.integrityauditor.audit.AuditReport.FindingReport;
import io.integrityauditor.audit.AuditService.TableCheckpoint;
import io.integrityauditor.engine.ScanState;
import io.integrityauditor.store.AuditEvent;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.ChunkCheckpointRow;
import io.integrityauditor.store.CopyResult;
import io.integrityauditor.store.RunDao;
import io.integrityauditor.store.StoredFinding;
import io.integrityauditor.store.TableCheckpointRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes stored audit runs: claims a queued run, heart-beats its progress, checkpoints every
 * completed table, and records how it ended. Every transition is a guarded update, so a run is
 * executed by one instance at a time and never left RUNNING by a live one.
 */
public final class AuditRunner {
  private static final Logger LOG = LoggerFactory.getLogger(AuditRunner.class);

  private final AuditService audits;
  private final RunDao dao;
  private final ObjectMapper json;
  private final Clock clock;
  private final String instanceId;
  private final Duration heartbeatInterval;
  private final Duration checkpointInterval;
  private final ScheduledExecutorService heartbeats;
  private final Map<String, ActiveRun> active = new ConcurrentHashMap<>();

  /**
   * @param checkpointInterval how often a chunk checkpoint is written inside a table
   */
  public AuditRunner(
      AuditService audits,
      RunDao dao,
      ObjectMapper json,
      Clock clock,
      String instanceId,
      Duration heartbeatInterval,
      Duration checkpointInterval) {
    this.checkpointInterval = checkpointInterval;
    this.audits = audits;
    this.dao = dao;
    this.json = json;
    this.clock = clock;
    this.instanceId = instanceId;
    this.heartbeatInterval = heartbeatInterval;
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "audit-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  public String instanceId() {
    return instanceId;
  }

  public AuditService audits() {
    return audits;
  }

  /** Records a new run, QUEUED, and who asked for it. The caller hands it to the scheduler. */
  public AuditRun submit(AuditRequest request, String triggerKind, String actor) {
    audits.validate(request);
    Instant now = clock.instant();
    AuditRun run =
        AuditRun.queued(
            UUID.randomUUID().toString(),
            request.dataset(),
            request.table(),
            request.user(),
            triggerKind,
            actor,
            null,
            now);
    dao.insert(run);
    dao.insertEvent(new AuditEvent(run.id(), "TRIGGER", actor, now));
    return run;
  }

  /** At most this many API runs wait at once (all datasets): more are refused (429). */
  public static final int MAX_QUEUED_API_RUNS = 100;

  /** Refused: {@link #MAX_QUEUED_API_RUNS} API runs are already waiting. */
  public static final class QueueFull extends RuntimeException {
    QueueFull(int queued) {
      super(
          queued
              + " API audits are already queued (at most "
              + MAX_QUEUED_API_RUNS
              + "): wait for them or cancel some");
    }
  }

  /**
   * An API request: the run of the same request (dataset, table, user) still waiting, with this
   * request recorded on it, else a new run. Regression (review of session 19): 200 identical
   * requests queued 200 runs, and a script's loop could starve the scheduled audits for hours. One
   * request at a time per instance (30 identical parallel requests queued 5 runs before); instances
   * of a cluster may still each add one.
   *
   * @return the run, and whether it was already queued
   * @throws QueueFull when {@link #MAX_QUEUED_API_RUNS} other API runs are waiting
   */
  public synchronized Map.Entry<AuditRun, Boolean> submitApi(AuditRequest request, String actor) {
    audits.validate(request);
    List<AuditRun> waiting =
        dao.withStatus(AuditRun.QUEUED).stream()
            .filter(r -> "API".equals(r.triggerKind()))
            .toList();
    for (AuditRun r : waiting) {
      if (r.dataset().equals(request.dataset())
          && java.util.Objects.equals(r.tableName(), request.table())
          && java.util.Objects.equals(r.userId(), request.user())) {
        dao.insertEvent(new AuditEvent(r.id(), "TRIGGER", actor, clock.instant()));
        return Map.entry(r, true);
      }
    }
    if (waiting.size() >= MAX_QUEUED_API_RUNS) {
      throw new QueueFull(waiting.size());
    }
    return Map.entry(submit(request, "API", actor), false);
  }

  /**
   * Records the run of one scheduled fire, due at {@code due}. The fire key (dataset and scheduled
   * time) is unique in the state database: if another instance already recorded this fire, there is
   * nothing to do. Nothing either when a run of the whole dataset started at or after {@code due}
   * (it audits what this fire would, later; a run only queued does not count): fires that came late
   * because the service's threads were busy are taken in the order they were due (see
   * AuditScheduler's misfire threshold), and each dataset's backlog of them ends in one run.
   */
  public Optional<AuditRun> scheduled(String dataset, String fireKey, Instant due) {
    if (dao.findByFireKey(fireKey).isPresent()) {
      LOG.info("scheduled fire {} already has its run", fireKey);
      return Optional.empty();
    }
    if (due != null) {
      Optional<String> later = dao.wholeRunSince(dataset, due);
      if (later.isPresent()) {
        LOG.info(
            "scheduled fire {} skipped: run {} of the dataset began after it was due",
            fireKey,
            later.get());
        return Optional.empty();
      }
    }
    Instant now = clock.instant();
    AuditRun run =
        AuditRun.queued(
            UUID.randomUUID().toString(),
            dataset,
            null,
            null,
            "SCHEDULE",
            "schedule",
            fireKey,
            now);
    try {
      dao.insert(run);
    } catch (UnableToExecuteStatementException e) {
      if (dao.findByFireKey(fireKey).isPresent()) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(run);
  }

  /**
   * Cancels a run: a queued one at once, a running one at its next chunk (wherever it runs: the
   * owning instance sees the request with its next heartbeat). Returns false when it had ended.
   */
  public boolean cancel(String runId, String actor) {
    Instant now = clock.instant();
    boolean done = dao.cancelQueued(runId, actor, now) > 0;
    if (!done) {
      done = dao.requestCancel(runId, actor) > 0;
      ActiveRun a = active.get(runId);
      if (done && a != null) {
        a.cancelled.set(true);
      }
    }
    if (done) {
      dao.insertEvent(new AuditEvent(runId, "CANCEL", actor, now));
    }
    return done;
  }

  /** Stops a run executing here, recording {@code reason}; used by the watchdog and shutdown. */
  public void abort(String runId, String reason) {
    ActiveRun a = active.get(runId);
    if (a != null) {
      a.abortReason = reason;
      a.cancelled.set(true);
    }
  }

  /** Whether this instance is executing the run now. */
  public boolean isActive(String runId) {
    return active.containsKey(runId);
  }

  /** Runs executing on this instance. */
  public List<String> activeRuns() {
    return List.copyOf(active.keySet());
  }

  /** Executes a queued run if this instance can claim it; returns quietly otherwise. */
  public void execute(String runId) {
    if (dao.claim(runId, instanceId, clock.instant()) == 0) {
      LOG.info("run {} is not queued any more (claimed elsewhere, cancelled or finished)", runId);
      return;
    }
    AuditRun run = dao.find(runId).orElseThrow();
    AuditRequest request = new AuditRequest(run.dataset(), run.tableName(), run.userId());
    ActiveRun a = new ActiveRun();
    active.put(runId, a);
    ScheduledFuture<?> beat =
        heartbeats.scheduleWithFixedDelay(
            () -> heartbeat(runId, a),
            heartbeatInterval.toMillis(),
            heartbeatInterval.toMillis(),
            TimeUnit.MILLISECONDS);
    LOG.info(
        "audit run {} of dataset {} started (attempt {}, trigger {} by {})",
        runId,
        run.dataset(),
        run.attempts(),
        run.triggerKind(),
        run.triggeredBy());
    AuditReport report = null;
    String status;
    String error = null;
    try {
      Map<String, TableCheckpoint> done = new HashMap<>();
      // An earlier attempt's chunks, in proportion to the rows this attempt takes over from it:
      // the chunk counts go on from there, as the rows do. Regression (review 1 of session 27):
      // after a restart the progress read 3 of 5 chunks with 66,000 rows checked, and ended at 20
      // of 20 where an uninterrupted run ends at 50 of 50.
      a.chunksPerRow = run.rowsChecked() > 0 ? (double) run.chunksDone() / run.rowsChecked() : 0;
      for (TableCheckpointRow row : dao.tables(runId)) {
        done.put(row.tableName(), json.readValue(row.checkpoint(), TableCheckpoint.class));
        a.rows.addAndGet(row.rowsChecked());
        a.priorChunks(row.rowsChecked());
      }
      // Tables the run was inside of: continued from their last chunk checkpoint.
      Map<String, ScanState> partial = new HashMap<>();
      for (ChunkCheckpointRow row : dao.chunkCheckpoints(runId)) {
        if (done.containsKey(row.tableName())) {
          continue;
        }
        try {
          // Its rows are counted when the table resumes (Progress#resumed), as each scan's share:
          // a table scanned in two flavours started from both scans' rows, up to twice its size.
          partial.put(
              row.tableName() + "\u0000" + row.scan(),
              json.readValue(row.state(), ScanState.class));
        } catch (JsonProcessingException e) {
          LOG.warn(
              "run {}: unreadable chunk checkpoint of {} ignored: {}",
              runId,
              row.tableName(),
              e.getOriginalMessage());
        }
      }
      Map<String, Long> estimates = audits.estimatedRows(request, a.cancelled);
      long total = 0;
      boolean unknown = false;
      for (var e : estimates.entrySet()) {
        TableCheckpoint cp = done.get(e.getKey());
        total += cp != null ? cp.report().rowsChecked() : Math.max(0, e.getValue());
        unknown |= cp == null && e.getValue() < 0;
      }
      a.estimatedTotal = total;
      a.estimateUnknown = unknown;
      a.started = System.nanoTime();
      a.rowsAtStart = a.rows.get();
      if (!done.isEmpty()) {
        LOG.info(
            "run {} resumes after {} completed table(s): {}", runId, done.size(), done.keySet());
      }
      for (var e : partial.entrySet()) {
        ScanState st = e.getValue();
        LOG.info(
            "run {} resumes inside table {} ({} scan) after {} compared rows",
            runId,
            e.getKey().substring(0, e.getKey().indexOf('\u0000')),
            e.getKey().substring(e.getKey().indexOf('\u0000') + 1),
            st.rowsScanned());
      }
      report =
          audits.run(
              runId,
              request,
              a,
              a.cancelled,
              new AuditService.Checkpoints() {
                @Override
                public TableCheckpoint completed(String table) {
                  return done.get(table);
                }

                @Override
                public void tableDone(TableCheckpoint checkpoint) {
                  if (!storeTable(runId, checkpoint)) {
                    a.unstored.add(checkpoint);
                  }
                }

                @Override
                public ScanState partial(String table, String scan) {
                  return partial.get(table + "\u0000" + scan);
                }

                @Override
                public Instant runStartedAt() {
                  return done.isEmpty() && partial.isEmpty() ? null : run.startedAt();
                }

                @Override
                public void partialReached(String table, String scan, ScanState state) {
                  storeChunkCheckpoint(runId, table, scan, state);
                }

                @Override
                public void forget(String table) {
                  try {
                    dao.forgetTable(runId, table);
                  } catch (RuntimeException e) {
                    LOG.warn(
                        "cannot forget the checkpoint of {} in run {}: {}",
                        table,
                        runId,
                        e.getMessage());
                  }
                }

                @Override
                public Duration partialInterval() {
                  return checkpointInterval;
                }
              });
      if (a.cancelled.get()) {
        status = a.abortReason != null ? AuditRun.FAILED : AuditRun.CANCELLED;
        error = a.abortReason != null ? a.abortReason : "cancelled";
      } else {
        status = report.status().name();
        error = report.error();
      }
    } catch (Exception e) {
      LOG.error("audit run {} failed", runId, e);
      status = AuditRun.FAILED;
      error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      error = audits.redact(error);
    }
    // Still this instance's run, heartbeat and all, until its end is recorded: the end is retried
    // while the state database is down, and a run dropped from the active ones before was taken
    // for abandoned by the watchdog, queued again and its outcome thrown away (review 6 of
    // session 20: 4 of 4 runs ending during a 25 - 34 s outage ran twice).
    try {
      if (AuditRun.CANCELLED.equals(status)) {
        AuditRun now;
        try {
          now = dao.find(runId).orElse(run);
        } catch (RuntimeException e) {
          now = run;
        }
        error = "cancelled by " + (now.cancelledBy() == null ? "the service" : now.cancelledBy());
      }
      finish(runId, status, report, error, a.rows.get(), a.chunks.get(), a);
    } finally {
      beat.cancel(false);
      active.remove(runId);
    }
  }

  private void finish(
      String runId,
      String status,
      AuditReport report,
      String error,
      long rows,
      long chunks,
      ActiveRun a) {
    String reportJson = null;
    if (report != null) {
      try {
        reportJson = json.writeValueAsString(report);
      } catch (JsonProcessingException e) {
        error = "cannot serialise the report: " + e.getOriginalMessage();
        status = AuditRun.FAILED;
      }
    }
    // The state database may be restarting: retry for a while rather than lose the outcome.
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    long sleep = 200;
    while (true) {
      try {
        // tables whose results the state database refused when they completed: the metrics and
        // the weekly report read them (review 6 of session 20: a run with findings showed none)
        for (TableCheckpoint cp : List.copyOf(a.unstored)) {
          storeTableOnce(runId, cp, true);
          a.unstored.remove(cp);
        }
        int n =
            dao.finish(
                runId,
                instanceId,
                status,
                clock.instant(),
                rows,
                chunks,
                storedUsersAtRisk(status, report),
                error,
                reportJson);
        if (n == 0) {
          LOG.warn(
              "run {} was closed elsewhere (watchdog or another instance) before it ended", runId);
        } else {
          LOG.info(
              "audit run {} ended: {}{}", runId, status, error == null ? "" : " (" + error + ")");
        }
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          LOG.error("cannot record the end of run {}: {}", runId, e.getMessage());
          return;
        }
        LOG.warn("cannot record the end of run {} yet, retrying: {}", runId, e.getMessage());
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        sleep = Math.min(5000, sleep * 2);
      }
    }
  }

  /** Stores a completed table; false when the state database refused it (retried at the end). */
  private boolean storeTable(String runId, TableCheckpoint cp) {
    try {
      storeTableOnce(runId, cp, false);
      return true;
    } catch (RuntimeException e) {
      // The run goes on; without the checkpoint a resumed run repeats this table.
      LOG.warn(
          "cannot store the checkpoint of {} in run {}: {}",
          cp.report().table(),
          runId,
          e.getMessage());
      return false;
    }
  }

  /** Stores a completed table in one transaction ({@link RunDao#storeTable}). */
  private void storeTableOnce(String runId, TableCheckpoint cp, boolean replace) {
    String table = cp.report().table();
    List<CopyResult> copies = new ArrayList<>();
    List<StoredFinding> findings = new ArrayList<>();
    for (CopyReport c : cp.report().copies()) {
      copies.add(
          new CopyResult(
              runId,
              table,
              c.endpoint(),
              c.role(),
              c.status().name(),
              c.missing(),
              c.extra(),
              c.changed(),
              c.inFlight(),
              c.usersAffected(),
              c.error()));
      for (FindingReport f : c.findings()) {
        findings.add(
            new StoredFinding(
                runId,
                table,
                c.endpoint(),
                f.kind(),
                toJson(f.key()),
                f.owner(),
                f.columns() == null ? null : toJson(f.columns())));
      }
    }
    dao.storeTable(
        new TableCheckpointRow(
            runId, table, clock.instant(), cp.report().rowsChecked(), toJson(cp)),
        copies,
        findings,
        replace);
  }

  private void storeChunkCheckpoint(String runId, String table, String scan, ScanState state) {
    try {
      long t0 = System.nanoTime();
      String text = toJson(state);
      dao.saveChunkCheckpoint(
          new ChunkCheckpointRow(runId, table, scan, clock.instant(), state.rowsScanned(), text));
      LOG.info(
          "run {}: chunk checkpoint of {} after {} compared rows ({} bytes, {} ms)",
          runId,
          table,
          state.rowsScanned(),
          text.length(),
          (System.nanoTime() - t0) / 1_000_000);
    } catch (RuntimeException e) {
      // The run goes on; a resumed run would start this table from an earlier point.
      LOG.warn("cannot store a chunk checkpoint of {} in run {}: {}", table, runId, e.getMessage());
    }
  }

  private String toJson(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void heartbeat(String runId, ActiveRun a) {
    try {
      long rows = a.rows.get();
      long chunks = a.chunks.get();
      long remaining = Math.max(0, a.estimatedTotal - rows);
      double seconds = (System.nanoTime() - a.started) / 1e9;
      double rate = (rows - a.rowsAtStart) / Math.max(seconds, 1e-3);
      // No ETA while a table's size is unknown (never analysed: reltuples -1): it read 0 with
      // most of the table still to go.
      Long eta = rate > 0 && !a.estimateUnknown ? (long) Math.ceil(remaining / rate) : null;
      long perChunk = chunks > 0 ? Math.max(1, rows / chunks) : 0;
      long chunksTotal = perChunk > 0 ? chunks + (remaining + perChunk - 1) / perChunk : chunks;
      // A restore drill checks no chunk for as long as it runs (up to its restoreTimeout, after
      // which it is killed): it counts as progress, so the watchdog does not fail the run under it.
      int n =
          dao.heartbeat(
              runId, instanceId, clock.instant(), chunks, chunksTotal, rows, eta, a.restoring);
      if (n == 0) {
        // Closed elsewhere: cancelled by the watchdog, or requeued after a missed heartbeat.
        a.abortReason = "the run was closed or taken over elsewhere";
        a.cancelled.set(true);
        return;
      }
      dao.find(runId).filter(r -> r.cancelledBy() != null).ifPresent(r -> a.cancelled.set(true));
    } catch (RuntimeException e) {
      LOG.warn("heartbeat of run {} failed: {}", runId, e.getMessage());
    }
  }

  /** Progress of one run executing here. */
  private static final class ActiveRun implements AuditService.Progress {
    final AtomicBoolean cancelled = new AtomicBoolean();
    final AtomicLong rows = new AtomicLong();
    final AtomicLong chunks = new AtomicLong();
    volatile long estimatedTotal;
    volatile boolean estimateUnknown;
    volatile long started = System.nanoTime();
    volatile long rowsAtStart;
    volatile String abortReason;
    volatile boolean restoring;

    /** Completed tables the state database refused: stored again before the run's end. */
    final List<TableCheckpoint> unstored = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void tableStarted(String table, long estimatedRows) {}

    @Override
    public void restoring(boolean running) {
      restoring = running;
    }

    @Override
    public void chunkScanned(String table, long rowCount, long elapsedNanos) {
      rows.addAndGet(rowCount);
      chunks.incrementAndGet();
    }

    /** An earlier attempt's chunks per row compared (0 for a first attempt). */
    volatile double chunksPerRow;

    /** Counts the chunks an earlier attempt spent on rows this attempt takes over. */
    void priorChunks(long rowCount) {
      chunks.addAndGet(Math.round(rowCount * chunksPerRow));
    }

    @Override
    public void resumed(String table, long rowCount) {
      // compared by an earlier attempt: not part of this attempt's rate
      rowsAtStart += rowCount;
      rows.addAndGet(rowCount);
      priorChunks(rowCount);
    }
  }

  /**
   * The run's users at risk as the API and the weekly report show them: null when unknown (a
   * cancelled run, or a count of 0 that the report says is not complete), else the report's count
   * (a lower bound when incomplete, as the report says). Regression (review 1 of session 20): a
   * FAILED run whose report said the count was unknown, and every CANCELLED run, showed 0.
   */
  static Long storedUsersAtRisk(String status, AuditReport report) {
    if (report == null
        || AuditRun.CANCELLED.equals(status)
        || (!report.usersAtRiskComplete() && report.usersAtRisk() == 0)) {
      return null;
    }
    return report.usersAtRisk();
  }
}
