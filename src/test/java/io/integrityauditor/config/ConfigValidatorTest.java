package io.integrityauditor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValidatorTest {
  private static final EndpointConfig E =
      new EndpointConfig("jdbc:postgresql://db/app", "a", null, null);
  private static final TableConfig T =
      new TableConfig("public.contacts", List.of("id"), null, null, null);

  @Test
  void namesTheFieldOfAnUnknownEndpoint() {
    var ds = new DatasetConfig("p", List.of("replica-9"), List.of(), null, List.of(T));
    assertThat(ConfigValidator.problems(Map.of("p", E), Map.of("users", ds)))
        .containsExactly("datasets.users.replicas[0]: unknown endpoint 'replica-9' (known: p)");
  }

  @Test
  void refusesADatasetWithNothingToCompare() {
    var ds = new DatasetConfig("p", List.of(), List.of(), null, List.of(T));
    assertThat(ConfigValidator.problems(Map.of("p", E), Map.of("users", ds)))
        .containsExactly(
            "datasets.users: no replicas and no backups: there is nothing to compare the primary with");
  }

  @Test
  void refusesAnEndpointUsedTwiceAndANonJdbcUrl() {
    var bad = new EndpointConfig("postgres://db/app", null, null, null);
    var ds = new DatasetConfig("p", List.of("p"), List.of(), null, List.of(T));
    assertThat(ConfigValidator.problems(Map.of("p", bad), Map.of("users", ds)))
        .containsExactlyInAnyOrder(
            "endpoints.p.url: must be a JDBC URL (jdbc:...)",
            "datasets.users.replicas[0]: endpoint 'p' is used twice in this dataset");
  }

  @Test
  void refusesServiceTimingsThatWouldTakeOverLiveRuns() {
    ServiceSettings bad =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .convertValue(
                Map.of(
                    "heartbeatInterval", "10s",
                    "heartbeatTimeout", "15s",
                    "stuckAfter", "5s",
                    "checkpointInterval", "0s"),
                ServiceSettings.class);
    assertThat(ConfigValidator.serviceProblems(Map.of(), bad))
        .containsExactly(
            "service.heartbeatTimeout: must be at least twice heartbeatInterval (10 seconds)",
            "service.stuckAfter: must be at least twice heartbeatInterval (10 seconds)",
            "service.checkpointInterval: must be at least 1s");
    assertThat(ConfigValidator.serviceProblems(Map.of(), new ServiceSettings())).isEmpty();
  }

  /**
   * A backup without maxAge is never STALE: warned, naming the field (review 4 of session 21: the
   * README did not say so, and nothing told).
   */
  @Test
  void warnsOfABackupWithoutMaxAge() {
    var ds =
        new DatasetConfig(
            "p",
            List.of(),
            List.of(
                new BackupConfig(
                    "b1", "SELECT now()", io.dropwizard.util.Duration.hours(26), null, null),
                new BackupConfig("b2", "SELECT now()", null, null, null)),
            null,
            List.of(T));
    assertThat(ConfigValidator.warnings(Map.of("users", ds)))
        .containsExactly(
            "datasets.users.backups[1].maxAge: not set: this backup is never STALE (its age is not"
                + " checked)");
  }

  /** Regression (review 7 of session 21): a token no HTTP header can carry passed check. */
  @Test
  void refusesATokenNoHeaderCanCarry() throws Exception {
    io.integrityauditor.IntegrityAuditorConfiguration config =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .convertValue(
                Map.of(
                    "auth",
                    Map.of(
                        "tokens",
                        List.of(
                            Map.of("name", "a", "role", "viewer", "token", "tök€n-12345"),
                            Map.of("name", "b", "role", "admin", "token", "with space-123"),
                            Map.of("name", "c", "role", "admin", "token", "Ok_token-9~+/=")))),
                io.integrityauditor.IntegrityAuditorConfiguration.class);
    assertThat(ConfigValidator.allProblems(config))
        .contains(
            "auth.tokens[0].token: must be printable ASCII characters without spaces (a header"
                + " value)",
            "auth.tokens[1].token: must be printable ASCII characters without spaces (a header"
                + " value)")
        .noneMatch(p -> p.startsWith("auth.tokens[2]"));
  }

  /**
   * Regression (review 4 of session 21): {@code watchdogInterval: 0s} passed {@code check} and
   * {@code audit}, and {@code server} then failed at start with an IllegalArgumentException that
   * named no field; the other intervals of 0 were accepted too.
   */
  @Test
  void refusesIntervalsOfZero() throws Exception {
    ServiceSettings bad =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .convertValue(
                Map.of(
                    "watchdogInterval", "0s",
                    "clusterCheckinInterval", "0s",
                    "retention", "0s"),
                ServiceSettings.class);
    assertThat(ConfigValidator.serviceProblems(Map.of(), bad))
        .containsExactly(
            "service.watchdogInterval: must be at least 100ms",
            "service.clusterCheckinInterval: must be at least 100ms",
            "service.retention: must be at least 1h");
    io.integrityauditor.IntegrityAuditorConfiguration config =
        new io.integrityauditor.IntegrityAuditorConfiguration();
    java.lang.reflect.Field target = AuditSettings.class.getDeclaredField("chunkTarget");
    target.setAccessible(true);
    target.set(config.getAudit(), io.dropwizard.util.Duration.milliseconds(0));
    assertThat(ConfigValidator.allProblems(config))
        .contains("audit.chunkTarget: must be above 0 (the time one chunk's digest should take)");
  }

  /**
   * A backup restored into the state database would overwrite the auditor's own history. Regression
   * (review 2 of session 22): check accepted it.
   */
  @Test
  void refusesABackupRestoredIntoTheStateDatabase() throws Exception {
    String url = "jdbc:postgresql://state-db:5432/auditor";
    io.integrityauditor.IntegrityAuditorConfiguration config =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .convertValue(
                Map.of(
                    "stateDatabase",
                    Map.of("url", url),
                    "endpoints",
                    Map.of(
                        "p", Map.of("url", "jdbc:postgresql://db:5432/app"),
                        "r", Map.of("url", "jdbc:postgresql://db2:5432/app"),
                        "b", Map.of("url", "jdbc:postgresql://state-db/auditor")),
                    "datasets",
                    Map.of(
                        "users",
                        Map.of(
                            "primary", "p",
                            "replicas", List.of("r"),
                            "backups",
                                List.of(
                                    Map.of(
                                        "endpoint", "b",
                                        "asOf", "SELECT now()",
                                        "restoreCommand", "pg_restore -d {database} x.dump")),
                            "tables", List.of(Map.of("name", "t"))))),
                io.integrityauditor.IntegrityAuditorConfiguration.class);
    assertThat(ConfigValidator.allProblems(config))
        .contains(
            "datasets.users.backups[0].endpoint: endpoint 'b' is the same database as"
                + " stateDatabase.url: a backup must be restored into a database of its own");
  }

  private static EndpointConfig at(String url, String user) {
    return new EndpointConfig(url, user, null, null);
  }

  /**
   * A replica that is the primary's own database under another endpoint name is refused, like a
   * name used twice. Regression: {@code p} and {@code c} both {@code
   * jdbc:postgresql://127.0.0.1:5441/rev2_b} (and the same with MariaDB) audited CONSISTENT, the
   * primary compared with itself.
   */
  @Test
  void refusesAReplicaThatIsThePrimarysOwnDatabase() {
    var ds = new DatasetConfig("p", List.of("c"), List.of(), null, List.of(T));
    String same = "jdbc:postgresql://127.0.0.1:5441/rev2_b";
    assertThat(
            ConfigValidator.problems(
                Map.of("p", at(same, "rev2_auditor"), "c", at(same, "rev2_auditor")),
                Map.of("ds", ds)))
        .containsExactly(
            "datasets.ds.replicas[0]: endpoint 'c' is the same database as the primary 'p':"
                + " a copy compared with itself proves nothing");
    // one server, written two ways
    assertThat(
            ConfigValidator.problems(
                Map.of(
                    "p", at("jdbc:mariadb://127.0.0.1:3341/rev2_a", "rev2_auditor"),
                    "c", at("jdbc:mariadb://localhost:3341/rev2_a?user=rev2_auditor", null)),
                Map.of("ds", ds)))
        .containsExactly(
            "datasets.ds.replicas[0]: endpoint 'c' is the same database as the primary 'p':"
                + " a copy compared with itself proves nothing");
  }

  @Test
  void refusesTwoReplicasThatAreOneDatabase() {
    var ds = new DatasetConfig("p", List.of("c", "d"), List.of(), null, List.of(T));
    assertThat(
            ConfigValidator.problems(
                Map.of(
                    "p", at("jdbc:postgresql://127.0.0.1:5441/rev2_a", "a"),
                    "c", at("jdbc:postgresql://127.0.0.1:5442/rev2_a", "a"),
                    "d", at("jdbc:postgresql://localhost:5442/rev2_a?sslmode=disable", "b")),
                Map.of("ds", ds)))
        .containsExactly(
            "datasets.ds.replicas[1]: endpoint 'd' is the same database as replicas[0] 'c':"
                + " a copy compared with itself proves nothing");
  }

  /** What may be another database is not refused: only a backup is refused on a doubt. */
  @Test
  void acceptsReplicasThatMayBeOtherDatabases() {
    var ds = new DatasetConfig("p", List.of("c", "s", "u"), List.of(), null, List.of(T));
    assertThat(
            ConfigValidator.problems(
                Map.of(
                    // a failover list naming the standby too, audited on its own
                    "p", at("jdbc:postgresql://10.0.0.1:5432,10.0.0.2:5432/app", "a"),
                    // another database of the same server
                    "c", at("jdbc:postgresql://10.0.0.1:5432/app_copy", "a"),
                    "s", at("jdbc:postgresql://10.0.0.2:5432/app", "a"),
                    // no database: the user's own, and the users differ
                    "u", at("jdbc:postgresql://10.0.0.9:5432/", "b")),
                Map.of("ds", ds)))
        .isEmpty();
    var local = new DatasetConfig("p", List.of("c"), List.of(), null, List.of(T));
    assertThat(
            ConfigValidator.problems(
                Map.of(
                    "p", at("jdbc:postgresql://10.0.0.9:5432/", "a"),
                    "c", at("jdbc:postgresql://10.0.0.9:5432/", "b")),
                Map.of("ds", local)))
        .isEmpty();
  }
}
