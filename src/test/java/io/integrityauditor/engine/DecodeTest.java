package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Locating by decode sums: a range that differs by one row names it; when two rows differ, the
 * quotient of the sums can name a row that is identical on both sides, which must be rejected (the
 * range is split instead) — a false decode would report a row that does not differ and miss the two
 * that do. The databases' side of the decode sums is tested against PostgreSQL in
 * PostgresDecodeTest; this drives the engine with rows whose hashes are chosen to hit that case.
 */
class DecodeTest {
  static final Column ID = new Column("id", "bigint", Types.BIGINT, false);
  static final TableShape SHAPE =
      new TableShape(null, "t", List.of(ID), List.of(ID), null, null, null);

  /** One table in memory: key -> row hash; digests carry decode sums like PostgreSQL's. */
  static class Rows implements DigestSource {
    final NavigableMap<Long, Long> rows = new TreeMap<>();
    int rangeReads;
    final List<KeyRange> rangesRead = new ArrayList<>();

    Rows(long from, long to) {
      for (long k = from; k <= to; k++) {
        rows.put(k, k * 0x9E3779B97F4A7C15L);
      }
    }

    NavigableMap<Long, Long> in(KeyRange r) {
      NavigableMap<Long, Long> m = rows;
      if (r.lower() != null) {
        m = m.tailMap(((Number) r.lower().get(0)).longValue(), r.lowerInclusive());
      }
      if (r.upper() != null) {
        m = m.headMap(((Number) r.upper().get(0)).longValue(), r.upperInclusive());
      }
      return m;
    }

    @Override
    public Digest digest(KeyRange range) {
      Digest.Accumulator acc = new Digest.Accumulator();
      BigInteger weighted = BigInteger.ZERO;
      Long base = range.lower() == null ? null : ((Number) range.lower().get(0)).longValue();
      for (var e : in(range).entrySet()) {
        acc.add(e.getValue());
        if (base != null) {
          long a = Digest.Decode.low(e.getValue());
          weighted =
              weighted.add(BigInteger.valueOf(a).multiply(BigInteger.valueOf(e.getKey() - base)));
        }
      }
      Digest d = acc.digest();
      boolean decodes = base != null && range.upper() != null;
      // Like PostgreSQL's digests: no sum of the low words (Digest#decodeKey derives one row's).
      return decodes
          ? new Digest(
              d.count(), d.sum(), new Digest.Decode(base, null, weighted, Digest.Weight.HASH_LOW32))
          : d;
    }

    @Override
    public List<Digest> bucketDigest(KeyRange range, Buckets buckets) {
      List<Digest> out = new ArrayList<>();
      for (int i = 0; i < buckets.count(); i++) {
        Digest d = digest(((Buckets.Starts) buckets).range(range, i));
        out.add(new Digest(d.count(), d.sum()));
      }
      return out;
    }

    @Override
    public PositionalDigest positionalDigest(KeyRange range, long limit, int bucketRows) {
      List<BucketDigest> out = new ArrayList<>();
      Digest.Accumulator acc = null;
      Key first = null;
      for (var e : in(range).entrySet()) {
        if (acc == null || acc.count() == bucketRows) {
          if (acc != null) {
            out.add(new BucketDigest(first, acc.digest()));
          }
          acc = new Digest.Accumulator();
          first = new Key(List.of(e.getKey()));
        }
        acc.add(e.getValue());
      }
      if (acc != null) {
        out.add(new BucketDigest(first, acc.digest()));
      }
      return new PositionalDigest(out, null);
    }

    @Override
    public Key keyAt(KeyRange range, long offset) {
      return in(range).keySet().stream()
          .skip(offset)
          .findFirst()
          .map(k -> new Key(List.of(k)))
          .orElse(null);
    }

    @Override
    public Key firstKey(KeyRange range) {
      var m = in(range);
      return m.isEmpty() ? null : new Key(List.of(m.firstKey()));
    }

    @Override
    public Key lastKey() {
      return rows.isEmpty() ? null : new Key(List.of(rows.lastKey()));
    }

    @Override
    public void rowHashes(KeyRange range, Consumer<RowHash> sink) {
      rangeReads++;
      rangesRead.add(range);
      in(range).forEach((k, h) -> sink.accept(new RowHash(new Key(List.of(k)), h, null)));
    }

    @Override
    public void rowHashes(Collection<Key> keys, Consumer<RowHash> sink) {
      for (Key key : keys) {
        long k = ((Number) key.get(0)).longValue();
        Long h = rows.get(k);
        if (h != null) {
          sink.accept(new RowHash(new Key(List.of(k)), h, null));
        }
      }
    }

    @Override
    public Map<Key, List<String>> rowValues(Collection<Key> keys) {
      Map<Key, List<String>> out = new java.util.HashMap<>();
      for (Key key : keys) {
        Long h = rows.get(((Number) key.get(0)).longValue());
        if (h != null) {
          out.put(key, List.of(Long.toString(h)));
        }
      }
      return out;
    }

    @Override
    public long estimatedRows() {
      return rows.size();
    }

    @Override
    public long bytesReceived() {
      return 0;
    }

    @Override
    public void close() {}
  }

