package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL {@code json} column keeps its text as written (whitespace, member order, duplicate
 * keys), and a copy hashed in SQL compares that text. Regression (review 1 of session 26): a copy
 * hashed in the JVM (here a LATIN1 database) compared it as a document, so whitespace, member order
 * and duplicate keys changed on the copy went unseen there (CONSISTENT), where the UTF8 copy of the
 * same rows reported them. Against {@code jsonb}, or another engine, it is still a document.
 */
class JsonAsWrittenJvmTest {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;

  @Test
  void aJsonColumnOnEverySideKeepsItsTextOnTheJvmPath() throws Exception {
    TestDatabases.recreatePgDatabase(PG, "jsontext_p");
    TestDatabases.recreatePgDatabase(PG, "jsontext_c");
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "postgres"),
        "DROP DATABASE IF EXISTS jsontext_l WITH (FORCE)",
        "CREATE DATABASE jsontext_l ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'"
            + " TEMPLATE template0");
    for (String db : new String[] {"jsontext_p", "jsontext_c", "jsontext_l"}) {
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, db),
          "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, doc json, bin jsonb)",
          "INSERT INTO t SELECT g, g, CAST('{\"a\":1,\"b\":[1,2]}' AS json),"
              + " CAST('{\"a\":1}' AS jsonb) FROM generate_series(1, 20) g");
    }
    for (String db : new String[] {"jsontext_c", "jsontext_l"}) {
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, db),
          // whitespace, member order, a duplicate key: the text differs, the document not
          "UPDATE t SET doc = CAST('{\"a\": 1, \"b\": [1, 2]}' AS json) WHERE id = 3",
          "UPDATE t SET doc = CAST('{\"b\":[1,2],\"a\":1}' AS json) WHERE id = 5",
          "UPDATE t SET doc = CAST('{\"a\":0,\"a\":1,\"b\":[1,2]}' AS json) WHERE id = 7",
          // a jsonb written otherwise is the same value
          "UPDATE t SET bin = CAST('{ \"a\" : 1 }' AS jsonb) WHERE id = 9",
          // a real change of the document
          "UPDATE t SET doc = CAST('{\"a\":2,\"b\":[1,2]}' AS json) WHERE id = 11");
    }
    // A MariaDB copy of the same rows, compared as documents (review 4 of session 27: with it in
    // the dataset, the LATIN1 copy shared its scan and was compared as documents again).
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreateMariaDatabase(my, "jsontext_m");
    try (java.sql.Connection c =
            TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, "jsontext_m"));
        java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, doc json, bin json)");
      s.execute(
          "INSERT INTO t SELECT seq, seq, '{\"b\": [1, 2], \"a\": 1}', '{\"a\":1}'"
              + " FROM seq_1_to_20");
    }
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PG, "jsontext_p"))
            .replica("c", TestDatabases.pgEndpoint(PG, "jsontext_c"))
            .replica("l", TestDatabases.pgEndpoint(PG, "jsontext_l"))
            .replica("m", TestDatabases.mariaEndpoint(my, "jsontext_m"))
            .table("t", "owner")
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "m").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "m")).isEmpty();
    for (String copy : new String[] {"c", "l"}) {
      assertThat(AuditFixture.copy(r, "t", copy).error()).as(copy).isNull();
      assertThat(AuditFixture.findings(r, "t", copy))
          .as(copy)
          .containsExactlyInAnyOrder("CHANGED 3", "CHANGED 5", "CHANGED 7", "CHANGED 11");
      for (String id : new String[] {"3", "5", "7", "11"}) {
        assertThat(AuditFixture.columnsNamed(r, "t", copy, id))
            .as(copy + " " + id)
            .isEqualTo("[doc]");
      }
    }
    assertThat(AuditFixture.copy(r, "t", "l").hashing()).isEqualTo("JVM");
  }
}
