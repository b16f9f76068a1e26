package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Keys and users with characters a copy's character set cannot hold: no row there can have them.
 * Regressions (review 6 of session 21): converted into the column's character set, a one-user audit
 * of 'userЖ1' read the rows of 'user?1' (MariaDB latin1: false MISSING rows); a UTF8 "C" primary's
 * bound or user holding '€' failed a LATIN1 "C" copy ("has no equivalent in encoding LATIN1"),
 * where its 1,000 rows are MISSING.
 */
class UnrepresentableTextTest {

  @Test
  void aUserTheOwnerColumnCannotHoldHasNoRowsThere() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    String[] charsets = {"latin1", "utf8mb4"};
    String[] dbs = {"unrep_p", "unrep_c"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreateMariaDatabase(port, dbs[i]);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, dbs[i]));
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE t (k int PRIMARY KEY, owner varchar(20) CHARACTER SET "
                + charsets[i]
                + " NOT NULL, v varchar(20))");
        s.execute("INSERT INTO t VALUES (1, 'user?1', 'x'), (2, 'user?1', 'y'), (3, 'bob', 'z')");
      }
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "unrep_p"))
            .replica("c", TestDatabases.mariaEndpoint(port, "unrep_c"))
            .table("t", "owner");
    AuditReport r = f.runUser(CompareSettings.defaults(), "t", "userЖ1");
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();
    assertThat(r.usersAtRisk()).isZero();
    assertThat(r.tables().get(0).rowsChecked()).isZero();
    // the user whose name it became is audited as itself
    r = f.runUser(CompareSettings.defaults(), "t", "user?1");
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(2);
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();
  }

  /**
   * A latin1 owner column holds cp1252's '€', '’', ... and the five bytes cp1252 leaves undefined
   * (0x81, 0x8D, 0x8F, 0x90, 0x9D, as U+0081 ...). Regression: the check of what the column holds
   * resolved to Java's "latin1" (ISO-8859-1) instead of MariaDB's latin1: a one-user audit of 'u€'
   * on two latin1 tables read no row on either side and said CONSISTENT, with the user's changed
   * row unseen (0 rows checked); 'u' U+0081 was audited only by that accident.
   */
  @Test
  void latin1HoldsCp1252AndTheFiveBytesItLeavesUndefined() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    String[] charsets = {"latin1", "latin1", "utf8mb4"};
    String[] dbs = {"unrep_l1_p", "unrep_l1_c", "unrep_l1_u"};
    for (int i = 0; i < 3; i++) {
      TestDatabases.recreateMariaDatabase(port, dbs[i]);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, dbs[i]));
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE t (k int PRIMARY KEY, owner varchar(20) CHARACTER SET "
                + charsets[i]
                + " NOT NULL, v varchar(20))");
        // 'u€' (cp1252 0x80) and 'u' U+0081, written as latin1 bytes whatever the column holds
        String euro = "CONVERT(_latin1 X'7580' USING " + charsets[i] + ")";
        String c1 = "CONVERT(_latin1 X'7581' USING " + charsets[i] + ")";
        s.execute(
            "INSERT INTO t VALUES (1, "
                + euro
                + ", 'x'), (2, "
                + euro
                + ", 'y'), (3, "
                + c1
                + ", 'x'), (4, "
                + c1
                + ", 'y'), (5, 'bob', 'z')");
        if (i > 0) {
          s.execute("UPDATE t SET v = 'changed' WHERE k IN (2, 4)");
        }
      }
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "unrep_l1_p"))
            .replica("c", TestDatabases.mariaEndpoint(port, "unrep_l1_c"))
            .replica("u", TestDatabases.mariaEndpoint(port, "unrep_l1_u"))
            .table("t", "owner");
    for (String user : new String[] {"u€", "u\u0081"}) {
      AuditReport r = f.runUser(CompareSettings.defaults(), "t", user);
      assertThat(r.tables().get(0).rowsChecked()).as(user).isEqualTo(2);
      for (String copy : new String[] {"c", "u"}) {
        assertThat(AuditFixture.findings(r, "t", copy))
            .as(user + " on " + copy)
            .containsExactly("CHANGED " + (user.equals("u€") ? 2 : 4));
      }
      assertThat(r.usersAtRisk()).as(user).isEqualTo(1);
    }
  }

  @Test
  void aUtf8PrimaryAgainstALatin1Copy() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(port, "postgres"));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS unrep_u8 WITH (FORCE)");
      s.execute("DROP DATABASE IF EXISTS unrep_l1 WITH (FORCE)");
      s.execute(
          "CREATE DATABASE unrep_u8 TEMPLATE template0 ENCODING 'UTF8'"
              + " LC_COLLATE 'C' LC_CTYPE 'C'");
      s.execute(
          "CREATE DATABASE unrep_l1 TEMPLATE template0 ENCODING 'LATIN1'"
              + " LC_COLLATE 'C' LC_CTYPE 'C'");
    }
    for (String db : new String[] {"unrep_u8", "unrep_l1"}) {
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (k text PRIMARY KEY, owner text NOT NULL, v text)",
          "INSERT INTO t SELECT 'k' || g, 'u' || (g % 100), 'v' FROM generate_series(1, 30000) g");
    }
    // rows the LATIN1 copy cannot hold, one in 30 of the primary's keys
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "unrep_u8"),
        "INSERT INTO t SELECT 'k' || g || '€', 'u€', 'v' FROM generate_series(1, 30000, 30) g");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "unrep_l1"), "UPDATE t SET v = 'é' WHERE k = 'k777'");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "unrep_u8"))
            .replica("c", TestDatabases.pgEndpoint(port, "unrep_l1"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    var copy = AuditFixture.copy(r, "public.t", "c");
    assertThat(copy.error()).isNull();
    assertThat(copy.missing()).isEqualTo(1000);
    assertThat(copy.extra()).isZero();
    assertThat(copy.changed()).isEqualTo(1);
    assertThat(r.usersAtRiskSample()).contains("u€", "u77");
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(31_000);

    r = f.runUser(CompareSettings.defaults(), "public.t", "u€");
    copy = AuditFixture.copy(r, "public.t", "c");
    assertThat(copy.error()).isNull();
    assertThat(copy.missing()).isEqualTo(1000);
    assertThat(r.usersAtRiskSample()).containsExactly("u€");
  }
}
