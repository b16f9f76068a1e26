package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import io.integrityauditor.engine.Values;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: a PostgreSQL jsonb column and its MariaDB copy (JSON, i.e. LONGTEXT kept as written)
 * holding the same documents were compared as text, so any copy whose writer formatted JSON
 * otherwise than jsonb's output (compact, other member order, 1e2 for 100, \\u00e9 for é) had every
 * such row CHANGED. Between engines, JSON columns are now compared as documents; what differs as
 * data still differs: a nested value, 1.0 against 1.00, array order, SQL NULL against JSON null.
 */
class CrossEngineJsonTest {
  /** id, the primary's document, the copy's text. */
  static final String[][] ROWS = {
    {"1", "{\"b\": 1, \"a\": [1.0, \"x\"]}", "{\"a\":[1.0,\"x\"],\"b\":1}"},
    {"2", "{\"n\": 1e2, \"m\": -0}", "{ \"m\" : 0, \"n\" : 100 }"},
    {"3", "{\"s\": \"é\", \"t\": \"a\\\"b\"}", "{\"t\":\"a\\u0022b\",\"s\":\"\\u00e9\"}"},
    {"4", "{\"a\": {\"b\": [1, 2]}}", "{\"a\":{\"b\":[1,3]}}"},
    {"5", "{\"p\": 1.0}", "{\"p\": 1.00}"},
    {"6", "[1, 2]", "[2, 1]"},
    {"7", null, "null"},
    {"8", "{\"k\": {\"y\": true, \"z\": null}}", "{\"k\": {\"y\": true, \"z\": null}}"},
    {"9", "{\"a\": 1, \"a\": 2}", "{\"a\": 2}"},
  };

