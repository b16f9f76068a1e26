package io.integrityauditor.engine;

import java.time.Duration;

/**
 * Tuning of the comparison engine. Chunk sizes follow the measured query time, so none of these
 * normally needs changing.
 *
 * @param chunkTarget how long one chunk's digest query on the primary should take. Short: a chunk
 *     query costs the same per row whatever its size (measured: 200 chunks of 5,000 rows took as
 *     long as 10 of 100,000), while a differing chunk is re-read to locate its rows
 * @param initialChunkRows rows in the first chunk, before any timing is known
 * @param minChunkRows lower bound of a chunk
 * @param maxChunkRows upper bound of a chunk
 * @param leafRows a range with at most this many rows on either side is compared row by row
 * @param fanout how many parts a differing range is split into
 * @param findingsCap findings kept per copy (counts stay exact)
 * @param pendingCap unmatched MISSING/EXTRA rows held for cross-range reconciliation
 * @param lostRowsCap MISSING/CHANGED keys held per copy for the users-at-risk roll-up
 * @param replicaWait how long to wait for a replica to apply the primary's position
 * @param recheckAttempts how often a difference on a replica is checked again, after the replica
 *     caught up, before it is reported
 * @param onePassMaxRows a table with a single integer key whose keys span at most this many values
 *     is digested in one pass (one statement per side, on databases where that is cheaper than
 *     chunks; {@link OnePassPlan}); 0 turns one-pass digests off
 */
public record CompareSettings(
    Duration chunkTarget,
    long initialChunkRows,
    long minChunkRows,
    long maxChunkRows,
    int leafRows,
    int fanout,
    int findingsCap,
    int pendingCap,
    int lostRowsCap,
    Duration replicaWait,
    int recheckAttempts,
    long onePassMaxRows) {

  public static CompareSettings defaults() {
    return new CompareSettings(
        Duration.ofMillis(20),
        5_000,
        1_000,
        200_000,
        4_096,
        16,
        1000,
        500_000,
        2_000_000,
        Duration.ofSeconds(10),
        3,
        10_000_000);
  }

  public CompareSettings withFindingsCap(int cap) {
    return new CompareSettings(
        chunkTarget,
        initialChunkRows,
        minChunkRows,
        maxChunkRows,
        leafRows,
        fanout,
        cap,
        pendingCap,
        lostRowsCap,
        replicaWait,
        recheckAttempts,
        onePassMaxRows);
  }

  public CompareSettings withChunkTarget(Duration target) {
    return new CompareSettings(
        target,
        initialChunkRows,
        minChunkRows,
        maxChunkRows,
        leafRows,
        fanout,
        findingsCap,
        pendingCap,
        lostRowsCap,
        replicaWait,
        recheckAttempts,
        onePassMaxRows);
  }

  public CompareSettings withChunkRows(long initial, long min, long max) {
    return new CompareSettings(
        chunkTarget,
        initial,
        min,
        max,
        leafRows,
        fanout,
        findingsCap,
        pendingCap,
        lostRowsCap,
        replicaWait,
        recheckAttempts,
        onePassMaxRows);
  }

  public CompareSettings withLeafRows(int leaf, int fan) {
    return new CompareSettings(
        chunkTarget,
        initialChunkRows,
        minChunkRows,
        maxChunkRows,
        leaf,
        fan,
        findingsCap,
        pendingCap,
        lostRowsCap,
        replicaWait,
        recheckAttempts,
        onePassMaxRows);
  }

  /**
   * Heap one held row costs, with margin: a bigint key, its hash, its owner and the map entry
   * measured ~270 bytes (jmap, 1M held rows).
   */
  static final long HELD_ROW_BYTES = 400;

  /**
   * These caps, lowered where the heap could not hold them: the rows held back for matching and for
   * the users-at-risk roll-up of all copies of a table get a quarter of the heap. With the defaults
   * (500,000 pending rows per side, 2,000,000 lost rows) a copy that lost a million rows ran a 128
   * MB heap out of memory and failed, where its counts and a lower bound of the users at risk can
   * still be reported (FindingCollector records a row at once when the pending rows are full; a
   * truncated roll-up marks usersAtRiskComplete false).
   */
  public CompareSettings withinHeap(long maxHeapBytes, int copies) {
    long perCopy = maxHeapBytes / 4 / Math.max(1, copies);
    int pending = (int) Math.max(1_000, Math.min(pendingCap, perCopy / 4 / HELD_ROW_BYTES));
    int lost = (int) Math.max(1_000, Math.min(lostRowsCap, perCopy / 2 / HELD_ROW_BYTES));
    // The listed findings too (review 1 of session 21: findingsCap 1,000,000 with a million
    // differences ran a 256 MB heap out of memory and failed the table).
    int listed = (int) Math.max(1_000, Math.min(findingsCap, perCopy / 4 / HELD_ROW_BYTES));
    return new CompareSettings(
        chunkTarget,
        initialChunkRows,
        minChunkRows,
        maxChunkRows,
        leafRows,
        fanout,
        Math.min(findingsCap, listed),
        Math.min(pendingCap, pending),
        Math.min(lostRowsCap, lost),
        replicaWait,
        recheckAttempts,
        onePassMaxRows);
  }

  public CompareSettings withLostRowsCap(int cap) {
    return new CompareSettings(
        chunkTarget,
        initialChunkRows,
        minChunkRows,
        maxChunkRows,
        leafRows,
        fanout,
        findingsCap,
        pendingCap,
        cap,
        replicaWait,
        recheckAttempts,
        onePassMaxRows);
  }

  public CompareSettings withReplicaSync(Duration wait, int attempts) {
    return new CompareSettings(
        chunkTarget,
        initialChunkRows,
        minChunkRows,
        maxChunkRows,
        leafRows,
        fanout,
        findingsCap,
        pendingCap,
        lostRowsCap,
        wait,
        attempts,
        onePassMaxRows);
  }

  public CompareSettings withOnePassMaxRows(long rows) {
    return new CompareSettings(
        chunkTarget,
        initialChunkRows,
        minChunkRows,
        maxChunkRows,
        leafRows,
        fanout,
        findingsCap,
        pendingCap,
        lostRowsCap,
        replicaWait,
        recheckAttempts,
        rows);
  }
}
