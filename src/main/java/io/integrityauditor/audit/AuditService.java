package io.integrityauditor.audit;

import io.integrityauditor.audit.AuditReport.CopyReport;
import io.integrityauditor.audit.AuditReport.FindingReport;
import io.integrityauditor.audit.AuditReport.Status;
import io.integrityauditor.audit.AuditReport.TableReport;
import io.integrityauditor.backup.BackupFinding;
import io.integrityauditor.backup.BackupInspector;
import io.integrityauditor.backup.UsersAtRisk;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.dialect.Dialect;
import io.integrityauditor.dialect.Dialect.HashFlavor;
import io.integrityauditor.dialect.GenericJdbcDialect;
import io.integrityauditor.dialect.PostgresDialect;
import io.integrityauditor.dialect.ReplicationHealth;
import io.integrityauditor.dialect.TableCatalog;
import io.integrityauditor.engine.Column;
import io.integrityauditor.engine.CompareSettings;
import io.integrityauditor.engine.CopyOutcome;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.Finding;
import io.integrityauditor.engine.Key;
import io.integrityauditor.engine.ScanState;
import io.integrityauditor.engine.TableComparator;
import io.integrityauditor.engine.TableComparator.CopyLink;
import io.integrityauditor.engine.TableShape;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an audit of a dataset: every table against every replica and restored backup, then rolls the
 * findings up to the users who would lose data if the primary died now.
 */
