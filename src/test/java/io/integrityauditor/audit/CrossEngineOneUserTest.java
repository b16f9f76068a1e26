package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by DifferentialFuzzTest): a one-user audit of a PostgreSQL primary against a
 * MariaDB copy — rows hashed in the JVM on both sides — bound the user as a varchar against the
 * owner column, and PostgreSQL refused {@code integer = character varying}: the audit failed
 * instead of comparing that user's rows. Owners of type int, bigint, numeric and uuid.
 */
class CrossEngineOneUserTest {
  @Test
  void oneUsersRowsOfAPostgresPrimaryAndAMariaDbCopy() throws Exception {
    for (String[] owner :
        List.of(
            new String[] {"int", "int", "7", "8"},
            new String[] {"bigint", "bigint", "7", "8"},
            new String[] {"numeric(12,2)", "decimal(12,2)", "7.50", "8.00"},
            new String[] {
              "uuid",
              "uuid",
              "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
              "0e0e0e0e-1111-4222-8333-444455556666"
            })) {
      String me = owner[2];
      String other = owner[3];
      AuditFixture f =
          AuditFixture.postgresPrimaryMariaDbCopy(
              "xuser",
              List.of(
                  "CREATE TABLE t (id int PRIMARY KEY, owner " + owner[0] + " NOT NULL, v text)",
                  "INSERT INTO t VALUES (1, '"
                      + me
                      + "', 'a'), (2, '"
                      + other
                      + "', 'b'),"
                      + " (3, '"
                      + me
                      + "', 'c'), (4, '"
                      + other
                      + "', 'd'), (5, '"
                      + me
                      + "', 'e')"),
              List.of(
                  "CREATE TABLE t (id int PRIMARY KEY, owner " + owner[1] + " NOT NULL, v text)",
                  "INSERT INTO t VALUES (1, '"
                      + me
                      + "', 'a'), (2, '"
                      + other
                      + "', 'B'),"
                      + " (3, '"
                      + me
                      + "', 'C'), (4, '"
                      + other
                      + "', 'd'), (6, '"
                      + me
                      + "', 'f')"));
      AuditReport all = f.run(CompareSettings.defaults());
      assertThat(AuditFixture.findings(all, "t", "c"))
          .as(owner[0])
          .containsExactlyInAnyOrder("CHANGED 2", "CHANGED 3", "MISSING 5", "EXTRA 6");

      AuditReport mine = f.runUser(CompareSettings.defaults(), "t", me);
      assertThat(mine.tables().get(0).error()).as(owner[0]).isNull();
      assertThat(AuditFixture.copy(mine, "t", "c").error()).as(owner[0]).isNull();
      assertThat(AuditFixture.findings(mine, "t", "c"))
          .as(owner[0])
          .containsExactlyInAnyOrder("CHANGED 3", "MISSING 5", "EXTRA 6");
      assertThat(AuditFixture.copy(mine, "t", "c").hashing()).as(owner[0]).isEqualTo("JVM");
    }
  }
}
