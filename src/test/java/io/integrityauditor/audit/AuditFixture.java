package io.integrityauditor.audit;

import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/** Builds a one-dataset audit over real endpoints and flattens its findings for assertions. */
public final class AuditFixture {
  /** Settings that force many chunks, buckets and recursion levels on small tables. */
  /**
   * Many small chunks, digested chunk by chunk (no one pass): the chunked scan's boundaries, splits
   * and leaves in small tables. The defaults digest PostgreSQL integer keys in one pass.
   */
  public static final CompareSettings TINY_CHUNKS =
      CompareSettings.defaults()
          .withChunkRows(700, 300, 1500)
          .withLeafRows(6, 4)
          .withOnePassMaxRows(0);

  private final Map<String, EndpointConfig> endpoints = new LinkedHashMap<>();
  private String primary;
  private final List<String> replicas = new java.util.ArrayList<>();
  private final List<TableConfig> tables = new java.util.ArrayList<>();
  private Duration statementTimeout = Duration.ofMinutes(1);

  /**
   * A PostgreSQL primary database {@code name}_p and a MariaDB copy {@code name}_c (outside the
   * binlog, so the topology's replica is untouched), each created afresh and set up by its
   * statements; audits table t with owner column owner.
   */
  public static AuditFixture postgresPrimaryMariaDbCopy(
      String name, List<String> postgres, List<String> mariaDb) throws Exception {
    int pgPort = io.integrityauditor.TestDatabases.PG_PRIMARY_PORT;
    int myPort = io.integrityauditor.TestDatabases.MARIADB_PRIMARY_PORT;
    io.integrityauditor.TestDatabases.recreatePgDatabase(pgPort, name + "_p");
    io.integrityauditor.TestDatabases.execute(
        io.integrityauditor.TestDatabases.pgUrl(pgPort, name + "_p"),
        postgres.toArray(String[]::new));
    io.integrityauditor.TestDatabases.recreateMariaDatabase(myPort, name + "_c");
    try (java.sql.Connection c =
            io.integrityauditor.TestDatabases.mariaUnlogged(
                io.integrityauditor.TestDatabases.mariaUrl(myPort, name + "_c"));
        java.sql.Statement s = c.createStatement()) {
      for (String sql : mariaDb) {
        s.execute(sql);
      }
    }
    return new AuditFixture()
        .primary("p", io.integrityauditor.TestDatabases.pgEndpoint(pgPort, name + "_p"))
        .replica("c", io.integrityauditor.TestDatabases.mariaEndpoint(myPort, name + "_c"))
        .table("t", "owner");
  }

  public AuditFixture primary(String name, EndpointConfig e) {
    endpoints.put(name, e);
    primary = name;
    return this;
  }

  public AuditFixture replica(String name, EndpointConfig e) {
    endpoints.put(name, e);
    replicas.add(name);
    return this;
  }

  /** The endpoints' statement timeout (one minute unless set). */
  public AuditFixture statementTimeout(Duration timeout) {
    this.statementTimeout = timeout;
    return this;
  }

  public AuditFixture table(String name, String owner) {
    tables.add(new TableConfig(name, List.of(), owner, null, List.of()));
    return this;
  }

  public AuditFixture table(TableConfig t) {
    tables.add(t);
    return this;
  }

  public AuditReport run(CompareSettings settings) {
    return run(settings, null);
  }

  public AuditReport run(CompareSettings settings, String table) {
    return run(settings, table, Duration.ofSeconds(30));
  }

  /** With a bound on replica lag: a replica slower than this to apply the primary is LAGGING. */
  public AuditReport run(CompareSettings settings, String table, Duration maxReplicaLag) {
    return service(settings, maxReplicaLag)
        .run(new AuditRequest("d", table, null), AuditService.Progress.NONE, new AtomicBoolean());
  }

  /** One user's rows of one table (the API's and CLI's {@code --user}). */
  public AuditReport runUser(CompareSettings settings, String table, String user) {
    return service(settings, Duration.ofSeconds(30))
        .run(new AuditRequest("d", table, user), AuditService.Progress.NONE, new AtomicBoolean());
  }

  /** The primary's row estimates of dataset d, as a run reads them before its first table. */
  public Map<String, Long> estimates(AtomicBoolean cancelled) {
    return service(CompareSettings.defaults(), Duration.ofSeconds(30))
        .estimatedRows(new AuditRequest("d", null, null), cancelled);
  }

  private AuditService service(CompareSettings settings, Duration maxReplicaLag) {
    DatasetConfig ds = new DatasetConfig(primary, replicas, List.of(), null, tables);
    return new AuditService(
        Map.of("d", ds),
        new EndpointConnector(endpoints, statementTimeout, Duration.ofSeconds(5)),
        settings,
        Clock.systemUTC(),
        maxReplicaLag);
  }

  /** With progress and checkpoints, as the service runs it. */
  public AuditReport run(
      CompareSettings settings,
      String table,
      AuditService.Progress progress,
      AuditService.Checkpoints checkpoints) {
    return run(settings, table, progress, checkpoints, Duration.ofSeconds(30));
  }

  /** With progress, checkpoints and a bound on replica lag. */
  public AuditReport run(
      CompareSettings settings,
      String table,
      AuditService.Progress progress,
      AuditService.Checkpoints checkpoints,
      Duration maxReplicaLag) {
    AuditService service = service(settings, maxReplicaLag);
    return service.run(
        java.util.UUID.randomUUID().toString(),
        new AuditRequest("d", table, null),
        progress,
        new AtomicBoolean(),
        checkpoints);
  }

  /** "KIND key" strings of one copy of one table, sorted, e.g. "CHANGED 17". */
  public static Set<String> findings(AuditReport r, String table, String copy) {
    Set<String> out = new TreeSet<>();
    for (var t : r.tables()) {
      if (!t.table().equals(table)) {
        continue;
      }
      for (var c : t.copies()) {
        if (c.endpoint().equals(copy)) {
          for (var f : c.findings()) {
            out.add(f.kind() + " " + keyText(f.key()));
          }
        }
      }
    }
    return out;
  }

  static String keyText(Map<String, Object> key) {
    return key.size() == 1
        ? String.valueOf(key.values().iterator().next())
        : String.join("|", key.values().stream().map(String::valueOf).toList());
  }

  /** The columns named of a single-column-key finding of one copy, as "[a, b]". */
  public static String columnsNamed(AuditReport r, String table, String copy, String key) {
    return copy(r, table, copy).findings().stream()
        .filter(f -> String.valueOf(f.key().values().iterator().next()).equals(key))
        .findFirst()
        .orElseThrow()
        .columns()
        .toString();
  }

  public static AuditReport.CopyReport copy(AuditReport r, String table, String copy) {
    return r.tables().stream()
        .filter(t -> t.table().equals(table))
        .flatMap(t -> t.copies().stream())
        .filter(c -> c.endpoint().equals(copy))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no copy " + copy + " of " + table + " in " + r));
  }
}