  @Test
  void jsonColumnsOfTwoEnginesAreComparedAsDocuments() throws Exception {
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "xjson",
            List.of("CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, doc jsonb, raw json)"),
            List.of("CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, doc json, raw json)"));
    try (Connection p =
            TestDatabases.admin(TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "xjson_p"));
        PreparedStatement ins =
            p.prepareStatement("INSERT INTO t VALUES (?, ?, CAST(? AS jsonb), CAST(? AS json))");
        Connection c =
            TestDatabases.mariaUnlogged(
                TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "xjson_c"));
        PreparedStatement cins = c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?)")) {
      for (String[] r : ROWS) {
        int id = Integer.parseInt(r[0]);
        ins.setInt(1, id);
        ins.setInt(2, id % 3);
        ins.setString(3, r[1]);
        ins.setString(4, r[1]);
        ins.executeUpdate();
        cins.setInt(1, id);
        cins.setInt(2, id % 3);
        cins.setString(3, r[2]);
        cins.setString(4, r[2]);
        cins.executeUpdate();
      }
    }
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 4", "CHANGED 5", "CHANGED 6", "CHANGED 7");
    // The changed rows name both JSON columns (json keeps its text, jsonb normalises it; as
    // documents both differ the same way).
    for (var finding : AuditFixture.copy(r, "t", "c").findings()) {
      assertThat(finding.columns()).containsExactlyInAnyOrder("doc", "raw");
    }
  }

  /**
   * Regression: Jackson's default limits (1,000-digit numbers, 20,000,000-character strings,
   * 50,000-character member names) left such documents unparsed, compared as their text: jsonb
   * prints 1e1000 as its 1,001 digits, the MariaDB copy kept {@code 1E+1000}, a false CHANGED; the
   * same for a member name of 60,000 characters whose members jsonb had put in another order.
   */
  @Test
  void documentsBeyondJacksonsDefaultLimitsAreComparedAsDocuments() throws Exception {
    String name = "k".repeat(60_000);
    String[][] rows = {
      {"1", "{\"n\": 1e1000}", "{\"n\":1E+1000}"},
      {"2", "{\"" + name + "\": 1, \"b\": 2}", "{\"b\":2,\"" + name + "\":1}"},
      {"3", "{\"n\": 1e1000}", "{\"n\":1E+1001}"},
      {"4", "[1" + "0".repeat(1_500) + ".5]", "[1" + "0".repeat(1_500) + ".50]"},
    };
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "xjsonbig",
            List.of("CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, doc jsonb)"),
            List.of("CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, doc json)"));
    try (Connection p =
            TestDatabases.admin(TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "xjsonbig_p"));
        PreparedStatement ins =
            p.prepareStatement("INSERT INTO t VALUES (?, ?, CAST(? AS jsonb))");
        Connection c =
            TestDatabases.mariaUnlogged(
                TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "xjsonbig_c"));
        PreparedStatement cins = c.prepareStatement("INSERT INTO t VALUES (?, ?, ?)")) {
      for (String[] r : rows) {
        int id = Integer.parseInt(r[0]);
        ins.setInt(1, id);
        ins.setInt(2, id);
        ins.setString(3, r[1]);
        ins.executeUpdate();
        cins.setInt(1, id);
        cins.setInt(2, id);
        cins.setString(3, r[2]);
        cins.executeUpdate();
      }
    }
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 3", "CHANGED 4");
  }

  /**
   * Numbers whose plain text would be huge take a compact form, the same for every spelling of the
   * number. Regression: {@code [1e999999999]} was written out as a billion digits (out of memory).
   */
  @Test
  void hugeNumbersKeepACompactExactForm() {
    assertThat(Values.canonicalJson("[1e999999999, -2.50e-999999999, 0e-999999999, 0e999999999]"))
        .isEqualTo("[1e999999999,-250e-1000000001,0e-999999999,0]");
    long limit = Values.PLAIN_NUMBER_LIMIT;
    // At the limit the plain form; one digit more the compact one, whatever the spelling.
    assertThat(Values.canonicalJson("[1e" + (limit - 1) + "]"))
        .isEqualTo("[1" + "0".repeat((int) limit - 1) + "]");
    assertThat(Values.canonicalJson("[1e" + limit + "]")).isEqualTo("[1e" + limit + "]");
    assertThat(Values.canonicalJson("[10.0e" + (limit - 1) + "]")).isEqualTo("[1e" + limit + "]");
    assertThat(Values.canonicalJson("[1" + "0".repeat((int) limit) + "]"))
        .isEqualTo("[1e" + limit + "]");
    // 1.50 and 1.5 stay apart in either form
    assertThat(Values.canonicalJson("[1.50e-" + limit + "]"))
        .isNotEqualTo(Values.canonicalJson("[1.5e-" + limit + "]"));
    // a 20,000,001-character string and a 60,000-character member name are documents too
    String s = "x".repeat(20_000_001);
    assertThat(Values.canonicalJson("{ \"a\" : \"" + s + "\" }"))
        .isEqualTo("{\"a\":\"" + s + "\"}");
    String name = "k".repeat(60_000);
    assertThat(Values.canonicalJson("{\"b\": 1, \"" + name + "\": 2}"))
        .isEqualTo("{\"b\":1,\"" + name + "\":2}");
  }

  @Test
  void canonicalJsonKeepsWhatIsData() {
    assertThat(Values.canonicalJson("{\"b\": [1.50, 2e1, -0.0], \"a\": \"\\u00e9\"}"))
        .isEqualTo("{\"a\":\"é\",\"b\":[1.50,20,0.0]}");
    assertThat(Values.canonicalJson("not json {")).isEqualTo("not json {");
    assertThat(Values.canonicalJson("{\"a\": 1} trailing")).isEqualTo("{\"a\": 1} trailing");
    assertThat(Values.canonicalJson("")).isEmpty();
    assertThat(Values.canonicalJson("{\"p\": 1.0}"))
        .isNotEqualTo(Values.canonicalJson("{\"p\": 1.00}"));
  }
}
