package io.integrityauditor.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.util.Duration;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.ConfigValidator;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.TableConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup configuration: YAML keys and defaults, and what the validator refuses. */
class BackupConfigTest {
  private static final TableConfig T =
      new TableConfig("public.contacts", List.of("id"), "user_id", "updated_at", null);

  private static EndpointConfig pg(String url) {
    return new EndpointConfig(url, "auditor", "s3cret-pw", null);
  }

  @Test
  void readsEveryKeyFromYamlWithDefaults() throws Exception {
    ObjectMapper yaml = Jackson.newObjectMapper(new YAMLFactory());
    BackupConfig b =
        yaml.readValue(
            "endpoint: users-backup\n"
                + "asOf: SELECT max(finished_at) FROM backup_meta\n"
                + "maxAge: 26h\n"
                + "restoreCommand: pg_restore -d {database} {newest}\n"
                + "files: /backups/users/*.dump\n"
                + "restoreTimeout: 2h\n"
                + "maxShrink: 0.3\n",
            BackupConfig.class);
    assertThat(b.maxAge()).isEqualTo(Duration.hours(26));
    assertThat(b.restoreTimeout()).isEqualTo(Duration.hours(2));
    assertThat(b.maxShrink()).isEqualTo(0.3);
    BackupConfig d = yaml.readValue("endpoint: b\nasOf: SELECT 1\n", BackupConfig.class);
    assertThat(d.restoreTimeout()).isEqualTo(Duration.minutes(30));
    assertThat(d.maxShrink()).isEqualTo(0.5);
  }

  @Test
  void aBackupMustNotBeAPrimaryOrReplicaByNameOrByDatabase() {
    var endpoints =
        Map.of(
            "p", pg("jdbc:postgresql://db1:5432/app"),
            "r", pg("jdbc:postgresql://db2/app?ssl=true"),
            "b-same-as-r", pg("jdbc:postgresql://DB2:5432/app"),
            "other-p", pg("jdbc:postgresql://db3:5432/app"));
    var users =
        new DatasetConfig(
            "p",
            List.of("r"),
            List.of(
                new BackupConfig("b-same-as-r", "SELECT 1", null, null, null),
                new BackupConfig("other-p", "SELECT 1", null, null, null)),
            null,
            List.of(T));
    var other = new DatasetConfig("other-p", List.of("r"), List.of(), null, List.of(T));
    var problems =
        ConfigValidator.problems(endpoints, new java.util.LinkedHashMap<>(Map.of("users", users)));
    assertThat(problems)
        .containsExactly(
            "datasets.users.backups[0].endpoint: endpoint 'b-same-as-r' is the same database as"
                + " 'r', a replica of dataset 'users': a backup must be restored into a database"
                + " of its own");
    var both = new java.util.LinkedHashMap<String, DatasetConfig>();
    both.put("users", users);
    both.put("other", other);
    assertThat(ConfigValidator.problems(endpoints, both))
        .contains(
            "datasets.users.backups[1].endpoint: endpoint 'other-p' is primary of dataset"
                + " 'other': a backup must be restored into a database of its own");
  }

  /** A dataset whose primary and backup endpoints have these URLs. */
  private static List<String> problemsOf(String primary, String backup) {
    var endpoints = Map.of("p", pg(primary), "b", pg(backup));
    var users =
        new DatasetConfig(
            "p",
            List.of(),
            List.of(new BackupConfig("b", "SELECT 1", null, null, null)),
            null,
            List.of(T));
    return ConfigValidator.problems(endpoints, Map.of("users", users));
  }

