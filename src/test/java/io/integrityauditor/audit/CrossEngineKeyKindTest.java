package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A key column that holds numbers on one side and text on the other is refused for that copy,
 * naming the table, the column and both types. Regression (review of session 19): a PostgreSQL
 * bigint key against a MariaDB varchar(10) key was CONSISTENT while the digests agreed (both render
 * 1 as "1"), and one changed row ({@code v} of id 3) then made all three rows MISSING and EXTRA:
 * rows are matched by key, and the number 1 never equals the text "1".
 */
class CrossEngineKeyKindTest {
  @Test
  void aNumberKeyAgainstATextKeyIsRefusedClearly() throws Exception {
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "xkeykind",
            List.of(
                "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, v int)",
                "INSERT INTO t VALUES (1, 1, 1), (2, 1, 2), (3, 1, 3)"),
            List.of(
                "CREATE TABLE t (id varchar(10) PRIMARY KEY, owner int NOT NULL, v int)",
                "INSERT INTO t VALUES ('1', 1, 1), ('2', 1, 2), ('3', 1, 4)"));
    AuditReport r = f.run(CompareSettings.defaults());
    AuditReport.CopyReport c = AuditFixture.copy(r, "t", "c");
    assertThat(c.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(c.error())
        .isEqualTo(
            "table 'public.t': key column id is bigint on the primary and VARCHAR on this copy:"
                + " a number and a text are never the same key, so rows could not be matched;"
                + " give the key column one kind of type (integer or decimal, or neither) on both");
    assertThat(c.findings()).isEmpty();
    assertThat(r.exitCode()).isEqualTo(2);
  }

  @Test
  void aSmallintKeyAgainstATinyIntOneKeyIsCompared() throws Exception {
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "xkeytiny",
            List.of(
                "CREATE TABLE t (id smallint PRIMARY KEY, owner int NOT NULL, v int)",
                "INSERT INTO t VALUES (0, 1, 1), (1, 1, 2), (2, 1, 3)"),
            List.of(
                "CREATE TABLE t (id tinyint(1) PRIMARY KEY, owner int NOT NULL, v int)",
                "INSERT INTO t VALUES (0, 1, 1), (1, 1, 2), (2, 1, 4)"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 2");
  }
}
