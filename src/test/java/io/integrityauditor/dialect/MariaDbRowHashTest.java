package io.integrityauditor.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.KeyRange;
import io.integrityauditor.engine.RowHash;
import io.integrityauditor.engine.TableShape;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The MariaDB row hashes are exactly the documented functions of the documented encoding: values
 * joined by 0xFF, NULLs skipped and named by a last field of one digit per nullable column, binary
 * in lower-case hex; NATIVE = CRC32 x (CRC32C + 1), CANONICAL = the first 64 bits of SHA2-256.
 * Recomputed here in Java from the values, so an encoding that lost NULL-vs-'' or a column boundary
 * would show as a mismatch, and every row hash must be distinct.
 */
class MariaDbRowHashTest {
  static final int PORT = TestDatabases.MARIADB_PRIMARY_PORT;

  /**
   * id -> (a text NULL, b varchar NOT NULL, c blob NULL), the values as the server renders them.
   */
  static final Map<Integer, String[]> ROWS = new LinkedHashMap<>();

  static {
    ROWS.put(1, new String[] {null, "x", null});
    ROWS.put(2, new String[] {"", "x", null});
    ROWS.put(3, new String[] {"NULL", "x", null});
    ROWS.put(4, new String[] {"a\u00ff", "b", "00ff"});
    ROWS.put(5, new String[] {"a", "\u00ffb", "00ff"});
    ROWS.put(6, new String[] {"x", "", ""});
    ROWS.put(7, new String[] {null, "", "78"});
  }

  static byte[] encoding(int id, String[] v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> fields = new ArrayList<>();
    fields.add(Integer.toString(id));
    for (String s : v) {
      if (s != null) {
        fields.add(s);
      }
    }
    fields.add((v[0] == null ? "1" : "0") + (v[2] == null ? "1" : "0"));
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.write(0xFF);
      }
      out.writeBytes(fields.get(i).getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static long nativeHash(byte[] e) {
    CRC32 a = new CRC32();
    a.update(e);
    CRC32C b = new CRC32C();
    b.update(e);
    return a.getValue() * (b.getValue() + 1);
  }

  static long canonicalHash(byte[] e) throws Exception {
    return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(e)).getLong();
  }

  /**
   * Regression: spatial columns other than GEOMETRY itself (POINT, LINESTRING, ...) were put into
   * the encoding as raw bytes, which contain 0xFF (the separator) for many coordinates: the
   * encoding was no longer unambiguous, and the changed-column text was unreadable. They are binary
   * values, in lower-case hex like every other.
   */
  @Test
  void spatialColumnsAreEncodedInHex() throws Exception {
    TestDatabases.recreateMariaDatabase(PORT, "rowhash_geo");
    String url = TestDatabases.mariaUrl(PORT, "rowhash_geo");
    TestDatabases.execute(
        url,
        "SET sql_log_bin = 0",
        "CREATE TABLE t (id int PRIMARY KEY, p point NOT NULL, l linestring NOT NULL,"
            + " v varchar(10) NOT NULL) CHARACTER SET utf8mb4",
        "INSERT INTO t VALUES (1, POINT(1.9999999999999998, 2),"
            + " LINESTRING(POINT(0, -1), POINT(1, 1.9999999999999998)), 'a')");
    // The stored form: a 4-byte SRID (0), then the WKB (little-endian, type, coordinates).
    ByteBuffer point = ByteBuffer.allocate(25).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    point.putInt(0).put((byte) 1).putInt(1).putDouble(1.9999999999999998).putDouble(2);
    ByteBuffer line = ByteBuffer.allocate(45).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    line.putInt(0).put((byte) 1).putInt(2).putInt(2);
    line.putDouble(0).putDouble(-1).putDouble(1).putDouble(1.9999999999999998);
    java.util.HexFormat hex = java.util.HexFormat.of();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    e.writeBytes("1".getBytes(StandardCharsets.UTF_8));
    for (String field : List.of(hex.formatHex(point.array()), hex.formatHex(line.array()), "a")) {
      e.write(0xFF);
      e.writeBytes(field.getBytes(StandardCharsets.UTF_8));
    }
    MySqlDialect dialect = new MySqlDialect();
    try (Connection c = TestDatabases.admin(url)) {
      dialect.prepareSession(c, Duration.ofSeconds(30));
      TableShape shape =
          dialect.describe(c, new TableCatalog.Request("t", List.of("id"), null, null, List.of()));
      DigestSource src =
          dialect.digestSource(c, shape, Dialect.HashFlavor.NATIVE, Duration.ofSeconds(30));
      List<RowHash> got = new ArrayList<>();
      src.rowHashes(KeyRange.ALL, got::add);
      assertThat(got).hasSize(1);
      assertThat(got.get(0).hash()).isEqualTo(nativeHash(e.toByteArray()));
    }
  }

