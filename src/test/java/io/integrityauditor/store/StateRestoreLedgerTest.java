package io.integrityauditor.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.backup.BackupInspector;
import io.integrityauditor.backup.RestoreLedger;
import io.integrityauditor.backup.RestoreWhenNewFileTest;
import io.integrityauditor.config.BackupConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restores drills completed, kept in the state database (H2 and PostgreSQL). Before, the memory
 * of {@code restoreWhen: newFile} was the process's: a restarted service (and each clustered
 * instance) restored the same multi-GB dump once more, and a run resumed after a crash repeated the
 * drill it had completed before it, whatever {@code restoreWhen}.
 */
class StateRestoreLedgerTest {
  /** One process's inspector for one run: a new ledger object over the same state database. */
  static BackupInspector inspector(StateStore store, String run) {
    return new BackupInspector(
            Map.of("b", RestoreWhenNewFileTest.B),
            Set.of(),
            e -> {
              throw new AssertionError("no session: the backup's time comes from its file");
            },
            s -> s,
            Clock.systemUTC(),
            new StateRestoreLedger(store))
        .forRun(run);
  }

  @Test
  void onH2(@TempDir Path dir) throws Exception {
    StateStore store = StateStoreTest.h2();
    try {
      store.migrate();
      restoresAreRememberedAcrossProcesses(store, dir);
    } finally {
      store.close();
    }
  }

  @Test
  void onPostgres(@TempDir Path dir) throws Exception {
    TestDatabases.recreatePgDatabase(TestDatabases.PG_PRIMARY_PORT, "ledger_state");
    StateStore store =
        new StateStore(
            StateStoreTest.config(
                TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "ledger_state")));
    try {
      store.migrate();
      restoresAreRememberedAcrossProcesses(store, dir);
    } finally {
      store.close();
    }
  }

  void restoresAreRememberedAcrossProcesses(StateStore store, Path dir) throws Exception {
    Path marker = dir.resolve("drills.log");
    Path dump = dir.resolve("2026-11-24.dump");
    Files.writeString(dump, "dump one");
    // nanoseconds: the file's time must come back from the state database exactly
    Files.setLastModifiedTime(dump, FileTime.from(Instant.parse("2026-11-24T03:00:00.123456789Z")));
    BackupConfig newFile =
        RestoreWhenNewFileTest.backup(dir, "newFile", "echo {newest} >> " + marker);

    assertThat(inspector(store, "run-1").inspect(newFile, true).restore()).isNotNull();
    assertThat(RestoreWhenNewFileTest.drills(marker)).isEqualTo(1);
    // A restarted service: skipped, the dump has not changed.
    BackupInspector.State again = inspector(store, "run-2").inspect(newFile, true);
    assertThat(again.restore()).isNull();
    assertThat(again.restoreSkipped())
        .startsWith("restoreWhen newFile: " + dump + " was restored at ")
        .endsWith(" and has not changed");
    assertThat(RestoreWhenNewFileTest.drills(marker)).isEqualTo(1);
    // Another restore command (or endpoint URL) restores into something else: again.
    BackupConfig otherCommand =
        RestoreWhenNewFileTest.backup(dir, "newFile", "echo {newest} >> " + marker + "; true");
    assertThat(inspector(store, "run-3").inspect(otherCommand, true).restore()).isNotNull();
    assertThat(RestoreWhenNewFileTest.drills(marker)).isEqualTo(2);
    // The file rewritten with the same size, one nanosecond later: a new file.
    Files.writeString(dump, "dump two");
    Files.setLastModifiedTime(dump, FileTime.from(Instant.parse("2026-11-24T03:00:00.12345679Z")));
    assertThat(inspector(store, "run-4").inspect(otherCommand, true).restore()).isNotNull();
    assertThat(inspector(store, "run-5").inspect(otherCommand, true).restore()).isNull();
    assertThat(RestoreWhenNewFileTest.drills(marker)).isEqualTo(3);

    // restoreWhen always: a run resumed after its process died does not repeat its own drill.
    BackupConfig always = RestoreWhenNewFileTest.backup(dir, null, "echo {newest} >> " + marker);
    assertThat(inspector(store, "run-6").inspect(always, true).restore()).isNotNull();
    BackupInspector.State resumed = inspector(store, "run-6").inspect(always, true);
    assertThat(resumed.restore()).isNull();
    assertThat(resumed.restoreSkipped())
        .startsWith("this run restored " + dump + " at ")
        .endsWith(" before it was interrupted; not restored again");
    assertThat(resumed.comparable()).isTrue();
    assertThat(RestoreWhenNewFileTest.drills(marker)).isEqualTo(4);
    // Any other run restores; and once another run's drill has overwritten the endpoint, the
    // resumed run restores again too.
    assertThat(inspector(store, "run-7").inspect(always, true).restore()).isNotNull();
    assertThat(inspector(store, "run-6").inspect(always, true).restore()).isNotNull();
    assertThat(RestoreWhenNewFileTest.drills(marker)).isEqualTo(6);

    // A drill forgets the previous restore before it starts: a crash during the drill leaves no
    // claim that the endpoint holds a complete restore.
    RestoreLedger ledger = new StateRestoreLedger(store);
    assertThat(ledger.get("b")).isNotNull();
    AtomicReference<Object> during = new AtomicReference<>("not called");
    inspector(store, "run-8")
        .inspect(
            always,
            true,
            running -> {
              if (running) {
                during.set(ledger.get("b"));
              }
            },
            () -> false);
    assertThat(during.get()).isNull();
    assertThat(ledger.get("b").runId()).isEqualTo("run-8");
    assertThat(ledger.get("b").modified())
        .isEqualTo(Instant.parse("2026-11-24T03:00:00.12345679Z"));
    // A failed drill leaves no record either: the resumed run restores again.
    BackupConfig failing = RestoreWhenNewFileTest.backup(dir, null, "exit 3");
    assertThat(inspector(store, "run-9").inspect(failing, true).findings()).hasSize(1);
    assertThat(ledger.get("b")).isNull();
  }
}
