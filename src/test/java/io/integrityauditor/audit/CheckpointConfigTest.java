package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.ScanState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: a run resumed after a crash reused the checkpoints it had stored under another
 * configuration of the table. Killed mid-table under {@code exclude: [email]} and restarted without
 * it, the resumed run missed a real email change in the part compared before the crash; a table
 * completed before the crash and then configured with {@code exclude: [email]} kept reporting that
 * change (CHANGED, no column named). Only the key columns and the copy names were checked. A
 * checkpoint now carries a digest of what the comparison depends on, and is not resumed under
 * another.
 */
class CheckpointConfigTest {
  static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

  /** The state database of the service, in memory: what the run stored before it was killed. */
  static final class Store implements AuditService.Checkpoints {
    final Map<String, AuditService.TableCheckpoint> completed = new HashMap<>();
    final Map<String, String> partial = new HashMap<>();
    final List<String> forgotten = new ArrayList<>();
    boolean keepCompleted = true;

    @Override
    public AuditService.TableCheckpoint completed(String table) {
      return completed.get(table);
    }

    @Override
    public void tableDone(AuditService.TableCheckpoint checkpoint) {
      if (keepCompleted) {
        completed.put(checkpoint.report().table(), roundTrip(checkpoint));
      }
    }

    @Override
    public ScanState partial(String table, String scan) {
      String s = partial.get(table + "/" + scan);
      try {
        return s == null ? null : JSON.readValue(s, ScanState.class);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void partialReached(String table, String scan, ScanState state) {
      // the first checkpoint past the email change: a crash after it
      if (state.rowsScanned() >= 5_000 && !partial.containsKey(table + "/" + scan)) {
        try {
          partial.put(table + "/" + scan, JSON.writeValueAsString(state));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }

    @Override
    public void forget(String table) {
      forgotten.add(table);
      completed.remove(table);
    }

    @Override
    public Duration partialInterval() {
      return Duration.ZERO;
    }

    static AuditService.TableCheckpoint roundTrip(AuditService.TableCheckpoint c) {
      try {
        return JSON.readValue(JSON.writeValueAsString(c), AuditService.TableCheckpoint.class);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static AuditFixture fixture(List<String> exclude) {
    int port = TestDatabases.PG_PRIMARY_PORT;
    return new AuditFixture()
        .primary("p", TestDatabases.pgEndpoint(port, "ckcfg_p"))
        .replica("c", TestDatabases.pgEndpoint(port, "ckcfg_c"))
        .table(new TableConfig("public.t", List.of("id"), "user_id", null, exclude));
  }

  static AuditReport run(AuditFixture f, Store store) {
    return f.run(
        AuditFixture.TINY_CHUNKS.withOnePassMaxRows(0), null, AuditService.Progress.NONE, store);
  }

  @Test
  void aCheckpointTakenUnderAnotherConfigurationIsNotResumed() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"ckcfg_p", "ckcfg_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, user_id int NOT NULL, email text, v text)",
          "INSERT INTO t SELECT g, g % 10, 'u' || g || '@x', 'v' || g"
              + " FROM generate_series(1, 20000) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "ckcfg_c"),
        "UPDATE t SET email = 'changed@x' WHERE id = 5",
        "UPDATE t SET v = 'changed' WHERE id = 19990");
    AuditFixture compareEmail = fixture(List.of());
    AuditFixture excludeEmail = fixture(List.of("email"));
    assertThat(AuditFixture.findings(run(compareEmail, new Store()), "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 5", "CHANGED 19990");
    assertThat(AuditFixture.findings(run(excludeEmail, new Store()), "public.t", "c"))
        .containsExactly("CHANGED 19990");

    // Killed mid-table under exclude: [email], resumed without it.
    Store midTable = new Store();
    midTable.keepCompleted = false;
    run(excludeEmail, midTable);
    assertThat(midTable.partial).hasSize(1);
    AuditReport resumed = run(compareEmail, midTable);
    assertThat(AuditFixture.findings(resumed, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 5", "CHANGED 19990");
    // The same configuration still resumes from its checkpoint.
    Store same = new Store();
    same.keepCompleted = false;
    run(excludeEmail, same);
    assertThat(AuditFixture.findings(run(excludeEmail, same), "public.t", "c"))
        .containsExactly("CHANGED 19990");

    // The table completed before the crash, configured with exclude: [email] since.
    Store completed = new Store();
    run(compareEmail, completed);
    assertThat(completed.completed).containsKey("public.t");
    AuditReport again = run(excludeEmail, completed);
    assertThat(completed.forgotten).containsExactly("public.t");
    assertThat(AuditFixture.findings(again, "public.t", "c")).containsExactly("CHANGED 19990");
    // Unchanged configuration: the completed table is taken as it is, not compared again.
    completed.forgotten.clear();
    run(excludeEmail, completed);
    assertThat(completed.forgotten).isEmpty();
  }
}
