package io.integrityauditor.engine;

import java.time.Duration;

/**
 * Tuning of the comparison engine. The defaults are self-tuning: chunk sizes follow the measured
 * query time, so none of these normally needs changing.
 *
 * @param chunkTarget how long one chunk's digest query on the primary should take
 * @param initialChunkRows rows in the first chunk, before any timing is known
 * @param maxChunkRows upper bound of a chunk
 * @param maxBuckets buckets per chunk in the first pass (each bucket is a separately compared
 *     range)
 * @param leafRows a range with at most this many rows on either side is compared row by row
 * @param fanout how many parts a differing range is split into
 * @param findingsCap findings kept per copy (counts stay exact)
 * @param pendingCap unmatched MISSING/EXTRA rows held for cross-range reconciliation
 * @param lostRowsCap MISSING/CHANGED keys held per copy for the users-at-risk roll-up
 */
public record CompareSettings(
    Duration chunkTarget,
    long initialChunkRows,
    long maxChunkRows,
    int maxBuckets,
    int leafRows,
    int fanout,
    int findingsCap,
    int pendingCap,
    int lostRowsCap) {

  public static CompareSettings defaults() {
    return new CompareSettings(
        Duration.ofMillis(500), 20_000, 4_000_000, 1024, 512, 16, 1000, 500_000, 2_000_000);
  }

  public CompareSettings withFindingsCap(int cap) {
    return new CompareSettings(
        chunkTarget,
        initialChunkRows,
        maxChunkRows,
        maxBuckets,
        leafRows,
        fanout,
        cap,
        pendingCap,
        lostRowsCap);
  }

  public CompareSettings withChunkTarget(Duration target) {
    return new CompareSettings(
        target,
        initialChunkRows,
        maxChunkRows,
        maxBuckets,
        leafRows,
        fanout,
        findingsCap,
        pendingCap,
        lostRowsCap);
  }

  public CompareSettings withChunkRows(long initial, long max) {
    return new CompareSettings(
        chunkTarget,
        initial,
        max,
        maxBuckets,
        leafRows,
        fanout,
        findingsCap,
        pendingCap,
        lostRowsCap);
  }

  public CompareSettings withLeafRows(int leaf, int fan) {
    return new CompareSettings(
        chunkTarget,
        initialChunkRows,
        maxChunkRows,
        maxBuckets,
        leaf,
        fan,
        findingsCap,
        pendingCap,
        lostRowsCap);
  }
}
