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
