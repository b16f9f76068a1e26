package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Users at risk with two replicas when one of them lost more rows than the auditor keeps in memory.
 * Regression (review 1 of session 21): with a 256 MB heap a replica that lost 50,001 rows kept
 * ~42,000 of them, the row both replicas lost was not among them, and the audit said 0 users at
 * risk (incomplete) where one was. The rows the other replica lost, all kept, are now looked up on
 * the replica that could not keep its own: here 1,000 kept of its 5,003.
 */
class UsersAtRiskTruncatedTest {
  static final int ROWS = 20_000;

  @Test
  void postgres() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"risktr_p", "risktr_c", "risktr_c2"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, user_id bigint NOT NULL, v text)",
          "INSERT INTO t SELECT g, g, md5(g::text) FROM generate_series(1, " + ROWS + ") g");
    }
    plant((db, sql) -> exec(TestDatabases.pgUrl(port, db), sql, false));
    check(db -> TestDatabases.pgEndpoint(port, db), "public.t");
  }

  @Test
  void mariaDb() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    for (String db : new String[] {"risktr_p", "risktr_c", "risktr_c2"}) {
      TestDatabases.recreateMariaDatabase(port, db);
      exec(
          TestDatabases.mariaUrl(port, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, user_id bigint NOT NULL, v varchar(40))",
          true);
      exec(
          TestDatabases.mariaUrl(port, db),
          "INSERT INTO t SELECT seq, seq, MD5(seq) FROM seq_1_to_" + ROWS,
          true);
    }
    plant((db, sql) -> exec(TestDatabases.mariaUrl(port, db), sql, true));
    check(db -> TestDatabases.mariaEndpoint(port, db), "t");
  }

  /**
   * c loses 1 - 5000, 15000 and changes 17000; c2 loses 15000 and 16000 and changes 17000. At risk:
   * 15000 and 17000 (16000 is on c; 1 - 5000 are on c2).
   */
  private static void plant(BiFunction<String, String, Void> sql) {
    sql.apply("risktr_c", "DELETE FROM t WHERE id <= 5000 OR id = 15000");
    sql.apply("risktr_c", "UPDATE t SET v = 'changed' WHERE id = 17000");
    sql.apply("risktr_c2", "DELETE FROM t WHERE id IN (15000, 16000)");
    sql.apply("risktr_c2", "UPDATE t SET v = 'changed' WHERE id = 17000");
  }

  private static void check(java.util.function.Function<String, EndpointConfig> at, String table) {
    AuditFixture f =
        new AuditFixture()
            .primary("p", at.apply("risktr_p"))
            .replica("c", at.apply("risktr_c"))
            .replica("c2", at.apply("risktr_c2"))
            .table(table, "user_id");
    AuditReport r = f.run(CompareSettings.defaults().withLostRowsCap(1000));
    assertThat(AuditFixture.copy(r, table, "c").missing()).isEqualTo(5001);
    assertThat(AuditFixture.copy(r, table, "c").changed()).isEqualTo(1);
    assertThat(AuditFixture.copy(r, table, "c2").missing()).isEqualTo(2);
    assertThat(r.usersAtRisk()).isEqualTo(2);
    assertThat(r.usersAtRiskSample()).containsExactly("15000", "17000");
    assertThat(r.usersAtRiskComplete()).isTrue();

    // Neither replica keeps all its lost rows: a lower bound, as before.
    AuditReport bounded = f.run(CompareSettings.defaults().withLostRowsCap(1));
    assertThat(bounded.usersAtRiskComplete()).isFalse();
  }

  private static Void exec(String url, String sql, boolean unlogged) {
    try (Connection c = unlogged ? TestDatabases.mariaUnlogged(url) : TestDatabases.admin(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
      return null;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
