package io.integrityauditor.cli;

import io.integrityauditor.audit.AuditService;
import java.io.PrintStream;

/**
 * Prints audit progress to stderr at most every two seconds: chunks, rows, rate and, when the
 * database can estimate the table's size, the time left.
 */
public final class ProgressPrinter implements AuditService.Progress {
  private final PrintStream err;
  private final long intervalNanos;
  private String table;
  private long estimate;
  private long rows;
  private long chunks;
  private long started;
  private long lastPrint;

  public ProgressPrinter(PrintStream err) {
    this(err, 2_000_000_000L);
  }

  ProgressPrinter(PrintStream err, long intervalNanos) {
    this.err = err;
    this.intervalNanos = intervalNanos;
  }

  @Override
  public synchronized void tableStarted(String table, long estimatedRows) {
    this.table = table;
    this.estimate = estimatedRows;
    this.rows = 0;
    this.chunks = 0;
    this.started = System.nanoTime();
    this.lastPrint = started;
  }

  @Override
  public synchronized void onePassStarted(String table) {
    err.println(
        String.format(
            "[%s] one pass: one statement per side over %s rows",
            table, estimate > 0 ? String.format("~%,d", estimate) : "all"));
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
    sb.append(String.format("[%s] chunk %d, %,d rows", table, chunks, rows));
    if (estimate > 0) {
      sb.append(String.format(" of ~%,d", estimate));
    }
    sb.append(String.format(", %,.0f rows/s", rate));
    if (estimate > rows && rate > 0) {
      sb.append(String.format(", ETA %.0f s", (estimate - rows) / rate));
    }
    err.println(sb);
  }
}
