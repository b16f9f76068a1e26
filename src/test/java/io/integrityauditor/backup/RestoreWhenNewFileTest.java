package io.integrityauditor.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.ConfigValidator;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.TableConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restoreWhen: newFile}: the restore drill runs once per newest file (path, size and
 * modification time), not at every audit; a failed drill is tried again; {@code always} (the
 * default) restores every time.
 */
public class RestoreWhenNewFileTest {
  public static final EndpointConfig B =
      new EndpointConfig("jdbc:postgresql://restore-host/app_restored", "auditor", null, null);

  static BackupInspector inspector() {
    return new BackupInspector(
        Map.of("b", B),
        Set.of(),
        e -> {
          throw new AssertionError("no session: the backup's time comes from its file");
        },
        s -> s,
        Clock.systemUTC(),
        RestoreLedger.inMemory());
  }

  public static BackupConfig backup(Path dir, String when, String command) {
    return new BackupConfig("b", null, null, command, dir + "/*.dump", null, null, when);
  }

  public static long drills(Path marker) throws Exception {
    return Files.exists(marker) ? Files.readAllLines(marker).size() : 0;
  }

  @Test
  void aDrillRunsOncePerNewestFile(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("drills.log");
    Path first = dir.resolve("2026-11-24.dump");
    Files.writeString(first, "dump one");
    Files.setLastModifiedTime(first, FileTime.from(Instant.now().minusSeconds(3600)));
    BackupInspector inspector = inspector();
    BackupConfig b = backup(dir, "newFile", "echo {newest} >> " + marker);

    BackupInspector.State s1 = inspector.inspect(b, true);
    assertThat(s1.restore()).isNotNull();
    assertThat(s1.restoreSkipped()).isNull();
    assertThat(drills(marker)).isEqualTo(1);

    BackupInspector.State s2 = inspector.inspect(b, true);
    assertThat(s2.restore()).isNull();
    assertThat(s2.restoreSkipped())
        .startsWith("restoreWhen newFile: " + first + " was restored at ")
        .endsWith(" and has not changed");
    assertThat(s2.comparable()).isTrue();
    assertThat(drills(marker)).isEqualTo(1);

    // The same file rewritten (another size) is a new file.
    Files.writeString(first, "dump one, redone");
    assertThat(inspector.inspect(b, true).restore()).isNotNull();
    assertThat(drills(marker)).isEqualTo(2);

    // A newer file: restored once, then skipped again.
    Files.writeString(dir.resolve("2026-11-25.dump"), "dump two");
    assertThat(inspector.inspect(b, true).restore()).isNotNull();
    assertThat(inspector.inspect(b, true).restore()).isNull();
    assertThat(Files.readAllLines(marker))
        .containsExactly(
            first.toString(), first.toString(), dir.resolve("2026-11-25.dump").toString());

    // A partial audit (restore=false) never runs the drill either way.
    Files.writeString(dir.resolve("2026-11-26.dump"), "dump three");
    BackupInspector.State partial = inspector.inspect(b, false);
    assertThat(partial.restore()).isNull();
    // and says why (review 4 of session 21: null)
    assertThat(partial.restoreSkipped())
        .isEqualTo(
            "a partial audit (one table or one user) restores nothing: the endpoint is compared"
                + " as it is");
    assertThat(drills(marker)).isEqualTo(3);
  }

  @Test
  void aFailedDrillIsTriedAgainAndAlwaysRestoresEveryTime(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("drills.log");
    Files.writeString(dir.resolve("a.dump"), "x");
    BackupInspector inspector = inspector();
    BackupConfig failing = backup(dir, "newFile", "echo run >> " + marker + "; exit 3");
    assertThat(inspector.inspect(failing, true).findings()).hasSize(1);
    assertThat(inspector.inspect(failing, true).findings()).hasSize(1);
    assertThat(drills(marker)).isEqualTo(2);

    Path marker2 = dir.resolve("always.log");
    BackupConfig always = backup(dir, null, "echo run >> " + marker2);
    assertThat(always.restoreWhen()).isEqualTo("always");
    inspector.inspect(always, true);
    inspector.inspect(always, true);
    assertThat(drills(marker2)).isEqualTo(2);
  }

  @Test
  void aBadValueOrNewFileWithoutFilesIsRefusedNamingTheField() {
    var endpoints =
        Map.of("p", new EndpointConfig("jdbc:postgresql://db/app", null, null, null), "b", B);
    var table = new TableConfig("t", List.of("id"), null, null, null);
    var bad = new BackupConfig("b", "SELECT 1", null, "true", "/b/*.dump", null, null, "sometimes");
    var noFiles = new BackupConfig("b", "SELECT 1", null, "true", null, null, null, "newFile");
    assertThat(
            ConfigValidator.problems(
                endpoints,
                Map.of("u", new DatasetConfig("p", List.of(), List.of(bad), null, List.of(table)))))
        .containsExactly(
            "datasets.u.backups[0].restoreWhen: must be 'always' or 'newFile', not 'sometimes'");
    assertThat(
            ConfigValidator.problems(
                endpoints,
                Map.of(
                    "u",
                    new DatasetConfig("p", List.of(), List.of(noFiles), null, List.of(table)))))
        .containsExactly(
            "datasets.u.backups[0].restoreWhen: 'newFile' needs 'files' (the dump files whose"
                + " newest is restored)");
  }
}