public final class AuditService {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditService.class);

  /** Told about progress; the CLI prints it, the service stores it. */
  public interface Progress {
    void tableStarted(String table, long estimatedRows);

    void chunkScanned(String table, long rows, long elapsedNanos);

    /** The table is being digested in one statement per side; its rows come when it ends. */
    default void onePassStarted(String table) {}

    /** A restore drill started ({@code true}) or ended: work that checks no chunk meanwhile. */
    default void restoring(boolean running) {}

    /**
     * Rows of the table an interrupted attempt of this run had compared, which this attempt does
     * not compare again (counted once however many scans the table has).
     */
    default void resumed(String table, long rows) {}

    Progress NONE =
        new Progress() {
          @Override
          public void tableStarted(String table, long estimatedRows) {}

          @Override
          public void chunkScanned(String table, long rows, long elapsedNanos) {}
        };
  }

  /**
   * A table an audit run completed: its report and the owners of its rows no copy can restore.
   * Stored by the service after each table, so an interrupted run resumes with the next table.
   */
  public record TableCheckpoint(
      TableReport report, List<String> atRiskOwners, boolean atRiskComplete, String config) {
    public TableCheckpoint(TableReport report, List<String> atRiskOwners, boolean atRiskComplete) {
      this(report, atRiskOwners, atRiskComplete, null);
    }

    TableCheckpoint withConfig(String digest) {
      return new TableCheckpoint(report, atRiskOwners, atRiskComplete, digest);
    }
  }

  /** Where a run's completed tables are kept; the CLI keeps none. */
  public interface Checkpoints {
    /** The checkpoint of a table this run already completed, or null. */
    TableCheckpoint completed(String table);

    void tableDone(TableCheckpoint checkpoint);

    /**
     * The chunk checkpoint of a table this run had not completed, for one scan (hashing flavour),
     * or null.
     */
    default ScanState partial(String table, String scan) {
      return null;
    }

    /** Records a chunk checkpoint; must not throw. */
    default void partialReached(String table, String scan, ScanState state) {}

    /**
     * Forgets what was stored of a completed table (its checkpoint, copies and findings): the
     * configuration changed since, and the table is compared again. Must not throw.
     */
    default void forget(String table) {}

    /** How often chunk checkpoints are taken; null for never. */
    default Duration partialInterval() {
      return null;
    }

    /**
     * When the run started, for a run an earlier attempt began: the report's {@code startedAt}
     * (backup ages stay relative to this attempt, which reads the backups' times again). Null for a
     * run starting now.
     */
    default Instant runStartedAt() {
      return null;
    }

    Checkpoints NONE =
        new Checkpoints() {
          @Override
          public TableCheckpoint completed(String table) {
            return null;
          }

          @Override
          public void tableDone(TableCheckpoint checkpoint) {}
        };
  }

  private static final int USERS_SAMPLE = 100;

  /**
   * Helper threads of the runs: replication checks and sessions opened ahead of need (daemon
   * threads, idle ones end after a minute).
   */
  private final java.util.concurrent.ExecutorService helpers =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "audit-prepare");
            t.setDaemon(true);
            return t;
          });

  private final Map<String, DatasetConfig> datasets;
  private final EndpointConnector connector;
  private final CompareSettings settings;
  private final Clock clock;
  private final Duration maxReplicaLag;

  /**
   * Per backup endpoint, the drill last completed successfully ({@code restoreWhen: newFile}, and
   * runs resumed after a crash): this process's memory unless {@link #withRestoreLedger}.
   */
  private io.integrityauditor.backup.RestoreLedger lastRestored =
      io.integrityauditor.backup.RestoreLedger.inMemory();

  public AuditService(
      Map<String, DatasetConfig> datasets,
      EndpointConnector connector,
      CompareSettings settings,
      Clock clock) {
    this(datasets, connector, settings, clock, Duration.ofSeconds(30));
  }

  public AuditService(
      Map<String, DatasetConfig> datasets,
      EndpointConnector connector,
      CompareSettings settings,
      Clock clock,
      Duration maxReplicaLag) {
    this.datasets = datasets;
    this.connector = connector;
    // A replica within maxReplicaLag is healthy, so it must be waited for that long: with a
    // shorter wait, a replica 15 s behind (replicaWait 10 s, maxReplicaLag 30 s) could never be
    // compared at the primary's point of history.
    this.settings =
        settings.replicaWait().compareTo(maxReplicaLag) < 0
            ? settings.withReplicaSync(maxReplicaLag, settings.recheckAttempts())
            : settings;
    this.clock = clock;
    this.maxReplicaLag = maxReplicaLag;
  }

  /** Removes every configured password from a message. */
  public String redact(String message) {
    return connector.redact(message);
  }

  /** The configured datasets, in config order. */
  public Map<String, DatasetConfig> datasets() {
    return datasets;
  }

  /** A request names a dataset or table that is not configured. */
  public static final class UnknownTargetException extends RuntimeException {
    public UnknownTargetException(String message) {
      super(message);
    }
  }

  /** Checks a request before it is queued or run. */
  public void validate(AuditRequest request) {
    DatasetConfig ds = datasets.get(request.dataset());
    if (ds == null) {
      throw new UnknownTargetException(
          "unknown dataset '"
              + request.dataset()
              + "' (known: "
              + String.join(", ", datasets.keySet())
              + ")");
    }
    if (request.table() != null
        && ds.tables().stream().noneMatch(t -> t.name().equals(request.table()))) {
      throw new UnknownTargetException(
          "unknown table '" + request.table() + "' in dataset '" + request.dataset() + "'");
    }
    if (request.user() != null
        && request.table() != null
        && ds.tables().stream()
            .anyMatch(t -> t.name().equals(request.table()) && t.owner() == null)) {
      // Before, the table was skipped: nothing audited, CONSISTENT (exit 0).
      throw new UnknownTargetException(
          "table '"
              + request.table()
              + "' of dataset '"
              + request.dataset()
              + "' has no 'owner' column to select a user by");
    }
    if (request.user() != null && ds.tables().stream().allMatch(t -> t.owner() == null)) {
      throw new UnknownTargetException(
          "dataset '"
              + request.dataset()
              + "' has no table with an 'owner' column to select a user by");
    }
  }

  public AuditReport run(AuditRequest request, Progress progress, AtomicBoolean cancelled) {
    return run(UUID.randomUUID().toString(), request, progress, cancelled, Checkpoints.NONE);
  }

  /** The tables a request covers, in config order. */
  public List<TableConfig> tables(AuditRequest request) {
    validate(request);
    DatasetConfig ds = datasets.get(request.dataset());
    return ds.tables().stream()
        .filter(t -> request.table() == null || request.table().equals(t.name()))
        .filter(t -> request.user() == null || t.owner() != null)
        .toList();
  }

  /**
   * The primary's row estimate per table of a request (catalog statistics, no scan), for progress
   * and ETA; -1 where unknown.
   */
  public Map<String, Long> estimatedRows(AuditRequest request) {
    return estimatedRows(request, new AtomicBoolean());
  }

  /**
   * The same, stopped when {@code cancelled} is set: the tables not estimated yet are unknown.
   * Regression (review 7 of session 22): a run of 1,000 tables took 9 - 15 s to cancel, reading
   * every table's catalog first.
   */
  public Map<String, Long> estimatedRows(AuditRequest request, AtomicBoolean cancelled) {
    DatasetConfig ds = datasets.get(request.dataset());
    Map<String, Long> out = new LinkedHashMap<>();
    Dialect dialect = connector.dialect(ds.primary());
    try (Connection c = connector.open(ds.primary())) {
      for (TableConfig t : tables(request)) {
        if (cancelled.get()) {
          out.put(t.name(), -1L);
          continue;
        }
        long n = -1;
        try {
          TableShape shape = dialect.describe(c, catalogRequest(t));
          HashFlavor flavor =
              dialect instanceof GenericJdbcDialect ? HashFlavor.JVM : HashFlavor.CANONICAL;
          n =
              request.user() != null
                  ? -1
                  : dialect
                      .digestSource(c, shape, flavor, connector.statementTimeout())
                      .estimatedRows();
        } catch (RuntimeException e) {
          // unknown; the audit itself reports the problem
        }
        out.put(t.name(), n);
      }
    } catch (RuntimeException | SQLException e) {
      // unknown; the audit itself reports the problem
    }
    return out;
  }

  /**
   * Runs an audit under a given id, skipping the tables {@code checkpoints} holds as completed and
   * handing it every table it completes.
   */
  public AuditReport run(
      String id,
      AuditRequest request,
      Progress progress,
      AtomicBoolean cancelled,
      Checkpoints checkpoints) {
    validate(request);
    Instant started = clock.instant();
    long startedNanos = System.nanoTime();
    DatasetConfig ds = datasets.get(request.dataset());
    List<TableReport> tables = new ArrayList<>();
    String error = null;
    boolean findings = false;
    boolean failed = false;
    // Backups first: restore drills, their time and freshness decide whether and as of when their
    // rows are compared. Partial audits (one table, one user) compare the endpoint as it is.
    boolean wholeDataset = request.table() == null && request.user() == null;
    List<BackupInspector.State> backupStates = new ArrayList<>();
    for (BackupConfig b : ds.backups()) {
      BackupInspector.State st =
          backupInspector()
              .forRun(id)
              .forTables(
                  endpoint ->
                      ds.tables().stream()
                          .map(t -> tableOnCopy(t.name(), ds.primary(), endpoint))
                          .toList())
              .inspect(b, wholeDataset, progress::restoring, cancelled::get);
      backupStates.add(st);
      findings |= !st.findings().isEmpty();
      if (st.error() != null) {
        failed = true;
        if (error == null) {
          error = b.endpoint() + ": " + st.error();
        }
      }
    }
    List<CopySpec> copies = new ArrayList<>();
    for (String r : ds.replicas()) {
      copies.add(new CopySpec(r, "REPLICA", null));
    }
    for (BackupInspector.State st : backupStates) {
      copies.add(new CopySpec(st.config().endpoint(), "BACKUP", st));
    }
    // Replication first: a stopped or lagging replica is a finding, and is compared as it is
    // (without waiting for it) since it cannot catch up during the audit. Every replica is checked
    // on a helper thread while the first table is described; its comparison starts only once the
    // checks are in (Replication#syncable).
    Replication replication = new Replication(ds, startedNanos);
    Set<String> atRisk = new TreeSet<>();
    // False when some copy lost more rows than are kept in memory for the roll-up (2,000,000 by
    // default): usersAtRisk is then a lower bound, while the per-copy counts stay exact.
    boolean riskComplete = true;
    String notAnOwner = null;
    for (TableConfig t : ds.tables()) {
      if (cancelled.get()) {
        // The tables left are not started: each would connect to every endpoint and describe
        // itself before its comparison saw the flag (review 6 of session 20: a cancel took 58.6 s
        // over 12 tables behind a hanging copy).
        break;
      }
      if (request.table() != null && !request.table().equals(t.name())) {
        continue;
      }
      if (request.user() != null && t.owner() == null) {
        continue;
      }
      String config = configDigest(ds, t, request.user());
      TableCheckpoint done = checkpoints.completed(t.name());
      if (done != null && !config.equals(done.config())) {
        // Regression: a table completed under another configuration (another exclude, owner,
        // updatedAt, key or copy) was reported as it was then: a finding about a column no longer
        // compared, or a change of a column compared again missed (CheckpointConfigTest).
        LOG.info(
            "table {}: its configuration changed since the run was interrupted; compared again",
            t.name());
        checkpoints.forget(t.name());
        done = null;
      }
      if (done == null) {
        TableRun run =
            auditTable(
                ds, t, copies, replication, request.user(), progress, cancelled, checkpoints);
        if (run.notAnOwner() != null && request.table() == null) {
          // One user across a dataset whose tables' owners are of several types (text, uuid,
          // bigint): a table whose owner this user cannot be holds none of the user's rows.
          // Regression: the whole audit failed (exit 2) on the first such table. When no table
          // can hold the user, the audit fails with the message (below).
          notAnOwner = notAnOwner == null ? run.notAnOwner() : notAnOwner;
          continue;
        }
        done = atRisk(run, copies);
        switch (undecided(run, copies)) {
          case UNKNOWN -> done = new TableCheckpoint(done.report(), done.atRiskOwners(), false);
          case NO_COPY -> {
            if (t.owner() != null) {
              done = everyOwner(ds, t, request.user(), done);
            }
          }
          case DECIDED -> {}
        }
        done = done.withConfig(config);
        if (!cancelled.get()) {
          checkpoints.tableDone(done);
        }
      }
      tables.add(done.report());
      if (done.report().error() != null) {
        failed = true;
        if (error == null) {
          error = done.report().error();
        }
      }
      for (CopyReport c : done.report().copies()) {
        failed |= c.status() == Status.FAILED;
        findings |= c.status() == Status.FINDINGS;
        if (c.status() == Status.FAILED && error == null) {
          error = c.endpoint() + ": " + c.error();
        }
      }
      atRisk.addAll(done.atRiskOwners());
      riskComplete &= done.atRiskComplete();
    }
    if (notAnOwner != null && tables.isEmpty()) {
      // nothing compared: the count is unknown, as when a table could not be compared (review 1
      // of session 20: this one said 0, complete)
      failed = true;
      riskComplete = false;
      error = error == null ? notAnOwner : error;
    }
    findings |= replication.anyFinding();
    // Users at risk are a finding even when every copy is consistent in itself (a backup
    // compared as of its time cannot restore what was written since).
    findings |= !atRisk.isEmpty();
    Status status = failed ? Status.FAILED : findings ? Status.FINDINGS : Status.CONSISTENT;
    List<String> sample =
        atRisk.stream().sorted(AuditService::compareOwners).limit(USERS_SAMPLE).toList();
    return new AuditReport(
        id,
        request.dataset(),
        status,
        (checkpoints.runStartedAt() != null ? checkpoints.runStartedAt() : started).toString(),
        clock.instant().toString(),
        tables,
        backupReports(backupStates, tables, started),
        replication.reports(),
        atRisk.size(),
        sample,
        riskComplete,
        error == null ? null : connector.redact(error));
  }

  /**
   * A row is at risk when every replica that could be checked lacks it or holds another value and
   * the newest verified backup cannot restore it (lacks it, differs, or is older).
   */
  private static TableCheckpoint atRisk(TableRun run, List<CopySpec> copies) {
    Set<String> owners = new TreeSet<>();
    boolean complete = true;
    if (run.report().error() == null && run.outcomes().size() == copies.size()) {
      List<Map<Key, String>> replicaLost = new ArrayList<>();
      Map<Key, String> backupUnrestorable = null;
      Instant newestBackup = null;
      for (int i = 0; i < copies.size(); i++) {
        CopySpec spec = copies.get(i);
        CopyOutcome o = run.outcomes().get(i);
        if (o == null || o.failed() || (spec.backup() != null && !spec.backup().comparable())) {
          continue;
        }
        if (spec.backup() == null) {
          replicaLost.add(o.lostRows());
          complete &= o.lostRowsComplete();
        } else if (newestBackup == null || spec.backup().asOf().isAfter(newestBackup)) {
          newestBackup = spec.backup().asOf();
          backupUnrestorable = UsersAtRisk.union(o.lostRows(), o.writtenAfterRows());
          complete &= o.lostRowsComplete();
        }
      }
      owners.addAll(UsersAtRisk.owners(UsersAtRisk.rows(replicaLost, backupUnrestorable).values()));
    }
    return new TableCheckpoint(run.report(), List.copyOf(owners), complete);
  }

  private enum Decision {
    /** Some copy was compared: the roll-up holds. */
    DECIDED,
    /** No copy was compared and none could be (no replica, every backup unusable: a finding). */
    NO_COPY,
    /** No copy was compared because the primary or a copy failed: nothing is known. */
    UNKNOWN
  }

  /**
   * Whether any copy of the table was compared. Regression: with no usable copy at all (the only
   * backup's restore failed, or its dump files were missing, and no replica), usersAtRisk was 0,
   * where every row then exists on the primary alone.
   */
  private static Decision undecided(TableRun run, List<CopySpec> copies) {
    if (run.report().error() != null || run.outcomes().size() != copies.size()) {
      return Decision.UNKNOWN;
    }
    boolean failed = false;
    for (int i = 0; i < copies.size(); i++) {
      CopySpec spec = copies.get(i);
      CopyOutcome o = run.outcomes().get(i);
      if (spec.backup() != null && !spec.backup().comparable()) {
        failed |= spec.backup().error() != null;
      } else if (o == null || o.failed()) {
        failed = true;
      } else {
        return Decision.DECIDED;
      }
    }
    return failed ? Decision.UNKNOWN : Decision.NO_COPY;
  }

  /**
   * Every owner of the table's rows on the primary (of the one user, in a one-user audit): no copy
   * holds any of them. Bounded like the lost rows of a copy: beyond the bound the count is a lower
   * bound.
   */
  private TableCheckpoint everyOwner(
      DatasetConfig ds, TableConfig t, String user, TableCheckpoint done) {
    Set<String> owners = new TreeSet<>(done.atRiskOwners());
    boolean complete = done.atRiskComplete();
    Dialect d = connector.dialect(ds.primary());
    try (Connection c = connector.open(ds.primary())) {
      TableShape shape = d.describe(c, catalogRequest(t));
      String table =
          (shape.schema() == null ? "" : d.quote(shape.schema()) + ".") + d.quote(shape.name());
      String col = d.quote(shape.owner().name());
      String sql =
          "SELECT DISTINCT "
              + col
              + " FROM "
              + table
              + " WHERE "
              + col
              + " IS NOT NULL"
              + (user == null ? "" : " AND " + col + " = ?");
      try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
        if (user != null) {
          ps.setObject(1, io.integrityauditor.engine.Values.ownerValue(user, shape.owner()));
        }
        ps.setQueryTimeout((int) Math.max(1, connector.statementTimeout().toSeconds()));
        int cap = settings.lostRowsCap();
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (owners.size() >= cap) {
              complete = false;
              break;
            }
            owners.add(io.integrityauditor.engine.Values.ownerText(rs.getObject(1), shape.owner()));
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn(
          "table {}: its owners could not be read for the users at risk: {}",
          t.name(),
          connector.redact(describe(e)));
      complete = false;
    }
    return new TableCheckpoint(done.report(), List.copyOf(owners), complete);
  }

  /** Owners sort numerically when they are numbers, so a sample reads 7, 19, 23. */
  private static final java.util.regex.Pattern INTEGER_OWNER =
      java.util.regex.Pattern.compile("-?\\d+");

  static int compareOwners(String a, String b) {
    boolean na = INTEGER_OWNER.matcher(a).matches();
    boolean nb = INTEGER_OWNER.matcher(b).matches();
    if (na && nb) {
      // Regression (review 2 of session 24): only up to 18 digits were numbers, so the bigint
      // -9000000000000000000 sorted after 5 and the 100 users sampled were not the lowest ids.
      int c =
          a.length() <= 18 && b.length() <= 18
              ? Long.compare(Long.parseLong(a), Long.parseLong(b))
              : new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b));
      return c != 0 ? c : a.compareTo(b);
    }
    if (na != nb) {
      return na ? -1 : 1;
    }
    return a.compareTo(b);
  }

  /** A copy to compare; {@code backup} is the backup's state, null for a replica. */
  private record CopySpec(String endpoint, String role, BackupInspector.State backup) {}

  /**
   * A table's comparison; {@code notAnOwner}: the one-user audit's user can be no value of the
   * table's owner column (the message), and nothing was compared.
   */
  private record TableRun(TableReport report, List<CopyOutcome> outcomes, String notAnOwner) {
    TableRun(TableReport report, List<CopyOutcome> outcomes) {
      this(report, outcomes, null);
    }
  }

  /**
   * A copy ready to compare; {@code unordered} when it sorts the key differently from the primary
   * (see {@link TableComparator#withoutCommonKeyOrder}).
   */
  private record PreparedCopy(
      CopySpec spec,
      Dialect dialect,
      TableShape shape,
      HashFlavor flavor,
      String error,
      boolean unordered) {
    PreparedCopy(
        CopySpec spec, Dialect dialect, TableShape shape, HashFlavor flavor, String error) {
      this(spec, dialect, shape, flavor, error, false);
    }
  }

  /**
   * Raised whenever a row hash changes (a dialect's SQL, the canonical encoding): a chunk
   * checkpoint holds the hashes of rows still waiting for their match, which a resumed run compares
   * with hashes of its own, so a checkpoint of another version is not used (the table is compared
   * from its start). 2: PostgreSQL's NATIVE hash takes 64-bit values whole (PostgreSQL's own int8
   * hash folds them to 32 bits), numeric, time and timetz by their text, and mixes the row through
   * a 64-bit seed. 3 (session 14): PostgreSQL object identifiers by their qualified identity, and
   * its CANONICAL hash with character(n) unpadded, json as jsonb, timestamptz in UTC; MariaDB's
   * ascii through latin1, an enum's invalid value, values over 64 KiB by their SHA-256; the JVM's
   * floats widened to double, arrays by their elements. 4 (session 16): MariaDB text of another
   * character set than UTF-8 with its bytes where the conversion to UTF-8 loses them. 5 (session
   * 20): a PostgreSQL real widened to double precision in the canonical encoding. 6 (session 25):
   * PostgreSQL's CANONICAL hash with booleans as 1 and 0 and inet as its output (no /32).
   */
  static final int ROW_HASH_VERSION = 6;

  /**
   * Raised whenever the form of key values read changes ({@link
   * io.integrityauditor.engine.Values#keyAsRead}): a chunk checkpoint holds keys that a resumed run
   * matches with keys of its own, so a checkpoint of another form is not used. 2: temporal, UUID
   * and boolean keys read as text in one form whatever the hashing flavour (a timestamptz without
   * its +00, MariaDB's fractions without trailing zeros). 3: MariaDB FLOAT keys as their exact
   * double, text keys a conversion to UTF-8 cannot tell apart as their bytes. 4: boolean keys as
   * the numbers 1 and 0 (they were the text 1 and 0).
   */
  static final int KEY_FORM_VERSION = 4;

  /**
   * One scan of the primary: the copies hashed alike and sorting the key alike. Its name keys the
   * table's chunk checkpoint.
   */
  record ScanGroup(
      HashFlavor flavor,
      boolean unordered,
      java.util.SortedSet<String> jsonb,
      java.util.SortedSet<String> trimmedScale,
      java.util.SortedSet<String> dateAsTimestamp,
      java.util.SortedSet<String> unpadded,
      java.util.SortedSet<String> jsonText) {
    ScanGroup(HashFlavor flavor, boolean unordered) {
      this(flavor, unordered, new java.util.TreeSet<>());
    }

    ScanGroup(HashFlavor flavor, boolean unordered, java.util.SortedSet<String> jsonb) {
      this(
          flavor,
          unordered,
          jsonb,
          new java.util.TreeSet<>(),
          new java.util.TreeSet<>(),
          new java.util.TreeSet<>(),
          new java.util.TreeSet<>());
    }

    String name() {
      return name("");
    }

    /**
     * The name under a table's configuration ({@link #configDigest}): a chunk checkpoint taken
     * under another configuration is not resumed.
     */
    String name(String config) {
      String detail =
          String.join(",", jsonb)
              + (trimmedScale.isEmpty() ? "" : ";scale:" + String.join(",", trimmedScale))
              + (dateAsTimestamp.isEmpty() ? "" : ";date:" + String.join(",", dateAsTimestamp))
              + (unpadded.isEmpty() ? "" : ";pad:" + String.join(",", unpadded))
              + (jsonText.isEmpty() ? "" : ";text:" + String.join(",", jsonText))
              + "|"
              + config;
      return (unordered ? flavor.name() + "-UNORDERED" : flavor.name())
          // the state database keeps 40 characters of a scan's name: the rest as a short hash
          + (detail.equals("|") ? "" : "-c" + Integer.toHexString(detail.hashCode()))
          + "-k"
          + KEY_FORM_VERSION
          + "-h"
          + ROW_HASH_VERSION;
    }
  }

  /**
   * The columns a copy hashed in the JVM compares as the text they hold: PostgreSQL {@code json} on
   * the primary and on the copy (whitespace, member order and duplicate keys are its value, as a
   * copy hashed in SQL compares it). Such copies are scanned apart from those comparing documents.
   * Regressions: a LATIN1 copy with them changed was CONSISTENT (review 1 of session 26), and again
   * once the dataset also had a MariaDB copy, which shared the scan (review 4 of session 27).
   */
  private static java.util.SortedSet<String> jsonText(
      HashFlavor flavor,
      Dialect primaryDialect,
      TableShape primary,
      Dialect copyDialect,
      TableShape copy) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    if (flavor == HashFlavor.JVM
        && primaryDialect instanceof PostgresDialect
        && copyDialect instanceof PostgresDialect) {
      out.addAll(primary.columnsOfType("json"));
      out.retainAll(copy.columnsOfType("json"));
    }
    return out;
  }

  /**
   * The columns a CANONICAL copy compares as jsonb documents: json on the primary and jsonb on the
   * copy, or the other way round. json on both keeps its text; the copy's scan group carries the
   * set, since the primary's rendering depends on it.
   */
  private static java.util.SortedSet<String> jsonbPair(
      HashFlavor flavor, TableShape primary, TableShape copy) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    if (flavor != HashFlavor.CANONICAL) {
      return out;
    }
    for (String c : primary.columnsOfType("json")) {
      if (copy.columnsOfType("jsonb").contains(c)) {
        out.add(c);
      }
    }
    for (String c : primary.columnsOfType("jsonb")) {
      if (copy.columnsOfType("json").contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Keeps the restores drills completed in this ledger (the service's state database) instead of
   * this process's memory.
   */
  public AuditService withRestoreLedger(io.integrityauditor.backup.RestoreLedger ledger) {
    this.lastRestored = ledger;
    return this;
  }

  /**
   * What a table's comparison depends on in the configuration — the table (key, owner, updatedAt,
   * exclude), the user of a one-user audit, the primary and every copy with its URL, the backups'
   * settings — digested: a checkpoint stored under another is not resumed.
   */
  String configDigest(DatasetConfig ds, TableConfig t, String user) {
    StringBuilder sb = new StringBuilder();
    sb.append(t).append('\n').append(user).append('\n');
    List<String> endpoints = new ArrayList<>();
    endpoints.add(ds.primary());
    endpoints.addAll(ds.replicas());
    for (BackupConfig b : ds.backups()) {
      endpoints.add(b.endpoint());
      sb.append(b).append('\n');
    }
    for (String e : endpoints) {
      var cfg = connector.endpoints().get(e);
      sb.append(e).append('=').append(cfg == null ? "" : cfg.url()).append('\n');
    }
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException x) {
      throw new IllegalStateException(x);
    }
  }

  /** Rows of a table's scans counted once: each of {@code scans} scans adds its share. */
  static final class ScanShares {
    private final int scans;
    private long scanned;
    private long counted;

    ScanShares(int scans) {
      this.scans = Math.max(1, scans);
    }

    /** The rows to count for {@code rows} more rows scanned by one of the scans. */
    synchronized long add(long rows) {
      scanned += rows;
      long share = scanned / scans;
      long n = share - counted;
      counted = share;
      return n;
    }
  }

  private BackupInspector backupInspector() {
    Set<String> live = new HashSet<>();
    for (DatasetConfig d : datasets.values()) {
      live.add(d.primary());
      live.addAll(d.replicas());
    }
    return new BackupInspector(
            connector.endpoints(), live, connector::open, connector::redact, clock, lastRestored)
        .withholding(connector::secrets);
  }

  private static List<AuditReport.BackupReport> backupReports(
      List<BackupInspector.State> states, List<TableReport> tables, Instant started) {
    List<AuditReport.BackupReport> out = new ArrayList<>();
    for (BackupInspector.State st : states) {
      BackupConfig b = st.config();
      long written = 0;
      long deleted = 0;
      List<String> countsOnly = new ArrayList<>();
      for (TableReport t : tables) {
        for (CopyReport c : t.copies()) {
          if (c.role().equals("BACKUP") && c.endpoint().equals(b.endpoint())) {
            written += c.inFlight();
            deleted += c.deletedSinceBackup();
            if (c.countsOnly()) {
              countsOnly.add(t.table());
            }
          }
        }
      }
      var newest = st.files().isEmpty() ? null : st.files().get(0);
      var previous = st.files().size() < 2 ? null : st.files().get(1);
      var r = st.restore();
      out.add(
          new AuditReport.BackupReport(
              b.endpoint(),
              st.asOf() == null ? null : st.asOf().toString(),
              // 0 for a backup taken after the audit began (asOf: SELECT now(), run after the
              // start) or within the clock skew allowed: an age is never negative
              st.asOf() == null
                  ? null
                  : Math.max(0, Duration.between(st.asOf(), started).toSeconds()),
              st.findings().stream().anyMatch(f -> f.kind() == BackupFinding.Kind.STALE),
              st.asOfSource(),
              b.maxAge() == null ? null : b.maxAge().toSeconds(),
              newest == null ? null : newest.path().toString(),
              newest == null || newest.modified() == null ? null : newest.modified().toString(),
              newest == null ? null : newest.bytes(),
              previous == null ? null : previous.bytes(),
              r == null
                  ? null
                  : new AuditReport.RestoreReport(
                      r.command(), r.exitCode(), r.durationMs(), r.timedOut(), r.outputTail()),
              st.comparable() && compared(b.endpoint(), tables),
              countsOnly,
              written,
              deleted,
              st.findings().stream()
                  .map(f -> new AuditReport.BackupFindingReport(f.kind().name(), f.message()))
                  .toList(),
              st.restoreSkipped(),
              st.beingWritten()));
    }
    return out;
  }

  /**
   * Whether some table compared the backup's rows. Regression: a backup whose every table failed on
   * the primary (unreachable) said {@code "compared": true}.
   */
  private static boolean compared(String backup, List<TableReport> tables) {
    return tables.stream()
        .flatMap(t -> t.copies().stream())
        .anyMatch(
            c ->
                c.role().equals("BACKUP")
                    && c.endpoint().equals(backup)
                    && c.status() != Status.FAILED);
  }

  /** The replication health of a dataset's replicas, checked concurrently. */
  private final class Replication {
    private final Map<String, CompletableFuture<ReplicationHealth>> checks = new LinkedHashMap<>();
    private final DatasetConfig ds;

    /** When the audit began ({@link System#nanoTime()}): the watermark of copies as they are. */
    final long startedNanos;

    Replication(DatasetConfig ds, long startedNanos) {
      this.ds = ds;
      this.startedNanos = startedNanos;
      for (String r : ds.replicas()) {
        checks.put(
            r, CompletableFuture.supplyAsync(() -> checkReplication(ds.primary(), r), helpers));
      }
    }

    private ReplicationHealth health(String replica) {
      try {
        return checks.get(replica).join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    }

    /**
     * Whether the comparison of this copy follows the primary's position: a healthy replica of the
     * primary. A stopped or lagging one, and one that is not a replica of the primary (e.g. a
     * logical subscriber of another server, whose positions are not the primary's), is compared as
     * it is.
     */
    boolean syncable(String copy) {
      if (!checks.containsKey(copy)) {
        return false;
      }
      ReplicationHealth h = health(copy);
      return !h.isFinding() && h.state() != ReplicationHealth.State.NOT_A_REPLICA;
    }

    /**
     * A replica that did not apply the primary's position within the wait during the audit (its
     * health was checked before): checked again, and reported LAGGING if it still reads healthy.
     * Regression: its differing rows were counted in flight and the audit read CONSISTENT, exit 0 —
     * on a replica 15 s behind (within maxReplicaLag) and on one whose replication broke after its
     * health check, real differences went unreported.
     */
    synchronized void fellBehind(String replica, String table, Duration wait) {
      ReplicationHealth before = health(replica);
      if (before.isFinding()) {
        return;
      }
      ReplicationHealth now = checkReplication(ds.primary(), replica);
      String why =
          "fell behind during the audit: did not apply the primary's position within "
              + wait.toSeconds()
              + " s while "
              + table
              + " was compared; the rows it differed in since could not be judged (counted in"
              + " flight)";
      // It was more than the wait behind (the wait is at least maxReplicaLag): that is its lag
      // for the report and integrity_replica_lag_seconds, not the re-check's. Regression: a
      // standby that caught up by the re-check was LAGGING with a lag under a second, below the
      // bound, and IntegrityReplicaLag (lag > max lag) never fired for the finding.
      // A millisecond over the wait (Math.nextUp printed 30.000000000000004).
      double behind = (wait.toMillis() + 1) / 1000.0;
      ReplicationHealth reported =
          now.isFinding()
              ? ReplicationHealth.of(now.state(), now.lagSeconds(), now.message() + "; " + why)
              : ReplicationHealth.of(
                  ReplicationHealth.State.LAGGING,
                  now.lagSeconds() == null ? behind : Math.max(now.lagSeconds(), behind),
                  why);
      checks.put(replica, CompletableFuture.completedFuture(reported));
    }

    boolean anyFinding() {
      boolean any = false;
      for (String r : checks.keySet()) {
        any |= health(r).isFinding();
      }
      return any;
    }

    List<AuditReport.ReplicationReport> reports() {
      List<AuditReport.ReplicationReport> out = new ArrayList<>();
      for (String r : checks.keySet()) {
        ReplicationHealth h = health(r);
        out.add(
            new AuditReport.ReplicationReport(
                r, h.state().name(), h.lagSeconds(), connector.redact(h.message())));
      }
      return out;
    }
  }

  private ReplicationHealth checkReplication(String primary, String replica) {
    Dialect pd = connector.dialect(primary);
    Dialect rd = connector.dialect(replica);
    if (pd.getClass() != rd.getClass()) {
      return ReplicationHealth.of(
          ReplicationHealth.State.UNKNOWN, null, "different engine than the primary");
    }
    for (int attempt = 1; ; attempt++) {
      try (Connection p = connector.open(primary);
          Connection r = connector.open(replica)) {
        return rd.replicationHealth(p, r, maxReplicaLag);
      } catch (RuntimeException | SQLException e) {
        if (retryAfterRecoveryConflict(e, attempt) || retryClosedSession(e, attempt)) {
          continue;
        }
        return ReplicationHealth.of(
            ReplicationHealth.State.UNKNOWN,
            null,
            "check failed: " + connector.redact(describe(e)));
      }
    }
  }

  private static final int CONFLICT_ATTEMPTS = 5;

  /**
   * Whether work on sessions the server closed under it (SQLSTATE 08003: the driver already knows
   * the session is gone) should be tried once more on new ones: a hot standby terminates a session
   * idle in a transaction whose snapshot conflicts with recovery ("FATAL: terminating connection
   * due to conflict with recovery"), and the next statement on it fails so, not with 40001.
   * Regression (review 3 of session 25): under VACUUM on the primary and {@code
   * max_standby_streaming_delay = 0}, the replication check of 7 audits in 38 said UNKNOWN, "check
   * failed: This connection has been closed.", without the replica's lag. A server that refuses new
   * sessions fails the next attempt on its own error.
   */
  static boolean retryClosedSession(Throwable e, int attempt) {
    boolean closed = false;
    for (Throwable t = e; t != null && !closed; t = t.getCause() == t ? null : t.getCause()) {
      closed = t instanceof SQLException s && "08003".equals(s.getSQLState());
    }
    if (!closed || attempt >= 2) {
      return false;
    }
    try {
      Thread.sleep(50L);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }

  /**
   * Whether a query a hot standby cancelled because of a conflict with recovery (SQLSTATE 40001)
   * should be run again, after a short pause: such cancellations come from replication, not from
   * the data. The comparison's own queries retry the same way (JdbcDigestSource).
   */
  static boolean retryAfterRecoveryConflict(Throwable e, int attempt) {
    boolean conflict = false;
    for (Throwable t = e; t != null && !conflict; t = t.getCause() == t ? null : t.getCause()) {
      conflict = t instanceof SQLException s && "40001".equals(s.getSQLState());
    }
    if (!conflict || attempt >= CONFLICT_ATTEMPTS) {
      return false;
    }
    try {
      Thread.sleep(50L * attempt);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }

  /**
   * Each configured table checked against its primary's catalog, for the service's start-up: a
   * table, key or column the primary does not have is a problem naming its field (ARCHITECTURE §2:
   * "unknown table" is refused at start-up). A primary that cannot be reached now is skipped with a
   * warning: the service starts, and that dataset's audits fail with their error until it can be.
   */
  public List<String> catalogProblems() {
    List<String> out = new ArrayList<>();
    for (var d : datasets.entrySet()) {
      DatasetConfig ds = d.getValue();
      if (ds.primary() == null) {
        continue;
      }
      try (Connection c = connector.open(ds.primary())) {
        Dialect dialect = connector.dialect(ds.primary());
        for (int i = 0; i < ds.tables().size(); i++) {
          TableConfig t = ds.tables().get(i);
          try {
            dialect.describe(c, catalogRequest(t));
          } catch (TableCatalog.CatalogException e) {
            out.add(
                "datasets."
                    + d.getKey()
                    + ".tables["
                    + i
                    + "]: "
                    + connector.redact(e.getMessage())
                    + " on endpoint '"
                    + ds.primary()
                    + "'");
          }
        }
      } catch (SQLException | RuntimeException e) {
        LOG.warn(
            "dataset {}: its tables could not be checked at start-up ({}); its audits will say",
            d.getKey(),
            connector.redact(String.valueOf(e.getMessage())));
      }
    }
    return out;
  }

  /** Which MariaDB/MySQL server, database and table a described table is, or null. */
  private static String mariaTableIdentity(Connection c, TableShape shape) {
    try (java.sql.PreparedStatement ps =
        c.prepareStatement(
            "SELECT CONCAT_WS('/', @@hostname, @@port, @@datadir, COALESCE(?, DATABASE()), ?)")) {
      ps.setString(1, shape.schema());
      ps.setString(2, shape.name());
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      return null;
    }
  }

  /** The request as a copy reads it ({@link TableCatalog#onCopy}: MariaDB/MySQL qualifiers). */
  private TableCatalog.Request onCopy(TableCatalog.Request req, String primary, String copy) {
    req = req.forCopy();
    String table = tableOnCopy(req.table(), primary, copy);
    return table.equals(req.table())
        ? req
        : new TableCatalog.Request(
            table, req.key(), req.owner(), req.updatedAt(), req.exclude(), true);
  }

  /** A configured table name as a copy reads it ({@link TableCatalog#onCopy}). */
  private String tableOnCopy(String table, String primary, String copy) {
    if (!(connector.dialect(primary) instanceof io.integrityauditor.dialect.MySqlDialect)
        || !(connector.dialect(copy) instanceof io.integrityauditor.dialect.MySqlDialect)) {
      return table;
    }
    return TableCatalog.onCopy(
        table,
        io.integrityauditor.config.JdbcTarget.of(connector.endpoint(primary).url()).database(),
        io.integrityauditor.config.JdbcTarget.of(connector.endpoint(copy).url()).database());
  }

  private static TableCatalog.Request catalogRequest(TableConfig t) {
    return new TableCatalog.Request(t.name(), t.key(), t.owner(), t.updatedAt(), t.exclude());
  }

  private TableRun auditTable(
      DatasetConfig ds,
      TableConfig t,
      List<CopySpec> copies,
      Replication replication,
      String user,
      Progress progress,
      AtomicBoolean cancelled,
      Checkpoints checkpoints) {
    TableCatalog.Request req = catalogRequest(t);
    Dialect primaryDialect = connector.dialect(ds.primary());
    TableShape primaryShape;
    long estimate;
    List<AutoCloseable> open = new ArrayList<>();
    List<DigestSource> sources = new ArrayList<>();
    // While the primary's table is described, each copy's is described on a helper thread, and
    // the scan's sessions open: on the primary one for its scan and one per copy for locating, on
    // each copy one to scan and one to locate.
    EarlySessions early = new EarlySessions(connector, helpers);
    // the primary's table as described, for a failure's explanation (explainSchemaChanges)
    TableShape[] primaryDescribed = {null};
    open.add(early);
    early.openAhead(ds.primary(), 1);
    Map<CopySpec, CompletableFuture<Described>> described = new java.util.IdentityHashMap<>();
    for (CopySpec spec : copies) {
      if (spec.backup() == null || spec.backup().comparable()) {
        TableCatalog.Request there = onCopy(req, ds.primary(), spec.endpoint());
        described.put(
            spec, CompletableFuture.supplyAsync(() -> describe(spec.endpoint(), there), helpers));
        early.openAhead(ds.primary(), 1);
        early.openAhead(spec.endpoint(), 2);
      }
    }
    for (CompletableFuture<Described> f : described.values()) {
      open.add(
          () ->
              f.whenComplete(
                  (d, e) -> {
                    if (d != null) {
                      d.close();
                    }
                  }));
    }
    try {
      Connection pc = connector.open(ds.primary());
      open.add(pc);
      primaryShape = primaryDialect.describe(pc, req);
      primaryDescribed[0] = primaryShape;
      // A logical subscriber follows the primary only through subscriptions of its slots.
      java.util.Set<String> primarySlots =
          copies.stream().anyMatch(c -> c.backup() == null)
              ? primaryDialect.logicalSlots(pc)
              : null;
      if (user != null) {
        // A user that is no value of the owner column's type has no row here: said with one
        // message whatever the engine (never a cast error, nor another user's rows on MariaDB).
        try {
          io.integrityauditor.engine.Values.ownerValue(user, primaryShape.owner());
        } catch (io.integrityauditor.engine.Values.NotAnOwnerValue e) {
          String msg = "primary '" + ds.primary() + "': " + e.getMessage();
          return new TableRun(
              new TableReport(t.name(), 0, 0, notCompared(copies, e.getMessage()), msg),
              List.of(),
              msg);
        }
        primaryShape = primaryShape.withOwnerFilter(user);
      }
      // Prepare every copy: resolve the table there and choose how rows are hashed.
      List<PreparedCopy> prepared = new ArrayList<>();
      for (CopySpec spec : copies) {
        if (spec.backup() != null && !spec.backup().comparable()) {
          // Not compared: the report says why (a backup finding, or its endpoint's error).
          prepared.add(new PreparedCopy(spec, null, null, null, null));
        } else {
          prepared.add(
              prepareCopy(
                  spec,
                  onCopy(req, ds.primary(), spec.endpoint()),
                  primaryDialect,
                  primaryShape,
                  pc,
                  described.get(spec)));
        }
      }
      HashFlavor ownFlavor =
          primaryDialect instanceof GenericJdbcDialect ? HashFlavor.JVM : HashFlavor.CANONICAL;
      estimate =
          user != null
              ? -1
              : primaryDialect
                  .digestSource(pc, primaryShape, ownFlavor, connector.statementTimeout())
                  .estimatedRows();
      progress.tableStarted(t.name(), estimate);

      // One primary scan per hashing flavour (normally exactly one).
      Map<ScanGroup, List<PreparedCopy>> byFlavor = new LinkedHashMap<>();
      Map<String, CopyOutcome> outcomes = new HashMap<>();
      Map<String, Long> unjudged = new HashMap<>();
      for (PreparedCopy p : prepared) {
        if (p.error() != null) {
          outcomes.put(p.spec().endpoint(), failedOutcome(p.spec().endpoint(), p.error()));
        } else if (p.shape() == null) {
          BackupInspector.State st = p.spec().backup();
          outcomes.put(
              p.spec().endpoint(),
              st.error() != null ? failedOutcome(p.spec().endpoint(), st.error()) : null);
        } else {
          byFlavor
              .computeIfAbsent(
                  new ScanGroup(
                      p.flavor(),
                      p.unordered(),
                      jsonbPair(p.flavor(), primaryShape, p.shape()),
                      primaryShape.scaleDrift(p.shape()),
                      primaryShape.dateDrift(p.shape()),
                      p.flavor() == HashFlavor.JVM
                          ? new java.util.TreeSet<>()
                          : primaryShape.padDrift(p.shape()),
                      jsonText(p.flavor(), primaryDialect, primaryShape, p.dialect(), p.shape())),
                  f -> new ArrayList<>())
              .add(p);
        }
      }
      long rowsChecked = 0;
      // A table scanned in several hashing flavours (copies of two engines) reads the primary once
      // per scan: each scan counts its share, so that progress counts the table's rows once and
      // its ETA holds (before: twice the rows, chunksDone = chunksTotal and an ETA of 0 with half
      // the work to go).
      ScanShares shares = new ScanShares(byFlavor.size());
      for (var group : byFlavor.entrySet()) {
        HashFlavor flavor = group.getKey().flavor();
        String scanName = group.getKey().name(configDigest(ds, t, user));
        ScanState saved = checkpoints.partial(t.name(), scanName);
        List<String> names = group.getValue().stream().map(p -> p.spec().endpoint()).toList();
        if (saved != null
            && saved.done()
            && saved.copyNames().equals(names)
            && saved.keyColumns().equals(primaryShape.keyNames())) {
          // This scan completed before the run was interrupted (another scan of the table had not).
          long scanned = 0;
          for (CopyOutcome o : saved.outcomes()) {
            outcomes.put(o.copy(), o);
            rowsChecked = Math.max(rowsChecked, o.rowsChecked());
            scanned = Math.max(scanned, o.rowsChecked());
          }
          // Its rows count as this scan's share of the table's progress.
          progress.resumed(t.name(), shares.add(scanned));
          LOG.info("table {}: the {} scan completed before the interruption", t.name(), scanName);
          continue;
        }
        // A column NOT NULL on one side and nullable on another is encoded as nullable on all
        // (MariaDB's row encoding marks NULLs of nullable columns only): equal rows hash alike.
        java.util.Set<String> nullable = primaryShape.nullableColumns();
        for (PreparedCopy p : group.getValue()) {
          nullable.addAll(p.shape().nullableColumns());
        }
        // Hashed in the JVM (another engine), a column JSON on any side is compared as JSON
        // documents on every side: engines store JSON differently (jsonb reformats and reorders,
        // MariaDB keeps the text as written).
        // Likewise CHAR(n) on any side: compared without its padding (PostgreSQL returns it
        // padded, MariaDB not).
        java.util.Set<String> json = new java.util.HashSet<>();
        java.util.Set<String> fixed = new java.util.HashSet<>();
        // But a PostgreSQL json on the primary and the copies of the scan keeps its text as
        // written (ScanGroup#jsonText).
        java.util.Set<String> asWritten = group.getKey().jsonText();
        if (flavor == HashFlavor.JVM) {
          json.addAll(primaryShape.jsonColumns());
          fixed.addAll(primaryShape.fixedCharColumns());
          for (PreparedCopy p : group.getValue()) {
            json.addAll(p.shape().jsonColumns());
            fixed.addAll(p.shape().fixedCharColumns());
          }
          json.removeAll(asWritten);
        }
        // Hashed over the row's text (CANONICAL), a column json on the primary and jsonb on the
        // copy (or the other way round) is compared as jsonb documents on both; json on both
        // keeps its text as written. Copies needing other renderings of the primary are scanned
        // apart (ScanGroup). Regression: json was cast to jsonb whenever any column's type
        // differed, or another copy held jsonb, so duplicate keys and whitespace in a json column
        // on both sides went unseen (CONSISTENT).
        java.util.Set<String> jsonb = group.getKey().jsonb();
        // A decimal declared with another scale on the copy than on the primary (or unconstrained
        // on one side) is compared as its number without trailing fractional zeros on both sides.
        // Regression (review 2 of session 25): numeric(10,2) against numeric(12,4), DECIMAL(10,2)
        // against DECIMAL(12,4), numeric(12,4) against a MariaDB DECIMAL(14,6) holding the same
        // numbers were CHANGED on every row (1.37 against 1.3700), a key column named changed.
        java.util.Set<String> trimmed = group.getKey().trimmedScale();
        // Likewise a date against a timestamp (or DATE against DATETIME) holding its midnight: the
        // date side is compared as that midnight (review 1 of session 25: every row CHANGED).
        java.util.Set<String> dates = group.getKey().dateAsTimestamp();
        // And text against CHAR(n) without trailing spaces on both sides, as the JVM path compares
        // it (review 2 of session 25: a varchar holding a char's padded output was CHANGED).
        java.util.Set<String> unpadded = group.getKey().unpadded();
        TableShape scanShape =
            primaryShape
                .withNullable(nullable)
                .withJson(json)
                .withJsonAsWritten(asWritten)
                .withFixedChar(fixed)
                .withJsonb(jsonb)
                .withTrimmedScale(trimmed)
                .withDateAsTimestamp(dates)
                .withUnpadded(unpadded);
        Connection scanConn = early.take(ds.primary());
        open.add(scanConn);
        DigestSource scan =
            primaryDialect.digestSource(scanConn, scanShape, flavor, connector.statementTimeout());
        List<CopyLink> links = new ArrayList<>();
        for (PreparedCopy p : group.getValue()) {
          try {
            Connection cc = early.take(p.spec().endpoint());
            open.add(cc);
            Connection cl = early.take(p.spec().endpoint());
            open.add(cl);
            Connection lc = early.take(ds.primary());
            open.add(lc);
            Duration timeout = connector.statementTimeout();
            BackupInspector.State backup = p.spec().backup();
            CopyLink link =
                new CopyLink(
                    p.spec().endpoint(),
                    p.dialect()
                        .digestSource(
                            cc,
                            p.shape()
                                .withNullable(nullable)
                                .withJson(json)
                                .withJsonAsWritten(asWritten)
                                .withFixedChar(fixed)
                                .withJsonb(jsonb)
                                .withTrimmedScale(trimmed)
                                .withDateAsTimestamp(dates)
                                .withUnpadded(unpadded),
                            flavor,
                            timeout),
                    p.dialect()
                        .digestSource(
                            cl,
                            p.shape()
                                .withNullable(nullable)
                                .withJson(json)
                                .withJsonAsWritten(asWritten)
                                .withFixedChar(fixed)
                                .withJsonb(jsonb)
                                .withTrimmedScale(trimmed)
                                .withDateAsTimestamp(dates)
                                .withUnpadded(unpadded),
                            flavor,
                            timeout),
                    primaryDialect.digestSource(lc, scanShape, flavor, timeout),
                    backup == null && replication.syncable(p.spec().endpoint()),
                    backup != null,
                    backup == null ? null : backup.watermark());
            link.copy().followOnlySlots(primarySlots);
            link.copyLocate().followOnlySlots(primarySlots);
            sources.add(link.copy());
            sources.add(link.copyLocate());
            sources.add(link.primary());
            String endpoint = p.spec().endpoint();
            link.copy().reconnectWith(() -> track(open, connector.open(endpoint)));
            link.copyLocate().reconnectWith(() -> track(open, connector.open(endpoint)));
            link.primary().reconnectWith(() -> track(open, connector.open(ds.primary())));
            links.add(link);
          } catch (RuntimeException e) {
            outcomes.put(p.spec().endpoint(), failedOutcome(p.spec().endpoint(), e.getMessage()));
          }
        }
        if (links.isEmpty()) {
          continue;
        }
        TableComparator comparator =
            new TableComparator(
                    scanShape,
                    settings,
                    new TableComparator.ProgressListener() {
                      @Override
                      public void chunkScanned(long rows, long nanos) {
                        progress.chunkScanned(t.name(), shares.add(rows), nanos);
                      }

                      @Override
                      public void onePassStarted() {
                        progress.onePassStarted(t.name());
                      }
                    },
                    cancelled)
                .checkpoints(
                    saved,
                    state -> checkpoints.partialReached(t.name(), scanName, state),
                    checkpoints.partialInterval())
                // rows matched in memory at once, both sides' per copy, within the heap's share
                // (review 4 of session 24: 500,000 a side whatever the heap; one missing row of
                // a 250,000-row table ran -Xmx128m out of memory)
                .withoutCommonKeyOrder(
                    group.getKey().unordered()
                        ? settings
                            .withinHeap(Runtime.getRuntime().maxMemory(), links.size())
                            .pendingCap()
                        : 0)
                .withAuditStartedAt(replication.startedNanos);
        if (saved != null
            && !saved.done()
            && saved.upTo() != null
            && !group.getKey().unordered()
            && saved.keyColumns().equals(primaryShape.keyNames())
            && saved.copyNames().equals(links.stream().map(CopyLink::name).toList())) {
          // Resumed where the interrupted attempt stopped (TableComparator#usable): the rows it
          // compared count as this scan's share of the table's progress.
          progress.resumed(t.name(), shares.add(saved.rowsScanned()));
        }
        List<CopyOutcome> groupOutcomes = comparator.compare(scan, links);
        for (String behind : comparator.fellBehind()) {
          replication.fellBehind(behind, t.name(), settings.replicaWait());
        }
        unjudged.putAll(comparator.unjudged());
        if (comparator.resumed()) {
          LOG.info(
              "table {}: resumed after key {} ({} rows had been compared)",
              t.name(),
              saved.upTo(),
              saved.rowsScanned());
        } else if (saved != null) {
          LOG.warn(
              "table {}: its chunk checkpoint is for other keys or copies; the table is compared"
                  + " from the start",
              t.name());
        }
        for (CopyOutcome o : groupOutcomes) {
          outcomes.put(o.copy(), o);
          rowsChecked = Math.max(rowsChecked, o.rowsChecked());
        }
        if (byFlavor.size() > 1 && !cancelled.get() && groupOutcomes.size() == links.size()) {
          // Another scan of this table follows: keep this one's outcome should the run stop.
          ScanState finished = ScanState.finished(primaryShape.keyNames(), groupOutcomes);
          if (finished != null) {
            checkpoints.partialReached(t.name(), scanName, finished);
          }
        }
      }
      explainSchemaChanges(ds.primary(), req, primaryShape, prepared, outcomes);
      List<CopyReport> reports = new ArrayList<>();
      List<CopyOutcome> ordered = new ArrayList<>();
      for (PreparedCopy p : prepared) {
        CopyOutcome o = outcomes.get(p.spec().endpoint());
        ordered.add(o);
        CopyReport report = copyReport(p, o, primaryShape);
        Long notJudged = unjudged.get(p.spec().endpoint());
        if (notJudged != null && report.error() == null) {
          report =
              noted(
                  report,
                  "the replica fell behind during the audit: "
                      + notJudged
                      + " differing row(s) missing or changed there could not be judged (counted"
                      + " in flight); the users at risk are a lower bound");
        }
        reports.add(report);
      }
      long bytes = 0;
      for (DigestSource src : sources) {
        bytes += src.bytesReceived();
      }
      return new TableRun(new TableReport(t.name(), rowsChecked, bytes, reports, null), ordered);
    } catch (TableComparator.CancelledException e) {
      return new TableRun(
          new TableReport(
              t.name(), 0, 0, notCompared(copies, "audit cancelled"), "audit cancelled"),
          List.of());
    } catch (RuntimeException | SQLException | OutOfMemoryError e) {
      Throwable oom = outOfMemory(e);
      String msg =
          connector.redact(
              oom != null
                  ? "out of memory in the auditor (heap limit "
                      + (Runtime.getRuntime().maxMemory() >> 20)
                      + " MB; raise -Xmx): "
                      + describe(oom)
                  : describe(e));
      String change =
          primaryDescribed[0] == null || oom != null
              ? null
              : schemaChange(ds.primary(), req, primaryDescribed[0]);
      if (change != null) {
        msg = "the table changed during the audit (" + change + "); audit it again: " + msg;
      }
      return new TableRun(
          new TableReport(
              t.name(),
              0,
              0,
              notCompared(
                  copies, oom != null ? "out of memory in the auditor" : "the primary failed"),
              oom != null ? msg : "primary '" + ds.primary() + "': " + msg),
          List.of());
    } finally {
      for (AutoCloseable c : open) {
        try {
          c.close();
        } catch (Exception ignored) {
          // best effort
        }
      }
    }
  }

  /**
   * The copies of a table whose comparison never started: FAILED, saying why, but for a backup that
   * could not have been compared anyway, reported as it always is (its finding). Regression: a
   * table whose primary was unreachable listed no copy at all ({@code "copies": []}), where the
   * report promises one entry per replica and backup.
   */
  private List<CopyReport> notCompared(List<CopySpec> copies, String why) {
    List<CopyReport> out = new ArrayList<>();
    for (CopySpec spec : copies) {
      if (spec.backup() != null && !spec.backup().comparable()) {
        out.add(copyReport(new PreparedCopy(spec, null, null, null, null), null, null));
      } else {
        String asOf =
            spec.backup() == null || spec.backup().asOf() == null
                ? null
                : spec.backup().asOf().toString();
        out.add(
            new CopyReport(
                spec.endpoint(),
                spec.role(),
                Status.FAILED,
                0,
                0,
                0,
                0,
                0,
                List.of(),
                null,
                "not compared: " + why,
                List.of(),
                asOf,
                0,
                false,
                null));
      }
    }
    return out;
  }

  /** Remembers a session opened during the audit, so it is closed at the end. */
  private static Connection track(List<AutoCloseable> open, Connection c) {
    synchronized (open) {
      open.add(c);
    }
    return c;
  }

  private PreparedCopy prepareCopy(
      CopySpec spec,
      TableCatalog.Request req,
      Dialect primaryDialect,
      TableShape primaryShape,
      Connection primaryConn,
      CompletableFuture<Described> ahead) {
    Dialect dialect = connector.dialect(spec.endpoint());
    boolean caughtUp = false;
    for (int attempt = 1; ; attempt++) {
      try {
        Described d = attempt == 1 && ahead != null ? joined(ahead) : null;
        return prepareCopyOnce(spec, req, primaryDialect, primaryShape, primaryConn, dialect, d);
      } catch (RuntimeException | SQLException e) {
        if (e instanceof TableCatalog.CatalogException
            && !caughtUp
            && spec.backup() == null
            && caughtUp(spec.endpoint(), dialect, primaryConn)) {
          // A replica described before it applied the primary's latest DDL (a column added, a
          // table created a moment ago) is described again once it has. Regression (review 4 of
          // session 22): a healthy replica 5 s behind an ALTER TABLE ... ADD COLUMN failed the
          // table, "lacks column(s) [extra]", exit 2, beside a STREAMING replication entry.
          caughtUp = true;
          continue;
        }
        if (!retryAfterRecoveryConflict(e, attempt) && !retryClosedSession(e, attempt)) {
          return new PreparedCopy(spec, dialect, null, null, connector.redact(describe(e)));
        }
      }
    }
  }

  /**
   * Whether this copy is a replica that has now applied the primary's current position (waited for
   * up to maxReplicaLag): its catalog then shows the primary's latest DDL.
   */
  private boolean caughtUp(String endpoint, Dialect dialect, Connection primaryConn) {
    try (Connection c = connector.open(endpoint)) {
      ReplicationHealth h = dialect.replicationHealth(primaryConn, c, maxReplicaLag);
      return h.state() == ReplicationHealth.State.STREAMING;
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  private PreparedCopy prepareCopyOnce(
      CopySpec spec,
      TableCatalog.Request req,
      Dialect primaryDialect,
      TableShape primaryShape,
      Connection primaryConn,
      Dialect dialect,
      Described ahead)
      throws SQLException {
    try (Connection c = ahead != null ? ahead.session() : connector.open(spec.endpoint())) {
      TableShape copyShape = ahead != null ? ahead.shape() : dialect.describe(c, req);
      if (!sameNames(copyShape.keyNames(), primaryShape.keyNames())) {
        // The copy's own key is another (an ETL copy's surrogate key): rows are matched on the
        // primary's key columns, which must be unique and NOT NULL there too. Regression (review
        // of session 19): a copy holding two rows of key 5 was CONSISTENT, exit 0.
        copyShape =
            dialect.describe(
                c,
                new TableCatalog.Request(
                    req.table(),
                    primaryShape.keyNames(),
                    req.owner(),
                    req.updatedAt(),
                    req.exclude(),
                    req.onCopy()));
      }
      if (dialect instanceof io.integrityauditor.dialect.MySqlDialect
          && primaryDialect instanceof io.integrityauditor.dialect.MySqlDialect) {
        String here = mariaTableIdentity(c, copyShape);
        if (here != null && here.equals(mariaTableIdentity(primaryConn, primaryShape))) {
          throw new TableCatalog.CatalogException(
              "table '"
                  + primaryShape.displayName()
                  + "' on this copy is the primary's own table (same server, database and table):"
                  + " name the table without its database, or with the copy's");
        }
      }
      TableShape shape = alignToPrimary(primaryShape, copyShape);
      HashFlavor flavor;
      if (dialect.getClass() != primaryDialect.getClass()
          || dialect instanceof GenericJdbcDialect
          || !java.util.Objects.equals(
              primaryDialect.sqlHashingContext(primaryConn), dialect.sqlHashingContext(c))) {
        flavor = HashFlavor.JVM;
      } else {
        // PostgreSQL's record hash, MariaDB's CRC pair: both only over identical column types.
        boolean sameTypes =
            types(primaryShape.compared()).equals(types(shape.compared()))
                && types(primaryShape.key()).equals(types(shape.key()));
        flavor =
            sameTypes
                    && primaryDialect.supportsNative(primaryConn, primaryShape)
                    && dialect.supportsNative(c, shape)
                ? HashFlavor.NATIVE
                : HashFlavor.CANONICAL;
      }
      List<String> primaryOrder = primaryDialect.keyOrder(primaryConn, primaryShape);
      List<String> copyOrder = dialect.keyOrder(c, shape);
      boolean unordered = !java.util.Objects.equals(primaryOrder, copyOrder);
      if (unordered) {
        LOG.warn(
            "table {} on {}: the key sorts differently than on the primary ({} against {}):"
                + " compared as one range",
            primaryShape.displayName(),
            spec.endpoint(),
            copyOrder,
            primaryOrder);
      }
      return new PreparedCopy(spec, dialect, shape, flavor, null, unordered);
    }
  }

  /** A copy's table as described on a session of its own, which stays open for the checks after. */
  private record Described(Connection session, TableShape shape) {
    void close() {
      try {
        session.close();
      } catch (SQLException ignored) {
        // best effort; closing twice is harmless
      }
    }
  }

  /**
   * A copy that failed while its table was being compared: when the table's columns on it, or on
   * the primary, are no longer those described when the table's comparison began, its error says so
   * first, naming the columns. Regression (review 6 of session 19): a column retyped during the
   * scan failed the copy with the database's own words ({@code function hashint4extended(bigint,
   * integer) does not exist}) only. Looked up after a failure only, on a session of its own; a
   * lookup that fails adds nothing.
   */
  private void explainSchemaChanges(
      String primary,
      TableCatalog.Request req,
      TableShape primaryShape,
      List<PreparedCopy> prepared,
      Map<String, CopyOutcome> outcomes) {
    String onPrimary = null;
    boolean primaryLooked = false;
    for (PreparedCopy p : prepared) {
      CopyOutcome o = outcomes.get(p.spec().endpoint());
      if (o == null || !o.failed() || p.shape() == null) {
        continue;
      }
      String change = schemaChange(p.spec().endpoint(), req, p.shape());
      if (change == null && !primaryLooked) {
        primaryLooked = true;
        onPrimary = schemaChange(primary, req, primaryShape);
      }
      if (change != null) {
        outcomes.put(
            o.copy(),
            o.withError(
                "the table changed during the audit ("
                    + change
                    + "); audit it again: "
                    + o.error()));
      } else if (onPrimary != null) {
        outcomes.put(
            o.copy(),
            o.withError(
                "the table changed on the primary during the audit ("
                    + onPrimary
                    + "); audit it again: "
                    + o.error()));
      }
    }
  }

  /**
   * How the table's columns on this endpoint differ from {@code before} (each key or compared
   * column: dropped, or of another type), or null when they do not, or when they cannot be read
   * now.
   */
  private String schemaChange(String endpoint, TableCatalog.Request req, TableShape before) {
    TableShape now;
    try (Connection c = connector.open(endpoint)) {
      now = connector.dialect(endpoint).describe(c, req);
    } catch (TableCatalog.CatalogException e) {
      // described with the same request when the comparison began: a key, owner or table gone
      return connector.redact(e.getMessage());
    } catch (SQLException | RuntimeException e) {
      return null;
    }
    Map<String, Column> current = new java.util.HashMap<>();
    for (Column c : now.readColumns()) {
      current.put(c.name().toLowerCase(java.util.Locale.ROOT), c);
    }
    List<String> changes = new ArrayList<>();
    for (Column was : before.readColumns()) {
      Column is = current.get(was.name().toLowerCase(java.util.Locale.ROOT));
      if (is == null) {
        changes.add("column " + was.name() + " dropped");
      } else if (!java.util.Objects.equals(is.typeName(), was.typeName())) {
        changes.add("column " + was.name() + ": " + was.typeName() + ", now " + is.typeName());
      }
    }
    return changes.isEmpty() ? null : String.join("; ", changes);
  }

  /** Opens a session on the endpoint and describes the table there (on a helper thread). */
  private Described describe(String endpoint, TableCatalog.Request req) {
    Connection c = connector.open(endpoint);
    try {
      return new Described(c, connector.dialect(endpoint).describe(c, req));
    } catch (SQLException | RuntimeException e) {
      new Described(c, null).close();
      throw new java.util.concurrent.CompletionException(e);
    }
  }

  /** The future's value; its failure rethrown as the exception the work itself threw. */
  private static Described joined(CompletableFuture<Described> f) throws SQLException {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof SQLException s) {
        throw s;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private static boolean sameNames(List<String> a, List<String> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).equalsIgnoreCase(b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static List<String> types(List<Column> cols) {
    return cols.stream().map(Column::typeName).toList();
  }

  /** The copy's columns, in the primary's order; every compared column must exist on the copy. */
  static TableShape alignToPrimary(TableShape primary, TableShape copy) {
    Map<String, Column> byName = new HashMap<>();
    for (Column c : copy.compared()) {
      byName.put(c.name().toLowerCase(java.util.Locale.ROOT), c);
    }
    for (Column c : copy.key()) {
      byName.putIfAbsent(c.name().toLowerCase(java.util.Locale.ROOT), c);
    }
    List<String> missing = new ArrayList<>();
    List<Column> compared = new ArrayList<>();
    for (Column c : primary.compared()) {
      Column m = byName.get(c.name().toLowerCase(java.util.Locale.ROOT));
      if (m == null) {
        missing.add(c.name());
      } else {
        compared.add(m);
      }
    }
    if (!missing.isEmpty()) {
      throw new TableCatalog.CatalogException(
          "table '" + primary.displayName() + "' on this copy lacks column(s) " + missing);
    }
    List<Column> key = new ArrayList<>();
    for (Column c : primary.key()) {
      Column k = byName.get(c.name().toLowerCase(java.util.Locale.ROOT));
      String never =
          k == null
              ? null
              : numberAgainstText(c, k)
                  ? "a number and a text are never the same key, so rows could not be matched; give"
                      + " the key column one kind of type (integer or decimal, or neither) on both"
                  // Regression (review 2 of session 20): a uuid key against a MariaDB BINARY(16)
                  // copy of the same rows was every row MISSING and EXTRA.
                  : c.binary() != k.binary()
                      ? "bytes and a value of another type are never the same key, so rows could"
                          + " not be matched; give the key column binary types on both, or neither"
                      // Regression (review 4 of session 25): compared as its midnight, a date
                      // key against a timestamp key made one differing row every row of the
                      // table MISSING and EXTRA ('2000-01-05' is no key '2000-01-05 00:00:00').
                      : TableShape.isDate(c) != TableShape.isDate(k)
                              && (TableShape.isZonelessTimestamp(c)
                                  || TableShape.isZonelessTimestamp(k))
                          ? "a date and a date with a time are never the same key, so rows could"
                              + " not be matched; give the key column the same type on both"
                          : null;
      if (never != null) {
        throw new TableCatalog.CatalogException(
            "table '"
                + primary.displayName()
                + "': key column "
                + c.name()
                + " is "
                + c.typeName()
                + " on the primary and "
                + k.typeName()
                + " on this copy: "
                + never);
      }
      key.add(k);
    }
    Column owner =
        primary.owner() == null
            ? null
            : byName.getOrDefault(
                primary.owner().name().toLowerCase(java.util.Locale.ROOT), primary.owner());
    Column updated =
        primary.updatedAt() == null
            ? null
            : byName.getOrDefault(
                primary.updatedAt().name().toLowerCase(java.util.Locale.ROOT), primary.updatedAt());
    return new TableShape(
        copy.schema(), copy.name(), key, compared, owner, updated, primary.ownerFilter());
  }

  /**
   * Whether the key columns hold numbers on one side and text on the other ({@link
   * io.integrityauditor.engine.Values#normalizeKey} keeps integers and decimals as numbers, and
   * text as text). Regression: an integer key on the primary and a varchar key on the copy were
   * CONSISTENT while their digests agreed, and one changed row then made every row MISSING and
   * EXTRA (1 never equals "1"). Other pairs (booleans, times, uuids) are read to one form.
   */
  private static boolean numberAgainstText(Column a, Column b) {
    return (a.numeric() && b.textual()) || (a.textual() && b.numeric());
  }

  private static CopyOutcome failedOutcome(String copy, String error) {
    return new CopyOutcome(copy, 0, 0, 0, 0, 0, List.of(), Map.of(), true, new HashSet<>(), error);
  }

  private CopyReport copyReport(PreparedCopy p, CopyOutcome o, TableShape shape) {
    BackupInspector.State backup = p.spec().backup();
    String asOf = backup == null || backup.asOf() == null ? null : backup.asOf().toString();
    if (o == null) {
      // A backup not compared: no time, no backup, or a failed restore (a backup finding).
      return new CopyReport(
          p.spec().endpoint(),
          p.spec().role(),
          Status.FINDINGS,
          0,
          0,
          0,
          0,
          0,
          List.of(),
          null,
          null,
          List.of(),
          asOf,
          0,
          false,
          "not compared: " + backup.notComparedReason());
    }
    // A backup of a table without updatedAt: what changed since the backup cannot be told from
    // what the backup lost, so the differences are counted, not reported as findings.
    boolean countsOnly = backup != null && !o.failed() && shape.updatedAt() == null;
    Status status =
        o.failed()
            ? Status.FAILED
            : o.divergent() > 0 && !countsOnly ? Status.FINDINGS : Status.CONSISTENT;
    List<FindingReport> findings = new ArrayList<>();
    if (!countsOnly) {
      for (Finding f : o.findings()) {
        findings.add(
            new FindingReport(
                f.kind().name(), f.key().toMap(shape.keyNames()), f.owner(), f.columns()));
      }
    }
    List<String> owners =
        countsOnly
            ? List.of()
            : o.ownersAffected().stream()
                .filter(java.util.Objects::nonNull)
                .sorted(AuditService::compareOwners)
                .limit(USERS_SAMPLE)
                .toList();
    String note = null;
    if (countsOnly) {
      note =
          "counts only: the table has no updatedAt, so rows written since the backup cannot be"
              + " told from rows the backup lost; missing/changed are counts of differences, not"
              + " findings";
    } else if (backup != null && !o.failed()) {
      note = "compared as of " + asOf + " (" + backup.asOfSource() + ")";
    }
    if (p.unordered() && !o.failed()) {
      String unordered =
          "the key sorts differently here than on the primary (another collation or engine):"
              + " compared as one range";
      note = note == null ? unordered : note + "; " + unordered;
    }
    return new CopyReport(
        p.spec().endpoint(),
        p.spec().role(),
        status,
        o.missing(),
        o.extra(),
        o.changed(),
        o.inFlight(),
        countsOnly ? 0 : o.ownersAffected().size(),
        findings,
        p.flavor() == null ? null : p.flavor().name(),
        o.error() == null ? null : connector.redact(o.error()),
        owners,
        asOf,
        o.deletedSinceBackup(),
        countsOnly,
        note);
  }

  /** The report with one more sentence in its note. */
  private static CopyReport noted(CopyReport r, String more) {
    return new CopyReport(
        r.endpoint(),
        r.role(),
        r.status(),
        r.missing(),
        r.extra(),
        r.changed(),
        r.inFlight(),
        r.usersAffected(),
        r.findings(),
        r.hashing(),
        r.error(),
        r.usersAffectedSample(),
        r.asOf(),
        r.deletedSinceBackup(),
        r.countsOnly(),
        r.note() == null ? more : r.note() + "; " + more);
  }

  /**
   * The out-of-memory error behind a failure, or null. Regression (review 1 of session 27): closing
   * a statement after an OutOfMemoryError threw that same error again, and adding it to itself as
   * suppressed failed ("Self-suppression not permitted", the error its cause): the table failed
   * with that message, blaming the primary, where it was the auditor's heap.
   */
  static Throwable outOfMemory(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return t;
      }
    }
    return null;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    String lock = TableComparator.lockTimeout(e);
    return (lock == null ? "" : lock) + (m == null ? e.getClass().getSimpleName() : m);
  }
}
