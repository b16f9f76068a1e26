package io.integrityauditor.cli;

import io.integrityauditor.audit.AuditService;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Prints audit progress to stderr at most every two seconds: chunks, rows, rate and, when the
 * database can estimate the table's size, the time left. An audit of several tables also says which
 * table of how many it is in and, once every table's size is estimated ({@link #estimates}), the
 * time left for the whole audit. Lines come every two seconds across tables too: a run of many
 * small tables was silent before (each table restarted the interval).
 */
public final class ProgressPrinter implements AuditService.Progress {
  private final PrintStream err;
  private final long intervalNanos;

  /** The tables of the audit in the order they run; empty when unknown. */
  private final List<String> plan;

  private String table;
  private long estimate;
  private long rows;
  private long chunks;
  private long started;
  private long lastPrint;

  private int tablesStarted;

  /** Rows of the tables before the current one. */
  private long rowsBefore;

  private final long runStarted;

  /** Every table's estimated rows (-1 unknown), once read; null until then. */
  private Map<String, Long> estimates;

  /** The primary's time in chunk queries over the run, and their rows: the cost of a row. */
  private long scanNanos;

  private long scanRows;

  /** Time spent in restore drills (no rows compared meanwhile); since when one runs, or -1. */
  private long restoringNanos;

  private long restoringSince = -1;

  public ProgressPrinter(PrintStream err) {
    this(err, List.of());
  }

  public ProgressPrinter(PrintStream err, List<String> tables) {
    this(err, tables, 2_000_000_000L);
  }

  ProgressPrinter(PrintStream err, List<String> tables, long intervalNanos) {
    this.err = err;
    this.intervalNanos = intervalNanos;
    this.plan = List.copyOf(tables);
    this.runStarted = System.nanoTime();
    this.lastPrint = runStarted;
  }

  /** Every table's row estimate (-1 where unknown), for the whole audit's time left. */
  public synchronized void estimates(Map<String, Long> estimatedRows) {
    this.estimates = Map.copyOf(estimatedRows);
  }

  @Override
  public synchronized void tableStarted(String table, long estimatedRows) {
    if (this.table != null) {
      rowsBefore += rows;
    }
    tablesStarted++;
    this.table = table;
    this.estimate = estimatedRows;
    this.rows = 0;
    this.chunks = 0;
    this.started = System.nanoTime();
    if (plan.size() > 1 && started - lastPrint >= intervalNanos) {
      lastPrint = started;
      StringBuilder sb = new StringBuilder();
      sb.append(String.format("[%s] table %d of %d", table, position(), plan.size()));
      if (estimate > 0) {
        sb.append(String.format(", ~%,d rows", estimate));
      }
      appendRun(sb, started, 0);
      err.println(sb);
    }
  }

  @Override
  public synchronized void restoring(boolean running) {
    long now = System.nanoTime();
    if (running && restoringSince < 0) {
      restoringSince = now;
    } else if (!running && restoringSince >= 0) {
      restoringNanos += now - restoringSince;
      restoringSince = -1;
    }
  }

  @Override
  public synchronized void onePassStarted(String table) {
    err.println(
        String.format(
            "[%s]%s one pass: one statement per side over %s rows",
            table,
            plan.size() > 1 ? String.format(" table %d of %d:", position(), plan.size()) : "",
            estimate > 0 ? String.format("~%,d", estimate) : "all"));
  }

  @Override
  public synchronized void chunkScanned(String table, long chunkRows, long elapsedNanos) {
    rows += chunkRows;
    chunks++;
    scanRows += chunkRows;
    scanNanos += Math.max(0, elapsedNanos);
    long now = System.nanoTime();
    if (now - lastPrint < intervalNanos) {
      return;
    }
    lastPrint = now;
    double seconds = (now - started) / 1e9;
    double rate = rows / Math.max(seconds, 1e-9);
    StringBuilder sb = new StringBuilder();
    sb.append('[').append(table).append(']');
    if (plan.size() > 1) {
      sb.append(String.format(" table %d of %d,", position(), plan.size()));
    }
    sb.append(String.format(" chunk %d, %,d rows", chunks, rows));
    if (estimate > 0) {
      sb.append(String.format(" of ~%,d", estimate));
    }
    sb.append(String.format(", %,.0f rows/s", rate));
    double tableEta = estimate > rows && rate > 0 ? (estimate - rows) / rate : 0;
    if (tableEta > 0) {
      sb.append(String.format(", ETA %.0f s", tableEta));
    }
    appendRun(sb, now, tableEta);
    err.println(sb);
  }

  /** The current table's place in the plan (1-based); tables started when it is not in it. */
  private int position() {
    int i = plan.indexOf(table);
    return i >= 0 ? i + 1 : tablesStarted;
  }

  /**
   * Rows compared before the whole audit's time left is told: a statement's fixed cost over a few
   * rows is no cost per row (review 5 of session 23: after six 5-row tables, "audit: ETA 7693 s"
   * with 9 s left).
   */
  static final long ETA_ROWS = 100_000;

  /**
   * The whole audit's time left: the rows left at the cost of a row in the primary's chunk queries
   * so far, plus, for each table after this one, the time the tables so far took beyond their
   * queries (connections, catalog, replication checks), restore drills left out; never less than
   * the current table's own time left. Only with several tables, every one of them estimated, and
   * rows compared. Regression (review 3 of session 23): the rows left at the audit's rate since its
   * start, which small tables and a restore drill made tiny, said "ETA 5054 s" 7 s before the end.
   */
  private void appendRun(StringBuilder sb, long now, double tableEta) {
    if (plan.size() < 2 || estimates == null || estimate < 0 || scanRows < ETA_ROWS) {
      return;
    }
    int i = plan.indexOf(table);
    if (i < 0) {
      return;
    }
    long left = Math.max(0, estimate - rows);
    for (String t : plan.subList(i + 1, plan.size())) {
      Long e = estimates.get(t);
      if (e == null || e < 0) {
        return;
      }
      left += e;
    }
    long restored = restoringNanos + (restoringSince >= 0 ? now - restoringSince : 0);
    double overheadPerTable =
        Math.max(0, now - runStarted - restored - scanNanos) / 1e9 / Math.max(1, tablesStarted);
    double seconds = left * (scanNanos / 1e9 / scanRows) + (plan.size() - i - 1) * overheadPerTable;
    sb.append(String.format("; audit: ETA %.0f s", Math.max(seconds, tableEta)));
  }
}
