package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A sequence configured as a table. Regression (review 1 of session 25): "table 'seqt' does not
 * exist" while it did; the message now says what it is.
 */
class SequenceNamedAsTableTest {
  @Test
  void aSequenceIsNamedAsOne() throws Exception {
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreateMariaDatabase(my, "tseq_m");
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, "tseq_m"));
        Statement s = c.createStatement()) {
      s.execute("CREATE SEQUENCE seqt");
    }
    int pg = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pg, "tseq_p");
    TestDatabases.execute(TestDatabases.pgUrl(pg, "tseq_p"), "CREATE SEQUENCE seqt");
    for (var endpoint :
        new io.integrityauditor.config.EndpointConfig[] {
          TestDatabases.mariaEndpoint(my, "tseq_m"), TestDatabases.pgEndpoint(pg, "tseq_p")
        }) {
      AuditReport r =
          new AuditFixture()
              .primary("p", endpoint)
              .replica("c", endpoint)
              .table("seqt", null)
              .run(CompareSettings.defaults());
      assertThat(r.status()).isEqualTo(AuditReport.Status.FAILED);
      assertThat(r.tables().get(0).error()).contains("'seqt' is a sequence, not a table or view");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(pg, "tseq_p"),
        "CREATE TABLE t (id int PRIMARY KEY)",
        "CREATE INDEX t_idx ON t (id)");
    AuditReport index =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(pg, "tseq_p"))
            .replica("c", TestDatabases.pgEndpoint(pg, "tseq_p"))
            .table("t_idx", null)
            .run(CompareSettings.defaults());
    assertThat(index.tables().get(0).error()).contains("'t_idx' is an index, not a table or view");
  }
}