  static List<String> compare(Rows primary, Rows copy, TableComparator comparator) {
    CopyOutcome o =
        comparator
            .compare(
                primary, List.of(new TableComparator.CopyLink("c", copy, copy, primary, false)))
            .get(0);
    return o.findings().stream().map(f -> f.kind() + " " + f.key().get(0)).sorted().toList();
  }

  static TableComparator comparator() {
    return new TableComparator(
        SHAPE,
        CompareSettings.defaults().withChunkRows(1000, 1000, 1000).withLeafRows(8, 4),
        null,
        null);
  }

  @Test
  void oneDifferingRowPerChunkIsNamedByTheSumsWithoutReadingTheChunk() {
    Rows primary = new Rows(1, 10_000);
    Rows copy = new Rows(1, 10_000);
    copy.rows.put(2_500L, 42L); // changed
    copy.rows.remove(5_500L); // missing
    primary.rows.remove(7_500L); // extra on the copy
    TableComparator c = comparator();
    assertThat(compare(primary, copy, c))
        .containsExactly("CHANGED 2500", "EXTRA 7500", "MISSING 5500");
    assertThat(c.decodedRows()).isEqualTo(3);
    assertThat(primary.rangeReads + copy.rangeReads).isZero();
  }

  @Test
  void twoDifferingRowsWhoseSumsNameAnIdenticalRowAreSplitInstead() {
    Rows primary = new Rows(1, 10_000);
    Rows copy = new Rows(1, 10_000);
    // Rows 2,400 and 2,600 both lose 1 in their hash's low 32 bits (their low words are not 0):
    // the decode quotient is the mean offset, naming row 2,500, which is identical on both sides.
    for (long k : new long[] {2_400, 2_600}) {
      long h = copy.rows.get(k);
      assertThat(Digest.Decode.low(h)).isPositive();
      copy.rows.put(k, h - 1);
    }
    Digest p =
        primary.digest(
            new KeyRange(new Key(List.of(2_000L)), false, new Key(List.of(3_000L)), true));
    Digest d =
        copy.digest(new KeyRange(new Key(List.of(2_000L)), false, new Key(List.of(3_000L)), true));
    assertThat(p.decodeKey(d)).isEqualTo(2_500L);

    TableComparator c = comparator();
    assertThat(compare(primary, copy, c)).containsExactly("CHANGED 2400", "CHANGED 2600");
    // The chunk was split; each part then held one of the two rows and named it.
    assertThat(c.decodedRows()).isEqualTo(2);
  }

  @Test
  void rowsBelowTheSmallestAndAboveTheLargestKeyAreReadInRangesOfTheirOwn() {
    Rows primary = new Rows(1, 10_000);
    Rows copy = new Rows(1, 10_000);
    for (long k : new long[] {-7, -3, 10_004, 10_009}) {
      copy.rows.put(k, k * 31);
    }
    TableComparator c = comparator();
    assertThat(compare(primary, copy, c))
        .containsExactly("EXTRA -3", "EXTRA -7", "EXTRA 10004", "EXTRA 10009");
    // Only the two edge ranges are read row by row, not the first and last chunks' 1,000 rows.
    assertThat(copy.rangesRead)
        .containsExactlyInAnyOrder(
            new KeyRange(null, false, new Key(List.of(1L)), false),
            KeyRange.above(new Key(List.of(10_000L))));
  }

  /**
   * Without low-word sums, one differing row's Δa is d or d - 2^32 (d: the hash sums' difference
   * mod 2^32). A missing row needs the first, an extra row or a changed row whose low word fell the
   * second: each named exactly, whatever the low words.
   */
  @Test
  void oneDifferingRowIsNamedFromTheHashSums() {
    java.util.Random rnd = new java.util.Random(42);
    for (int trial = 0; trial < 2_000; trial++) {
      Rows primary = new Rows(1, 200);
      for (long k = 1; k <= 200; k++) {
        primary.rows.put(k, rnd.nextLong());
      }
      Rows copy = new Rows(1, 200);
      copy.rows.putAll(primary.rows);
      long k = 1 + rnd.nextInt(199);
      switch (trial % 3) {
        case 0 -> copy.rows.remove(k);
        case 1 -> primary.rows.remove(k);
        default -> copy.rows.put(k, rnd.nextLong());
      }
      KeyRange r = new KeyRange(new Key(List.of(0L)), false, new Key(List.of(200L)), true);
      Digest p = primary.digest(r);
      Digest c = copy.digest(r);
      assertThat(p.decode().low()).isNull();
      assertThat(p.decodeKey(c)).as("trial %d", trial).isEqualTo(k);
    }
  }

  @Test
  void aChunkWithNoDecodeSumsIsSplitAsBefore() {
    Digest.Decode a = new Digest.Decode(0, BigInteger.TEN, BigInteger.valueOf(30));
    assertThat(a.key(null)).isNull();
    assertThat(a.key(new Digest.Decode(1, BigInteger.ZERO, BigInteger.ZERO))).isNull();
    assertThat(a.key(new Digest.Decode(0, BigInteger.ZERO, BigInteger.ZERO))).isEqualTo(3L);
    assertThat(a.key(new Digest.Decode(0, BigInteger.ZERO, BigInteger.valueOf(1)))).isNull();
    assertThat(a.key(a)).isNull();
  }
}
