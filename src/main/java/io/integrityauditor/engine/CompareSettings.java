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
