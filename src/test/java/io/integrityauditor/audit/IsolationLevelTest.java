package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The auditor's sessions choose their isolation level and do not inherit the database's. Regression
 * (review 3 of session 20): under {@code default_transaction_isolation = serializable} the audit's
 * reads took predicate locks on the primary (an application transaction's COMMIT then failed "could
 * not serialize access", caused by the audit) and every hot-standby copy failed ("cannot use
 * serializable mode in a hot standby"). PostgreSQL sessions run READ COMMITTED, MariaDB's
 * REPEATABLE READ: the engines' defaults, and what the audit ran under everywhere else.
 */
class IsolationLevelTest {
  @Test
  void aSerializableDefaultIsNotInherited() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pg, "isoser");
    String primary = TestDatabases.pgUrl(pg, "isoser");
    TestDatabases.execute(
        primary,
        "ALTER DATABASE isoser SET default_transaction_isolation = 'serializable'",
        "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text)",
        "INSERT INTO t SELECT g, g % 9, 'v' || g FROM generate_series(1, 5000) g");
    // (on database postgres: a session on isoser there fails as the audit's did)
    ReplicaTopologyTest.waitForStandby(
        TestDatabases.pgUrl(pg, "postgres"),
        TestDatabases.pgUrl(TestDatabases.PG_STANDBY_PORT, "postgres"));
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(pg, "isoser"))
            .replica("standby", TestDatabases.pgEndpoint(TestDatabases.PG_STANDBY_PORT, "isoser"))
            .table("t", "owner")
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "standby").error()).isNull();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    var connector =
        new io.integrityauditor.audit.EndpointConnector(
            java.util.Map.of(
                "p",
                TestDatabases.pgEndpoint(pg, "isoser"),
                "m",
                new io.integrityauditor.config.EndpointConfig(
                    TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "mysql"),
                    "root",
                    "",
                    // as a server whose default is SERIALIZABLE would start the session
                    java.util.Map.of("sessionVariables", "tx_isolation='SERIALIZABLE'"))),
            java.time.Duration.ofSeconds(30),
            java.time.Duration.ofSeconds(5));
    try (Connection c = connector.open("p");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW transaction_isolation")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("read committed");
    }
    try (Connection c = connector.open("m");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@session.tx_isolation")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("REPEATABLE-READ");
    }
  }
}
