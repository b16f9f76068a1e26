package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration file that cannot be read prints where and why, never a secret substituted into it
 * from the environment, by {@code audit}, {@code check} and {@code server} alike. Regression: a
 * missing comma after {@code password: "${C_PASSWORD}"} printed SnakeYAML's snippet {@code ...
 * password: "EnvSecret_Zq7" user: rev2_auditor }} (three times by {@code server}), and {@code
 * P_PASSWORD='Yaml"Secret_1'}, whose own quote breaks the line, printed {@code password:
 * "Yaml"Secret_1"}. Runs the application's main in a JVM of its own (CheckCommandTest); no database
 * is touched.
 */
class ConfigErrorSecretsTest {
  @TempDir Path dir;

  MainProcess.Run run(String command, String yaml, Map<String, String> env) throws Exception {
    return MainProcess.run(dir, command, yaml, env);
  }

  static final String DATASET =
      "datasets:\n"
          + "  ds: { primary: p, replicas: [c], tables: [ { name: t, key: [id], owner: user_id } ] }\n";

  static final String MISSING_COMMA =
      "endpoints:\n"
          + "  p: { url: \"jdbc:mariadb://127.0.0.1:3341/rev2_a\", user: rev2_auditor }\n"
          + "  c: { url: \"jdbc:mariadb://127.0.0.1:3342/rev2_a\", password: \"${C_PASSWORD}\""
          + " user: rev2_auditor }   # missing comma\n"
          + DATASET;

  static final String QUOTE_IN_SECRET =
      "endpoints:\n"
          + "  p: { url: \"jdbc:mariadb://127.0.0.1:3341/rev2_a\", password: \"${P_PASSWORD}\" }\n"
          + "  c: { url: \"jdbc:mariadb://127.0.0.1:3342/rev2_a\" }\n"
          + DATASET;

  @Test
  void aSyntaxErrorNeverPrintsASubstitutedSecret() throws Exception {
    for (String command : List.of("check", "audit", "server")) {
      MainProcess.Run r = run(command, MISSING_COMMA, Map.of("C_PASSWORD", "EnvSecret_Zq7"));
      assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).as(command).contains("Malformed YAML at line: 3");
      assertThat(r.out() + r.err()).as(command).doesNotContain("EnvSecret_Zq7");

      r = run(command, QUOTE_IN_SECRET, Map.of("P_PASSWORD", "Yaml\"Secret_1"));
      assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).as(command).contains("Malformed YAML at line: 2");
      assertThat(r.out() + r.err()).as(command).doesNotContain("Secret_1");
    }
  }

  /** SnakeYAML's snippet is a window of the line: a long secret cut at its edge is redacted too. */
  @Test
  void aSecretCutByTheSnippetsWindowIsRedacted() throws Exception {
    String secret = "Lo0ng-Secret-that-the-snippet-window-cuts-9876543210";
    MainProcess.Run r = run("check", MISSING_COMMA, Map.of("C_PASSWORD", secret));
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("Malformed YAML at line: 3").contains(" ... ");
    assertThat(r.out() + r.err()).doesNotContain("9876543210").doesNotContain("window-cuts");
  }

  /**
   * A password written in the file itself (not through {@code ${VAR}}) on the malformed line.
   * Regression: SnakeYAML's snippet printed it ({@code ... password: LiteralSecret42 ]} and {@code
   * password: "Literal Secret 42}) on {@code check}, {@code audit} and {@code server}.
   */
  @Test
  void aSyntaxErrorNeverPrintsAPasswordWrittenInTheFile() throws Exception {
    String flow =
        "endpoints:\n"
            + "  p: { url: \"jdbc:postgresql://127.0.0.1:5441/app?password=UrlSecret77\","
            + " user: postgres, password: LiteralSecret42 ]\n"
            + DATASET;
    String unclosed =
        "endpoints:\n"
            + "  p:\n"
            + "    url: jdbc:postgresql://127.0.0.1:5441/app\n"
            + "    password: \"Literal Secret 42\n"
            + "    user: postgres\n";
    String token =
        "auth:\n" + "  tokens:\n" + "    - { name: bot, role: admin, token: TokenSecret_8812 ]\n";
    for (String command : List.of("check", "audit", "server")) {
      MainProcess.Run r = run(command, flow, Map.of());
      assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(2);
      assertThat(r.err())
          .as(command)
          .contains("Malformed YAML at line: 2")
          .contains("password: ***");
      assertThat(r.out() + r.err())
          .as(command)
          .doesNotContain("LiteralSecret42")
          .doesNotContain("UrlSecret77");
      r = run(command, unclosed, Map.of());
      assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).as(command).contains("Malformed YAML at line: 4");
      assertThat(r.out() + r.err()).as(command).doesNotContain("Literal Secret 42");
      r = run(command, token, Map.of());
      assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).as(command).contains("Malformed YAML at line: 3");
      assertThat(r.out() + r.err()).as(command).doesNotContain("TokenSecret_8812");
    }
  }
}
