package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TcpProxy;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression: a PostgreSQL copy whose connection was lost during its one-pass statement (a reset, a
 * read timeout) fell back to digesting its ranges on the same dead session, and the copy's recorded
 * error — in the report, the API and the state database — was that fallback's "This connection has
 * been closed.", not what happened. The cause is kept now.
 */
@Timeout(120)
class OnePassConnectionLostTest {
  @Test
  void aCopyWhoseConnectionDropsDuringItsOnePassFailsWithTheCause() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"olp_p", "olp_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO t SELECT g, g % 10, 'v' || g FROM generate_series(1, 20000) g");
    }
    try (TcpProxy proxy = new TcpProxy(port)) {
      // the one-pass statement's own text: it stops there, logged in
      proxy.hangOn("OFFSET 0) ia_d GROUP BY ia_b");
      AuditFixture f =
          new AuditFixture()
              .primary("p", TestDatabases.pgEndpoint(port, "olp_p"))
              .replica(
                  "c",
                  new EndpointConfig(
                      "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/olp_c?sslmode=disable",
                      "postgres",
                      null,
                      null))
              .table("public.t", "user_id");
      CompletableFuture<AuditReport> run =
          CompletableFuture.supplyAsync(() -> f.run(CompareSettings.defaults()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!proxy.stalledOnMarker()) {
        assertThat(System.nanoTime()).as("the copy's one pass is sent").isLessThan(deadline);
        Thread.sleep(20);
      }
      proxy.down();
      AuditReport r = run.get(90, TimeUnit.SECONDS);
      String error = AuditFixture.copy(r, "public.t", "c").error();
      assertThat(error).contains("I/O error").doesNotContain("This connection has been closed");
      assertThat(r.exitCode()).isEqualTo(2);
    }
  }
}