  @Test
  void thePrimaryUnderAnotherSpellingIsRefused() {
    String refused =
        "datasets.users.backups[0].endpoint: endpoint 'b' is the same database as 'p', primary"
            + " of dataset 'users': a backup must be restored into a database of its own";
    String[][] samePairs = {
      {"jdbc:postgresql://[::1]:5432/rv1_p", "jdbc:postgresql://localhost:5432/rv1_p"},
      {
        "jdbc:postgresql://127.0.0.1:5432,localhost:5432/rv1_p?targetServerType=primary",
        "jdbc:postgresql://localhost:5432/rv1_p"
      },
      {"jdbc:mariadb://127.0.0.1:3306,127.0.0.1:3306/rv1_m", "jdbc:mariadb://localhost:3306/rv1_m"},
      {"jdbc:postgresql:rv1_p", "jdbc:postgresql://localhost:5432/rv1_p"},
      {"jdbc:postgresql:/rv1_p", "jdbc:postgresql://localhost/rv1_p"},
      {"jdbc:mariadb:replication://h1,h2/rv1_m", "jdbc:mariadb://h2:3306/rv1_m"},
      {"jdbc:mariadb:sequential://h1,h2/rv1_m", "jdbc:mariadb://h2/rv1_m"},
      {"jdbc:mariadb:loadbalance://h1,h2/rv1_m", "jdbc:mysql://h1/rv1_m"},
      {"jdbc:mysql:replication://h1,h2/rv1_m", "jdbc:mariadb://h2/rv1_m"},
      {"jdbc:postgresql://db1/rv1_p", "jdbc:postgresql://restore/rv1_p?host=db1"}
    };
    for (String[] pair : samePairs) {
      assertThat(problemsOf(pair[0], pair[1]))
          .as("primary %s, backup %s", pair[0], pair[1])
          .containsExactly(refused);
    }
    assertThat(problemsOf("jdbc:postgresql://[::1]/rv1_p", "jdbc:postgresql://[::1]/rv1_b"))
        .isEmpty();
    assertThat(problemsOf("jdbc:mariadb:replication://h1,h2/rv1_m", "jdbc:mariadb://h3/rv1_m"))
        .isEmpty();
  }

  @Test
  void aBackupNeedsATimeAndNewestNeedsFiles() {
    var endpoints =
        Map.of(
            "p",
            pg("jdbc:postgresql://db1/app"),
            "b",
            pg("jdbc:postgresql://restore/app_restored"));
    var ds =
        new DatasetConfig(
            "p",
            List.of(),
            List.of(new BackupConfig("b", null, null, "pg_restore -d {database} {newest}", null)),
            null,
            List.of(T));
    assertThat(ConfigValidator.problems(endpoints, Map.of("users", ds)))
        .containsExactly(
            "datasets.users.backups[0]: needs 'asOf' (a query on the backup returning when it was"
                + " taken) or 'files': without the backup's time, every write since would look"
                + " like a lost row",
            "datasets.users.backups[0].restoreCommand: uses {newest} but no 'files' are"
                + " configured");
  }

