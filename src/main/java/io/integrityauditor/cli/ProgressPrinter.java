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
      appendRun(sb, started);
      err.println(sb);
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
    if (estimate > rows && rate > 0) {
      sb.append(String.format(", ETA %.0f s", (estimate - rows) / rate));
    }
    appendRun(sb, now);
    err.println(sb);
  }

  /** The current table's place in the plan (1-based); tables started when it is not in it. */
  private int position() {
    int i = plan.indexOf(table);
    return i >= 0 ? i + 1 : tablesStarted;
  }

  /**
   * The whole audit's time left, at the audit's own rate so far: only with several tables, every
   * one of them estimated, and rows compared.
   */
  private void appendRun(StringBuilder sb, long now) {
    if (plan.size() < 2 || estimates == null) {
      return;
    }
    int i = plan.indexOf(table);
    if (i < 0) {
      return;
    }
    if (estimate < 0) {
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
    long done = rowsBefore + rows;
    double seconds = (now - runStarted) / 1e9;
    if (done <= 0 || seconds <= 0) {
      return;
    }
    sb.append(String.format("; audit: ETA %.0f s", left / (done / seconds)));
  }
}
