package io.integrityauditor.engine;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A source whose every runtime failure (but a cancel) is added to {@code failures} as it is thrown,
 * unchanged: a copy's worker tells by it that its session on the primary failed (the table then
 * fails as the primary's). A plain delegate: a reflective proxy cost ~60 ms of the audit's start
 * (its class generated, then its first calls).
 */
final class WatchedSource implements DigestSource {
  private final DigestSource source;
  private final Set<Throwable> failures;

  WatchedSource(DigestSource source, Set<Throwable> failures) {
    this.source = source;
    this.failures = failures;
  }

  private <T> T watch(Supplier<T> call) {
    try {
      return call.get();
    } catch (TableComparator.CancelledException e) {
      throw e;
    } catch (RuntimeException e) {
      failures.add(e);
      throw e;
    }
  }

  private void run(Runnable call) {
    watch(
        () -> {
          call.run();
          return null;
        });
  }

  @Override
  public PositionalDigest positionalDigest(KeyRange range, long limit, int bucketRows) {
    return watch(() -> source.positionalDigest(range, limit, bucketRows));
  }

  @Override
  public Digest digest(KeyRange range) {
    return watch(() -> source.digest(range));
  }

  @Override
  public boolean digestsInOnePass() {
    return watch(source::digestsInOnePass);
  }

  @Override
  public List<Digest> onePassDigests(OnePassPlan plan) {
    return watch(() -> source.onePassDigests(plan));
  }

  @Override
  public void cancelOnePass() {
    source.cancelOnePass();
  }

  @Override
  public boolean lockWaitedFor(long blocker) {
    return source.lockWaitedFor(blocker);
  }

  @Override
  public long sessionId() {
    return source.sessionId();
  }

  @Override
  public long onePassMaxSpan() {
    return source.onePassMaxSpan();
  }

  @Override
  public Key keyAt(KeyRange range, long offset) {
    return watch(() -> source.keyAt(range, offset));
  }

  @Override
  public List<Digest> bucketDigest(KeyRange range, Buckets buckets) {
    return watch(() -> source.bucketDigest(range, buckets));
  }

  @Override
  public Key firstKey(KeyRange range) {
    return watch(() -> source.firstKey(range));
  }

  @Override
  public Key lastKey() {
    return watch(source::lastKey);
  }

  @Override
  public void rowHashes(KeyRange range, Consumer<RowHash> sink) {
    run(() -> source.rowHashes(range, sink));
  }

  @Override
  public void rowHashes(Collection<Key> keys, Consumer<RowHash> sink) {
    run(() -> source.rowHashes(keys, sink));
  }

  @Override
  public Map<Key, List<String>> rowValues(Collection<Key> keys) {
    return watch(() -> source.rowValues(keys));
  }

  @Override
  public boolean followsReplication() {
    return watch(source::followsReplication);
  }

  @Override
  public String replicationPosition() {
    return watch(source::replicationPosition);
  }

  @Override
  public boolean awaitPosition(String position, java.time.Duration timeout) {
    return watch(() -> source.awaitPosition(position, timeout));
  }

  @Override
  public Map<Integer, Digest> keyBucketDigests(int n, KeyRange range) {
    return watch(() -> source.keyBucketDigests(n, range));
  }

  @Override
  public boolean hasKeyBuckets() {
    return source.hasKeyBuckets();
  }

  @Override
  public void rowHashesInBuckets(
      int n, Collection<Integer> buckets, KeyRange range, Consumer<RowHash> sink) {
    run(() -> source.rowHashesInBuckets(n, buckets, range, sink));
  }

  @Override
  public String currentTime() {
    return watch(source::currentTime);
  }

  @Override
  public Set<Key> updatedSince(Collection<Key> keys, String watermark, String until) {
    return watch(() -> source.updatedSince(keys, watermark, until));
  }

  @Override
  public long estimatedRows() {
    return source.estimatedRows();
  }

  @Override
  public long bytesReceived() {
    return source.bytesReceived();
  }

  @Override
  public void close() {
    source.close();
  }

  @Override
  public void reconnectWith(Supplier<java.sql.Connection> opener) {
    source.reconnectWith(opener);
  }

  @Override
  public void followOnlySlots(Set<String> primarySlots) {
    source.followOnlySlots(primarySlots);
  }
}