  @Test
  void aRestoreIntoALiveDatabaseIsRefusedAtRunTimeToo(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("restored");
    Files.writeString(dir.resolve("a.dump"), "x");
    var endpoints =
        Map.of(
            "p", pg("jdbc:postgresql://db1:5432/app"),
            "b", pg("jdbc:postgresql://127.0.0.1:5432/app"),
            "r", pg("jdbc:postgresql://localhost/app"));
    BackupInspector inspector =
        new BackupInspector(
            endpoints,
            Set.of("p", "r"),
            e -> {
              throw new AssertionError("no session may be opened");
            },
            s -> s,
            Clock.systemUTC());
    var st =
        inspector.inspect(
            new BackupConfig("b", "SELECT 1", null, "touch " + marker, dir + "/*.dump"), true);
    assertThat(st.findings())
        .containsExactly(
            new BackupFinding(
                BackupFinding.Kind.RESTORE_FAILED,
                "restore refused: endpoint 'b' is (the same database as) 'r', a primary or"
                    + " replica"));
    assertThat(st.comparable()).isFalse();
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  void anIpv6PrimaryIsRecognisedAtRunTime(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("restored");
    Files.writeString(dir.resolve("a.dump"), "x");
    var endpoints =
        Map.of(
            "p", pg("jdbc:postgresql://[::1]:5432/rv1_p"),
            "b", pg("jdbc:postgresql://localhost:5432/rv1_p"));
    BackupInspector inspector =
        new BackupInspector(
            endpoints,
            Set.of("p"),
            e -> {
              throw new AssertionError("no session may be opened");
            },
            s -> s,
            Clock.systemUTC());
    var st =
        inspector.inspect(
            new BackupConfig("b", "SELECT 1", null, "touch " + marker, dir + "/*.dump"), true);
    assertThat(st.findings())
        .containsExactly(
            new BackupFinding(
                BackupFinding.Kind.RESTORE_FAILED,
                "restore refused: endpoint 'b' is (the same database as) 'p', a primary or"
                    + " replica"));
    assertThat(Files.exists(marker)).isFalse();
  }

  /**
   * Two names for one server (a DNS alias, an address form only the resolver reads) escape the
   * URLs' comparison: before a drill, the servers are asked which server and database they are.
   * Here the primary's URL names a host that, as a DNS alias would, reaches the same database as
   * the backup endpoint's (the sessions are opened by the test).
   */
  @Test
  void theSameServerUnderAnotherNameIsRefusedWhenAsked(@TempDir Path dir) throws Exception {
    int port = io.integrityauditor.TestDatabases.PG_PRIMARY_PORT;
    io.integrityauditor.TestDatabases.recreatePgDatabase(port, "bkalias");
    io.integrityauditor.TestDatabases.recreatePgDatabase(port, "bkalias_b");
    Path marker = dir.resolve("restored");
    Files.writeString(dir.resolve("a.dump"), "x");
    var endpoints =
        Map.of(
            "p", pg("jdbc:postgresql://primary-alias.example:" + port + "/bkalias"),
            "b", pg("jdbc:postgresql://127.0.0.1:" + port + "/bkalias"),
            "b2", pg("jdbc:postgresql://127.0.0.1:" + port + "/bkalias_b"));
    java.util.function.Function<String, java.sql.Connection> open =
        e -> {
          try {
            return java.sql.DriverManager.getConnection(
                io.integrityauditor.TestDatabases.pgUrl(
                    port, e.equals("b2") ? "bkalias_b" : "bkalias"),
                "postgres",
                "");
          } catch (java.sql.SQLException x) {
            throw new IllegalStateException(x);
          }
        };
    BackupInspector inspector =
        new BackupInspector(endpoints, Set.of("p"), open, s -> s, Clock.systemUTC());
    var st =
        inspector.inspect(
            new BackupConfig("b", "SELECT now()", null, "touch " + marker, dir + "/*.dump"), true);
    assertThat(st.findings())
        .containsExactly(
            new BackupFinding(
                BackupFinding.Kind.RESTORE_FAILED,
                "restore refused: endpoint 'b' is the same server and database as 'p', a primary"
                    + " or replica (asked both)"));
    assertThat(Files.exists(marker)).isFalse();
    // another database of that server is restored into
    var other =
        inspector.inspect(
            new BackupConfig("b2", "SELECT now()", null, "touch " + marker, dir + "/*.dump"), true);
    assertThat(other.restore()).isNotNull();
    assertThat(Files.exists(marker)).isTrue();
  }

  /**
   * A backup endpoint that cannot be asked which server it is (its login fails) but whose host
   * resolves to the primary's address, on its port and database, is not restored into: the restore
   * command authenticates on its own and would reach the primary. Regression (review 2 of session
   * 22): the drill ran (an {@code echo} in the review; {@code pg_restore --clean} in production).
   */
  @Test
  void anEndpointThatCannotBeAskedIsRefusedWhenItResolvesToALiveOne(@TempDir Path dir)
      throws Exception {
    Path marker = dir.resolve("restored");
    Files.writeString(dir.resolve("a.dump"), "x");
    var endpoints =
        Map.of(
            "p", pg("jdbc:postgresql://127.0.0.1:5432/app"),
            "b", pg("jdbc:postgresql://db-alias.example:5432/app"),
            "b2", pg("jdbc:postgresql://restore-host.example:5432/app"));
    BackupInspector inspector =
        new BackupInspector(
                endpoints,
                Set.of("p"),
                e -> {
                  throw new IllegalStateException("FATAL: password authentication failed");
                },
                s -> s,
                Clock.systemUTC())
            .resolvingWith(
                host -> {
                  try {
                    return java.util.List.of(
                        java.net.InetAddress.getByName(
                            host.equals("restore-host.example") ? "10.9.8.7" : "127.0.0.1"));
                  } catch (java.net.UnknownHostException x) {
                    throw new IllegalStateException(x);
                  }
                });
    var st =
        inspector.inspect(
            new BackupConfig("b", null, null, "touch " + marker, dir + "/*.dump"), true);
    assertThat(st.findings())
        .containsExactly(
            new BackupFinding(
                BackupFinding.Kind.RESTORE_FAILED,
                "restore refused: endpoint 'b' could not be asked which server it is, and its host"
                    + " resolves to an address of 'p' (same port and database), a primary or"
                    + " replica"));
    assertThat(Files.exists(marker)).isFalse();
    // a host of another address is restored into as configured
    var other =
        inspector.inspect(
            new BackupConfig("b2", null, null, "touch " + marker, dir + "/*.dump"), true);
    assertThat(other.restore()).isNotNull();
    assertThat(Files.exists(marker)).isTrue();
  }

  @Test
  void passwordsNeverReachTheReport(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.dump"), "x");
    var endpoints = Map.of("b", pg("jdbc:postgresql://restore/app_restored"));
    BackupInspector inspector =
        new BackupInspector(
            endpoints,
            Set.of(),
            e -> {
              throw new IllegalStateException("down");
            },
            s -> s == null ? null : s.replace("s3cret-pw", "***"),
            Clock.systemUTC());
    var st =
        inspector.inspect(
            new BackupConfig(
                "b", null, null, "echo \"pw=$PGPASSWORD\" {user}; exit 2", dir + "/*.dump"),
            true);
    assertThat(st.restore().outputTail()).isEqualTo("pw=*** auditor\n");
    assertThat(st.findings().get(0).message()).contains("pw=***").doesNotContain("s3cret");
  }

  /**
   * A backup timed by its newest file refuses a file time in the future, as it refuses such an
   * asOf. Regression (review of session 19): a dump touched 3 hours ahead became the backup's time,
   * and a row updated after the dump was reported CHANGED instead of written after the backup.
   */
  @Test
  void aFileTimeInTheFutureIsNoBackupTime(@TempDir Path dir) throws Exception {
    java.time.Instant now = java.time.Instant.parse("2026-12-05T12:00:00Z");
    Path dump = dir.resolve("a.dump");
    Files.writeString(dump, "x");
    var endpoints = Map.of("b", pg("jdbc:postgresql://restore/app_restored"));
    BackupInspector inspector =
        new BackupInspector(
            endpoints,
            Set.of(),
            e -> {
              throw new AssertionError("no session may be opened");
            },
            s -> s,
            Clock.fixed(now, java.time.ZoneOffset.UTC));
    BackupConfig b = new BackupConfig("b", null, null, null, dir + "/*.dump");

    Files.setLastModifiedTime(
        dump, java.nio.file.attribute.FileTime.from(now.plus(java.time.Duration.ofHours(3))));
    var ahead = inspector.inspect(b, true);
    assertThat(ahead.asOf()).isNull();
    assertThat(ahead.comparable()).isFalse();
    assertThat(ahead.findings())
        .containsExactly(
            new BackupFinding(
                BackupFinding.Kind.ASOF_FAILED,
                "the newest file "
                    + dump
                    + " was modified at 2026-12-05T15:00:00Z, in the future (a clock mistake?):"
                    + " not compared"));

    // within the skew allowed to clocks (5 minutes): the file's time
    Files.setLastModifiedTime(
        dump, java.nio.file.attribute.FileTime.from(now.plus(java.time.Duration.ofMinutes(2))));
    var close = inspector.inspect(b, true);
    assertThat(close.asOf()).isEqualTo(now.plus(java.time.Duration.ofMinutes(2)));
    assertThat(close.comparable()).isTrue();
  }
}
