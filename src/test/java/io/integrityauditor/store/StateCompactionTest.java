package io.integrityauditor.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.config.StateDatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The embedded H2 state database is compacted by the service. Regression (review 7 of session 22):
 * every commit written at once (WRITE_DELAY=0) stops H2's background writer and its compaction, so
 * 110 runs of 20 datasets of 50 tables grew the file to 181 MB where 1.3 MB held its data.
 */
class StateCompactionTest {
  @Test
  void compactionShrinksAFileThatRunsHaveGrown() throws Exception {
    Path dir = Files.createTempDirectory("ia-compact");
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, "jdbc:h2:file:" + dir.resolve("state"));
    StateStore store = new StateStore(c);
    try {
      store.migrate();
      RunDao dao = store.runs();
      Instant at = Instant.parse("2026-12-01T12:00:00Z");
      for (int i = 0; i < 150; i++) {
        String id = "run-" + i;
        dao.insert(AuditRun.queued(id, "users", null, null, "API", "dba", null, at));
        dao.claim(id, "a", at);
        List<CopyResult> copies = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
          copies.add(
              new CopyResult(
                  id, "public.t" + t, "replica", "REPLICA", "CONSISTENT", 0, 0, 0, 0, 0, null));
        }
        dao.insertCopies(copies);
        dao.finish(id, "a", "CONSISTENT", at.plusSeconds(5), 10, 0, 0L, null, "{}");
      }
      dao.purgeRuns(at.plusSeconds(60)); // retention: every run deleted again
      long[] sizes = store.compact(5000);
      assertThat(sizes).isNotNull();
      assertThat(sizes[1]).as("after, bytes (before: %d)", sizes[0]).isLessThan(sizes[0] / 3);
      // the database still works
      dao.insert(AuditRun.queued("after", "users", null, null, "API", "dba", null, at));
      assertThat(dao.find("after")).isPresent();
    } finally {
      store.close();
    }
  }
}
