package io.integrityauditor.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Compares one table on the primary with its copies.
 *
 * <p>The primary is read once, chunk by chunk, in key order; each chunk query returns, besides its
 * count and hash sum, the digests of up to {@code maxBuckets} consecutive buckets and their first
 * keys. Each copy digests the same buckets, bounded by those keys, in a worker thread of its own,
 * so the primary and the copies hash in parallel. A bucket whose digest differs is split again
 * (positionally, on whichever side holds more rows) until a range holds few rows, and those rows'
 * (key, hash) pairs are merged. Locating k differences therefore costs about k small range scans,
 * whatever the size of the table.
 */
public final class TableComparator {
  /** A copy to compare, with its own connection to the primary for locating differences. */
  public record CopyLink(String name, DigestSource copy, DigestSource primary) {}

  /** Told after every primary chunk. */
  public interface ProgressListener {
    void chunkScanned(long chunkRows, long elapsedNanos);
  }

  private static final Chunk END = new Chunk(null, null);

  private final TableShape shape;
  private final CompareSettings settings;
  private final ProgressListener progress;
  private final AtomicBoolean cancelled;

  public TableComparator(
      TableShape shape,
      CompareSettings settings,
      ProgressListener progress,
      AtomicBoolean cancelled) {
    this.shape = shape;
    this.settings = settings;
    this.progress = progress == null ? (r, n) -> {} : progress;
    this.cancelled = cancelled == null ? new AtomicBoolean() : cancelled;
  }

  private record Chunk(KeyRange range, PositionalDigest primary) {}

