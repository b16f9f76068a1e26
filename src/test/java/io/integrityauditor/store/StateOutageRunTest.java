package io.integrityauditor.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.AuditRunner;
import io.integrityauditor.audit.AuditService;
import io.integrityauditor.audit.EndpointConnector;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A state database that refuses a run's writes for a while: the completed table's results and the
 * run's end are stored once it answers again, and the run stays this instance's meanwhile.
 * Regression (review 6 of session 20): the run left the active ones before its end was recorded, so
 * the watchdog took it for abandoned, queued it again and its outcome was thrown away (4 of 4 runs
 * ending in a 25 - 34 s outage); and a table whose results were refused was never stored, so the
 * metrics and the weekly report showed no divergence for a run with findings.
 */
class StateOutageRunTest {
  @Test
  void refusedWritesAreStoredOnceTheStateDatabaseAnswers() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    String[] setup = {
      "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text)",
      "INSERT INTO t SELECT g, g % 5, 'v' || g FROM generate_series(1, 1000) g"
    };
    TestDatabases.recreatePgDatabase(pg, "stout_p");
    TestDatabases.recreatePgDatabase(pg, "stout_c");
    TestDatabases.execute(TestDatabases.pgUrl(pg, "stout_p"), setup);
    TestDatabases.execute(TestDatabases.pgUrl(pg, "stout_c"), setup);
    TestDatabases.execute(TestDatabases.pgUrl(pg, "stout_c"), "UPDATE t SET v = 'x' WHERE id = 7");
    AuditService audits =
        new AuditService(
            Map.of(
                "d",
                new DatasetConfig(
                    "p",
                    List.of("c"),
                    List.of(),
                    null,
                    List.of(new TableConfig("t", List.of(), "owner", null, List.of())))),
            new EndpointConnector(
                Map.of(
                    "p", TestDatabases.pgEndpoint(pg, "stout_p"),
                    "c", TestDatabases.pgEndpoint(pg, "stout_c")),
                Duration.ofSeconds(30),
                Duration.ofSeconds(5)),
            CompareSettings.defaults(),
            Clock.systemUTC(),
            Duration.ofSeconds(30));
    StateStore store = StateStoreTest.h2();
    try {
      store.migrate();
      RunDao real = store.runs();
      AtomicInteger tableRefusals = new AtomicInteger(1);
      AtomicInteger finishRefusals = new AtomicInteger(2);
      AtomicBoolean activeWhileRefused = new AtomicBoolean(true);
      AuditRunner[] runner = {null};
      RunDao flaky =
          (RunDao)
              Proxy.newProxyInstance(
                  RunDao.class.getClassLoader(),
                  new Class<?>[] {RunDao.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("storeTable")
                        && tableRefusals.getAndDecrement() > 0) {
                      throw new IllegalStateException("state database down");
                    }
                    if (method.getName().equals("finish") && finishRefusals.getAndDecrement() > 0) {
                      activeWhileRefused.compareAndSet(true, runner[0].isActive("r1"));
                      throw new IllegalStateException("state database down");
                    }
                    try {
                      return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
      runner[0] =
          new AuditRunner(
              audits,
              flaky,
              io.dropwizard.jackson.Jackson.newObjectMapper(),
              Clock.systemUTC(),
              "i",
              Duration.ofSeconds(1),
              Duration.ofSeconds(30));
      real.insert(AuditRun.queued("r1", "d", null, null, "API", "test", null, Instant.now()));
      runner[0].execute("r1");

      assertThat(tableRefusals.get()).isNegative();
      assertThat(finishRefusals.get()).isNegative();
      assertThat(activeWhileRefused).isTrue();
      assertThat(runner[0].isActive("r1")).isFalse();
      AuditRun run = real.find("r1").orElseThrow();
      assertThat(run.status()).isEqualTo("FINDINGS");
      assertThat(run.attempts()).isEqualTo(1);
      assertThat(real.copies("r1"))
          .extracting(CopyResult::endpoint, CopyResult::changed)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("c", 1L));
      assertThat(real.findings("r1")).hasSize(1);
    } finally {
      store.close();
    }
  }
}
