package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.ScanState;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chunk checkpoints on real PostgreSQL and MariaDB: an audit resumed from any checkpoint taken
 * during an uninterrupted run (written to JSON and read back, as the service stores it) reads only
 * the rest of the table and reports exactly what the uninterrupted run reported: the same counts,
 * the same findings with their changed columns, the same users.
 */
class ChunkCheckpointTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Chunks of 200 rows: dozens of chunk boundaries, splits and leaves in a small table. */
  static final io.integrityauditor.engine.CompareSettings SMALL =
      AuditFixture.TINY_CHUNKS.withChunkRows(200, 200, 200);

  static final int ITEMS = 20_000;
  static final int NOTES = 8_000;

  static final Set<String> ITEM_FINDINGS =
      Set.of(
          "MISSING 1",
          "MISSING 5000",
          "MISSING 13777",
          "MISSING 20000",
          "EXTRA -5",
          "EXTRA 25000",
          "CHANGED 2",
          "CHANGED 9999",
          "CHANGED 10000",
          "CHANGED 15001",
          "CHANGED 18000");

  static final Set<String> NOTE_FINDINGS =
      Set.of(
          "MISSING n000001",
          "EXTRA a-extra",
          "EXTRA zz-extra",
          "CHANGED n004000",
          "CHANGED n004001");

  @BeforeAll
  static void databases() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pg, "ckpt_p");
    TestDatabases.recreatePgDatabase(pg, "ckpt_c");
    TestDatabases.recreateMariaDatabase(my, "ckpt_p");
    TestDatabases.recreateMariaDatabase(my, "ckpt_c");
    for (String db : List.of("ckpt_p", "ckpt_c")) {
      TestDatabases.execute(
          TestDatabases.pgUrl(pg, db),
          "CREATE TABLE ck_items (id bigint PRIMARY KEY, user_id int NOT NULL, name text,"
              + " amount numeric(12,2), updated_at timestamptz NOT NULL)",
          "INSERT INTO ck_items SELECT g, g % 97, 'item ' || g, g * 1.25,"
              + " timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'"
              + " FROM generate_series(1, "
              + ITEMS
              + ") g",
          "CREATE TABLE ck_notes (k text PRIMARY KEY, user_id int NOT NULL, body text)",
          "INSERT INTO ck_notes SELECT 'n' || lpad(g::text, 6, '0'), g % 31, 'body ' || g"
              + " FROM generate_series(1, "
              + NOTES
              + ") g");
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, db));
          Statement s = c.createStatement()) {
        s.execute("SET max_recursive_iterations = 1000000");
        s.execute(
            "CREATE TABLE ck_items (id bigint PRIMARY KEY, user_id int NOT NULL, name text,"
                + " amount decimal(12,2), updated_at timestamp(6) NOT NULL)");
        s.execute(
            "INSERT INTO ck_items WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g"
                + " WHERE n < "
                + ITEMS
                + ") SELECT n, n % 97, concat('item ', n), n * 1.25,"
                + " timestamp '2026-01-01 00:00:00' + interval n second FROM g");
        s.execute(
            "CREATE TABLE ck_notes (k varchar(40) PRIMARY KEY, user_id int NOT NULL, body text)");
        s.execute(
            "INSERT INTO ck_notes WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g"
                + " WHERE n < "
                + NOTES
                + ") SELECT concat('n', lpad(n, 6, '0')), n % 31, concat('body ', n) FROM g");
      }
    }
    String[] plant = {
      "DELETE FROM ck_items WHERE id IN (1, 5000, 13777, 20000)",
      "INSERT INTO ck_items VALUES (-5, 5, 'below', 1.00, timestamp '2025-12-01 00:00:00'),"
          + " (25000, 7, 'above', 2.00, timestamp '2025-12-01 00:00:00')",
      "UPDATE ck_items SET name = 'item 2 ' WHERE id = 2",
      "UPDATE ck_items SET name = 'edited' WHERE id IN (9999, 10000)",
      "UPDATE ck_items SET name = 'ITEM 15001' WHERE id = 15001",
      "UPDATE ck_items SET amount = amount + 0.01 WHERE id = 18000",
      "DELETE FROM ck_notes WHERE k = 'n000001'",
      "INSERT INTO ck_notes VALUES ('a-extra', 3, 'x'), ('zz-extra', 4, 'y')",
      "UPDATE ck_notes SET body = NULL WHERE k = 'n004000'",
      "UPDATE ck_notes SET body = '' WHERE k = 'n004001'"
    };
    TestDatabases.execute(TestDatabases.pgUrl(pg, "ckpt_c"), plant);
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, "ckpt_c"));
        Statement s = c.createStatement()) {
      for (String sql : plant) {
        s.execute(sql);
      }
    }
  }

  static AuditFixture fixture(EndpointConfig p, EndpointConfig c) {
    return new AuditFixture()
        .primary("p", p)
        .replica("copy", c)
        .table(new TableConfig("ck_items", List.of(), "user_id", "updated_at", List.of()))
        .table("ck_notes", "user_id");
  }

  /** Records every chunk checkpoint as the service would store it: JSON. */
  static final class Recorder implements AuditService.Checkpoints {
    final String table;
    final String resumeJson;

    /** The scan the resume state was stored for, as the state store keys it; null: any. */
    final String resumeScan;

    final List<String> states = new ArrayList<>();
    final java.util.Set<String> scans = new java.util.TreeSet<>();

    Recorder(String table, String resumeJson) {
      this(table, resumeJson, null);
    }

    Recorder(String table, String resumeJson, String resumeScan) {
      this.table = table;
      this.resumeJson = resumeJson;
      this.resumeScan = resumeScan;
    }

    @Override
    public AuditService.TableCheckpoint completed(String t) {
      return null;
    }

    @Override
    public void tableDone(AuditService.TableCheckpoint checkpoint) {}

    @Override
    public ScanState partial(String t, String scan) {
      if (resumeJson == null
          || !t.equals(table)
          || resumeScan != null && !resumeScan.equals(scan)) {
        return null;
      }
      try {
        return JSON.readValue(resumeJson, ScanState.class);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void partialReached(String t, String scan, ScanState state) {
      if (t.equals(table)) {
        scans.add(scan);
        try {
          states.add(JSON.writeValueAsString(state));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }

    @Override
    public Duration partialInterval() {
      return Duration.ZERO;
    }
  }

  static final class Rows implements AuditService.Progress {
    final AtomicLong rows = new AtomicLong();

    /** Pauses the scan after every chunk, so locating keeps up and checkpoints come often. */
    final long pauseMillis;

    Rows(long pauseMillis) {
      this.pauseMillis = pauseMillis;
    }

    Rows() {
      this(0);
    }

    @Override
    public void tableStarted(String table, long estimatedRows) {}

    @Override
    public void chunkScanned(String table, long n, long elapsedNanos) {
      rows.addAndGet(n);
      if (pauseMillis > 0) {
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Test
  void postgresResumesFromEveryKindOfCheckpointWithTheSameResult() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    check(fixture(TestDatabases.pgEndpoint(pg, "ckpt_p"), TestDatabases.pgEndpoint(pg, "ckpt_c")));
  }

  @Test
  void mariaDbResumesFromEveryKindOfCheckpointWithTheSameResult() throws Exception {
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    check(
        fixture(
            TestDatabases.mariaEndpoint(my, "ckpt_p"), TestDatabases.mariaEndpoint(my, "ckpt_c")));
  }

  void check(AuditFixture f) throws Exception {
    resumes(f, "ck_items", ITEMS, ITEM_FINDINGS);
    resumes(f, "ck_notes", NOTES, NOTE_FINDINGS);
  }

  void resumes(AuditFixture f, String table, long primaryRows, Set<String> expected)
      throws Exception {
    Recorder full = new Recorder(table, null);
    Rows fullRows = new Rows(15);
    AuditReport r = f.run(SMALL, table, fullRows, full);
    assertThat(AuditFixture.findings(r, table, "copy")).isEqualTo(expected);
    AuditReport.CopyReport whole = AuditFixture.copy(r, table, "copy");
    assertThat(whole.findings())
        .filteredOn(x -> x.kind().equals("CHANGED"))
        .allSatisfy(x -> assertThat(x.columns()).isNotEmpty());
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(primaryRows);
    assertThat(fullRows.rows.get()).isEqualTo(primaryRows);
    // One checkpoint at a time, each once every copy has located everything before it: how many
    // a run takes depends on how far locating lags behind the scan (here, paused, not far).
    assertThat(full.states).as("checkpoints taken").hasSizeGreaterThanOrEqualTo(3);
    System.out.printf("%s: %d chunk checkpoints%n", table, full.states.size());
    // Eight of them, spread from the first to the last.
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String st = full.states.get(i * (full.states.size() - 1) / 7);
      if (!picked.contains(st)) {
        picked.add(st);
      }
    }
    // Among them, states holding findings and rows held back for reconciliation at the end.
    assertThat(picked).anySatisfy(j -> assertThat(j).contains("\"findings\":[{"));
    assertThat(picked).anySatisfy(j -> assertThat(j).contains("\"pendingMissing\":[{"));
    for (String json : picked) {
      ScanState st = JSON.readValue(json, ScanState.class);
      // A checkpoint may sit at the primary's last key: rows above it on the copy are still EXTRA.
      assertThat(st.rowsScanned()).isBetween(1L, primaryRows);
      Rows rows = new Rows();
      AuditReport resumed = f.run(SMALL, table, rows, new Recorder(table, json));
      assertThat(rows.rows.get())
          .as("rows read after resuming at %s", st.upTo())
          .isEqualTo(primaryRows - st.rowsScanned());
      assertThat(resumed.tables().get(0).rowsChecked()).isEqualTo(primaryRows);
      assertThat(AuditFixture.copy(resumed, table, "copy"))
          .as("resumed at %s", st.upTo())
          .isEqualTo(whole);
      assertThat(resumed.usersAtRisk()).isEqualTo(r.usersAtRisk());
      assertThat(resumed.status()).isEqualTo(r.status());
    }

    // A checkpoint for another key is not used: the table is compared from the start.
    ScanState st = JSON.readValue(picked.get(picked.size() - 1), ScanState.class);
    String otherKey =
        JSON.writeValueAsString(
            new ScanState(
                List.of("user_id"),
                st.upTo(),
                st.watermark(),
                st.rowsScanned(),
                false,
                st.copies()));
    Rows rows = new Rows();
    AuditReport again = f.run(SMALL, table, rows, new Recorder(table, otherKey));
    assertThat(rows.rows.get()).isEqualTo(primaryRows);
    assertThat(AuditFixture.copy(again, table, "copy")).isEqualTo(whole);

    // Nor one stored by a version whose row hashes were other (its scan named "-h5" instead of
    // "-h6"): its held-back rows' hashes would not match this version's.
    String now = "-h" + AuditService.ROW_HASH_VERSION;
    String before = "-h" + (AuditService.ROW_HASH_VERSION - 1);
    assertThat(full.scans).hasSize(1).allSatisfy(n -> assertThat(n).endsWith(now));
    String scan = full.scans.iterator().next();
    Rows fresh = new Rows();
    AuditReport older =
        f.run(
            SMALL,
            table,
            fresh,
            new Recorder(table, picked.get(picked.size() / 2), scan.replace(now, before)));
    assertThat(fresh.rows.get()).isEqualTo(primaryRows);
    assertThat(AuditFixture.copy(older, table, "copy")).isEqualTo(whole);
  }

  /**
   * A copy slower than the primary still takes chunk checkpoints as it goes. Regression (review of
   * session 17, two service instances and a delaying proxy): the primary published every chunk of
   * the table before the first checkpoint interval had passed, so the copy's whole comparison took
   * none (0 checkpoints in 8 s with a 1 s interval here), and a crash restarted the table from its
   * first row.
   */
  @Test
  void aCopySlowerThanThePrimaryStillTakesCheckpoints() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"ckslow_p", "ckslow_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE photos (id int PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO photos SELECT g, g % 100, md5(g::text) FROM generate_series(1, 200000) g");
    }
    try (io.integrityauditor.TcpProxy slow = new io.integrityauditor.TcpProxy(port)) {
      java.util.List<Long> rows = new java.util.concurrent.CopyOnWriteArrayList<>();
      AuditService.Checkpoints every =
          new AuditService.Checkpoints() {
            @Override
            public AuditService.TableCheckpoint completed(String t) {
              return null;
            }

            @Override
            public void tableDone(AuditService.TableCheckpoint c) {}

            @Override
            public void partialReached(String t, String scan, ScanState s) {
              rows.add(s.rowsScanned());
            }

            @Override
            public Duration partialInterval() {
              return Duration.ofMillis(500);
            }
          };
      AuditFixture f =
          new AuditFixture()
              .primary("p", TestDatabases.pgEndpoint(port, "ckslow_p"))
              .replica(
                  "c",
                  new io.integrityauditor.config.EndpointConfig(
                      "jdbc:postgresql://127.0.0.1:" + slow.port() + "/ckslow_c",
                      "postgres",
                      null,
                      java.util.Map.of()))
              .table("photos", "user_id");
      // Chunks (no one pass) and a copy whose every message takes 150 ms to arrive once the
      // table's comparison is under way.
      AuditService.Progress slowOnStart =
          new AuditService.Progress() {
            @Override
            public void tableStarted(String table, long estimatedRows) {
              slow.delay(150);
            }

            @Override
            public void chunkScanned(String table, long n, long elapsedNanos) {}
          };
      AuditReport r =
          f.run(
              io.integrityauditor.engine.CompareSettings.defaults().withOnePassMaxRows(0),
              null,
              slowOnStart,
              every);
      assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
      assertThat(rows)
          .as("checkpoints inside the table (rows compared)")
          .filteredOn(n -> n > 0 && n < 200_000)
          .hasSizeGreaterThanOrEqualTo(2);
      assertThat(rows).isSorted();
    }
  }
}
