package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user's id is one string whatever the engines and however each copy is hashed: a binary owner as
 * lowercase hex, a fixed-width character owner without its padding. Regression (review of session
 * 17): a PostgreSQL char(6) owner was {@code "u1"} where a PostgreSQL copy (record hash) lost the
 * user's row and {@code "u1 "} where a MariaDB copy (hashed in the JVM) did, a bytea owner {@code
 * "\xab01"} against {@code "ab01"}: one user counted twice among the users at risk; {@code --user}
 * with the id the report printed selected no row of a binary owner (CONSISTENT, exit 0), and an
 * impossible id was not refused.
 */
class OwnerFormTest {
  private static final String PG_TABLES =
      "CREATE TABLE bt (id int PRIMARY KEY, owner bytea NOT NULL, v text);"
          + "INSERT INTO bt SELECT g, decode('ab0' || (g % 4), 'hex'), 'v' || g"
          + " FROM generate_series(1, 20) g;"
          + "CREATE TABLE ct (id int PRIMARY KEY, owner char(6) NOT NULL, v text);"
          + "INSERT INTO ct SELECT g, 'u' || (g % 4), 'v' || g FROM generate_series(1, 20) g";

  private static final String MARIA_TABLES =
      "CREATE TABLE bt (id INT PRIMARY KEY, owner VARBINARY(4) NOT NULL, v TEXT);"
          + "INSERT INTO bt SELECT seq, UNHEX(CONCAT('AB0', seq % 4)), CONCAT('v', seq)"
          + " FROM seq_1_to_20;"
          + "CREATE TABLE ct (id INT PRIMARY KEY, owner CHAR(6) NOT NULL, v TEXT);"
          + "INSERT INTO ct SELECT seq, CONCAT('u', seq % 4), CONCAT('v', seq) FROM seq_1_to_20";

  private static void pg(String db, String... extra) throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, db);
    TestDatabases.execute(TestDatabases.pgUrl(port, db), PG_TABLES.split(";"));
    if (extra.length > 0) {
      TestDatabases.execute(TestDatabases.pgUrl(port, db), extra);
    }
  }

  private static void maria(String db, String... extra) throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreateMariaDatabase(port, db);
    try (java.sql.Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, db));
        java.sql.Statement st = c.createStatement()) {
      for (String sql : MARIA_TABLES.split(";")) {
        st.execute(sql);
      }
      for (String sql : extra) {
        st.execute(sql);
      }
    }
  }

  private static AuditFixture dataset(AuditFixture f) {
    return f.table("bt", "owner").table("ct", "owner");
  }

  @Test
  void aPostgresPrimarysOwnersReadAlikeOnEveryPath() throws Exception {
    // Row 1 (owners ab01 and u1) is lost on both copies; row 2 on the MariaDB copy only.
    pg("ownerform_p");
    pg("ownerform_c", "DELETE FROM bt WHERE id = 1", "DELETE FROM ct WHERE id = 1");
    maria("ownerform_m", "DELETE FROM bt WHERE id IN (1, 2)", "DELETE FROM ct WHERE id IN (1, 2)");
    AuditFixture f =
        dataset(
            new AuditFixture()
                .primary(
                    "p", TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "ownerform_p"))
                .replica(
                    "c", TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "ownerform_c"))
                .replica(
                    "m",
                    TestDatabases.mariaEndpoint(
                        TestDatabases.MARIADB_PRIMARY_PORT, "ownerform_m")));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "bt", "c").hashing()).isEqualTo("NATIVE");
    assertThat(AuditFixture.copy(r, "bt", "m").hashing()).isEqualTo("JVM");
    assertThat(owners(r, "bt", "c")).containsExactly("ab01");
    assertThat(owners(r, "bt", "m")).containsExactly("ab01", "ab02");
    assertThat(owners(r, "ct", "c")).containsExactly("u1");
    assertThat(owners(r, "ct", "m")).containsExactly("u1", "u2");
    assertThat(r.usersAtRiskSample()).containsExactlyInAnyOrder("ab01", "u1");
    assertThat(r.usersAtRisk()).isEqualTo(2);

    // One user, by the id the report printed (or PostgreSQL's \x form).
    for (String user : List.of("ab01", "\\xab01", "AB01")) {
      AuditReport one = f.runUser(CompareSettings.defaults(), "bt", user);
      assertThat(one.usersAtRiskSample()).as(user).containsExactly("ab01");
      assertThat(one.exitCode()).as(user).isEqualTo(1);
    }
    AuditReport u1 = f.runUser(CompareSettings.defaults(), "ct", "u1");
    assertThat(u1.usersAtRiskSample()).containsExactly("u1");
    // An id no bytea can be is refused, not CONSISTENT.
    AuditReport bad = f.runUser(CompareSettings.defaults(), "bt", "zz");
    assertThat(bad.tables().get(0).error()).contains("is not a value of the owner column");
    assertThat(bad.exitCode()).isEqualTo(2);
  }

  @Test
  void aMariaDbPrimarysOwnersReadAlikeOnEveryPath() throws Exception {
    maria("ownerform_mp");
    maria("ownerform_mc", "DELETE FROM bt WHERE id = 1", "DELETE FROM ct WHERE id = 1");
    pg("ownerform_pc", "DELETE FROM bt WHERE id IN (1, 2)", "DELETE FROM ct WHERE id IN (1, 2)");
    AuditFixture f =
        dataset(
            new AuditFixture()
                .primary(
                    "p",
                    TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "ownerform_mp"))
                .replica(
                    "c",
                    TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "ownerform_mc"))
                .replica(
                    "pc", TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "ownerform_pc")));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "bt", "pc").hashing()).isEqualTo("JVM");
    assertThat(owners(r, "bt", "c")).containsExactly("ab01");
    assertThat(owners(r, "bt", "pc")).containsExactly("ab01", "ab02");
    assertThat(owners(r, "ct", "c")).containsExactly("u1");
    assertThat(owners(r, "ct", "pc")).containsExactly("u1", "u2");
    assertThat(r.usersAtRiskSample()).containsExactlyInAnyOrder("ab01", "u1");
    AuditReport one = f.runUser(CompareSettings.defaults(), "bt", "ab01");
    assertThat(one.usersAtRiskSample()).containsExactly("ab01");
    assertThat(one.exitCode()).isEqualTo(1);
    AuditReport bad = f.runUser(CompareSettings.defaults(), "bt", "u1");
    assertThat(bad.exitCode()).isEqualTo(2);

    // No copy to compare (none configured but an unreachable one is not the case here): every
    // owner read from the primary, as hex.
    AuditReport alone =
        dataset(
                new AuditFixture()
                    .primary(
                        "p",
                        TestDatabases.mariaEndpoint(
                            TestDatabases.MARIADB_PRIMARY_PORT, "ownerform_mp")))
            .run(CompareSettings.defaults());
    assertThat(alone.usersAtRiskSample())
        .containsExactlyInAnyOrder("ab00", "ab01", "ab02", "ab03", "u0", "u1", "u2", "u3");
  }

  private static List<String> owners(AuditReport r, String table, String copy) {
    return AuditFixture.copy(r, table, copy).findings().stream()
        .map(AuditReport.FindingReport::owner)
        .sorted()
        .toList();
  }
}
