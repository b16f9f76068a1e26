package io.integrityauditor.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.config.StateDatabaseConfig;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.RunDao;
import io.integrityauditor.store.StateStore;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Which run makes a late scheduled fire redundant (AuditRunner#scheduled), and how the clustered
 * job store counts late fires.
 */
class LateFireSkipTest {
  /**
   * Only a run of the whole dataset that started after the fire was due. Regression (review 4 of
   * session 23): a queued API run counted; cancelled before it started, it left the fire skipped
   * and the dataset unaudited until the next fire (a day, with a daily schedule).
   */
  @Test
  void onlyAStartedWholeDatasetRunMakesALateFireRedundant() throws Exception {
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, "jdbc:h2:file:" + Files.createTempDirectory("ia-late").resolve("state"));
    StateStore store = new StateStore(c);
    try {
      store.migrate();
      RunDao dao = store.runs();
      Instant due = Instant.parse("2026-12-01T03:00:00Z");
      dao.insert(
          AuditRun.queued("api", "users", null, null, "API", "dba", null, due.plusSeconds(60)));
      assertThat(dao.wholeRunSince("users", due)).as("queued only").isEmpty();
      dao.cancelQueued("api", "dba", due.plusSeconds(90));
      assertThat(dao.wholeRunSince("users", due)).as("cancelled").isEmpty();

      dao.insert(
          AuditRun.queued("user", "users", null, "7", "API", "dba", null, due.plusSeconds(100)));
      dao.claim("user", "a", due.plusSeconds(100));
      assertThat(dao.wholeRunSince("users", due)).as("one user's").isEmpty();

      dao.insert(
          AuditRun.queued("before", "users", null, null, "API", "dba", null, due.minusSeconds(10)));
      dao.claim("before", "a", due.minusSeconds(5));
      assertThat(dao.wholeRunSince("users", due)).as("started before it was due").isEmpty();

      dao.insert(
          AuditRun.queued("whole", "users", null, null, "API", "dba", null, due.plusSeconds(120)));
      dao.claim("whole", "a", due.plusSeconds(130));
      assertThat(dao.wholeRunSince("users", due)).contains("whole");
      assertThat(dao.wholeRunSince("other", due)).isEmpty();
    } finally {
      store.close();
    }
  }

  /**
   * The clustered store counts a fire as missed an hour after it was due, and looks for missed
   * fires every minute. Regression (review 4 of session 23): Quartz sleeps its misfire threshold
   * between scans, so with the threshold at an hour a fire over an hour late waited up to another
   * hour with every thread idle (13 minutes observed).
   */
  @Test
  void theClusteredStoreScansEveryMinuteAndCountsAFireMissedAfterAnHour() {
    LateFiresJobStore store = new LateFiresJobStore();
    assertThat(store.getMisfireThreshold()).isEqualTo(60_000);
    long expected = System.currentTimeMillis() - 3_600_000;
    assertThat(store.getMisfireTime()).isBetween(expected - 1_000, expected + 1_000);
  }
}
