package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL table kinds and keys that a review of session 16 found read wrongly: row-level
 * security, inheritance parents, partial, invalid and INCLUDE unique indexes, numeric NaN keys,
 * array keys, unpadded bpchar. Each holds the values that broke.
 */
class PostgresTableKindsTest {
  private static final int PORT = TestDatabases.PG_PRIMARY_PORT;

  /**
   * Databases {@code name}_p and {@code name}_c, both set up by {@code both}, then each its own.
   */
  private static AuditFixture tables(
      String name, String table, List<String> both, List<String> primary, List<String> copy)
      throws Exception {
    String[] dbs = {name + "_p", name + "_c"};
    List<List<String>> own = List.of(primary, copy);
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreatePgDatabase(PORT, dbs[i]);
      try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, dbs[i]));
          Statement s = c.createStatement()) {
        c.setAutoCommit(true);
        for (String q : both) {
          s.execute(q);
        }
        for (String q : own.get(i)) {
          s.execute(q);
        }
      }
    }
    return new AuditFixture()
        .primary("p", TestDatabases.pgEndpoint(PORT, dbs[0]))
        .replica("c", TestDatabases.pgEndpoint(PORT, dbs[1]))
        .table(table, null);
  }

  private static AuditReport.CopyReport copy(AuditReport r, String table) {
    return AuditFixture.copy(r, table, "c");
  }

  /**
   * An auditor role under a row-level security policy read only the rows it may see: 50 of 100 rows
   * compared, a changed row of the hidden user unseen, CONSISTENT (exit 0). The audit now fails on
   * such a table and says why.
   */
  @Test
  void rowLevelSecurityThatWouldHideRowsFailsTheTable() throws Exception {
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "postgres"),
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ia_rls_auditor')"
            + " THEN CREATE ROLE ia_rls_auditor LOGIN; END IF; END $$");
    List<String> both =
        List.of(
            "CREATE TABLE t (id int PRIMARY KEY, user_id int NOT NULL, v text)",
            "INSERT INTO t SELECT g, g % 2 + 1, 'v' || g FROM generate_series(1, 100) g",
            "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY p1 ON t FOR SELECT TO ia_rls_auditor USING (user_id = 1)",
            "GRANT SELECT ON t TO ia_rls_auditor");
    tables("pkind_rls", "public.t", both, List.of(), List.of("UPDATE t SET v = 'X' WHERE id = 3"));
    AuditReport r =
        new AuditFixture()
            .primary("p", auditor("pkind_rls_p"))
            .replica("c", auditor("pkind_rls_c"))
            .table("public.t", "user_id")
            .run(CompareSettings.defaults());
    assertThat(r.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(r.tables().get(0).error()).contains("row-level security");

    // A role that policies do not filter (here the superuser) still compares the whole table.
    AuditReport whole =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PORT, "pkind_rls_p"))
            .replica("c", TestDatabases.pgEndpoint(PORT, "pkind_rls_c"))
            .table("public.t", "user_id")
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(whole, "public.t", "c")).containsExactly("CHANGED 3");
    assertThat(whole.tables().get(0).rowsChecked()).isEqualTo(100);
  }

  private static EndpointConfig auditor(String db) {
    return new EndpointConfig(TestDatabases.pgUrl(PORT, db), "ia_rls_auditor", null, Map.of());
  }

  /**
   * An inheritance parent was read with its children, whose rows its key does not cover: parent and
   * child rows with ids 1 and 2, one child row missing on the copy, gave a false EXTRA 1 and a
   * false CHANGED 2. The parent is read alone; its own difference is found.
   */
  @Test
  void anInheritanceParentIsReadWithoutItsChildren() throws Exception {
    AuditFixture f =
        tables(
            "pkind_inh",
            "public.par",
            List.of(
                "CREATE TABLE par (id int PRIMARY KEY, v text)",
                "CREATE TABLE chi () INHERITS (par)",
                "INSERT INTO par VALUES (1, 'p1'), (2, 'p2'), (3, 'p3')",
                "INSERT INTO chi VALUES (1, 'c1'), (2, 'c2')"),
            List.of(),
            List.of("DELETE FROM chi WHERE id = 2", "UPDATE ONLY par SET v = 'X' WHERE id = 3"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(r.error()).isNull();
    assertThat(AuditFixture.findings(r, "public.par", "c")).containsExactly("CHANGED 3");
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(3);
  }

  /**
   * A partial unique index (unique among live rows only) and an invalid one (left by a failed
   * CREATE UNIQUE INDEX CONCURRENTLY) were taken as keys: false EXTRA and CHANGED rows. They are no
   * keys: such a table is refused, naming why.
   */
  @Test
  void partialAndInvalidUniqueIndexesAreNoKeys() throws Exception {
    AuditFixture partial =
        tables(
            "pkind_part",
            "public.t",
            List.of(
                "CREATE TABLE t (id int NOT NULL, deleted bool NOT NULL, v text)",
                "CREATE UNIQUE INDEX t_live ON t (id) WHERE NOT deleted",
                "INSERT INTO t SELECT g, false, 'v' || g FROM generate_series(1, 20) g",
                "INSERT INTO t VALUES (1, true, 'old1'), (2, true, 'old2')"),
            List.of(),
            List.of("DELETE FROM t WHERE id = 2 AND deleted"));
    AuditReport r = partial.run(CompareSettings.defaults());
    assertThat(r.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(r.tables().get(0).error()).contains("neither a primary key nor a unique key");

    AuditFixture invalid =
        tables(
            "pkind_inval",
            "public.t",
            List.of(
                "CREATE TABLE t (id int NOT NULL, v text)",
                "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 20) g",
                "INSERT INTO t VALUES (5, 'dup5')",
                "DO $$ BEGIN NULL; END $$"),
            List.of(),
            List.of("DELETE FROM t WHERE v = 'dup5'"));
    for (String db : new String[] {"pkind_inval_p", "pkind_inval_c"}) {
      try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, db));
          Statement s = c.createStatement()) {
        c.setAutoCommit(true);
        try {
          s.execute("CREATE UNIQUE INDEX CONCURRENTLY t_u ON t (id)");
        } catch (java.sql.SQLException expected) {
          // the duplicate on the primary leaves the index invalid there
        }
      }
    }
    AuditReport ri = invalid.run(CompareSettings.defaults());
    assertThat(ri.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(ri.tables().get(0).error()).contains("neither a primary key nor a unique key");
  }

  /** A unique index with INCLUDE columns is a key of its key columns (it was refused). */
  @Test
  void aUniqueIndexWithIncludedColumnsIsAKey() throws Exception {
    AuditFixture f =
        tables(
            "pkind_incl",
            "public.t",
            List.of(
                "CREATE TABLE t (id int NOT NULL, v text)",
                "CREATE UNIQUE INDEX t_u ON t (id) INCLUDE (v)",
                "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 20) g"),
            List.of(),
            List.of("UPDATE t SET v = NULL WHERE id = 7", "DELETE FROM t WHERE id = 20"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(r.error()).isNull();
    assertThat(r.tables().get(0).error()).isNull();
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 7", "MISSING 20");
  }

  /**
   * Numeric keys NaN and Infinity are no BigDecimal: the copy failed ("Bad value for type
   * BigDecimal : NaN") as soon as the table held a difference, which went unreported.
   */
  @Test
  void numericNanAndInfinityKeys() throws Exception {
    AuditFixture f =
        tables(
            "pkind_nan",
            "public.nk",
            List.of(
                "CREATE TABLE nk (k numeric PRIMARY KEY, v text)",
                "INSERT INTO nk VALUES (1, 'a'), (2, 'b'), ('NaN', 'n'), ('Infinity', 'i'),"
                    + " ('-Infinity', 'm'), (2.5, 'c')"),
            List.of(),
            List.of(
                "UPDATE nk SET v = 'X' WHERE k = 2",
                "UPDATE nk SET v = 'X' WHERE k = 'NaN'",
                "DELETE FROM nk WHERE k = '-Infinity'"));
    for (CompareSettings settings :
        new CompareSettings[] {CompareSettings.defaults(), AuditFixture.TINY_CHUNKS}) {
      AuditReport r = f.run(settings);
      assertThat(copy(r, "public.nk").error()).isNull();
      assertThat(AuditFixture.findings(r, "public.nk", "c"))
          .containsExactlyInAnyOrder("CHANGED 2", "CHANGED NaN", "MISSING -Infinity");
    }
  }

  /** An int[] key of 6,000 rows failed: width_bucket(integer[], integer[]) does not exist. */
  @Test
  void anArrayKeyOfManyRows() throws Exception {
    AuditFixture f =
        tables(
            "pkind_arr",
            "public.t",
            List.of(
                "CREATE TABLE t (k int[] PRIMARY KEY, v text)",
                "INSERT INTO t SELECT ARRAY[g], 'v' FROM generate_series(1, 6000) g"),
            List.of(),
            List.of("UPDATE t SET v = 'X' WHERE k = '{4}'"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(copy(r, "public.t").error()).isNull();
    assertThat(AuditFixture.findings(r, "public.t", "c")).containsExactly("CHANGED {4}");
  }

  /** An unpadded bpchar 'ab ' against 'ab' was CHANGED with no column named. */
  @Test
  void anUnpaddedBpcharsTrailingSpacesAreNamed() throws Exception {
    AuditFixture f =
        tables(
            "pkind_bpc",
            "public.t",
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, b bpchar, c text)",
                "INSERT INTO t VALUES (1, 'ab  ', 'x'), (2, 'cd', 'y')"),
            List.of(),
            List.of("UPDATE t SET b = 'ab' WHERE id = 1"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c")).containsExactly("CHANGED 1");
    assertThat(copy(r, "public.t").findings().get(0).columns()).containsExactly("b");
  }

  /**
   * A schema and table whose names hold dots could not be configured: "My.Schema.we.ird" was split
   * at its last dot. Double-quoted parts keep their dots.
   */
  @Test
  void namesHoldingDotsAreConfiguredQuoted() throws Exception {
    String table = "\"My.Schema\".\"we.ird\"";
    AuditFixture f =
        tables(
            "pkind_dots",
            table,
            List.of(
                "CREATE SCHEMA \"My.Schema\"",
                "CREATE TABLE \"My.Schema\".\"we.ird\" (id int PRIMARY KEY, v text)",
                "INSERT INTO \"My.Schema\".\"we.ird\" SELECT g, 'v' FROM generate_series(1, 9) g"),
            List.of(),
            List.of("UPDATE \"My.Schema\".\"we.ird\" SET v = 'X' WHERE id = 4"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(r.error()).isNull();
    assertThat(AuditFixture.findings(r, table, "c")).containsExactly("CHANGED 4");
    assertThat(io.integrityauditor.dialect.TableCatalogNames.split("a.b.c"))
        .containsExactly("a.b", "c");
    assertThat(io.integrityauditor.dialect.TableCatalogNames.split("\"a\"\"b\".c"))
        .containsExactly("a\"b", "c");
    assertThat(io.integrityauditor.dialect.TableCatalogNames.split("t")).containsExactly(null, "t");
  }
}
