package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import org.junit.jupiter.api.Test;

/**
 * MariaDB DATETIME(3) keys whose fraction has leading zeros. Regression (reviewer, MariaDB 10.11,
 * Connector/J 3.5): the driver's getString printed .006 as .6000 and .060 as .60000; with keys
 * normalised to one text, .006, .060 and .600 became one key — 1,229 false EXTRA rows, both planted
 * changes missed, one missing row lost. Keys are read as the server's text now.
 */
class MariaDbFractionalKeyTest {
  @Test
  void keysDifferingOnlyInTheFractionsLeadingZerosStayApart() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    for (String db : new String[] {"fk_a", "fk_b"}) {
      TestDatabases.recreateMariaDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.mariaUrl(port, db),
          "SET SESSION sql_log_bin = 0",
          "CREATE TABLE mfr (k DATETIME(3) PRIMARY KEY, user_id INT NOT NULL, v VARCHAR(20))",
          // four keys a second: .000, .006, .060, .600
          "INSERT INTO mfr SELECT TIMESTAMPADD(MICROSECOND, (seq DIV 4) * 1000000"
              + " + ELT(seq % 4 + 1, 0, 6000, 60000, 600000), '2026-01-01 00:00:00'),"
              + " seq % 1000, CONCAT('v', seq) FROM seq_1_to_20000");
    }
    TestDatabases.execute(
        TestDatabases.mariaUrl(port, "fk_b"),
        "SET SESSION sql_log_bin = 0",
        "UPDATE mfr SET v = 'chg' WHERE k = '2026-01-01 00:16:40.006'",
        "DELETE FROM mfr WHERE k = '2026-01-01 00:33:20.060'",
        "DELETE FROM mfr WHERE k = '2026-01-01 00:50:00.000'",
        "UPDATE mfr SET v = 'chg' WHERE k = '2026-01-01 01:06:40.600'");
    AuditReport r =
        new AuditFixture()
            .primary("a", TestDatabases.mariaEndpoint(port, "fk_a"))
            .replica("b", TestDatabases.mariaEndpoint(port, "fk_b"))
            .table("mfr", "user_id")
            .run(CompareSettings.defaults().withChunkRows(300, 100, 800).withLeafRows(8, 4));
    assertThat(AuditFixture.findings(r, "mfr", "b"))
        .containsExactlyInAnyOrder(
            "CHANGED 2026-01-01 00:16:40.006",
            "MISSING 2026-01-01 00:33:20.06",
            "MISSING 2026-01-01 00:50:00",
            "CHANGED 2026-01-01 01:06:40.6");
    var copy = r.tables().get(0).copies().get(0);
    assertThat(copy.extra()).isZero();
  }
}
