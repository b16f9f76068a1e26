package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A copy whose table another session holds locked past the audit's lock timeout (a VACUUM FULL, a
 * CLUSTER) fails with a message that says so. Regression (review 4 of session 22): the copy's error
 * was PostgreSQL's "canceling statement due to lock timeout" alone, naming neither the table's lock
 * nor what to do.
 */
class LockTimeoutMessageTest {
  private static final int PORT = TestDatabases.PG_PRIMARY_PORT;

  @Test
  void aCopyLockedPastTheLockTimeoutSaysSo() throws Exception {
    for (String db : new String[] {"locked_p", "locked_c"}) {
      TestDatabases.recreatePgDatabase(PORT, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO t SELECT g, g % 10, 'v' FROM generate_series(1, 1000) g");
    }
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder =
        new Thread(
            () -> {
              try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, "locked_c"));
                  Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
                locked.countDown();
                release.await();
                c.commit();
              } catch (Exception e) {
                locked.countDown();
              }
            });
    holder.start();
    locked.await();
    try {
      AuditReport r =
          new AuditFixture()
              .primary("p", TestDatabases.pgEndpoint(PORT, "locked_p"))
              .replica("c", TestDatabases.pgEndpoint(PORT, "locked_c"))
              .table("t", "user_id")
              .run(CompareSettings.defaults());
      String error = r.tables().get(0).copies().get(0).error();
      assertThat(error)
          .startsWith(
              "another session holds a lock on the table longer than the audit's lock timeout")
          .contains("lock timeout");
      assertThat(r.exitCode()).isEqualTo(2);
    } finally {
      release.countDown();
      holder.join();
    }
  }
}
