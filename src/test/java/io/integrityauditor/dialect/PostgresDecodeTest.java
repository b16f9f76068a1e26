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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL digests of integer key ranges carry decode sums ({@link Digest.Decode}) computed with
 * the row hash once per row, equal to the sums recomputed here from the row hashes; a range whose
 * span could overflow them carries none; and the engine names single differing rows from them.
 */
class PostgresDecodeTest {
  static final int PORT = TestDatabases.PG_PRIMARY_PORT;
  static final Duration T = Duration.ofSeconds(30);

  static Key key(long k) {
    return new Key(List.of(k));
  }

  static DigestSource source(String db, Dialect.HashFlavor flavor) throws Exception {
    PostgresDialect d = new PostgresDialect();
    Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, db));
    d.prepareSession(c, T);
    TableShape shape =
        d.describe(
            c, new TableCatalog.Request("public.t", List.of("id"), "owner", null, List.of()));
    return d.digestSource(c, shape, flavor, T);
  }

  @Test
  void decodeSumsAreComputedOncePerRowAndNameSingleDifferingRows() throws Exception {
    for (String db : List.of("decode_p", "decode_c")) {
      TestDatabases.recreatePgDatabase(PORT, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text)",
          "INSERT INTO t SELECT g, g % 7, 'v' || g FROM generate_series(1, 30000) g",
          "INSERT INTO t VALUES (2147483000, 1, 'far')");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "decode_c"),
        "UPDATE t SET v = 'changed' WHERE id = 4000",
        "DELETE FROM t WHERE id = 12000",
        "INSERT INTO t VALUES (30500, 3, 'extra')");
    TestDatabases.execute(TestDatabases.pgUrl(PORT, "decode_p"), "DELETE FROM t WHERE id = 20000");
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "decode_c"), "UPDATE t SET v = 'x' WHERE id = 20000");

    for (Dialect.HashFlavor flavor :
        List.of(Dialect.HashFlavor.NATIVE, Dialect.HashFlavor.CANONICAL)) {
      DigestSource p = source("decode_p", flavor);
      KeyRange range = new KeyRange(key(100), false, key(2_100), true);
      Digest d = p.digest(range);
      assertThat(d.decode()).isNotNull();
      BigInteger weighted = BigInteger.ZERO;
      long[] n = {0};
      BigInteger[] acc = {BigInteger.ZERO, BigInteger.ZERO};
      p.rowHashes(
          range,
          r -> {
            long a = Digest.Decode.low(r.hash());
            long k = ((Number) r.key().get(0)).longValue();
            acc[0] = acc[0].add(BigInteger.valueOf(a));
            acc[1] = acc[1].add(BigInteger.valueOf(a).multiply(BigInteger.valueOf(k - 100)));
            n[0]++;
          });
      weighted = acc[1];
      assertThat(d.count()).isEqualTo(2_000).isEqualTo(n[0]);
      assertThat(d.decode().base()).isEqualTo(100);
      // No low-word sum (one differing row's share follows from the hash sums).
      assertThat(d.decode().low()).isNull();
      assertThat(d.decode().weighted()).isEqualTo(weighted);
      // (a < 2^32) * (key - base) must stay a bigint: sums up to a span just under 2^31 (the far
      // row's offset 2,147,483,000 times its a does not overflow), none from 2^31 on.
      assertThat(p.digest(new KeyRange(key(0), false, key(2147483000L), true)).decode())
          .isNotNull();
      assertThat(p.digest(new KeyRange(key(-1), false, key(2147483647L), true)).decode()).isNull();
      assertThat(p.digest(KeyRange.ALL).decode()).isNull();

      DigestSource c = source("decode_c", flavor);
      DigestSource cl = source("decode_c", flavor);
      DigestSource pl = source("decode_p", flavor);
      TableComparator comparator =
          new TableComparator(
              shapeOf(p),
              CompareSettings.defaults().withChunkRows(2_000, 2_000, 2_000),
              null,
              null);
      CopyOutcome o =
          comparator
              .compare(p, List.of(new TableComparator.CopyLink("c", c, cl, pl, false)))
              .get(0);
      assertThat(
              o.findings().stream()
                  .map(f -> f.kind() + " " + f.key().get(0) + " " + f.columns())
                  .sorted()
                  .toList())
          .as(flavor.name())
          .containsExactly(
              "CHANGED 4000 [v]", "EXTRA 20000 []", "EXTRA 30500 []", "MISSING 12000 []");
      // Each differing row is alone in a bounded chunk (the scan jumps the gap after 30,000 with
      // bounded chunks too): all four are named by the sums, none by reading a chunk's rows.
      assertThat(comparator.decodedRows()).as(flavor.name()).isEqualTo(4);
      for (DigestSource s : List.of(p, c, cl, pl)) {
        s.close();
      }
    }
  }

  private static TableShape shapeOf(DigestSource s) throws Exception {
    PostgresDialect d = new PostgresDialect();
    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, "decode_p"))) {
      return d.describe(
          c, new TableCatalog.Request("public.t", List.of("id"), "owner", null, List.of()));
    }
  }
}
