package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: a one-user audit bound the user as text against the owner column, and MariaDB turns
 * text into a number as far as it reads as one: {@code --user abc} audited user 0's rows and
 * reported them as that user's, {@code --user 12abc} user 12's, {@code --user 1.5} no row at all
 * (CONSISTENT); PostgreSQL failed {@code --user abc} with its own cast error. Now the user is read
 * as the owner column's type and bound as a number: text that is no such value fails the table with
 * one message on every engine, before any row is read. The first test keeps the numeric binding
 * exact where DOUBLE would not be: ids past 2^53 (snowflake-style ids are ~2^60) and a 30-digit
 * decimal, each beside a neighbour that differs in its last digit.
 */
class OwnerValueTest {
  private static final String ME = "9007199254740993";
  private static final String NEIGHBOUR = "9007199254740992";
  private static final String U_ME = "18446744073709551615";
  private static final String U_NEIGHBOUR = "18446744073709551614";
  private static final String DEC_ME = "12345678901234567890.0000000001";
  private static final String DEC_NEIGHBOUR = "12345678901234567890.0000000002";

  /** A MariaDB primary and copy (two databases, outside the binlog) with tables b and d. */
  private static AuditFixture mariaDb() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    List<String> common =
        List.of(
            "CREATE TABLE b (id int PRIMARY KEY, owner bigint NOT NULL, v varchar(10))",
            "INSERT INTO b VALUES (1, "
                + ME
                + ", 'a'), (2, "
                + NEIGHBOUR
                + ", 'b'), (3, 0, 'c'),"
                + " (4, "
                + ME
                + ", 'd'), (5, "
                + ME
                + ", 'e')",
            "CREATE TABLE u (id int PRIMARY KEY, owner bigint unsigned NOT NULL, v varchar(10))",
            "INSERT INTO u VALUES (1, "
                + U_ME
                + ", 'a'), (2, "
                + U_NEIGHBOUR
                + ", 'b'), (3, 0, 'c'), (4, "
                + U_ME
                + ", 'd'), (5, "
                + U_ME
                + ", 'e')",
            "CREATE TABLE d (id int PRIMARY KEY, owner decimal(32,10) NOT NULL, v varchar(10))",
            "INSERT INTO d VALUES (1, "
                + DEC_ME
                + ", 'a'), (2, "
                + DEC_NEIGHBOUR
                + ", 'b'),"
                + " (3, 0, 'c'), (4, "
                + DEC_ME
                + ", 'd'), (5, "
                + DEC_ME
                + ", 'e')");
    // The copy: the neighbour's and user 0's rows changed, my row 5 missing.
    List<String> drift =
        List.of(
            "UPDATE b SET v = 'B' WHERE id = 2",
            "UPDATE b SET v = 'C' WHERE id = 3",
            "DELETE FROM b WHERE id = 5",
            "UPDATE d SET v = 'B' WHERE id = 2",
            "UPDATE d SET v = 'C' WHERE id = 3",
            "DELETE FROM d WHERE id = 5",
            "UPDATE u SET v = 'B' WHERE id = 2",
            "DELETE FROM u WHERE id = 5");
    for (String db : List.of("ownerv_p", "ownerv_c")) {
      TestDatabases.recreateMariaDatabase(port, db);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, db));
          Statement s = c.createStatement()) {
        for (String sql : common) {
          s.execute(sql);
        }
        if (db.endsWith("_c")) {
          for (String sql : drift) {
            s.execute(sql);
          }
        }
      }
    }
    return new AuditFixture()
        .primary("p", TestDatabases.mariaEndpoint(port, "ownerv_p"))
        .replica("c", TestDatabases.mariaEndpoint(port, "ownerv_c"))
        .table("b", "owner")
        .table("d", "owner")
        .table("u", "owner");
  }

  @Test
  void aMariaDbUserIsComparedAsANumberNotAsADouble() throws Exception {
    AuditFixture f = mariaDb();
    for (CompareSettings settings :
        List.of(CompareSettings.defaults(), AuditFixture.TINY_CHUNKS.withLeafRows(1, 2))) {
      AuditReport all = f.run(settings);
      assertThat(AuditFixture.findings(all, "b", "c"))
          .containsExactlyInAnyOrder("CHANGED 2", "CHANGED 3", "MISSING 5");

      AuditReport mine = f.runUser(settings, "b", ME);
      assertThat(mine.tables().get(0).error()).isNull();
      assertThat(AuditFixture.findings(mine, "b", "c")).containsExactly("MISSING 5");
      assertThat(mine.tables().get(0).rowsChecked()).isEqualTo(3);

      AuditReport neighbour = f.runUser(settings, "b", NEIGHBOUR);
      assertThat(AuditFixture.findings(neighbour, "b", "c")).containsExactly("CHANGED 2");

      AuditReport unsigned = f.runUser(settings, "u", U_ME);
      assertThat(unsigned.tables().get(0).error()).isNull();
      assertThat(AuditFixture.findings(unsigned, "u", "c")).containsExactly("MISSING 5");
      assertThat(unsigned.tables().get(0).rowsChecked()).isEqualTo(3);

      AuditReport decimal = f.runUser(settings, "d", DEC_ME);
      assertThat(decimal.tables().get(0).error()).isNull();
      assertThat(AuditFixture.findings(decimal, "d", "c")).containsExactly("MISSING 5");
      assertThat(decimal.tables().get(0).rowsChecked()).isEqualTo(3);
    }
  }

  @Test
  void aUserThatIsNoValueOfTheOwnerColumnFailsTheTableClearly() throws Exception {
    AuditFixture maria = mariaDb();
    for (String user : List.of("abc", "12abc", "1.5", "", "9223372036854775808")) {
      AuditReport r = maria.runUser(CompareSettings.defaults(), "b", user);
      assertThat(r.status()).as(user).isEqualTo(AuditReport.Status.FAILED);
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.tables().get(0).error())
          .as(user)
          .isEqualTo(
              "primary 'p': user '" + user + "' is not a value of the owner column owner (BIGINT)");
      // the copy, not compared, is listed FAILED (one entry per copy, as always)
      assertThat(r.tables().get(0).copies())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.endpoint()).isEqualTo("c");
                assertThat(c.status()).isEqualTo(AuditReport.Status.FAILED);
                assertThat(c.error())
                    .isEqualTo(
                        "not compared: user '"
                            + user
                            + "' is not a value of the owner column owner (BIGINT)");
              });
      assertThat(r.usersAtRisk()).isZero();
    }
    AuditReport dec = maria.runUser(CompareSettings.defaults(), "d", "twelve");
    assertThat(dec.tables().get(0).error())
        .startsWith("primary 'p': user 'twelve' is not a value of the owner column owner (DECIMAL");

    int pg = TestDatabases.PG_PRIMARY_PORT;
    for (String db : List.of("ownerv_p", "ownerv_c")) {
      TestDatabases.recreatePgDatabase(pg, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(pg, db),
          "CREATE TABLE b (id int PRIMARY KEY, owner bigint NOT NULL, v text)",
          "INSERT INTO b VALUES (1, 7, 'a'), (2, 8, 'b')");
    }
    AuditFixture postgres =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(pg, "ownerv_p"))
            .replica("c", TestDatabases.pgEndpoint(pg, "ownerv_c"))
            .table("b", "owner");
    AuditReport r = postgres.runUser(CompareSettings.defaults(), "b", "abc");
    assertThat(r.tables().get(0).error())
        .isEqualTo("primary 'p': user 'abc' is not a value of the owner column owner (bigint)");
    AuditReport ok = postgres.runUser(CompareSettings.defaults(), "b", " 7 ");
    assertThat(ok.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(ok.tables().get(0).rowsChecked()).isEqualTo(1);
  }

  /**
   * Regression: MariaDB compares text under the column's collation, which ignores case and trailing
   * spaces, so {@code --user alice} also read the rows of {@code ALICE} and {@code alice }: their
   * lost rows were reported as alice's and their owners put at risk; a PostgreSQL primary with an
   * identical MariaDB copy gave two false EXTRA rows, a MariaDB primary with a PostgreSQL copy two
   * false MISSING rows. Only alice's own rows are read now, on the SQL and the JVM path.
   */
  @Test
  void aMariaDbTextUserIsMatchedByItsBytesNotByTheCollation() throws Exception {
    int mport = TestDatabases.MARIADB_PRIMARY_PORT;
    int pport = TestDatabases.PG_PRIMARY_PORT;
    String rows =
        "INSERT INTO o VALUES (1, 'alice', 'a'), (2, 'ALICE', 'b'), (3, 'alice ', 'c'),"
            + " (4, 'bob', 'd'), (5, 'alice', 'e')";
    for (String db : List.of("ownert_p", "ownert_c", "ownert_same")) {
      TestDatabases.recreateMariaDatabase(mport, db);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(mport, db));
          Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE o (id int PRIMARY KEY, owner varchar(20) NOT NULL, v varchar(10))"
                + " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
        st.execute(rows);
        if (db.equals("ownert_c")) {
          st.execute("DELETE FROM o WHERE id = 2");
          st.execute("UPDATE o SET v = 'C' WHERE id IN (3, 5)");
        }
      }
    }
    TestDatabases.recreatePgDatabase(pport, "ownert_pg");
    TestDatabases.execute(
        TestDatabases.pgUrl(pport, "ownert_pg"),
        "CREATE TABLE o (id int PRIMARY KEY, owner varchar(20) NOT NULL, v varchar(10))",
        rows);

    AuditFixture maria =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(mport, "ownert_p"))
            .replica("c", TestDatabases.mariaEndpoint(mport, "ownert_c"))
            .table("o", "owner");
    for (CompareSettings settings :
        List.of(CompareSettings.defaults(), AuditFixture.TINY_CHUNKS.withLeafRows(1, 2))) {
      assertThat(AuditFixture.findings(maria.run(settings), "o", "c"))
          .containsExactlyInAnyOrder("MISSING 2", "CHANGED 3", "CHANGED 5");
      AuditReport alice = maria.runUser(settings, "o", "alice");
      assertThat(AuditFixture.findings(alice, "o", "c")).containsExactly("CHANGED 5");
      assertThat(alice.tables().get(0).rowsChecked()).isEqualTo(2);
      assertThat(alice.usersAtRisk()).isEqualTo(1);
    }
    // Identical rows across engines (hashed in the JVM): nothing to report, either way round.
    AuditFixture pgToMaria =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(pport, "ownert_pg"))
            .replica("c", TestDatabases.mariaEndpoint(mport, "ownert_same"))
            .table("o", "owner");
    AuditReport r1 = pgToMaria.runUser(CompareSettings.defaults(), "o", "alice");
    assertThat(AuditFixture.copy(r1, "o", "c").error()).isNull();
    assertThat(AuditFixture.findings(r1, "o", "c")).isEmpty();
    assertThat(r1.exitCode()).isZero();
    AuditFixture mariaToPg =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(mport, "ownert_same"))
            .replica("c", TestDatabases.pgEndpoint(pport, "ownert_pg"))
            .table("o", "owner");
    AuditReport r2 = mariaToPg.runUser(CompareSettings.defaults(), "o", "alice");
    assertThat(AuditFixture.copy(r2, "o", "c").error()).isNull();
    assertThat(AuditFixture.findings(r2, "o", "c")).isEmpty();
    assertThat(r2.usersAtRisk()).isZero();
    assertThat(r2.exitCode()).isZero();
  }

  /**
   * Regression: {@code --table T --user U} on a table without an {@code owner} column audited
   * nothing and said CONSISTENT (exit 0, {@code "tables": []}) when another table of the dataset
   * had one; it is refused as a user of a dataset without owners is.
   */
  @Test
  void aUserOfATableWithoutAnOwnerIsRefused() throws Exception {
    mariaDb();
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "ownerv_p"))
            .replica("c", TestDatabases.mariaEndpoint(port, "ownerv_c"))
            .table(
                new io.integrityauditor.config.TableConfig(
                    "b", List.of("id"), null, null, List.of()))
            .table("u", "owner");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> f.runUser(CompareSettings.defaults(), "b", ME))
        .isInstanceOf(AuditService.UnknownTargetException.class)
        .hasMessage("table 'b' of dataset 'd' has no 'owner' column to select a user by");
  }

  /**
   * One user across a dataset whose tables' owners are of several types: a table whose owner the
   * user cannot be holds none of the user's rows and is left out; only when no table can hold the
   * user does the audit fail. Regression (review of session 17): {@code --user 7} failed the whole
   * audit (exit 2) on the dataset's uuid-owned table, with PostgreSQL's own cast error.
   */
  @Test
  void aUserOfOneOwnerTypeIsAuditedAcrossADatasetOfSeveralOwnerTypes() throws Exception {
    String uuid = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"ownertypes_p", "ownertypes_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE ib (id int PRIMARY KEY, owner bigint NOT NULL, v text)",
          "INSERT INTO ib SELECT g, g % 10, 'v' FROM generate_series(1, 50) g",
          "CREATE TABLE ut (id int PRIMARY KEY, owner uuid NOT NULL, v text)",
          "INSERT INTO ut SELECT g, CASE WHEN g % 2 = 0 THEN '"
              + uuid
              + "'"
              + " ELSE gen_random_uuid() END, 'v' FROM generate_series(1, 50) g",
          "CREATE TABLE tt (id int PRIMARY KEY, owner text NOT NULL, v text)",
          "INSERT INTO tt SELECT g, CASE g % 3 WHEN 0 THEN '7' WHEN 1 THEN 'abc' ELSE '"
              + uuid
              + "' END, 'v' FROM generate_series(1, 50) g");
    }
    // user 7 lost a row in ib and one in tt; the uuid user one in ut; abc one in tt
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "ownertypes_c"),
        "DELETE FROM ib WHERE id = 7",
        "DELETE FROM ut WHERE id = 2",
        "DELETE FROM tt WHERE id IN (3, 4)");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "ownertypes_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "ownertypes_c"))
            .table("ib", "owner")
            .table("ut", "owner")
            .table("tt", "owner");
    AuditReport seven = f.runUser(CompareSettings.defaults(), null, "7");
    assertThat(seven.tables())
        .extracting(AuditReport.TableReport::table)
        .containsExactly("ib", "tt");
    assertThat(seven.error()).isNull();
    assertThat(AuditFixture.findings(seven, "ib", "c")).containsExactly("MISSING 7");
    assertThat(AuditFixture.findings(seven, "tt", "c")).containsExactly("MISSING 3");
    assertThat(seven.usersAtRiskSample()).containsExactly("7");
    assertThat(seven.exitCode()).isEqualTo(1);

    AuditReport u = f.runUser(CompareSettings.defaults(), null, uuid);
    assertThat(u.tables()).extracting(AuditReport.TableReport::table).containsExactly("ut", "tt");
    assertThat(AuditFixture.findings(u, "ut", "c")).containsExactly("MISSING 2");
    assertThat(AuditFixture.findings(u, "tt", "c")).isEmpty();
    assertThat(u.usersAtRiskSample()).containsExactly(uuid);

    AuditReport abc = f.runUser(CompareSettings.defaults(), null, "abc");
    assertThat(abc.tables()).extracting(AuditReport.TableReport::table).containsExactly("tt");
    assertThat(AuditFixture.findings(abc, "tt", "c")).containsExactly("MISSING 4");

    // Named, a table whose owner the user cannot be still fails clearly (exit 2).
    AuditReport named = f.runUser(CompareSettings.defaults(), "ut", "7");
    assertThat(named.tables().get(0).error())
        .isEqualTo("primary 'p': user '7' is not a value of the owner column owner (uuid)");
    assertThat(named.exitCode()).isEqualTo(2);
    // And so does a dataset none of whose tables can hold the user.
    AuditFixture numbers =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "ownertypes_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "ownertypes_c"))
            .table("ib", "owner")
            .table("ut", "owner");
    AuditReport none = numbers.runUser(CompareSettings.defaults(), null, "abc");
    assertThat(none.tables()).isEmpty();
    assertThat(none.error()).contains("user 'abc' is not a value of the owner column owner");
    assertThat(none.exitCode()).isEqualTo(2);
    // nothing compared: unknown, not "0 users at risk" (review 1 of session 20)
    assertThat(none.usersAtRiskComplete()).isFalse();
    assertThat(io.integrityauditor.audit.AuditRunner.storedUsersAtRisk("FAILED", none)).isNull();
    assertThat(io.integrityauditor.audit.AuditRunner.storedUsersAtRisk("CANCELLED", named))
        .isNull();
  }

  /**
   * Regression (review 2 of session 24): H2 reports its UUID type as JDBC BINARY, so a UUID owner
   * was taken for a binary one and {@code --user} had to be hex without dashes: the dashed form the
   * auditor itself prints in {@code owner} and {@code usersAtRiskSample} failed the table ("is not
   * a value of the owner column"), exit 2, whether H2 was the copy or the primary.
   */
  @Test
  void anH2UuidOwnerTakesTheUserAsTheAuditorPrintsIt() throws Exception {
    String me = "0a0a0a0a-0000-0000-0000-00000000000a";
    String other = "0b0b0b0b-0000-0000-0000-00000000000b";
    int pg = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pg, "owneru_p");
    TestDatabases.execute(
        TestDatabases.pgUrl(pg, "owneru_p"),
        "CREATE TABLE t (id int PRIMARY KEY, owner uuid, v text)",
        "INSERT INTO t VALUES (1, '"
            + me
            + "', 'x'), (2, '"
            + me
            + "', 'y'), (3, '"
            + other
            + "', 'z')");
    String h2 = "jdbc:h2:mem:owneru_c;DB_CLOSE_DELAY=-1";
    TestDatabases.execute(
        h2 + ";USER=sa",
        "DROP TABLE IF EXISTS t",
        "CREATE TABLE t (id int PRIMARY KEY, owner UUID, v VARCHAR(10))",
        "INSERT INTO t VALUES (1, '" + me + "', 'x'), (3, '" + other + "', 'z')");
    io.integrityauditor.config.EndpointConfig h2Endpoint =
        new io.integrityauditor.config.EndpointConfig(h2, "sa", "", java.util.Map.of());
    AuditFixture h2Copy =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(pg, "owneru_p"))
            .replica("c", h2Endpoint)
            .table("t", "owner");
    AuditReport all = h2Copy.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(all, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(all, "t", "c")).containsExactly("MISSING 2");
    assertThat(all.usersAtRiskSample()).containsExactly(me);
    for (String user :
        List.of(me, me.toUpperCase(java.util.Locale.ROOT), "{" + me + "}", me.replace("-", ""))) {
      AuditReport mine = h2Copy.runUser(CompareSettings.defaults(), "t", user);
      assertThat(AuditFixture.copy(mine, "t", "c").error()).as(user).isNull();
      assertThat(AuditFixture.findings(mine, "t", "c")).as(user).containsExactly("MISSING 2");
      assertThat(mine.tables().get(0).rowsChecked()).as(user).isEqualTo(2);
      assertThat(mine.usersAtRiskSample()).as(user).containsExactly(me);
      assertThat(mine.exitCode()).as(user).isEqualTo(1);
    }
    AuditReport theirs = h2Copy.runUser(CompareSettings.defaults(), "t", other);
    assertThat(theirs.exitCode()).isZero();

    AuditFixture h2Primary =
        new AuditFixture()
            .primary("c", h2Endpoint)
            .replica("p", TestDatabases.pgEndpoint(pg, "owneru_p"))
            .table("t", "owner");
    AuditReport reverse = h2Primary.runUser(CompareSettings.defaults(), "t", me);
    assertThat(reverse.tables().get(0).error()).isNull();
    assertThat(AuditFixture.findings(reverse, "t", "p")).containsExactly("EXTRA 2");
    assertThat(reverse.tables().get(0).rowsChecked()).isEqualTo(1);
    AuditReport bad = h2Primary.runUser(CompareSettings.defaults(), "t", "abc");
    assertThat(bad.tables().get(0).error())
        .isEqualTo("primary 'c': user 'abc' is not a value of the owner column OWNER (UUID)");
  }
}
