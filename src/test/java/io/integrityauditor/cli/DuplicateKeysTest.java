package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key written twice in one mapping is refused by {@code check}, {@code audit} and {@code server}
 * (exit 2, naming the key and its line) before anything connects. Regression: with two endpoints
 * {@code c} (rev2_b, the copy with differences, then rev2_a) and two datasets {@code ds} (tables
 * {@code t}, then {@code big}), the last of each silently won: {@code check} said "Configuration is
 * OK" and the audit compared rev2_a's table {@code big} only, exit 0, CONSISTENT. Runs the
 * application's main in a JVM of its own (CheckCommandTest); nothing listens on the ports.
 */
class DuplicateKeysTest {
  @TempDir Path dir;

  MainProcess.Run run(String command, String yaml) throws Exception {
    return MainProcess.run(dir, command, yaml, java.util.Map.of());
  }

  static final String P =
      "  p: { url: \"jdbc:mariadb://127.0.0.1:1/rev2_a\", user: rev2_auditor, password: \"MyS3cretPw_Q9\" }\n";

  static final String TWO_ENDPOINTS_C =
      "endpoints:\n"
          + P
          + "  c: { url: \"jdbc:mariadb://127.0.0.1:1/rev2_b\", user: rev2_auditor }\n"
          + "  c: { url: \"jdbc:mariadb://127.0.0.1:1/rev2_a\", user: rev2_auditor }\n"
          + "datasets:\n"
          + "  ds: { primary: p, replicas: [c], tables: [ { name: t, key: [id] } ] }\n";

  static final String TWO_DATASETS_DS =
      "endpoints:\n"
          + P
          + "  c: { url: \"jdbc:mariadb://127.0.0.1:1/rev2_b\", user: rev2_auditor }\n"
          + "datasets:\n"
          + "  ds: { primary: p, replicas: [c], tables: [ { name: t, key: [id] } ] }\n"
          + "  ds: { primary: p, replicas: [c], tables: [ { name: big, key: [id] } ] }\n";

  @Test
  void aKeyWrittenTwiceIsRefusedByEveryCommand() throws Exception {
    for (String command : List.of("check", "audit", "server")) {
      MainProcess.Run r = run(command, TWO_ENDPOINTS_C);
      assertThat(r.code()).as(command + ": " + r.out() + r.err()).isEqualTo(2);
      assertThat(r.err()).as(command).contains("line: 4").contains("Duplicate field 'c'");
      assertThat(r.out() + r.err()).as(command).doesNotContain("Configuration is OK");

      r = run(command, TWO_DATASETS_DS);
      assertThat(r.code()).as(command + ": " + r.out() + r.err()).isEqualTo(2);
      assertThat(r.err()).as(command).contains("line: 6").contains("Duplicate field 'ds'");
    }
  }
}