  /**
   * Runs the comparison. A copy that fails gets an outcome with its error; the others go on. A
   * failure on the primary's scan is thrown.
   */
  public List<CopyOutcome> compare(DigestSource primaryScan, List<CopyLink> copies) {
    Map<String, Worker> workers = new LinkedHashMap<>();
    for (CopyLink link : copies) {
      Worker w = new Worker(link);
      workers.put(link.name(), w);
      w.thread.start();
    }
    RuntimeException primaryFailure = null;
    try {
      scanPrimary(primaryScan, workers.values());
    } catch (RuntimeException e) {
      primaryFailure = e;
    } finally {
      for (Worker w : workers.values()) {
        w.finish();
      }
    }
    List<CopyOutcome> outcomes = new ArrayList<>();
    for (Worker w : workers.values()) {
      try {
        w.thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      outcomes.add(w.outcome());
    }
    if (primaryFailure != null) {
      throw primaryFailure;
    }
    return outcomes;
  }

  private void scanPrimary(DigestSource primary, Collection<Worker> workers) {
    long chunkRows = settings.initialChunkRows();
    Key lower = null;
    long targetNanos = settings.chunkTarget().toNanos();
    while (true) {
      checkCancelled();
      int bucketRows = bucketRows(chunkRows);
      long limit = roundUp(chunkRows, bucketRows);
      long t0 = System.nanoTime();
      PositionalDigest pd = primary.positionalDigest(KeyRange.above(lower), limit, bucketRows);
      long elapsed = System.nanoTime() - t0;
      KeyRange range =
          pd.last() == null
              ? KeyRange.above(lower)
              : KeyRange.above(lower).withUpper(pd.last(), true);
      Chunk chunk = new Chunk(range, pd);
      for (Worker w : workers) {
        w.offer(chunk);
      }
      progress.chunkScanned(pd.rows(), elapsed);
      if (pd.last() == null) {
        return;
      }
      lower = pd.last();
      double factor = (double) targetNanos / Math.max(elapsed, 1_000_000L);
      factor = Math.max(0.25, Math.min(4.0, factor));
      chunkRows =
          Math.max(
              settings.leafRows() * 4L,
              Math.min(settings.maxChunkRows(), (long) (chunkRows * factor)));
    }
  }

  private int bucketRows(long chunkRows) {
    long perBucket = (chunkRows + settings.maxBuckets() - 1) / settings.maxBuckets();
    return (int) Math.max(Math.min(settings.leafRows(), chunkRows), perBucket);
  }

  private static long roundUp(long n, long multiple) {
    return ((n + multiple - 1) / multiple) * multiple;
  }

  private void checkCancelled() {
    if (cancelled.get() || Thread.currentThread().isInterrupted()) {
      throw new CancelledException();
    }
  }

  /** Thrown when the audit was cancelled. */
  public static final class CancelledException extends RuntimeException {
    public CancelledException() {
      super("audit cancelled");
    }
  }

  /** Compares one copy: consumes the primary's chunks, locates and collects differences. */
  private final class Worker {
    private final CopyLink link;
    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(3);
    private final FindingCollector collector = new FindingCollector(settings);
    private final Thread thread;
    private volatile String error;
    private volatile boolean dead;
    private long rowsChecked;
    private List<Finding> resolved = List.of();

    Worker(CopyLink link) {
      this.link = link;
      this.thread = new Thread(this::run, "compare-" + shape.displayName() + "-" + link.name());
      this.thread.setDaemon(true);
    }

    void offer(Chunk chunk) {
      try {
        while (!dead && !queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
          checkCancelled();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancelledException();
      }
    }

    void finish() {
      offer(END);
    }

    private void run() {
      try {
        while (true) {
          Chunk chunk = queue.take();
          if (chunk == END) {
            break;
          }
          compareChunk(chunk);
        }
        collector.flush();
        resolved = resolveColumns(collector.findings());
      } catch (CancelledException e) {
        fail("audit cancelled");
      } catch (InterruptedException e) {
        fail("interrupted");
      } catch (RuntimeException e) {
        fail(describe(e));
      }
    }

    private void fail(String message) {
      error = message;
      dead = true;
      queue.clear();
    }

    CopyOutcome outcome() {
      if (error != null) {
        CopyOutcome partial = collector.outcome(link.name(), rowsChecked, collector.findings());
        return new CopyOutcome(
            partial.copy(),
            partial.rowsChecked(),
            partial.missing(),
            partial.extra(),
            partial.changed(),
            partial.findings(),
            partial.lostRows(),
            partial.lostRowsComplete(),
            partial.ownersAffected(),
            error);
      }
      return collector.outcome(link.name(), rowsChecked, resolved);
    }

    private void compareChunk(Chunk chunk) {
      checkCancelled();
      List<BucketDigest> buckets = chunk.primary().buckets();
      List<Key> starts = starts(buckets);
      List<Digest> copyDigests = link.copy().boundaryDigest(chunk.range(), starts);
      for (int i = 0; i < copyDigests.size(); i++) {
        Digest p = buckets.isEmpty() ? Digest.EMPTY : buckets.get(i).digest();
        Digest c = copyDigests.get(i);
        if (!p.matches(c)) {
          locate(subrange(chunk.range(), buckets, i), p.count(), c.count(), 0);
        }
      }
      rowsChecked += chunk.primary().rows();
    }

    /** Narrows a differing range down to rows; pc and cc are the row counts of each side. */
    private void locate(KeyRange range, long pc, long cc, int depth) {
      checkCancelled();
      if (Math.max(pc, cc) <= settings.leafRows() || depth > 24) {
        leaf(range);
        return;
      }
      boolean primarySplits = pc >= cc;
      DigestSource splitter = primarySplits ? link.primary() : link.copy();
      DigestSource other = primarySplits ? link.copy() : link.primary();
      int bucketRows = (int) ((Math.max(pc, cc) + settings.fanout() - 1) / settings.fanout());
      PositionalDigest pd = splitter.positionalDigest(range, 0, Math.max(1, bucketRows));
      List<BucketDigest> buckets = pd.buckets();
      if (buckets.size() <= 1) {
        leaf(range);
        return;
      }
      List<Digest> otherDigests = other.boundaryDigest(range, starts(buckets));
      for (int i = 0; i < buckets.size(); i++) {
        Digest s = buckets.get(i).digest();
        Digest o = otherDigests.get(i);
        if (!s.matches(o)) {
          KeyRange sub = subrange(range, buckets, i);
          if (primarySplits) {
            locate(sub, s.count(), o.count(), depth + 1);
          } else {
            locate(sub, o.count(), s.count(), depth + 1);
          }
        }
      }
    }

    private void leaf(KeyRange range) {
      Map<Key, RowHash> primaryRows = new HashMap<>();
      link.primary().rowHashes(range, r -> primaryRows.put(r.key(), r));
      link.copy()
          .rowHashes(
              range,
              r -> {
                RowHash p = primaryRows.remove(r.key());
                if (p == null) {
                  collector.extra(r);
                } else if (p.hash() != r.hash()) {
                  collector.changed(p);
                }
              });
      for (RowHash p : primaryRows.values()) {
        collector.missing(p);
      }
    }

    /** Names the differing columns of the reported CHANGED rows. */
    private List<Finding> resolveColumns(List<Finding> findings) {
      List<Key> keys =
          findings.stream()
              .filter(f -> f.kind() == Finding.Kind.CHANGED)
              .map(Finding::key)
              .toList();
      if (keys.isEmpty()) {
        return findings;
      }
      Map<Key, List<String>> p = new HashMap<>();
      Map<Key, List<String>> c = new HashMap<>();
      for (int i = 0; i < keys.size(); i += 200) {
        List<Key> batch = keys.subList(i, Math.min(keys.size(), i + 200));
        p.putAll(link.primary().rowValues(batch));
        c.putAll(link.copy().rowValues(batch));
      }
      List<Finding> out = new ArrayList<>(findings.size());
      for (Finding f : findings) {
        if (f.kind() != Finding.Kind.CHANGED) {
          out.add(f);
          continue;
        }
        List<String> pv = p.get(f.key());
        List<String> cv = c.get(f.key());
        List<String> cols = new ArrayList<>();
        if (pv != null && cv != null) {
          for (int j = 0; j < shape.compared().size(); j++) {
            if (!Objects.equals(pv.get(j), cv.get(j))) {
              cols.add(shape.compared().get(j).name());
            }
          }
        }
        out.add(f.withColumns(cols));
      }
      return out;
    }
  }

  private static List<Key> starts(List<BucketDigest> buckets) {
    List<Key> starts = new ArrayList<>(Math.max(0, buckets.size() - 1));
    for (int i = 1; i < buckets.size(); i++) {
      starts.add(buckets.get(i).first());
    }
    return starts;
  }

  /** The key range of bucket i of a positional split of {@code range}. */
  static KeyRange subrange(KeyRange range, List<BucketDigest> buckets, int i) {
    if (buckets.isEmpty()) {
      return range;
    }
    KeyRange r = range;
    if (i > 0) {
      r = r.withLower(buckets.get(i).first(), true);
    }
    if (i < buckets.size() - 1) {
      r = r.withUpper(buckets.get(i + 1).first(), false);
    }
    return r;
  }

  static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    Throwable t = e;
    while (t != null && sb.length() < 2000) {
      if (sb.length() > 0) {
        sb.append(": ");
      }
      String m = t.getMessage();
      sb.append(m == null ? t.getClass().getSimpleName() : m);
      if (t.getCause() == t) {
        break;
      }
      t = t.getCause();
      if (t != null && m != null && t.getMessage() != null && m.contains(t.getMessage())) {
        break;
      }
    }
    return sb.toString();
  }
}
