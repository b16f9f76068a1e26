package io.integrityauditor.engine;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One table on one endpoint, as the comparison engine sees it. A dialect implements it with SQL
 * that lets the database do the hashing; the generic dialect hashes in the JVM. Every method is a
 * short, read-only query so that a hot standby never has to cancel it.
 */
public interface DigestSource extends AutoCloseable {

  /**
   * Digests the rows of {@code range} in key order, at most {@code limit} of them (no limit when
   * {@code limit <= 0}), in buckets of {@code bucketRows} consecutive rows.
   */
  PositionalDigest positionalDigest(KeyRange range, long limit, int bucketRows);

  /** Digests all rows of {@code range}: their count and hash sum, in one short query. */
  default Digest digest(KeyRange range) {
    return bucketDigest(range, new Buckets.Starts(List.of())).get(0);
  }

  /**
   * Whether {@link #onePassDigests} can run on this source at all (its database and this table's
   * key); a plan's own limits may still refuse it. False: the table is planned in chunks from the
   * start, without announcing a pass.
   */
  default boolean digestsInOnePass() {
    return false;
  }

  /**
   * Digests every range of {@code plan} in one statement (one sequential scan of the table), in
   * plan order, each exactly as {@link #digest} gives it. Null when this source does not (then the
   * table is digested chunk by chunk).
   */
  default List<Digest> onePassDigests(OnePassPlan plan) {
    return null;
  }

  /**
   * Asks the database to stop the {@link #onePassDigests} statement running now on this source's
   * session, from another thread (the audit was cancelled); it then fails. Nothing when none runs.
   */
  default void cancelOnePass() {}

  /**
   * Whether another session waits for a lock on this table that the session {@code blocker} (a long
   * read of it, {@link #sessionId}) holds back: an ACCESS EXCLUSIVE request (ALTER TABLE, TRUNCATE,
   * VACUUM FULL, LOCK TABLE), behind which every other session's reads and writes of the table
   * queue. Asked on an idle session of the same database while the {@link #onePassDigests}
   * statement runs on another; false where not known.
   */
  default boolean lockWaitedFor(long blocker) {
    return false;
  }

  /** This source's database session (PostgreSQL: its backend's pid), or -1 where not known. */
  default long sessionId() {
    return -1;
  }

  /**
   * The widest key span a {@link #onePassDigests} statement is run for here (its timeout's pace).
   */
  default long onePassMaxSpan() {
    return Long.MAX_VALUE;
  }

  /**
   * The key {@code offset} rows into {@code range} in key order (0 is the first), or null when the
   * range has fewer rows. Reads the key index only.
   */
  Key keyAt(KeyRange range, long offset);

  /** Digests the rows of {@code range} per bucket; returns buckets.count() digests. */
  List<Digest> bucketDigest(KeyRange range, Buckets buckets);

  /** The smallest key in {@code range}, or null when the range is empty. */
  Key firstKey(KeyRange range);

  /** The largest key of the table, or null when it is empty. */
  Key lastKey();

  /** Streams the key, hash and owner of every row in {@code range}, in no particular order. */
  void rowHashes(KeyRange range, Consumer<RowHash> sink);

  /** Streams the key, hash and owner of the rows with these keys (those that exist). */
  void rowHashes(Collection<Key> keys, Consumer<RowHash> sink);

  /**
   * The canonical text of every compared column of the rows with these keys, by key, to name the
   * changed columns: a value longer than {@link #WHOLE_VALUE_LIMIT} as a digest of it instead
   * (PostgreSQL and the JVM path: {@code sha256:} and its SHA-256; MariaDB's MEDIUM/LONG columns
   * over 64 KiB likewise), in a form equal on both sides of a pair exactly when the values are.
   */
  Map<Key, List<String>> rowValues(Collection<Key> keys);

  /**
   * The longest value {@link #rowValues} reads whole (characters, or bytes of its text in SQL):
   * with it, the values read per batch are bounded by the number of columns, not by their sizes.
   */
  int WHOLE_VALUE_LIMIT = 1024;

  /**
   * Whether this endpoint applies the primary's changes by replication (a PostgreSQL standby, a
   * MariaDB/MySQL replica), so it can be compared at the same point of history.
   */
  default boolean followsReplication() {
    return false;
  }

  /** This endpoint's current replication position (read on the primary), or null for none. */
  default String replicationPosition() {
    return null;
  }

  /**
   * Waits until this replica has applied {@code position}. Returns true when it has (or when it is
   * not a replica), false when {@code timeout} passed first.
   */
  default boolean awaitPosition(String position, java.time.Duration timeout) {
    return true;
  }

  /**
   * Digests of the rows of {@code range} in {@code n} buckets by a hash of the key's text, the same
   * on every database of this engine whatever its collation: bucket number to digest, empty buckets
   * left out. Null when this source cannot (then copies that sort the key differently are bucketed
   * in the JVM from the rows read).
   */
  default java.util.Map<Integer, Digest> keyBucketDigests(int n, KeyRange range) {
    return null;
  }

  /** Whether {@link #keyBucketDigests} computes buckets in SQL (else it returns null). */
  default boolean hasKeyBuckets() {
    return false;
  }

  /** The rows of {@code range} in the given buckets (see {@link #keyBucketDigests}). */
  default void rowHashesInBuckets(
      int n,
      java.util.Collection<Integer> buckets,
      KeyRange range,
      java.util.function.Consumer<RowHash> sink) {
    throw new UnsupportedOperationException("no key buckets");
  }

  /** The database's current time as text in the updatedAt column's terms, or null. */
  default String currentTime() {
    return null;
  }

  /**
   * Of these keys, those whose updatedAt column is at or after {@code watermark} and, when {@code
   * until} is not null, at or before it.
   */
  default java.util.Set<Key> updatedSince(Collection<Key> keys, String watermark, String until) {
    return java.util.Set.of();
  }

  /** The database's estimate of the table's row count, or -1 when it has none. */
  long estimatedRows();

  /** Bytes received from the database so far (result values, approximate). */
  long bytesReceived();

  @Override
  void close();

  /**
   * How to open a new session when the database terminated this one because of a conflict with
   * recovery (a hot standby); sources that cannot lose their session ignore it.
   */
  default void reconnectWith(java.util.function.Supplier<java.sql.Connection> opener) {}

  /**
   * A logical subscriber follows the primary only through subscriptions whose slot is one of these
   * (the primary's own, {@link io.integrityauditor.dialect.Dialect#logicalSlots}); null: any. Call
   * before {@link #followsReplication}.
   */
  default void followOnlySlots(java.util.Set<String> primarySlots) {}
}
