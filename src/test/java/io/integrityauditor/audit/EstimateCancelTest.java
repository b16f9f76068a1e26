package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A run's row estimates, read table by table before its first table, stop at a cancel. Regression
 * (review 7 of session 22): a run of 1,000 tables took 9 - 15 s to cancel, reading every table's
 * catalog first.
 */
class EstimateCancelTest {
  @Test
  void estimatesStopAtACancel() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "est_p");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "est_p"),
        "CREATE TABLE a (id bigint PRIMARY KEY)",
        "CREATE TABLE b (id bigint PRIMARY KEY)",
        "INSERT INTO a SELECT generate_series(1, 1000)",
        "INSERT INTO b SELECT generate_series(1, 1000)",
        "ANALYZE");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "est_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "est_p"))
            .table("a", null)
            .table("b", null);
    assertThat(f.estimates(new AtomicBoolean()).values()).containsExactly(1000L, 1000L);
    assertThat(f.estimates(new AtomicBoolean(true)).values()).containsExactly(-1L, -1L);
  }
}