  @Test
  void rowHashesAreTheDocumentedFunctionsOfTheEncoding() throws Exception {
    TestDatabases.recreateMariaDatabase(PORT, "rowhash");
    String url = TestDatabases.mariaUrl(PORT, "rowhash");
    try (Connection admin = TestDatabases.mariaUnlogged(url);
        var s = admin.createStatement()) {
      s.execute(
          "CREATE TABLE t (id int PRIMARY KEY, a text, b varchar(10) NOT NULL, c blob)"
              + " CHARACTER SET utf8mb4");
      for (var r : ROWS.entrySet()) {
        String[] v = r.getValue();
        try (var ps = admin.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?)")) {
          ps.setInt(1, r.getKey());
          ps.setString(2, v[0]);
          ps.setString(3, v[1]);
          ps.setBytes(4, v[2] == null ? null : java.util.HexFormat.of().parseHex(v[2]));
          ps.executeUpdate();
        }
      }
    }
    MySqlDialect dialect = new MySqlDialect();
    for (Dialect.HashFlavor flavor :
        List.of(Dialect.HashFlavor.NATIVE, Dialect.HashFlavor.CANONICAL)) {
      try (Connection c = TestDatabases.admin(url)) {
        dialect.prepareSession(c, Duration.ofSeconds(30));
        TableShape shape =
            dialect.describe(
                c, new TableCatalog.Request("t", List.of("id"), null, null, List.of()));
        assertThat(dialect.supportsNative(c, shape)).isTrue();
        DigestSource src = dialect.digestSource(c, shape, flavor, Duration.ofSeconds(30));
        List<RowHash> got = new ArrayList<>();
        src.rowHashes(KeyRange.ALL, got::add);
        assertThat(got).hasSize(ROWS.size());
        for (RowHash h : got) {
          int id = ((Number) h.key().values().get(0)).intValue();
          byte[] e = encoding(id, ROWS.get(id));
          long expected = flavor == Dialect.HashFlavor.NATIVE ? nativeHash(e) : canonicalHash(e);
          assertThat(h.hash()).as("%s row %d", flavor, id).isEqualTo(expected);
        }
        assertThat(new HashSet<>(got.stream().map(RowHash::hash).toList())).hasSize(ROWS.size());
        // The digest sums the same hashes inside an aggregate (NATIVE hands the encoding to the
        // second CRC through a session variable: evaluated in the same order there).
        java.math.BigInteger sum = java.math.BigInteger.ZERO;
        for (RowHash h : got) {
          sum = sum.add(new java.math.BigInteger(Long.toUnsignedString(h.hash())));
        }
        assertThat(src.digest(KeyRange.ALL).sum()).as("%s digest", flavor).isEqualTo(sum);
        assertThat(src.digest(KeyRange.ALL).count()).isEqualTo(ROWS.size());
        // ... and in a GROUP BY (the key buckets of a copy whose key sorts differently).
        java.math.BigInteger bucketed = java.math.BigInteger.ZERO;
        for (var d : src.keyBucketDigests(4, KeyRange.ALL).values()) {
          bucketed = bucketed.add(d.sum());
        }
        assertThat(bucketed).as("%s buckets", flavor).isEqualTo(sum);
        List<RowHash> inBuckets = new ArrayList<>();
        src.rowHashesInBuckets(4, List.of(0, 1, 2, 3), KeyRange.ALL, inBuckets::add);
        assertThat(inBuckets).containsExactlyInAnyOrderElementsOf(got);
      }
    }
  }
}
