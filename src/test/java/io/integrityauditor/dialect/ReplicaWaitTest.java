package io.integrityauditor.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.ReplicaTopologyTest;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.TableShape;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A replica's wait for the primary's position (once per chunk) asks the replica only when the
 * position is one it has not yet been seen to apply: on an idle primary every chunk has the same
 * position, and the wait query per chunk was a round trip on the copy's critical path. A position
 * not yet applied is always asked for, and times out as before.
 */
class ReplicaWaitTest {
  static final Duration T = Duration.ofSeconds(30);

  record Side(DigestSource source, Connection connection) {}

  static Side source(Dialect d, String url, String table) throws Exception {
    Connection c = TestDatabases.admin(url);
    d.prepareSession(c, T);
    TableShape shape =
        d.describe(c, new TableCatalog.Request(table, List.of("id"), null, null, List.of()));
    return new Side(d.digestSource(c, shape, Dialect.HashFlavor.CANONICAL, T), c);
  }

  @Test
  void postgresStandbyIsAskedOnlyForPositionsItHasNotBeenSeenToReplay() throws Exception {
    String primaryUrl = TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "app");
    String standbyUrl = TestDatabases.pgUrl(TestDatabases.PG_STANDBY_PORT, "app");
    TestDatabases.execute(
        primaryUrl,
        "DROP TABLE IF EXISTS wait_t",
        "CREATE TABLE wait_t (id int PRIMARY KEY, v text)",
        "INSERT INTO wait_t VALUES (1, 'a')");
    ReplicaTopologyTest.waitForStandby(primaryUrl, standbyUrl);
    Side primary = source(new PostgresDialect(), primaryUrl, "public.wait_t");
    Side standby = source(new PostgresDialect(), standbyUrl, "public.wait_t");
    assertThat(standby.source().followsReplication()).isTrue();

    String pos = primary.source().replicationPosition();
    assertThat(standby.source().awaitPosition(pos, Duration.ofSeconds(10))).isTrue();
    // Far beyond anything written: asked for (not taken as reached) and timed out.
    assertThat(standby.source().awaitPosition("7FFFFFFF/0", Duration.ofMillis(300))).isFalse();

    // With the session gone, a position seen replayed (or an older one) needs no query...
    standby.connection().close();
    assertThat(standby.source().awaitPosition(pos, Duration.ofSeconds(1))).isTrue();
    assertThat(standby.source().awaitPosition("0/1", Duration.ofSeconds(1))).isTrue();
    // ...and a newer one is asked for.
    TestDatabases.execute(primaryUrl, "INSERT INTO wait_t VALUES (2, 'b')");
    String next = primary.source().replicationPosition();
    assertThat(PostgresDialect.lsn(next)).isGreaterThan(PostgresDialect.lsn(pos));
    assertThatThrownBy(() -> standby.source().awaitPosition(next, Duration.ofSeconds(1)))
        .isInstanceOf(RuntimeException.class);
    primary.connection().close();
  }

  @Test
  void walPositionsParseAsNumbers() {
    assertThat(PostgresDialect.lsn("0/1")).isEqualTo(1);
    assertThat(PostgresDialect.lsn("16/B374D848")).isEqualTo(0x16_B374D848L);
    assertThat(PostgresDialect.lsn("1/0")).isGreaterThan(PostgresDialect.lsn("0/FFFFFFFF"));
    assertThat(PostgresDialect.lsn("garbage")).isEqualTo(-1);
    assertThat(PostgresDialect.lsn("/1")).isEqualTo(-1);
    assertThat(PostgresDialect.lsn("1/1FFFFFFFF")).isEqualTo(-1);
  }

  @Test
  void mariadbReplicaIsAskedOnlyForPositionsItHasNotBeenSeenToApply() throws Exception {
    String primaryUrl = TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app");
    String replicaUrl = TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app");
    TestDatabases.execute(
        primaryUrl,
        "DROP TABLE IF EXISTS wait_t",
        "CREATE TABLE wait_t (id int PRIMARY KEY, v varchar(10))",
        "INSERT INTO wait_t VALUES (1, 'a')");
    ReplicaTopologyTest.waitForReplica(primaryUrl, replicaUrl);
    Side primary = source(new MySqlDialect(), primaryUrl, "wait_t");
    Side replica = source(new MySqlDialect(), replicaUrl, "wait_t");
    assertThat(replica.source().followsReplication()).isTrue();

    String pos = primary.source().replicationPosition();
    assertThat(replica.source().awaitPosition(pos, Duration.ofSeconds(10))).isTrue();
    // A sequence number far ahead in the primary's domain: asked for, and timed out.
    String[] gtid = pos.split(",")[0].split("-");
    String ahead = gtid[0] + "-" + gtid[1] + "-" + (Long.parseLong(gtid[2]) + 1_000_000);
    assertThat(replica.source().awaitPosition(ahead, Duration.ofMillis(300))).isFalse();

    replica.connection().close();
    assertThat(replica.source().awaitPosition(pos, Duration.ofSeconds(1))).isTrue();
    TestDatabases.execute(primaryUrl, "INSERT INTO wait_t VALUES (2, 'b')");
    String next = primary.source().replicationPosition();
    assertThat(next).isNotEqualTo(pos);
    assertThatThrownBy(() -> replica.source().awaitPosition(next, Duration.ofSeconds(1)))
        .isInstanceOf(RuntimeException.class);
    primary.connection().close();
  }
}
