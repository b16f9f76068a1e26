package io.integrityauditor.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.AuditRunner;
import io.integrityauditor.audit.AuditService;
import io.integrityauditor.audit.EndpointConnector;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A run resumed by a second attempt goes on counting from the first. Regression (review 1 of
 * session 27): after a restart the progress counted only the second attempt's chunks (3 of 5 with
 * 66,000 rows checked; 20 of 20 at the end where an uninterrupted run ends at 50 of 50), and the
 * report's startedAt was the second attempt's start, not the run's.
 */
class ResumedRunProgressTest {
  @Test
  void aResumedRunCountsTheFirstAttemptsChunksAndStartsWhenTheRunStarted() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    String[] setup = {
      "CREATE TABLE t1 (id int PRIMARY KEY, owner int NOT NULL, v text)",
      "CREATE TABLE t2 (id int PRIMARY KEY, owner int NOT NULL, v text)",
      "INSERT INTO t1 SELECT g, g % 5, 'v' || g FROM generate_series(1, 1000) g",
      "INSERT INTO t2 SELECT g, g % 5, 'v' || g FROM generate_series(1, 1000) g"
    };
    for (String db : new String[] {"resume_p", "resume_c"}) {
      TestDatabases.recreatePgDatabase(pg, db);
      TestDatabases.execute(TestDatabases.pgUrl(pg, db), setup);
    }
    AuditService audits =
        new AuditService(
            Map.of(
                "d",
                new DatasetConfig(
                    "p",
                    List.of("c"),
                    List.of(),
                    null,
                    List.of(
                        new TableConfig("t1", List.of(), "owner", null, List.of()),
                        new TableConfig("t2", List.of(), "owner", null, List.of())))),
            new EndpointConnector(
                Map.of(
                    "p", TestDatabases.pgEndpoint(pg, "resume_p"),
                    "c", TestDatabases.pgEndpoint(pg, "resume_c")),
                Duration.ofSeconds(30),
                Duration.ofSeconds(5)),
            CompareSettings.defaults(),
            Clock.systemUTC(),
            Duration.ofSeconds(30));
    StateStore store = StateStoreTest.h2();
    try {
      store.migrate();
      RunDao dao = store.runs();
      AuditRunner runner =
          new AuditRunner(
              audits,
              dao,
              io.dropwizard.jackson.Jackson.newObjectMapper(),
              Clock.systemUTC(),
              "i",
              Duration.ofSeconds(1),
              Duration.ofSeconds(30));
      // r0: an uninterrupted run, whose completed t1 the interrupted r1 is given
      dao.insert(AuditRun.queued("r0", "d", null, null, "API", "test", null, Instant.now()));
      runner.execute("r0");
      TableCheckpointRow t1 =
          dao.tables("r0").stream().filter(r -> r.tableName().equals("t1")).findFirst().get();

      // r1's first attempt: started an hour ago, 40 chunks for its 1,000 rows of t1, then its
      // instance died and the watchdog queued it again
      Instant firstStart =
          Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      dao.insert(AuditRun.queued("r1", "d", null, null, "API", "test", null, firstStart));
      dao.claim("r1", "dead", firstStart);
      dao.heartbeat("r1", "dead", firstStart.plusSeconds(5), 40, 80, 1000, 5L);
      dao.insertTable(
          new TableCheckpointRow("r1", "t1", t1.finishedAt(), t1.rowsChecked(), t1.checkpoint()));
      assertThat(dao.requeueStale("r1", Instant.now())).isEqualTo(1);

      runner.execute("r1");
      AuditRun run = dao.find("r1").orElseThrow();
      assertThat(run.status()).isEqualTo("CONSISTENT");
      assertThat(run.attempts()).isEqualTo(2);
      assertThat(run.rowsChecked()).isEqualTo(2000);
      // t1's 40 chunks, and t2's (one pass: 1) of this attempt
      assertThat(run.chunksDone()).isEqualTo(41);
      assertThat(run.startedAt()).isEqualTo(firstStart);
      assertThat(
              io.dropwizard.jackson.Jackson.newObjectMapper()
                  .readTree(run.report())
                  .path("startedAt")
                  .asText())
          .isEqualTo(firstStart.toString());
    } finally {
      store.close();
    }
  }
}
