package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.TestDatabases;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An audit whose primary cannot be reached still lists every copy of every table, FAILED and saying
 * why, and does not call a backup compared. Regression: each table's {@code copies} was empty (the
 * report promises one entry per replica and backup, in config order), and the backup, whose {@code
 * asOf} query had answered, said {@code "compared": true}.
 */
class PrimaryDownReportTest {
  @TempDir Path dir;

  @Test
  void everyCopyIsListedFailedAndTheBackupIsNotCompared() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    int pg = TestDatabases.PG_PRIMARY_PORT;
    String yaml =
        "endpoints:\n"
            + "  p: { url: \"jdbc:postgresql://127.0.0.1:"
            + deadPort
            + "/app\", user: postgres }\n"
            + "  r: { url: \"jdbc:postgresql://127.0.0.1:"
            + TestDatabases.PG_STANDBY_PORT
            + "/app\", user: postgres }\n"
            + "  b: { url: \"jdbc:postgresql://127.0.0.1:"
            + pg
            + "/postgres\", user: postgres }\n"
            + "datasets:\n"
            + "  users:\n"
            + "    primary: p\n"
            + "    replicas: [r]\n"
            + "    backups: [{ endpoint: b, asOf: \"SELECT now()\" }]\n"
            + "    tables:\n"
            + "      - { name: contacts, key: [id], owner: user_id }\n"
            + "      - { name: todos, key: [id], owner: user_id }\n";
    MainProcess.Run run = MainProcess.run(dir, "audit", yaml, Map.of(), List.of("--json"));
    assertThat(run.code()).as(run.err()).isEqualTo(2);
    JsonNode r = new ObjectMapper().readTree(run.out());
    assertThat(r.get("status").asText()).isEqualTo("FAILED");
    assertThat(r.get("tables")).hasSize(2);
    for (JsonNode t : r.get("tables")) {
      assertThat(t.get("error").asText()).startsWith("primary 'p': cannot open endpoint 'p'");
      JsonNode copies = t.get("copies");
      assertThat(copies).as(t.get("table").asText()).hasSize(2);
      assertThat(copies.get(0).get("endpoint").asText()).isEqualTo("r");
      assertThat(copies.get(0).get("role").asText()).isEqualTo("REPLICA");
      assertThat(copies.get(1).get("endpoint").asText()).isEqualTo("b");
      assertThat(copies.get(1).get("role").asText()).isEqualTo("BACKUP");
      for (JsonNode c : copies) {
        assertThat(c.get("status").asText()).isEqualTo("FAILED");
        assertThat(c.get("error").asText()).isEqualTo("not compared: the primary failed");
        assertThat(c.get("findings")).isEmpty();
      }
    }
    JsonNode b = r.get("backups").get(0);
    assertThat(b.get("asOf").isTextual()).isTrue();
    assertThat(b.get("compared").asBoolean()).isFalse();
    assertThat(r.get("usersAtRiskComplete").asBoolean()).isFalse();
  }
}
