package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rows are matched on the primary's key, which must be unique on every side. Regressions (review of
 * session 19): a copy whose own key is a surrogate ({@code sid}) holding two extra rows of an
 * existing {@code id} was CONSISTENT, exit 0; and with the primary's key constraint dropped during
 * the audit and 11 rows inserted twice, the chunks' digests differed, no row was found, CONSISTENT.
 */
class DuplicateKeyRowsTest {
  static final int PORT = TestDatabases.PG_PRIMARY_PORT;

  @Test
  void aCopyWhereThePrimarysKeyIsNotUniqueFailsThatCopy() throws Exception {
    TestDatabases.recreatePgDatabase(PORT, "dupkey_p");
    TestDatabases.recreatePgDatabase(PORT, "dupkey_c");
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "dupkey_p"),
        "CREATE TABLE k (id int PRIMARY KEY, owner int NOT NULL, v text NOT NULL)",
        "INSERT INTO k SELECT g, g % 10, md5(g::text) FROM generate_series(1, 5000) g");
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "dupkey_c"),
        "CREATE TABLE k (sid bigserial PRIMARY KEY, id int NOT NULL, owner int NOT NULL,"
            + " v text NOT NULL)",
        "INSERT INTO k (id, owner, v) SELECT g, g % 10, md5(g::text)"
            + " FROM generate_series(1, 5000) g",
        "INSERT INTO k (id, owner, v) VALUES (5, 5, md5('5')), (4000, 0, md5('4000'))");
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PORT, "dupkey_p"))
            .replica("c", TestDatabases.pgEndpoint(PORT, "dupkey_c"))
            .table("public.k", "owner")
            .run(CompareSettings.defaults());
    AuditReport.CopyReport c = AuditFixture.copy(r, "public.k", "c");
    assertThat(c.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(c.error())
        .isEqualTo(
            "key [id] of table 'public.k' is not a primary key or unique key of NOT NULL columns");
    assertThat(r.exitCode()).isEqualTo(2);
  }

  @Test
  void thePrimarysKeyMadeNotUniqueDuringTheAuditFailsTheCopy() throws Exception {
    for (String db : new String[] {"dupkey2_p", "dupkey2_c"}) {
      TestDatabases.recreatePgDatabase(PORT, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "CREATE TABLE t (id int NOT NULL, owner int NOT NULL, v text NOT NULL,"
              + " CONSTRAINT t_pkey PRIMARY KEY (id))",
          "INSERT INTO t SELECT g, g % 10, md5(g::text) FROM generate_series(1, 5000) g");
    }
    AuditService.Progress duplicateWhenTheTableStarts =
        new AuditService.Progress() {
          @Override
          public void tableStarted(String table, long estimatedRows) {
            try {
              TestDatabases.execute(
                  TestDatabases.pgUrl(PORT, "dupkey2_p"),
                  "ALTER TABLE t DROP CONSTRAINT t_pkey",
                  "INSERT INTO t SELECT * FROM t WHERE id BETWEEN 3000 AND 3010");
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }

          @Override
          public void chunkScanned(String table, long rows, long elapsedNanos) {}
        };
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PORT, "dupkey2_p"))
            .replica("c", TestDatabases.pgEndpoint(PORT, "dupkey2_c"))
            .table(new TableConfig("public.t", List.of(), "owner", null, List.of()))
            .run(
                AuditFixture.TINY_CHUNKS,
                null,
                duplicateWhenTheTableStarts,
                AuditService.Checkpoints.NONE);
    AuditReport.CopyReport c = AuditFixture.copy(r, "public.t", "c");
    assertThat(c.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(c.error()).isEqualTo("not compared: the primary failed");
    // The primary's failure (its rows read to locate the copy's): the table fails, naming the
    // primary (since session 23; the copy was named before, PrimaryLocateFailureTest). The
    // primary's key is gone when the failure is explained (SchemaChangedMidAuditTest).
    assertThat(r.tables().get(0).error())
        .startsWith(
            "primary 'p': the table changed during the audit (table 'public.t' has neither a"
                + " primary key nor a unique key on NOT NULL columns;")
        .contains("audit it again: the primary holds more than one row of key 30")
        .endsWith(
            ": the table's key is not unique there (its constraint dropped during the audit?)");
    assertThat(r.exitCode()).isEqualTo(2);
  }
}
