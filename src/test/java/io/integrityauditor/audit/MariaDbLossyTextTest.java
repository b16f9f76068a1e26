package io.integrityauditor.audit;

import static io.integrityauditor.audit.MariaDbEncodingRegressionTest.copy;
import static io.integrityauditor.audit.MariaDbEncodingRegressionTest.tables;
import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MariaDB values that converting to UTF-8 loses, and keys the driver's text could not tell apart
 * (review of session 16, MariaDB 10.11): each was a missed difference or a wrong finding on every
 * hashing path. NATIVE (identical column types), CANONICAL (a column's type differs) and the JVM
 * path (an H2 copy) each see them.
 */
class MariaDbLossyTextTest {
  /** A second table shape that forces the CANONICAL hash: one column's type differs. */
  private static final String WIDER = "ALTER TABLE t ADD zz bigint NOT NULL DEFAULT 0";

  private static final String NARROWER = "ALTER TABLE t ADD zz int NOT NULL DEFAULT 0";

  private static AuditReport audit(
      String name, String create, String primaryRows, String copyRows, boolean canonical)
      throws Exception {
    AuditFixture f =
        tables(
            name,
            List.of(create, primaryRows, canonical ? WIDER : "DO 0"),
            List.of(create, copyRows, canonical ? NARROWER : "DO 0"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(r.error()).isNull();
    assertThat(copy(r).hashing()).isEqualTo(canonical ? "CANONICAL" : "NATIVE");
    return r;
  }

  /** cp1251 leaves 0x98 undefined: MariaDB converts it to '?', so X'C0F898' read 'Аш?'. */
  @Test
  void aByteItsCharacterSetLeavesUndefinedIsNotAQuestionMark() throws Exception {
    String create = "CREATE TABLE t (id int PRIMARY KEY, name varchar(10) CHARACTER SET cp1251)";
    for (boolean canonical : new boolean[] {false, true}) {
      AuditReport r =
          audit(
              "mloss_val",
              create,
              "INSERT INTO t VALUES (1, X'C0F898'), (2, 'x'), (3, X'8790')",
              "INSERT INTO t VALUES (1, X'C0F83F'), (2, 'x'), (3, X'8790')",
              canonical);
      assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 1");
      assertThat(copy(r).findings().get(0).columns()).containsExactly("name");
    }
  }

  /** cp932's X'8790' and X'81E0' are both U+2252 in UTF-8 (the carried gap of earlier sessions). */
  @Test
  void twoMultiByteSequencesOfOneCharacterDiffer() throws Exception {
    String create = "CREATE TABLE t (id int PRIMARY KEY, name varchar(10) CHARACTER SET cp932)";
    for (boolean canonical : new boolean[] {false, true}) {
      AuditReport r =
          audit(
              "mloss_cp932",
              create,
              "INSERT INTO t VALUES (1, X'8790'), (2, 'x')",
              "INSERT INTO t VALUES (1, X'81E0'), (2, 'x')",
              canonical);
      assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 1");
    }
  }

  /** A key holding cp1251's 0x98 was the same key as one holding '?': CONSISTENT. */
  @Test
  void aKeyWithAnUndefinedByteIsItsOwnKey() throws Exception {
    String create =
        "CREATE TABLE t (k varchar(10) CHARACTER SET cp1251 PRIMARY KEY, v int NOT NULL)";
    for (boolean canonical : new boolean[] {false, true}) {
      AuditReport r =
          audit(
              "mloss_key",
              create,
              "INSERT INTO t VALUES (X'4198', 1), ('B', 3), (X'C0', 4)",
              "INSERT INTO t VALUES (X'413F', 1), ('B', 3), (X'C0', 5)",
              canonical);
      // the stored bytes where the text cannot tell the key; else its text
      assertThat(AuditFixture.findings(r, "t", "c"))
          .containsExactlyInAnyOrder("MISSING 4198", "EXTRA A?", "CHANGED А");
    }
  }

  /** An ascii key holding X'E9' read 'A?' like the key 'A?': one CHANGED with no column. */
  @Test
  void anAsciiKeyWithAHighByteIsItsOwnKey() throws Exception {
    String create =
        "CREATE TABLE t (k varchar(10) CHARACTER SET ascii COLLATE ascii_bin PRIMARY KEY,"
            + " v int NOT NULL)";
    for (boolean canonical : new boolean[] {false, true}) {
      AuditReport r =
          audit(
              "mloss_ascii",
              create,
              "INSERT INTO t VALUES (X'41E9', 1), (X'413F', 2), ('B', 3)",
              "INSERT INTO t VALUES (X'41E9', 2), (X'413F', 1), ('B', 3)",
              canonical);
      assertThat(AuditFixture.findings(r, "t", "c"))
          .containsExactlyInAnyOrder("CHANGED A?", "CHANGED Aé");
      assertThat(copy(r).findings()).allSatisfy(f -> assertThat(f.columns()).containsExactly("v"));
    }
  }

  /**
   * FLOAT keys were read as the text protocol's six significant digits: 1.0000001, 1.0000002 and
   * 1.0000003 were one key "1", and a changed row read as an EXTRA one.
   */
  @Test
  void floatKeysAreReadExactly() throws Exception {
    String create = "CREATE TABLE t (k float PRIMARY KEY, v int NOT NULL)";
    String rows = "INSERT INTO t VALUES (1.0000001, 1), (1.0000002, %d), (1.0000003, 3), (2, 4)";
    for (boolean canonical : new boolean[] {false, true}) {
      AuditReport r =
          audit(
              "mloss_float",
              create,
              String.format(rows, 2) + ", (-0.5, 5)",
              String.format(rows, 20) + ", (1e-40, 6)",
              canonical);
      assertThat(AuditFixture.findings(r, "t", "c"))
          .containsExactlyInAnyOrder(
              "CHANGED 1.000000238418579", "EXTRA 9.99994610111476E-41", "MISSING -0.5");
      assertThat(
              copy(r).findings().stream()
                  .filter(f -> f.kind().equals("CHANGED"))
                  .findFirst()
                  .orElseThrow()
                  .columns())
          .containsExactly("v");
    }
  }

  /**
   * The same keys bound back into chunk bounds, splits and leaf reads (many small chunks): a cp1251
   * key with an undefined byte by its bytes, an ascii key with a high byte as latin1 text, float
   * keys one ulp apart as doubles. 3,000 rows each; the review's 60,000 float keys one ulp apart
   * gave 19 - 202 false EXTRA rows and no CHANGED.
   */
  @Test
  void theseKeysBoundBackIntoChunksFindExactlyThePlantedRows() throws Exception {
    String[][] cases = {
      {"cp1251", "CONCAT('k', LPAD(seq, 5, '0'), IF(seq % 100 = 0, X'98', ''))"},
      {"ascii", "CONCAT('k', LPAD(seq, 5, '0'), IF(seq % 100 = 0, X'E9', ''))"},
    };
    for (String[] c : cases) {
      String create =
          "CREATE TABLE t (k varchar(20) CHARACTER SET " + c[0] + " PRIMARY KEY, v int NOT NULL)";
      String rows = "INSERT INTO t SELECT " + c[1] + ", seq FROM seq_1_to_3000";
      AuditFixture f =
          tables(
              "mloss_chunks",
              List.of(create, rows),
              List.of(
                  create,
                  rows,
                  "UPDATE t SET v = -1 WHERE v = 2000",
                  "UPDATE t SET k = CONCAT('k', LPAD(v, 5, '0'), '?') WHERE v = 1000"));
      AuditReport r = f.run(AuditFixture.TINY_CHUNKS);
      assertThat(r.error()).isNull();
      boolean cp1251 = c[0].equals("cp1251");
      assertThat(AuditFixture.findings(r, "t", "c"))
          .as(c[0])
          .containsExactlyInAnyOrder(
              cp1251 ? "CHANGED 6b3032303030" + "98" : "CHANGED k02000é",
              cp1251 ? "MISSING 6b3031303030" + "98" : "MISSING k01000é",
              "EXTRA k01000?");
    }
    String create = "CREATE TABLE t (k float PRIMARY KEY, v int NOT NULL)";
    String rows = "INSERT INTO t SELECT 1 + seq * 1.1920929e-7, seq FROM seq_1_to_3000";
    AuditFixture f =
        tables(
            "mloss_chunks",
            List.of(create, rows),
            List.of(create, rows, "UPDATE t SET v = -1 WHERE v = 2000"));
    AuditReport r = f.run(AuditFixture.TINY_CHUNKS);
    assertThat(r.error()).isNull();
    assertThat(copy(r).findings()).hasSize(1);
    assertThat(copy(r).findings().get(0).kind()).isEqualTo("CHANGED");
    assertThat(copy(r).findings().get(0).columns()).containsExactly("v");
  }

  /**
   * A BIT key bound back as bytes compared as text: {@code k > X'01'} held for k = 1, and no row
   * equalled its own key, so a changed row's columns were not named ({@code "columns":[]}). Bound
   * as its number, chunk bounds and the rows read back are exact.
   */
  @Test
  void aBitKeyIsBoundAsItsNumber() throws Exception {
    String create = "CREATE TABLE t (k bit(16) PRIMARY KEY, v int NOT NULL)";
    String rows = "INSERT INTO t SELECT seq * 7, seq FROM seq_1_to_3000";
    AuditFixture f =
        tables(
            "mloss_bit",
            List.of(create, rows),
            List.of(
                create,
                rows,
                "UPDATE t SET v = -1 WHERE v IN (1, 2000)",
                "DELETE FROM t WHERE v = 2500"));
    for (CompareSettings settings :
        new CompareSettings[] {CompareSettings.defaults(), AuditFixture.TINY_CHUNKS}) {
      AuditReport r = f.run(settings);
      assertThat(r.error()).isNull();
      // keys 7, 14000 and 17500 as their bytes in hex
      assertThat(AuditFixture.findings(r, "t", "c"))
          .containsExactlyInAnyOrder("CHANGED 0007", "CHANGED 36b0", "MISSING 445c");
      assertThat(copy(r).findings())
          .filteredOn(x -> x.kind().equals("CHANGED"))
          .allSatisfy(x -> assertThat(x.columns()).containsExactly("v"));
    }
  }

  /**
   * Review of this session's change: a latin1 value over 64 KiB against a utf8mb4 copy holding the
   * same text (a charset migration) was a false CHANGED, since the lossless form's binary mark made
   * the value binary and its large-value marker stayed 0xFE where the copy's became '?'.
   */
  @Test
  void aLargeLatin1ValueMigratedToUtf8mb4StillCompares() throws Exception {
    for (String idType : new String[] {"int", "bigint"}) { // NATIVE, then CANONICAL
      AuditFixture f =
          tables(
              "mloss_large",
              List.of(
                  "CREATE TABLE t (id int PRIMARY KEY, t mediumtext CHARACTER SET latin1 NOT NULL)",
                  "INSERT INTO t VALUES (1, REPEAT('a', 70000)), (2, REPEAT('a', 60000)),"
                      + " (3, REPEAT('é', 40000)), (4, REPEAT('b', 70000))"),
              List.of(
                  "CREATE TABLE t (id "
                      + idType
                      + " PRIMARY KEY, t mediumtext CHARACTER SET utf8mb4 NOT NULL)",
                  "INSERT INTO t VALUES (1, REPEAT('a', 70000)), (2, REPEAT('a', 60000)),"
                      + " (3, REPEAT('é', 40000)), (4, CONCAT(REPEAT('b', 69999), 'c'))"));
      AuditReport r = f.run(CompareSettings.defaults());
      assertThat(r.error()).isNull();
      assertThat(AuditFixture.findings(r, "t", "c")).as(idType).containsExactly("CHANGED 4");
    }
  }

  /**
   * Review of this session's change: every MariaDB text key was read through the lossless form's
   * mark, so a utf8mb4 key holding U+FFFF ('x' U+FFFF '41') became the bytes 0x41: its row re-read
   * as row 'A' (a CHANGED with no column named), or the table failed on a non-hex tail.
   */
  @Test
  void aUtf8KeyHoldingUFFFFIsText() throws Exception {
    for (String cs : new String[] {"utf8mb4", "utf16"}) {
      aKeyHoldingUFFFFIsText(cs);
    }
  }

  private static void aKeyHoldingUFFFFIsText(String charset) throws Exception {
    String create =
        "CREATE TABLE t (k varchar(20) CHARACTER SET "
            + charset
            + " COLLATE "
            + charset
            + "_bin PRIMARY KEY, v int NOT NULL)";
    String rows =
        "INSERT INTO t VALUES (CONCAT('x', CONVERT(X'EFBFBF' USING utf8mb4), '41'), %d),"
            + " ('A', 2), (CONCAT('y', CONVERT(X'EFBFBF' USING utf8mb4), 'zz'), %d)";
    AuditFixture f =
        tables(
            "mloss_ufff",
            List.of(create, String.format(rows, 1, 3)),
            List.of(create, String.format(rows, 10, 30)));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(copy(r).error()).as(charset).isNull();
    assertThat(AuditFixture.findings(r, "t", "c"))
        .as(charset)
        .containsExactlyInAnyOrder("CHANGED x\uffff41", "CHANGED y\uffffzz");
    assertThat(copy(r).findings()).allSatisfy(x -> assertThat(x.columns()).containsExactly("v"));
  }

  /** The JVM path (an H2 copy): the undefined byte, the cp1251 key and the FLOAT key. */
  @Test
  void theJvmPathReadsThemLosslesslyToo() throws Exception {
    String db = "mloss_jvm_p";
    io.integrityauditor.TestDatabases.recreateMariaDatabase(MariaDbEncodingRegressionTest.PORT, db);
    try (Connection c =
            io.integrityauditor.TestDatabases.mariaUnlogged(
                io.integrityauditor.TestDatabases.mariaUrl(
                    MariaDbEncodingRegressionTest.PORT, db));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id int PRIMARY KEY, name varchar(10) CHARACTER SET cp1251)");
      s.execute("INSERT INTO t VALUES (1, X'C0F898'), (2, 'x')");
      s.execute("CREATE TABLE u (k varchar(10) CHARACTER SET cp1251 PRIMARY KEY, v int)");
      s.execute("INSERT INTO u VALUES (X'4198', 1), ('B', 3), (X'C0', 4)");
      s.execute("CREATE TABLE w (k float PRIMARY KEY, v int)");
      s.execute("INSERT INTO w VALUES (1.0000001, 1), (1.0000002, 2), (2, 4)");
    }
    String url = "jdbc:h2:mem:mloss_jvm;DB_CLOSE_DELAY=-1";
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement()) {
      s.execute("DROP ALL OBJECTS");
      s.execute("CREATE TABLE t (id int PRIMARY KEY, name varchar(10))");
      s.execute("INSERT INTO t VALUES (1, 'Аш?'), (2, 'x')");
      s.execute("CREATE TABLE u (k varchar(10) PRIMARY KEY, v int)");
      s.execute("INSERT INTO u VALUES ('A?', 1), ('B', 3), ('А', 5)");
      s.execute("CREATE TABLE w (k real PRIMARY KEY, v int)");
      s.execute("INSERT INTO w VALUES (1.0000001, 1), (1.0000002, 20), (2, 4)");
    }
    AuditReport r =
        new AuditFixture()
            .primary(
                "p",
                io.integrityauditor.TestDatabases.mariaEndpoint(
                    MariaDbEncodingRegressionTest.PORT, db))
            .replica("c", new EndpointConfig(url, "sa", "", Map.of()))
            .table("t", null)
            .table("u", null)
            .table("w", null)
            .run(CompareSettings.defaults());
    assertThat(r.error()).isNull();
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("JVM");
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 1");
    assertThat(AuditFixture.findings(r, "u", "c"))
        .containsExactlyInAnyOrder("MISSING 4198", "EXTRA A?", "CHANGED А");
    assertThat(AuditFixture.findings(r, "w", "c")).containsExactly("CHANGED 1.000000238418579");
  }
}
