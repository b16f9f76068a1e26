package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit command's arguments against a configuration of several datasets, and an unset {@code
 * ${VAR}} (review of session 17's contracts).
 */
class CommandArgumentsTest {
  @TempDir Path dir;

  /**
   * {@code --table} or {@code --user} without {@code --dataset}: every dataset the table or user
   * can be in is audited and reported. Regression: the datasets before the first that did not fit
   * were audited and their reports thrown away — exit 2, nothing on stdout, and for {@code --user
   * abc} the first dataset's own failure never shown.
   */
  @Test
  void aTableOrUserOfOneDatasetAuditsThatDatasetAlone() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"cmdargs_p", "cmdargs_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE contacts (id int PRIMARY KEY, user_id bigint NOT NULL, v text)",
          "INSERT INTO contacts SELECT g, g % 10, 'v' FROM generate_series(1, 100) g",
          "CREATE TABLE todos (id int PRIMARY KEY, v text)",
          "INSERT INTO todos SELECT g, 'v' FROM generate_series(1, 100) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "cmdargs_c"), "DELETE FROM contacts WHERE id = 7");
    String yaml =
        "endpoints:\n"
            + "  p: { url: \""
            + TestDatabases.pgUrl(port, "cmdargs_p")
            + "\", user: postgres }\n"
            + "  c: { url: \""
            + TestDatabases.pgUrl(port, "cmdargs_c")
            + "\", user: postgres }\n"
            + "datasets:\n"
            + "  users:\n"
            + "    primary: p\n"
            + "    replicas: [c]\n"
            + "    tables: [ { name: contacts, key: [id], owner: user_id } ]\n"
            + "  clean:\n"
            + "    primary: p\n"
            + "    replicas: [c]\n"
            + "    tables: [ { name: todos, key: [id] } ]\n";
    MainProcess.Run table =
        MainProcess.run(dir, "audit", yaml, Map.of(), List.of("--table", "contacts", "--json"));
    assertThat(table.code()).as(table.err()).isEqualTo(1);
    assertThat(table.out()).contains("\"dataset\" : \"users\"").contains("\"id\" : 7");
    assertThat(table.out()).doesNotContain("\"dataset\" : \"clean\"");

    MainProcess.Run user =
        MainProcess.run(dir, "audit", yaml, Map.of(), List.of("--user", "7", "--json"));
    assertThat(user.code()).as(user.err()).isEqualTo(1);
    assertThat(user.out()).contains("\"usersAtRisk\" : 1");

    MainProcess.Run abc = MainProcess.run(dir, "audit", yaml, Map.of(), List.of("--user", "abc"));
    assertThat(abc.code()).isEqualTo(2);
    assertThat(abc.out())
        .contains("user 'abc' is not a value of the owner column user_id (bigint)");

    MainProcess.Run none =
        MainProcess.run(dir, "audit", yaml, Map.of(), List.of("--table", "nosuch"));
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("error: unknown table 'nosuch' in dataset");
  }

  /**
   * An unset {@code ${VAR}} is one message naming its line, alike on check, audit and server.
   * Regression: commons-text's "Cannot resolve variable ... (enableSubstitutionInVariables=false)"
   * on check, the exception's class before it on audit, and a stack trace on server.
   */
  @Test
  void anUnsetVariableIsOneMessageNamingItsLine() throws Exception {
    String yaml =
        "endpoints:\n"
            + "  p: { url: \"jdbc:postgresql://127.0.0.1:5441/app\", user: postgres }\n"
            + "  mc: { url: \"jdbc:mariadb://127.0.0.1:3341/app\", password: \"${IA_NOPE_UNSET}\" }\n"
            + "datasets:\n"
            + "  d: { primary: p, replicas: [mc], tables: [ { name: t, key: [id] } ] }\n";
    for (String command : List.of("check", "audit", "server")) {
      MainProcess.Run r = MainProcess.run(dir, command, yaml, Map.of());
      assertThat(r.code()).as(command).isEqualTo(2);
      assertThat(r.err())
          .as(command)
          .contains("environment variable IA_NOPE_UNSET is not set")
          .contains("line 3: mc: {")
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
    }
  }
}
