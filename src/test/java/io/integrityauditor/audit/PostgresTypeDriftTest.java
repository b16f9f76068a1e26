package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: PostgreSQL tables whose column types differ are hashed over the row's text
 * (CANONICAL), which rendered some pairs of types holding the same values differently, unlike the
 * cross-engine comparison: {@code character(5)} 'ab' keeps its padding ('ab ') against a varchar
 * 'ab' (every such row CHANGED with no column named, the key too); {@code json} against {@code
 * jsonb} holding the same document; {@code timestamptz} ({@code +00}) against {@code timestamp}
 * holding its UTC time. Identical values now compare equal, and a real difference in each column is
 * still found and named.
 */
class PostgresTypeDriftTest {
  @Test
  void columnTypesHoldingTheSameValuesCompareEqual() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[][] types = {
      {"character(5)", "character(5)", "json", "timestamptz"},
      {"varchar(5)", "text", "jsonb", "timestamp"}
    };
    String[] dbs = {"tdrift_p", "tdrift_c"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreatePgDatabase(port, dbs[i]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, dbs[i]),
          "CREATE TABLE t (k "
              + types[i][0]
              + " PRIMARY KEY, owner int NOT NULL, c "
              + types[i][1]
              + ", j "
              + types[i][2]
              + ", ts "
              + types[i][3]
              + ")",
          "INSERT INTO t SELECT 'k' || g, g % 7, CASE WHEN g % 2 = 0 THEN 'ab' ELSE '' END,"
              + " CAST('{\"b\": [1, 2.50],  \"a\": {\"x\": null}}' AS "
              + types[i][2]
              + "), timestamptz '2024-05-01 12:00:00.123456+02' + g * interval '1 minute'"
              + " FROM generate_series(1, 300) g");
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "tdrift_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "tdrift_c"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tdrift_c"),
        "UPDATE t SET c = 'ab ' || 'c' WHERE k = 'k10'",
        "UPDATE t SET j = CAST('{\"b\": [1, 2.5], \"a\": {\"x\": null}}' AS jsonb) WHERE k = 'k11'",
        "UPDATE t SET ts = ts + interval '1 microsecond' WHERE k = 'k12'");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED k10", "CHANGED k11", "CHANGED k12");
    for (String[] named : new String[][] {{"k10", "c"}, {"k11", "j"}, {"k12", "ts"}}) {
      assertThat(
              AuditFixture.copy(r, "public.t", "c").findings().stream()
                  .filter(x -> x.key().get("k").equals(named[0]))
                  .findFirst()
                  .orElseThrow()
                  .columns())
          .isEqualTo(List.of(named[1]));
    }
  }

  /**
   * Regression (review 7 of session 24): the array forms of the column types above were rendered as
   * they print, so a timestamptz[] against a timestamp[] copy of the same UTC times, and a
   * character(3)[] against a varchar(3)[], were CHANGED on every row (false users at risk after an
   * array column's migration). Now each element as its scalar is: in UTC, without padding.
   */
  @Test
  void arraysOfColumnTypesHoldingTheSameValuesCompareEqual() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[] dbs = {"tdrifta_p", "tdrifta_c"};
    for (String db : dbs) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "SET TIME ZONE 'UTC'",
          "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, tsa timestamptz[],"
              + " ca character(3)[], t3 timestamp(3) with time zone[])",
          "INSERT INTO t VALUES (1, 1, '{\"2020-01-01 00:00:00+00\",NULL}', '{ab,\"\"}',"
              + " '[0:0]={\"2020-01-01 01:02:03.456+02\"}'),"
              + " (2, 2, '{{\"2021-06-01 12:00:00.5+05\"},{\"1999-12-31 23:59:59.999999+00\"}}',"
              + " '{a,b,NULL}', NULL), (3, 3, NULL, '{abc}', '{}')");
    }
    // the copy's columns migrated, each value converted in UTC
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tdrifta_c"),
        "SET TIME ZONE 'UTC'",
        "ALTER TABLE t ALTER tsa TYPE timestamp[], ALTER ca TYPE varchar(3)[],"
            + " ALTER t3 TYPE timestamp(3)[]");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "tdrifta_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "tdrifta_c"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tdrifta_c"),
        "UPDATE t SET tsa = '{\"2020-01-01 00:00:00.000001\",NULL}' WHERE id = 1",
        "UPDATE t SET ca = '{\"a \",b,NULL}' WHERE id = 2",
        "UPDATE t SET t3 = NULL WHERE id = 3");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 1", "CHANGED 2", "CHANGED 3");
  }

  /**
   * A json column on both sides keeps its text when another column's type differs (CANONICAL).
   * Regression (review of session 16): json was cast to jsonb whenever the hash was CANONICAL, so
   * '{"a":1, "a":2}' against '{"a":2}' and '[1, 2]' against '[1,2]' were CONSISTENT, though the
   * same data with identical column types (NATIVE) was CHANGED.
   */
  @Test
  void jsonOnBothSidesKeepsItsTextWhenAnotherColumnsTypeDiffers() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[] name = {"varchar(10)", "text"};
    String[] rows = {
      "INSERT INTO t VALUES (1, 'a', '{\"a\":1, \"a\":2}'), (2, 'b', '[1, 2]'), (3, 'c', '{}')",
      "INSERT INTO t VALUES (1, 'a', '{\"a\":2}'), (2, 'b', '[1,2]'), (3, 'c', '{}')"
    };
    String[] dbs = {"tdrift_json_p", "tdrift_json_c"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreatePgDatabase(port, dbs[i]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, dbs[i]),
          "CREATE TABLE t (id int PRIMARY KEY, name " + name[i] + ", doc json)",
          rows[i]);
    }
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, dbs[0]))
            .replica("c", TestDatabases.pgEndpoint(port, dbs[1]))
            .table("public.t", null)
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "public.t", "c")).containsExactly("CHANGED 1", "CHANGED 2");
    assertThat(AuditFixture.copy(r, "public.t", "c").findings())
        .allSatisfy(f -> assertThat(f.columns()).containsExactly("doc"));
  }

  /**
   * Review of this session's fix: json on the primary and on one copy was still compared as jsonb
   * when another copy of the same audit held jsonb (the primary's rendering was shared): the json
   * copy's three changes went unseen. Each copy now gets the primary's rendering it needs.
   */
  @Test
  void aJsonCopyBesideAJsonbCopyKeepsItsText() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[][] sides = {
      {"tdrift_j3_p", "int", "json", "(1,1,'{\"a\": 1}'),(2,2,'{\"a\":1,\"a\":2}'),(3,3,'[1, 2]')"},
      {"tdrift_j3_b", "int", "jsonb", "(1,1,'{\"a\": 1}'),(2,2,'{\"a\":2}'),(3,3,'[1, 2]')"},
      {"tdrift_j3_j", "bigint", "json", "(1,1,'{\"a\":1}'),(2,2,'{\"a\":2}'),(3,3,'[1,2]')"}
    };
    for (String[] side : sides) {
      TestDatabases.recreatePgDatabase(port, side[0]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, side[0]),
          "CREATE TABLE j (id int PRIMARY KEY, n " + side[1] + ", doc " + side[2] + ")",
          "INSERT INTO j VALUES " + side[3]);
    }
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, sides[0][0]))
            .replica("b", TestDatabases.pgEndpoint(port, sides[1][0]))
            .replica("j", TestDatabases.pgEndpoint(port, sides[2][0]))
            .table("public.j", null)
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.j", "b")).isEmpty();
    assertThat(AuditFixture.findings(r, "public.j", "j"))
        .containsExactly("CHANGED 1", "CHANGED 2", "CHANGED 3");
  }

  /**
   * Regression (review 2 of session 25): a boolean against an integer copy holding 1 and 0 was
   * CHANGED on every row (the row's text said t against 1, where the JVM path and MariaDB say 1 and
   * 0); an inet against a text copy holding its output ('10.0.0.1') was CHANGED naming no column,
   * or with its mask ('10.0.0.1/32') named the inet column of rows where only another differed.
   */
  @Test
  void booleanAgainstIntegerAndInetAgainstItsText() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[][] types = {{"boolean", "inet"}, {"integer", "text"}};
    String[] dbs = {"tdrift_bp", "tdrift_bc"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreatePgDatabase(port, dbs[i]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, dbs[i]),
          "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, b "
              + types[i][0]
              + ", ip "
              + types[i][1]
              + ", note text)",
          "INSERT INTO t SELECT g, g % 7, CAST(CAST(g % 2 AS boolean) AS "
              + types[i][0]
              + "), CAST(CAST(CASE WHEN g = 7 THEN '10.1.0.0/24' ELSE '10.0.0.' || g END AS inet) AS "
              + (i == 0 ? "inet" : "text")
              + "), 'n' || g FROM generate_series(1, 200) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tdrift_bc"),
        "UPDATE t SET ip = host(CAST(ip AS inet)) WHERE id <> 7");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "tdrift_bp"))
            .replica("c", TestDatabases.pgEndpoint(port, "tdrift_bc"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();

    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tdrift_bc"),
        "UPDATE t SET b = 2 WHERE id = 10",
        "UPDATE t SET ip = '10.0.0.11/32' WHERE id = 11",
        "UPDATE t SET note = 'changed' WHERE id = 12");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 10", "CHANGED 11", "CHANGED 12");
    for (String[] named : new String[][] {{"10", "b"}, {"11", "ip"}, {"12", "note"}}) {
      assertThat(
              AuditFixture.copy(r, "public.t", "c").findings().stream()
                  .filter(x -> String.valueOf(x.key().get("id")).equals(named[0]))
                  .findFirst()
                  .orElseThrow()
                  .columns())
          .isEqualTo(List.of(named[1]));
    }
  }
}
