package io.integrityauditor.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.AuditRunner;
import io.integrityauditor.config.ServiceSettings;
import io.integrityauditor.config.StateDatabaseConfig;
import io.integrityauditor.schedule.AuditScheduler;
import io.integrityauditor.schedule.Watchdog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Migrations on H2 and PostgreSQL, guarded run transitions, and retention. */
class StateStoreTest {
  static StateDatabaseConfig config(String url) throws Exception {
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, url);
    var u = StateDatabaseConfig.class.getDeclaredField("user");
    u.setAccessible(true);
    u.set(c, "postgres");
    return c;
  }

  /** What the purge added up, "dataset result runs" per row. */
  static List<String> purgedRuns(StateStore store) {
    return store
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT dataset || ' ' || result || ' ' || runs FROM purged_run_counts")
                    .mapTo(String.class)
                    .list());
  }

  static StateStore h2() throws Exception {
    Path dir = Files.createTempDirectory("ia-state");
    return new StateStore(config("jdbc:h2:file:" + dir.resolve("state")));
  }

  /**
   * A completed table is stored whole or not at all. Regression (review 1 of session 27): its
   * checkpoint, counts and findings were separate statements, so a service killed between them left
   * a table a resumed run took for done, without its findings. A write failing after the checkpoint
   * (here a finding without its kind) now leaves nothing of the table, and the resumed run repeats
   * it; a table stored again replaces what was there.
   */
  @Test
  void aTableIsStoredWholeOrNotAtAll() throws Exception {
    StateStore store = h2();
    store.migrate();
    RunDao dao = store.runs();
    Instant at = Instant.parse("2026-12-01T12:00:00Z");
    dao.insert(AuditRun.queued("r1", "users", null, null, "API", "dba", null, at));
    TableCheckpointRow row = new TableCheckpointRow("r1", "public.t", at, 10, "{}");
    List<CopyResult> copies =
        List.of(new CopyResult("r1", "public.t", "c", "REPLICA", "FINDINGS", 2, 0, 0, 0, 2, null));
    StoredFinding good = new StoredFinding("r1", "public.t", "c", "MISSING", "[1]", "7", null);
    StoredFinding bad = new StoredFinding("r1", "public.t", "c", null, "[2]", "8", null);
    try {
      dao.storeTable(row, copies, List.of(good, bad), false);
      throw new AssertionError("a finding without its kind was stored");
    } catch (RuntimeException expected) {
      // NOT NULL
    }
    assertThat(dao.tables("r1")).isEmpty();
    assertThat(dao.copies("r1")).isEmpty();
    assertThat(dao.findings("r1")).isEmpty();

    dao.storeTable(row, copies, List.of(good), false);
    dao.storeTable(
        row,
        copies,
        List.of(good, new StoredFinding("r1", "public.t", "c", "MISSING", "[3]", "9", null)),
        true);
    assertThat(dao.tables("r1")).hasSize(1);
    assertThat(dao.copies("r1")).hasSize(1);
    assertThat(dao.findings("r1")).extracting(StoredFinding::rowKey).containsExactly("[1]", "[3]");
  }

  /** Regression: {@code db status} on a database never migrated failed (no schema_version). */
  @Test
  void aDatabaseNeverMigratedIsAtVersionZero() throws Exception {
    io.integrityauditor.TestDatabases.recreatePgDatabase(
        io.integrityauditor.TestDatabases.PG_PRIMARY_PORT, "state_empty");
    for (StateStore store :
        List.of(
            h2(),
            new StateStore(
                config(
                    io.integrityauditor.TestDatabases.pgUrl(
                        io.integrityauditor.TestDatabases.PG_PRIMARY_PORT, "state_empty"))))) {
      try {
        assertThat(store.schemaVersion()).isZero();
        store.migrate();
        assertThat(store.schemaVersion()).isEqualTo(StateStore.latestVersion());
      } finally {
        store.close();
      }
    }
  }

  @Test
  void migrationsApplyOnceOnH2AndOnPostgres() throws Exception {
    StateStore h2 = h2();
    try {
      assertThat(h2.migrate())
          .containsExactly(
              "V1 audit history",
              "V2 quartz job store",
              "V3 weekly reports",
              "V4 chunk checkpoints",
              "V5 purged counts",
              "V6 restored backups",
              "V7 schedule starts");
      assertThat(h2.migrate()).isEmpty();
      assertThat(h2.schemaVersion()).isEqualTo(StateStore.latestVersion());
    } finally {
      h2.close();
    }
    TestDatabases.recreatePgDatabase(TestDatabases.PG_PRIMARY_PORT, "st_state");
    StateStore pg =
        new StateStore(config(TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "st_state")));
    try {
      assertThat(pg.migrate()).hasSize(7);
      assertThat(pg.migrate()).isEmpty();
      // The purge's row lock and counts work on PostgreSQL too.
      RunDao dao = pg.runs();
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      Instant t0 = t.minusSeconds(10);
      dao.insert(AuditRun.queued("p0", "users", null, null, "API", "dba", null, t0));
      dao.claim("p0", "i", t0);
      dao.finish("p0", "i", "CONSISTENT", t0, 1, 1, 0L, null, "{}");
      dao.insert(AuditRun.queued("p1", "users", null, null, "API", "dba", null, t));
      dao.claim("p1", "i", t);
      dao.finish("p1", "i", "CONSISTENT", t, 1, 1, 0L, null, "{}");
      // p1, the newest complete run, is kept whatever its age.
      assertThat(dao.purgeRuns(t.plusSeconds(1))).isEqualTo(1);
      assertThat(dao.find("p1")).isPresent();
      assertThat(purgedRuns(pg)).containsExactly("users CONSISTENT 1");
      // Quartz's clustered job store tables exist only where they are used.
      try (Connection c =
              TestDatabases.admin(TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "st_state"));
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'qrtz_%'")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(11);
      }
    } finally {
      pg.close();
    }
  }

  @Test
  void aRunIsClaimedOnceAndOnlyAStaleOneIsRequeued() throws Exception {
    StateStore store = h2();
    try {
      store.migrate();
      RunDao dao = store.runs();
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      dao.insert(AuditRun.queued("r1", "users", null, null, "API", "dba", null, t));
      assertThat(dao.claim("r1", "a", t)).isEqualTo(1);
      assertThat(dao.claim("r1", "b", t)).as("claimed already").isZero();
      assertThat(dao.heartbeat("r1", "b", t, 1, 2, 3, null)).as("not b's run").isZero();
      assertThat(dao.heartbeat("r1", "a", t.plusSeconds(10), 1, 2, 3, null)).isEqualTo(1);
      assertThat(dao.requeueStale("r1", t.plusSeconds(5))).as("heartbeat is fresh").isZero();
      assertThat(dao.requeueStale("r1", t.plusSeconds(11))).isEqualTo(1);
      assertThat(dao.finish("r1", "a", "CONSISTENT", t, 3, 1, 0L, null, "{}"))
          .as("requeued: a lost it")
          .isZero();
      assertThat(dao.claim("r1", "b", t.plusSeconds(12))).isEqualTo(1);
      AuditRun r = dao.find("r1").orElseThrow();
      assertThat(r.attempts()).isEqualTo(2);
      assertThat(r.instanceId()).isEqualTo("b");
      assertThat(dao.finish("r1", "b", "FINDINGS", t.plusSeconds(13), 3, 1, 2L, null, "{}"))
          .isEqualTo(1);
      assertThat(dao.cancelQueued("r1", "dba", t)).as("ended").isZero();
      assertThat(dao.requestCancel("r1", "dba")).as("ended").isZero();
    } finally {
      store.close();
    }
  }

  static StoredReport report(String id, Instant now, int daysAgo) {
    Instant at = now.minus(Duration.ofDays(daysAgo));
    return new StoredReport(id, at.atZone(ZoneOffset.UTC).toLocalDate(), at, "", "");
  }

  /**
   * Regression (review): when every audit since failed for longer than the retention, the purge
   * deleted the dataset's last complete run and the gauges taken from it (users at risk, divergent
   * rows, backup time) fell to 0. It is kept whatever its age; failed runs go.
   */
  @Test
  void theNewestCompleteRunOfADatasetOutlivesTheRetention() throws Exception {
    StateStore store = h2();
    try {
      store.migrate();
      RunDao dao = store.runs();
      Instant now = Instant.parse("2026-06-01T00:00:00Z");
      String[][] runs = {
        {"complete-old", "users", "FINDINGS", "120"},
        {"complete", "users", "FINDINGS", "100"},
        {"failed", "users", "FAILED", "95"},
        {"orders-complete", "orders", "CONSISTENT", "99"}
      };
      for (String[] r : runs) {
        Instant at = now.minus(Duration.ofDays(Long.parseLong(r[3])));
        dao.insert(AuditRun.queued(r[0], r[1], null, null, "API", "dba", null, at));
        dao.claim(r[0], "i", at);
        dao.finish(r[0], "i", r[2], at, 1, 1, 1L, null, "{}");
      }
      assertThat(dao.purgeRuns(now.minus(Duration.ofDays(90)))).isEqualTo(2);
      assertThat(dao.find("complete")).isPresent();
      assertThat(dao.find("orders-complete")).isPresent();
      assertThat(dao.find("complete-old")).isEmpty();
      assertThat(dao.find("failed")).isEmpty();
      assertThat(dao.lastCompleteDatasetRun("users").orElseThrow().id()).isEqualTo("complete");
      assertThat(purgedRuns(store)).containsExactlyInAnyOrder("users FINDINGS 1", "users FAILED 1");
    } finally {
      store.close();
    }
  }

  @Test
  void runsPastTheRetentionAreDeletedWithTheirResults() throws Exception {
    StateStore store = h2();
    try {
      store.migrate();
      RunDao dao = store.runs();
      Instant now = Instant.parse("2026-06-01T00:00:00Z");
      for (var e :
          Map.of("old", now.minus(Duration.ofDays(91)), "recent", now.minus(Duration.ofDays(89)))
              .entrySet()) {
        dao.insert(
            AuditRun.queued(e.getKey(), "users", null, null, "API", "dba", null, e.getValue()));
        dao.claim(e.getKey(), "i", e.getValue());
        dao.insertCopies(
            List.of(
                new CopyResult(
                    e.getKey(), "t", "copy", "REPLICA", "FINDINGS", 1, 0, 0, 0, 1, null)));
        dao.insertFindings(
            List.of(
                new StoredFinding(e.getKey(), "t", "copy", "MISSING", "{\"id\":1}", "7", null)));
        dao.finish(e.getKey(), "i", "FINDINGS", e.getValue(), 1, 1, 1L, null, "{}");
        dao.insertEvent(new AuditEvent(e.getKey(), "TRIGGER", "dba", e.getValue()));
        dao.saveChunkCheckpoint(
            new ChunkCheckpointRow(e.getKey(), "t", "NATIVE", e.getValue(), 5, "{}"));
      }
      // Weekly reports: two past the retention, one recent.
      ReportDao reports = store.jdbi().onDemand(ReportDao.class);
      reports.insert(report("w-old", now, 120));
      reports.insert(report("w-older", now, 147));
      reports.insert(report("w-new", now, 1));
      ServiceSettings settings = new ServiceSettings(); // retention 90 days
      Clock clock = Clock.fixed(now, ZoneOffset.UTC);
      AuditRunner runner =
          new AuditRunner(
              null,
              dao,
              new ObjectMapper(),
              clock,
              "i",
              Duration.ofSeconds(1),
              Duration.ofSeconds(30));
      new Watchdog(
              dao, runner, new AuditScheduler(Map.of(), store, runner, settings), settings, clock)
          .check();
      assertThat(dao.find("old")).isEmpty();
      // What the purged run counted stays counted (integrity_audit_runs_total never goes down).
      assertThat(purgedRuns(store)).containsExactly("users FINDINGS 1");
      assertThat(dao.copies("old")).isEmpty();
      assertThat(dao.findings("old")).isEmpty();
      assertThat(dao.events("old")).isEmpty();
      assertThat(dao.find("recent")).isPresent();
      assertThat(dao.findings("recent")).hasSize(1);
      assertThat(dao.events("recent")).hasSize(1);
      assertThat(dao.chunkCheckpoints("old")).isEmpty();
      assertThat(dao.chunkCheckpoints("recent")).hasSize(1);
      assertThat(reports.list(10).stream().map(ReportDao.ReportEntry::id)).containsExactly("w-new");
      // The newest report is kept whatever its age.
      store.jdbi().useHandle(h -> h.execute("DELETE FROM weekly_reports"));
      reports.insert(report("w-x", now, 150));
      reports.insert(report("w-y", now, 100));
      assertThat(dao.purgeReports(now)).isEqualTo(1);
      assertThat(reports.list(10).stream().map(ReportDao.ReportEntry::id)).containsExactly("w-y");
    } finally {
      store.close();
    }
  }

  /**
   * A queued run of a dataset no longer configured (its job deleted with it) is closed FAILED with
   * the reason, and the watchdog's pass goes on. Regression (review of session 17, two instances on
   * PostgreSQL): such a run, interrupted and queued to resume, stayed QUEUED for ever, and every
   * watchdog pass of every instance failed on it ("The job (audit.big) referenced by the trigger
   * does not exist").
   */
  @Test
  void aQueuedRunOfARemovedDatasetIsClosed() throws Exception {
    StateStore store = h2();
    try {
      store.migrate();
      RunDao dao = store.runs();
      Instant now = Instant.parse("2026-06-01T00:00:00Z");
      dao.insert(
          AuditRun.queued(
              "gone", "big", null, null, "SCHEDULE", "scheduler", null, now.minusSeconds(60)));
      ServiceSettings settings = new ServiceSettings();
      Clock clock = Clock.fixed(now, ZoneOffset.UTC);
      AuditRunner runner =
          new AuditRunner(
              null,
              dao,
              new ObjectMapper(),
              clock,
              "i",
              Duration.ofSeconds(1),
              Duration.ofSeconds(30));
      new Watchdog(
              dao, runner, new AuditScheduler(Map.of(), store, runner, settings), settings, clock)
          .check();
      AuditRun run = dao.find("gone").orElseThrow();
      assertThat(run.status()).isEqualTo(AuditRun.FAILED);
      assertThat(run.error())
          .isEqualTo("dataset 'big' is no longer configured: the run cannot be resumed");
    } finally {
      store.close();
    }
  }

  /**
   * A resumed run whose table's configuration changed forgets what it stored of that table (its
   * checkpoint, copies and findings) and compares it again; another table's rows stay.
   */
  @Test
  void aCompletedTableIsForgottenWithItsCopiesAndFindings() throws Exception {
    StateStore store = h2();
    try {
      store.migrate();
      RunDao dao = store.runs();
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      dao.insert(AuditRun.queued("f1", "users", null, null, "API", "dba", null, t));
      for (String table : List.of("public.a", "public.b")) {
        dao.insertTable(new TableCheckpointRow("f1", table, t, 10, "{}"));
        dao.insertCopies(
            List.of(new CopyResult("f1", table, "c", "REPLICA", "FINDINGS", 1, 0, 0, 0, 1, null)));
        dao.insertFindings(
            List.of(new StoredFinding("f1", table, "c", "MISSING", "{\"id\":1}", "7", null)));
      }
      dao.forgetTable("f1", "public.a");
      assertThat(dao.tables("f1"))
          .extracting(TableCheckpointRow::tableName)
          .containsExactly("public.b");
      assertThat(dao.findings("f1"))
          .extracting(StoredFinding::tableName)
          .containsExactly("public.b");
      // stored again as the resumed run completes it
      dao.insertTable(new TableCheckpointRow("f1", "public.a", t, 10, "{}"));
      dao.insertCopies(
          List.of(
              new CopyResult("f1", "public.a", "c", "REPLICA", "CONSISTENT", 0, 0, 0, 0, 0, null)));
      assertThat(dao.tables("f1")).hasSize(2);
    } finally {
      store.close();
    }
  }

  /**
   * An API request the same as one still waiting is answered with that run (and recorded on it); at
   * most {@link AuditRunner#MAX_QUEUED_API_RUNS} API runs wait. Regression (review of session 19):
   * 200 identical POSTs queued 200 runs, without bound.
   */
  @Test
  void apiRequestsJoinTheSameWaitingRunAndTheQueueIsBounded() throws Exception {
    StateStore store = h2();
    try {
      store.migrate();
      RunDao dao = store.runs();
      Clock clock = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
      io.integrityauditor.config.DatasetConfig users =
          new io.integrityauditor.config.DatasetConfig(
              "p",
              List.of(),
              List.of(),
              null,
              List.of(
                  new io.integrityauditor.config.TableConfig(
                      "public.t", List.of("id"), "user_id", null, null)));
      io.integrityauditor.audit.AuditService audits =
          new io.integrityauditor.audit.AuditService(
              Map.of("users", users),
              new io.integrityauditor.audit.EndpointConnector(
                  Map.of(), Duration.ofMinutes(1), Duration.ofSeconds(5)),
              io.integrityauditor.engine.CompareSettings.defaults(),
              clock,
              Duration.ofSeconds(30));
      AuditRunner runner =
          new AuditRunner(
              audits,
              dao,
              new ObjectMapper(),
              clock,
              "i",
              Duration.ofSeconds(1),
              Duration.ofSeconds(30));
      var req = new io.integrityauditor.audit.AuditRequest("users", "public.t", "7");
      var first = runner.submitApi(req, "dba");
      assertThat(first.getValue()).isFalse();
      var again = runner.submitApi(req, "ops");
      assertThat(again.getValue()).isTrue();
      assertThat(again.getKey().id()).isEqualTo(first.getKey().id());
      assertThat(dao.events(first.getKey().id()))
          .extracting(e -> e.action() + " " + e.actor())
          .containsExactly("TRIGGER dba", "TRIGGER ops");
      // another user, the whole table, the whole dataset: runs of their own
      assertThat(
              runner
                  .submitApi(
                      new io.integrityauditor.audit.AuditRequest("users", "public.t", "8"), "dba")
                  .getValue())
          .isFalse();
      assertThat(
              runner
                  .submitApi(new io.integrityauditor.audit.AuditRequest("users", null, null), "dba")
                  .getValue())
          .isFalse();
      // identical requests at once join one run (review of session 19: 30 in parallel queued 5)
      var same = new io.integrityauditor.audit.AuditRequest("users", "public.t", "race");
      java.util.Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
      var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
          all.add(
              pool.submit(
                  () -> {
                    try {
                      ids.add(runner.submitApi(same, "dba").getKey().id());
                    } catch (AuditRunner.QueueFull e) {
                      throw e;
                    }
                  }));
        }
        for (var f : all) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      assertThat(ids).hasSize(1);
      assertThat(ids).doesNotContain(first.getKey().id());
      // a scheduled run waiting does not count against the API's bound
      dao.insert(
          AuditRun.queued(
              "s", "users", null, null, "SCHEDULE", "schedule", "users@x", clock.instant()));
      for (int u = 100; u < 100 + AuditRunner.MAX_QUEUED_API_RUNS - 4; u++) {
        runner.submitApi(
            new io.integrityauditor.audit.AuditRequest("users", "public.t", "" + u), "dba");
      }
      assertThat(dao.withStatus(AuditRun.QUEUED)).hasSize(AuditRunner.MAX_QUEUED_API_RUNS + 1);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  runner.submitApi(
                      new io.integrityauditor.audit.AuditRequest("users", "public.t", "x"), "dba"))
          .isInstanceOf(AuditRunner.QueueFull.class)
          .hasMessage(
              "100 API audits are already queued (at most 100): wait for them or cancel some");
      // the same request as one waiting is still answered
      assertThat(runner.submitApi(req, "dba").getKey().id()).isEqualTo(first.getKey().id());
    } finally {
      store.close();
    }
  }
}
