package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check config.yml} refuses what {@code server} refuses (README "CLI"): references between
 * sections, schedules and time zones, with the same "The configuration has errors:" message and
 * exit code 2; a good configuration is OK (exit 0). Runs the application's main in a JVM of its
 * own, as a user runs it, since exit codes are only real there. No database is touched.
 */
class CheckCommandTest {
  @TempDir Path dir;

  MainProcess.Run check(String yaml) throws Exception {
    return MainProcess.run(dir, "check", yaml, java.util.Map.of());
  }

  static String config(String datasets, String service) {
    return "endpoints:\n"
        + "  p: { url: \"jdbc:postgresql://127.0.0.1:1/app\", user: postgres }\n"
        + "  r: { url: \"jdbc:postgresql://127.0.0.1:2/app\", user: postgres }\n"
        + "  b: { url: \"jdbc:postgresql://127.0.0.1:3/restored\", user: postgres }\n"
        + "datasets:\n"
        + datasets
        + service;
  }

  static final String GOOD_DATASET =
      "  users:\n"
          + "    primary: p\n"
          + "    replicas: [r]\n"
          + "    backups: [{ endpoint: b, asOf: \"SELECT now()\" }]\n"
          + "    schedule: \"0 */15 * * * ?\"\n"
          + "    tables: [{ name: public.contacts, key: [id] }]\n";

  @Test
  void aGoodConfigurationIsOk() throws Exception {
    MainProcess.Run r = check(config(GOOD_DATASET, "service: { timeZone: Europe/Berlin }\n"));
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out() + r.err())
        .contains("Configuration is OK")
        .doesNotContain("The configuration has errors");
  }

  /**
   * Tables, keys and columns a reachable primary does not have are refused by check as by server at
   * start-up. Regression (review of session 17): check said "Configuration is OK" (exit 0) for an
   * unknown table, an unknown key column and an unknown owner column that server refused.
   */
  @Test
  void whatTheCatalogRefusesCheckRefuses() throws Exception {
    int port = io.integrityauditor.TestDatabases.PG_PRIMARY_PORT;
    io.integrityauditor.TestDatabases.recreatePgDatabase(port, "checkcat");
    io.integrityauditor.TestDatabases.execute(
        io.integrityauditor.TestDatabases.pgUrl(port, "checkcat"),
        "CREATE TABLE contacts (id int PRIMARY KEY, user_id int)");
    String url = io.integrityauditor.TestDatabases.pgUrl(port, "checkcat");
    String yaml =
        "endpoints:\n"
            + "  p: { url: \""
            + url
            + "\", user: postgres }\n"
            + "  r: { url: \"jdbc:postgresql://127.0.0.1:2/app\", user: postgres }\n"
            + "datasets:\n"
            + "  users:\n"
            + "    primary: p\n"
            + "    replicas: [r]\n"
            + "    tables:\n"
            + "      - { name: contacts, key: [id], owner: ownr }\n"
            + "      - { name: nosuch_table, key: [id] }\n";
    MainProcess.Run r = check(yaml);
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains("The configuration has errors:")
        .contains("datasets.users.tables[0]: owner: column 'ownr' does not exist")
        .contains("datasets.users.tables[1]: table 'nosuch_table' does not exist");
    assertThat(r.out() + r.err()).doesNotContain("Configuration is OK");
  }

  @Test
  void whatTheServerRefusesCheckRefusesWithTheSameMessagesAndExitCode2() throws Exception {
    MainProcess.Run r =
        check(
            config(
                "  users:\n"
                    + "    primary: p\n"
                    + "    replicas: [nope]\n"
                    + "    backups: [{ endpoint: p, asOf: \"SELECT now()\" }]\n"
                    + "    schedule: \"every 15 minutes\"\n"
                    + "    tables: [{ name: public.contacts, key: [id] }]\n",
                "service: { timeZone: Mars/Olympus_Mons }\n"));
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains("The configuration has errors:")
        .contains("  * datasets.users.replicas[0]: unknown endpoint 'nope' (known: p, r, b)")
        .contains(
            "  * datasets.users.backups[0].endpoint: endpoint 'p' is primary of dataset 'users'")
        .contains("  * datasets.users.schedule: not a Quartz cron expression ('every 15 minutes')")
        .contains("  * service.timeZone: unknown time zone 'Mars/Olympus_Mons'");
    assertThat(r.out() + r.err()).doesNotContain("Configuration is OK");
  }

  @Test
  void eachProblemAloneFailsTheCheck() throws Exception {
    String[][] cases = {
      {GOOD_DATASET.replace("replicas: [r]", "replicas: [nope]"), "", "unknown endpoint 'nope'"},
      {
        GOOD_DATASET.replace("endpoint: b,", "endpoint: p,"),
        "",
        "endpoint 'p' is primary of dataset 'users'"
      },
      {GOOD_DATASET.replace("0 */15 * * * ?", "0 */15 * * *"), "", "not a Quartz cron"},
      {GOOD_DATASET, "service: { timeZone: Nowhere/Town }\n", "unknown time zone 'Nowhere/Town'"},
    };
    for (String[] c : cases) {
      MainProcess.Run r = check(config(c[0], c[1]));
      assertThat(r.code()).as(c[2] + ": " + r.out() + r.err()).isEqualTo(2);
      assertThat(r.err()).contains("The configuration has errors:").contains(c[2]);
    }
  }

  /**
   * A value of the wrong type is named by its field, in words. Regression: the message went on with
   * Jackson's location line and reference chain ({@code at [Source: UNKNOWN; byte offset: #UNKNOWN]
   * (through reference chain: io.integrityauditor.IntegrityAuditorConfiguration["audit"] ->...)})
   * and {@code Cannot construct instance of `io.dropwizard.util.Duration`}.
   */
  @Test
  void aValueOfTheWrongTypeIsNamedByItsFieldWithoutJacksonsChain() throws Exception {
    String[][] cases = {
      {
        "audit: { statementTimeout: 5 fortnights }\n",
        "audit.statementTimeout; Invalid duration: 5 fortnights. Wrong time unit"
      },
      {"audit: { findingsCap: lots }\n", "audit.findingsCap; is of type: String, expected: int"},
    };
    for (String[] c : cases) {
      for (String command : new String[] {"check", "audit"}) {
        MainProcess.Run r =
            MainProcess.run(dir, command, config(GOOD_DATASET, c[0]), java.util.Map.of());
        assertThat(r.code()).as(command + ": " + r.out() + r.err()).isEqualTo(2);
        assertThat(r.err())
            .as(command)
            .contains(c[1])
            .doesNotContain("[Source:")
            .doesNotContain("reference chain")
            .doesNotContain("io.integrityauditor.")
            .doesNotContain("io.dropwizard.");
      }
    }
  }
}
