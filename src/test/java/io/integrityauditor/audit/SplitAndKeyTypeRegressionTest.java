package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Regressions found by the session-13 reviews, on a real PostgreSQL. */
class SplitAndKeyTypeRegressionTest {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;

  /**
   * Keys 1 .. 40 in chunks of 17, leaves of 2 split 4 ways: the part [1, 6) was split into parts of
   * width 2, the third [5, 7) reaching past it, so the changed row 6 was located twice: CHANGED 6
   * listed twice and 4 changed rows counted for 3.
   */
  @Test
  void aChangedRowIsReportedOnceWhateverTheSplit() throws Exception {
    String[] base = {
      "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, v text)",
      "INSERT INTO t SELECT g, g % 3, 'v' || g FROM generate_series(1, 40) g"
    };
    for (String db : List.of("splitreg_p", "splitreg_c")) {
      TestDatabases.recreatePgDatabase(PG, db);
      TestDatabases.execute(TestDatabases.pgUrl(PG, db), base);
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "splitreg_c"), "UPDATE t SET v = 'x' WHERE id IN (1, 2, 6)");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PG, "splitreg_p"))
            .replica("c", TestDatabases.pgEndpoint(PG, "splitreg_c"))
            .table("t", "owner");
    for (CompareSettings settings :
        List.of(
            CompareSettings.defaults()
                .withChunkRows(17, 17, 17)
                .withLeafRows(2, 4)
                .withOnePassMaxRows(0),
            CompareSettings.defaults()
                .withChunkRows(17, 17, 17)
                .withLeafRows(1, 3)
                .withOnePassMaxRows(0))) {
      AuditReport r = f.run(settings);
      AuditReport.CopyReport c = AuditFixture.copy(r, "t", "c");
      assertThat(c.findings()).hasSize(3);
      assertThat(AuditFixture.findings(r, "t", "c"))
          .containsExactly("CHANGED 1", "CHANGED 2", "CHANGED 6");
      assertThat(c.changed()).isEqualTo(3);
      assertThat(c.missing() + c.extra()).isZero();
    }
  }

  /**
   * A numeric(20,0) key against a bigint one (another type: hashed as canonical text): keys of 19
   * digits and more were read as BigDecimal on one side and Long on the other and never matched,
   * MISSING and EXTRA for each.
   */
  @Test
  void nineteenDigitKeysMatchAcrossNumericAndBigint() throws Exception {
    String rows =
        "INSERT INTO t VALUES (1, 1, 'a'), (2, 2, 'b'), (1000000000000000000, 3, 'c'),"
            + " (1234567890123456789, 4, 'd'), (9223372036854775807, 5, 'e')";
    TestDatabases.recreatePgDatabase(PG, "keytype_p");
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "keytype_p"),
        "CREATE TABLE t (id numeric(20,0) PRIMARY KEY, owner int NOT NULL, v text)",
        rows);
    TestDatabases.recreatePgDatabase(PG, "keytype_c");
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "keytype_c"),
        "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, v text)",
        rows,
        "UPDATE t SET v = 'A' WHERE id = 1");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PG, "keytype_p"))
            .replica("c", TestDatabases.pgEndpoint(PG, "keytype_c"))
            .table("t", "owner");
    for (CompareSettings settings :
        List.of(CompareSettings.defaults(), AuditFixture.TINY_CHUNKS.withLeafRows(1, 2))) {
      AuditReport r = f.run(settings);
      assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 1");
      AuditReport.CopyReport c = AuditFixture.copy(r, "t", "c");
      assertThat(c.missing() + c.extra()).isZero();
    }
  }

  /**
   * A column of a domain over unpadded bpchar was hashed by the cast to text, which drops trailing
   * spaces: 'ab' on the primary and 'ab ' on the copy went unseen (table t, the same domain on both
   * sides: NATIVE). A domain is now hashed as the type it is over, so a domain column against a
   * column of its base type hashes NATIVE too (table u; CANONICAL before).
   */
  @Test
  void aDomainIsHashedAsTheTypeItIsOver() throws Exception {
    for (String db : List.of("domreg_p", "domreg_c")) {
      TestDatabases.recreatePgDatabase(PG, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, db),
          "CREATE DOMAIN d_chars AS bpchar",
          "CREATE DOMAIN d_name AS varchar(20)",
          "CREATE DOMAIN d_label AS d_name",
          "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, c d_chars)",
          "INSERT INTO t SELECT g, g % 3, 'ab' FROM generate_series(1, 50) g",
          "CREATE TABLE u (id int PRIMARY KEY, owner int NOT NULL, l "
              + (db.endsWith("_p") ? "d_label" : "varchar(20)")
              + ")",
          "INSERT INTO u SELECT g, g % 3, 'x' || g FROM generate_series(1, 50) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "domreg_c"),
        "UPDATE t SET c = 'ab ' WHERE id = 7",
        "UPDATE u SET l = 'y' WHERE id = 9");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PG, "domreg_p"))
            .replica("c", TestDatabases.pgEndpoint(PG, "domreg_c"))
            .table("t", "owner")
            .table("u", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 7");
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("NATIVE");
    assertThat(AuditFixture.findings(r, "u", "c")).containsExactly("CHANGED 9");
    assertThat(AuditFixture.copy(r, "u", "c").hashing()).isEqualTo("NATIVE");
  }
}
