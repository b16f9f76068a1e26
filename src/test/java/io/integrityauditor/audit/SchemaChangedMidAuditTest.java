package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A column's type changed while the table was being compared. Regression (review 6 of session 19):
 * the copy failed with the database's own words ({@code function hashint4extended(bigint, integer)
 * does not exist}), which did not say that the table had changed. The failure now says which column
 * changed, and how, before the database's words.
 */
class SchemaChangedMidAuditTest {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;

  @Test
  void aColumnRetypedOnTheCopyDuringTheScanIsNamed() throws Exception {
    AuditReport r = auditAltering("schemachg_c");
    AuditReport.CopyReport c = AuditFixture.copy(r, "t", "c");
    assertThat(c.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(c.error())
        .startsWith(
            "the table changed during the audit (column v: integer, now bigint); audit it again: ");
  }

  @Test
  void aColumnRetypedOnThePrimaryDuringTheScanIsNamed() throws Exception {
    AuditReport r = auditAltering("schemachg_p");
    AuditReport.CopyReport c = AuditFixture.copy(r, "t", "c");
    assertThat(c.status()).isEqualTo(AuditReport.Status.FAILED);
    // the primary's statement failed: the table's error says it, the copy was not compared
    assertThat(r.tables().get(0).error())
        .startsWith(
            "primary 'p': the table changed during the audit (column v: integer, now bigint);"
                + " audit it again: ");
    assertThat(c.error()).isEqualTo("not compared: the primary failed");
  }

  private static AuditReport auditAltering(String database) throws Exception {
    String[] setup = {
      "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v integer)",
      "INSERT INTO t SELECT g, g % 5, g FROM generate_series(1, 20000) g"
    };
    TestDatabases.recreatePgDatabase(PG, "schemachg_p");
    TestDatabases.recreatePgDatabase(PG, "schemachg_c");
    TestDatabases.execute(TestDatabases.pgUrl(PG, "schemachg_p"), setup);
    TestDatabases.execute(TestDatabases.pgUrl(PG, "schemachg_c"), setup);
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "schemachg_c"), "UPDATE t SET v = -1 WHERE id = 15000");
    AtomicBoolean altered = new AtomicBoolean();
    AuditService.Progress alterOnFirstChunk =
        new AuditService.Progress() {
          @Override
          public void tableStarted(String table, long estimatedRows) {}

          @Override
          public void chunkScanned(String table, long rows, long elapsedNanos) {
            if (altered.compareAndSet(false, true)) {
              try {
                // every statement of the audit is one of its own: this waits for the running one
                TestDatabases.execute(
                    TestDatabases.pgUrl(PG, database), "ALTER TABLE t ALTER COLUMN v TYPE bigint");
              } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
              }
            }
          }
        };
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PG, "schemachg_p"))
            .replica("c", TestDatabases.pgEndpoint(PG, "schemachg_c"))
            .table("t", "owner")
            .run(AuditFixture.TINY_CHUNKS, null, alterOnFirstChunk, AuditService.Checkpoints.NONE);
    assertThat(altered).isTrue();
    return r;
  }
}
