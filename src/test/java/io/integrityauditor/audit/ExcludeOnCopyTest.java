package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A column the primary has and a copy lacks is left out with {@code exclude}. Regression (review 2
 * of session 25): the copy's catalog refused the excluded column ("exclude: column 'legacy' does
 * not exist"), so the table could not be audited at all; a column excluded that the primary does
 * not have either is still refused, naming it.
 */
class ExcludeOnCopyTest {
  @Test
  void aColumnOnlyThePrimaryHasIsExcluded() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "texcl_p");
    TestDatabases.recreatePgDatabase(port, "texcl_c");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "texcl_p"),
        "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, note text, legacy text)",
        "INSERT INTO t SELECT g, g % 7, 'n' || g, 'old' || g FROM generate_series(1, 200) g");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "texcl_c"),
        "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, note text)",
        "INSERT INTO t SELECT g, g % 7, 'n' || g FROM generate_series(1, 200) g",
        "UPDATE t SET note = 'changed' WHERE id = 9");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "texcl_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "texcl_c"))
            .table(new TableConfig("public.t", null, "owner", null, List.of("legacy")));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "public.t", "c")).containsExactly("CHANGED 9");
    assertThat(AuditFixture.copy(r, "public.t", "c").findings().get(0).columns())
        .containsExactly("note");

    AuditReport misspelt =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "texcl_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "texcl_c"))
            .table(new TableConfig("public.t", null, "owner", null, List.of("legcy")))
            .run(CompareSettings.defaults());
    assertThat(misspelt.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(misspelt.tables().get(0).error()).contains("exclude: column 'legcy' does not exist");
  }
}
