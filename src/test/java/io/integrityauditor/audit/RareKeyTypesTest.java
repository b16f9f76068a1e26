package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL keys of rarer types, with a copy hashed in SQL (same encoding) and one hashed in the
 * JVM (a LATIN1 database). Regressions (review 2 of session 26): an interval or money key printed
 * otherwise by each kind of copy, so the same row lost on both met no other in the roll-up (no user
 * at risk); a money key bound back as a double failed the JVM copy once a row changed; an oid key
 * failed every audit, identical tables included ("String cannot be cast to Number").
 */
class RareKeyTypesTest {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;

  /**
   * Table t (k of the type, owner, v) with keys 1..100 (as the type) in rarekey_p, a UTF8 copy
   * rarekey_c and a LATIN1 copy rarekey_l; the statements then run on both copies.
   */
  private static AuditReport audit(String type, String keyOf, String... onCopies) throws Exception {
    TestDatabases.recreatePgDatabase(PG, "rarekey_p");
    TestDatabases.recreatePgDatabase(PG, "rarekey_c");
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "postgres"),
        "DROP DATABASE IF EXISTS rarekey_l WITH (FORCE)",
        "CREATE DATABASE rarekey_l ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'"
            + " TEMPLATE template0");
    for (String db : new String[] {"rarekey_p", "rarekey_c", "rarekey_l"}) {
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, db),
          "CREATE TABLE t (k " + type + " PRIMARY KEY, owner int NOT NULL, v int)",
          "INSERT INTO t SELECT " + keyOf + ", g, 0 FROM generate_series(1, 100) g");
    }
    for (String db : new String[] {"rarekey_c", "rarekey_l"}) {
      TestDatabases.execute(TestDatabases.pgUrl(PG, db), onCopies);
    }
    return new AuditFixture()
        .primary("p", TestDatabases.pgEndpoint(PG, "rarekey_p"))
        .replica("c", TestDatabases.pgEndpoint(PG, "rarekey_c"))
        .replica("l", TestDatabases.pgEndpoint(PG, "rarekey_l"))
        .table("t", "owner")
        .run(CompareSettings.defaults());
  }

  private static void lostOnBothAndChangedOnBoth(
      String type, String keyOf, String row5, String row7, String printed5, String printed7)
      throws Exception {
    AuditReport r =
        audit(
            type, keyOf, "DELETE FROM t WHERE k = " + row5, "UPDATE t SET v = 1 WHERE k = " + row7);
    for (String copy : new String[] {"c", "l"}) {
      assertThat(AuditFixture.copy(r, "t", copy).error()).as(type + " " + copy).isNull();
      assertThat(AuditFixture.findings(r, "t", copy))
          .as(type + " " + copy)
          .containsExactly("CHANGED " + printed7, "MISSING " + printed5);
      assertThat(AuditFixture.columnsNamed(r, "t", copy, printed7)).isEqualTo("[v]");
    }
    // the rows lost or changed on both copies: their users are at risk (0 before: the keys of
    // the two copies did not meet)
    assertThat(r.usersAtRisk()).as(type).isEqualTo(2);
    assertThat(r.usersAtRiskSample()).as(type).containsExactly("5", "7");
  }

  @Test
  void anIntervalKeyReadsAlikeOnEveryCopy() throws Exception {
    lostOnBothAndChangedOnBoth(
        "interval", "make_interval(days => g)", "'5 days'", "'7 days'", "5 days", "7 days");
  }

  @Test
  void aMoneyKeyReadsAlikeAndIsBoundBackAsMoney() throws Exception {
    lostOnBothAndChangedOnBoth("money", "g", "'5'", "'7'", "$5.00", "$7.00");
  }

  @Test
  void anOidKeyIsCompared() throws Exception {
    AuditReport same = audit("oid", "g");
    assertThat(same.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(same.tables().get(0).rowsChecked()).isEqualTo(100);
    lostOnBothAndChangedOnBoth("oid", "g", "5", "7", "5", "7");
  }
}
