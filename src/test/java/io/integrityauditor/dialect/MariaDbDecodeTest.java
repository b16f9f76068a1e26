package io.integrityauditor.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import io.integrityauditor.engine.CopyOutcome;
import io.integrityauditor.engine.Digest;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.Key;
import io.integrityauditor.engine.KeyRange;
import io.integrityauditor.engine.TableComparator;
import io.integrityauditor.engine.TableShape;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MariaDB digests of integer key ranges carry the row count and the sum of key offsets (weight 1):
 * a missing or an extra row is named from them, a changed row is found by splitting; hashes in the
 * verification are read unsigned, as MariaDB sums them (rows with a hash of 2^63 or more included).
 */
class MariaDbDecodeTest {
  static final int PORT = TestDatabases.MARIADB_PRIMARY_PORT;
  static final Duration T = Duration.ofSeconds(30);

  static Key key(long k) {
    return new Key(List.of(k));
  }

  static DigestSource source(String db) throws Exception {
    MySqlDialect d = new MySqlDialect();
    Connection c = TestDatabases.admin(TestDatabases.mariaUrl(PORT, db));
    d.prepareSession(c, T);
    TableShape shape =
        d.describe(c, new TableCatalog.Request("t", List.of("id"), "owner", null, List.of()));
    return d.digestSource(c, shape, Dialect.HashFlavor.NATIVE, T);
  }

  @Test
  void missingAndExtraRowsAreNamedByTheSumsAndChangedOnesBySplitting() throws Exception {
    for (String db : List.of("decode_p", "decode_c")) {
      TestDatabases.recreateMariaDatabase(PORT, db);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, db));
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, v text)");
        s.execute("INSERT INTO t SELECT seq, seq % 7, CONCAT('v', seq) FROM seq_1_to_30000");
      }
    }
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, "decode_c"));
        Statement s = c.createStatement()) {
      s.execute("UPDATE t SET v = 'changed' WHERE id = 4000");
      s.execute("DELETE FROM t WHERE id = 12000");
    }
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, "decode_p"));
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM t WHERE id = 20000");
    }

    DigestSource p = source("decode_p");
    KeyRange range = new KeyRange(key(100), false, key(2_100), true);
    Digest d = p.digest(range);
    assertThat(d.decode()).isNotNull();
    assertThat(d.decode().weight()).isEqualTo(Digest.Weight.ONE);
    assertThat(d.decode().low()).isEqualTo(BigInteger.valueOf(2_000));
    // sum of (key - 100) for keys 101..2100 = 1 + ... + 2000
    assertThat(d.decode().weighted()).isEqualTo(BigInteger.valueOf(2_000L * 2_001 / 2));
    BigInteger[] sum = {BigInteger.ZERO};
    boolean[] high = {false};
    p.rowHashes(
        range,
        r -> {
          sum[0] = sum[0].add(Digest.Weight.ONE.hashValue(r.hash()));
          high[0] |= r.hash() < 0;
        });
    assertThat(high[0]).as("some row hash is 2^63 or more").isTrue();
    assertThat(d.sum()).isEqualTo(sum[0]);

    DigestSource c = source("decode_c");
    DigestSource cl = source("decode_c");
    DigestSource pl = source("decode_p");
    TableShape shape;
    try (Connection conn = TestDatabases.admin(TestDatabases.mariaUrl(PORT, "decode_p"))) {
      shape =
          new MySqlDialect()
              .describe(
                  conn, new TableCatalog.Request("t", List.of("id"), "owner", null, List.of()));
    }
    int[] passesAnnounced = {0};
    TableComparator comparator =
        new TableComparator(
            shape,
            CompareSettings.defaults().withChunkRows(2_000, 2_000, 2_000),
            new TableComparator.ProgressListener() {
              @Override
              public void chunkScanned(long chunkRows, long elapsedNanos) {}

              @Override
              public void onePassStarted() {
                passesAnnounced[0]++;
              }
            },
            null);
    CopyOutcome o =
        comparator.compare(p, List.of(new TableComparator.CopyLink("c", c, cl, pl, false))).get(0);
    assertThat(
            o.findings().stream()
                .map(f -> f.kind() + " " + f.key().get(0) + " " + f.columns())
                .sorted()
                .toList())
        .containsExactly("CHANGED 4000 [v]", "EXTRA 20000 []", "MISSING 12000 []");
    assertThat(comparator.decodedRows()).isEqualTo(2);
    // MariaDB digests in chunks: no one-pass plan, and no progress line announcing one (it had
    // printed "one pass: one statement per side" before every MariaDB table with an integer key)
    assertThat(comparator.onePass()).isFalse();
    assertThat(passesAnnounced[0]).isZero();
    for (DigestSource s : List.of(p, c, cl, pl)) {
      s.close();
    }
  }
}
