package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A MariaDB key led by an ENUM whose labels are not declared in alphabetical order. Regression
 * (review 1 of session 26): MariaDB sorts an ENUM by its labels' positions but compared it with a
 * bound given as text alphabetically, so key ranges cut in index order overlapped: a changed row
 * was reported twice (7,800 rows), and at 26,000 rows the audit never ended (the locate split
 * ranges over and over).
 */
@org.junit.jupiter.api.Timeout(180) // the old code never ended
class MariaDbEnumKeyTest {
  private static final int MY = TestDatabases.MARIADB_PRIMARY_PORT;

  private static final String REVERSED =
      "ENUM('z','y','x','w','v','u','t','s','r','q','p','o','n','m','l','k','j','i','h','g','f',"
          + "'e','d','c','b','a')";

  private static final String ALPHABETICAL =
      "ENUM('a','b','c','d','e','f','g','h','i','j','k','l','m','n','o','p','q','r','s','t','u',"
          + "'v','w','x','y','z')";

  private static void table(String db, String enumType, String... then) throws Exception {
    TestDatabases.recreateMariaDatabase(MY, db);
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(MY, db));
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE en (e "
              + enumType
              + " NOT NULL, id INT NOT NULL, owner INT NOT NULL, v VARCHAR(20),"
              + " PRIMARY KEY (e, id))");
      s.execute(
          "INSERT INTO en SELECT ELT(1 + seq % 26, 'a','b','c','d','e','f','g','h','i','j','k',"
              + "'l','m','n','o','p','q','r','s','t','u','v','w','x','y','z'),"
              + " seq DIV 26, seq % 50, CONCAT('v', seq) FROM seq_0_to_25999");
      for (String sql : then) {
        s.execute(sql);
      }
    }
  }

  private static AuditReport audit(String copyEnum) throws Exception {
    table("enumkey_p", REVERSED);
    table(
        "enumkey_c",
        copyEnum,
        "UPDATE en SET v = 'chg' WHERE e = 't' AND id = 77",
        "UPDATE en SET v = 'chg' WHERE e = 'a' AND id = 999",
        "DELETE FROM en WHERE e = 'f' AND id = 500");
    return new AuditFixture()
        .primary("p", TestDatabases.mariaEndpoint(MY, "enumkey_p"))
        .replica("c", TestDatabases.mariaEndpoint(MY, "enumkey_c"))
        .table("en", "owner")
        .run(CompareSettings.defaults().withChunkRows(2_000, 500, 2_000));
  }

  @Test
  void anEnumKeyIsRangedInItsOwnOrder() throws Exception {
    AuditReport r = audit(REVERSED);
    assertThat(AuditFixture.copy(r, "en", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "en", "c"))
        .containsExactly("CHANGED a|999", "CHANGED t|77", "MISSING f|500");
    AuditReport.CopyReport c = AuditFixture.copy(r, "en", "c");
    assertThat(c.findings()).hasSize(3); // each once: a changed row was listed twice
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(26_000);
  }

  @Test
  void aCopyDeclaringTheLabelsOtherwiseIsNotRangedInThePrimarysOrder() throws Exception {
    AuditReport r = audit(ALPHABETICAL);
    assertThat(AuditFixture.copy(r, "en", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "en", "c"))
        .containsExactly("CHANGED a|999", "CHANGED t|77", "MISSING f|500");
    assertThat(AuditFixture.copy(r, "en", "c").findings()).hasSize(3);
  }

  @Test
  void aSetKeyIsRefusedNamingTheColumn() throws Exception {
    for (String db : new String[] {"enumkey_p", "enumkey_c"}) {
      TestDatabases.recreateMariaDatabase(MY, db);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(MY, db));
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE st (s SET('z','a') NOT NULL, owner INT NOT NULL, PRIMARY KEY (s))");
        s.execute("INSERT INTO st VALUES ('z', 1), ('a', 2), ('z,a', 3)");
      }
    }
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(MY, "enumkey_p"))
            .replica("c", TestDatabases.mariaEndpoint(MY, "enumkey_c"))
            .table("st", "owner")
            .run(CompareSettings.defaults());
    assertThat(r.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(String.valueOf(r.tables().get(0).error()) + AuditFixture.copy(r, "st", "c").error())
        .contains("key column s is a SET");
  }
}
