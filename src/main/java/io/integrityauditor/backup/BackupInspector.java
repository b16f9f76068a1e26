package io.integrityauditor.backup;

import io.integrityauditor.backup.BackupFiles.BackupFile;
import io.integrityauditor.backup.BackupFinding.Kind;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.JdbcTarget;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Establishes what a configured backup is before its rows are compared: lists its files (newest,
 * size against the previous one), restores the newest file into its endpoint when a restore command
 * is configured, reads when it was taken, and judges its age.
 */
public final class BackupInspector {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(BackupInspector.class);

  private final Map<String, EndpointConfig> endpoints;
  private final Set<String> liveEndpoints;
  private final Function<String, Connection> open;
  private final UnaryOperator<String> redact;
  private final Clock clock;

  /** Host name to addresses; the system resolver but in tests. */
  private Function<String, List<java.net.InetAddress>> resolver =
      host -> {
        try {
          return List.of(java.net.InetAddress.getAllByName(host));
        } catch (java.net.UnknownHostException e) {
          return List.of();
        }
      };

  /** How far in the future an asOf may be (clock skew between servers) before it is refused. */
  static final Duration FUTURE_SKEW = Duration.ofMinutes(5);

  /** The configuration's secrets, withheld from restore commands' environment. */
  private java.util.function.Supplier<java.util.Collection<String>> withheld = java.util.List::of;

  /** Per backup endpoint, the drill that last completed successfully there. */
  private final RestoreLedger lastRestored;

  /** The run this inspector works for, or null (see {@link #forRun}). */
  private String runId;

  /**
   * A drill that completed successfully: the file it restored (null path without {@code files}),
   * when, by which run, and into what ({@code target}: a digest of the endpoint's URL and the
   * restore command, so that a changed configuration restores again).
   */
  public record Restored(
      String path, long bytes, Instant modified, Instant restoredAt, String runId, String target) {
    boolean same(BackupFile f) {
      return f == null
          ? path == null
          : path != null
              && path.equals(f.path().toString())
              && bytes == f.bytes()
              && modified.equals(f.modified());
    }
  }

  /**
   * @param endpoints every configured endpoint
   * @param liveEndpoints the primaries and replicas of every dataset: a restore never runs against
   *     one of them, nor against another endpoint name for the same database
   * @param open opens a read-only session on an endpoint
   * @param redact removes passwords from a message
   */
  public BackupInspector(
      Map<String, EndpointConfig> endpoints,
      Set<String> liveEndpoints,
      Function<String, Connection> open,
      UnaryOperator<String> redact,
      Clock clock) {
    this(endpoints, liveEndpoints, open, redact, clock, RestoreLedger.inMemory());
  }

  /**
   * @param lastRestored per backup endpoint, the file last restored successfully: kept by the
   *     caller across audits so {@code restoreWhen: newFile} can skip a drill of the same file
   */
  public BackupInspector(
      Map<String, EndpointConfig> endpoints,
      Set<String> liveEndpoints,
      Function<String, Connection> open,
      UnaryOperator<String> redact,
      Clock clock,
      RestoreLedger lastRestored) {
    this.lastRestored = lastRestored;
    this.endpoints = endpoints;
    this.liveEndpoints = liveEndpoints;
    this.open = open;
    this.redact = redact;
    this.clock = clock;
  }

  /** Per backup endpoint, the audited tables by the names that endpoint reads them by. */
  private Function<String, List<String>> tablesOn = endpoint -> List.of();

  /**
   * The tables a drill into an endpoint must restore ({@link RestoredTables}): each is looked at
   * before and after it, and one it left absent or untouched fails it.
   */
  public BackupInspector forTables(Function<String, List<String>> tablesOn) {
    this.tablesOn = tablesOn;
    return this;
  }

  /** The tables on the endpoint as they are now, or null when nothing can be concluded. */
  private Map<String, RestoredTables.Seen> lookAtTables(String endpoint) {
    List<String> tables = tablesOn.apply(endpoint);
    EndpointConfig e = endpoints.get(endpoint);
    if (tables == null || tables.isEmpty() || e == null) {
      return null;
    }
    try (Connection c = open.apply(endpoint)) {
      return RestoredTables.look(c, io.integrityauditor.dialect.Dialect.forUrl(e.url()), tables);
    } catch (RuntimeException | java.sql.SQLException ex) {
      return null;
    }
  }

  /**
   * What is wrong with the tables a successful drill left, or null: a table it did not restore
   * holds no row of this backup (absent), or the rows an earlier restore left (untouched).
   */
  private String unrestored(
      String endpoint, Map<String, RestoredTables.Seen> before, BackupFile newest) {
    // Not seen before (its database did not exist yet: the command creates it): what the drill
    // left absent still fails it. Regression (review 4 of session 27): nothing was concluded.
    if (before == null) {
      before = Map.of();
    }
    Map<String, RestoredTables.Seen> after = lookAtTables(endpoint);
    if (after == null) {
      return null;
    }
    RestoredTables.Verdict v = RestoredTables.verdict(before, after);
    if (v.ok()) {
      return null;
    }
    String what = newest == null ? "the restore" : "the restore of " + newest.path();
    List<String> parts = new ArrayList<>();
    if (!v.absent().isEmpty()) {
      parts.add("left no table " + String.join(", ", v.absent()));
    }
    if (!v.untouched().isEmpty()) {
      parts.add(
          "did not restore "
              + String.join(", ", v.untouched())
              + " (left exactly as before it: an earlier restore's rows)");
    }
    return what
        + " into '"
        + endpoint
        + "' exited 0 but "
        + String.join(" and ", parts)
        + ": the dump does not hold "
        + (v.absent().size() + v.untouched().size() == 1 ? "that table" : "those tables")
        + " (a restore command must recreate or rewrite every audited table); not compared";
  }

  /**
   * The run this inspector's drills are for: a run resumed after its process died does not repeat a
   * drill it completed itself (of the same newest file, into the same endpoint).
   */
  public BackupInspector forRun(String runId) {
    this.runId = runId;
    return this;
  }

  /** What a drill of this backup restores into: its endpoint's URL and its command, digested. */
  private String target(BackupConfig b) {
    EndpointConfig e = endpoints.get(b.endpoint());
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(
                  // without the configuration's passwords: the digest is kept in the state
                  // database, where a password in the URL or the command could be guessed from it
                  redact
                      .apply((e == null ? "" : e.url()) + "\n" + b.restoreCommand())
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 16);
    } catch (java.security.NoSuchAlgorithmException x) {
      throw new IllegalStateException(x);
    }
  }

  /** Withholds these secrets from the environment of every restore command. */
  public BackupInspector withholding(
      java.util.function.Supplier<java.util.Collection<String>> secrets) {
    this.withheld = secrets;
    return this;
  }

  /**
   * What is known about one backup.
   *
   * @param config the backup's configuration
   * @param asOf when the backup was taken, or null when unknown
   * @param asOfSource where {@code asOf} came from ("asOf query", "modification time of FILE")
   * @param files the files matching {@code files}, newest first (empty when none or not configured)
   * @param restore the restore drill's result, or null when none ran
   * @param restoreSkipped why no drill ran although a restore command is configured, or null
   * @param findings what is wrong with the backup itself
   * @param error the endpoint could not be reached (the audit is incomplete), or null
   */
  public record State(
      BackupConfig config,
      Instant asOf,
      String asOfSource,
      List<BackupFile> files,
      RestoreDrill.Result restore,
      List<BackupFinding> findings,
      String error,
      String restoreSkipped,
      List<String> beingWritten) {

    public State {
      beingWritten = beingWritten == null ? List.of() : List.copyOf(beingWritten);
    }

    public State(
        BackupConfig config,
        Instant asOf,
        String asOfSource,
        List<BackupFile> files,
        RestoreDrill.Result restore,
        List<BackupFinding> findings,
        String error,
        String restoreSkipped) {
      this(config, asOf, asOfSource, files, restore, findings, error, restoreSkipped, List.of());
    }

    /**
     * Whether its rows can be compared as of its time: the time is known, no restore failed (a
     * failed restore may have left the endpoint half restored) and its files, when configured,
     * exist: what an earlier drill left in the endpoint is no backup to restore from if the primary
     * died now. Regression (review 2 of session 22): with the files gone, the leftover restore was
     * compared and decided the users at risk while the metrics said "no backup".
     */
    public boolean comparable() {
      return asOf != null
          && error == null
          && findings.stream()
              .noneMatch(
                  f ->
                      f.kind() == Kind.RESTORE_FAILED
                          || f.kind() == Kind.ASOF_FAILED
                          || f.kind() == Kind.MISSING_BACKUP);
    }

    /** Why its rows are not compared, or null when they are. */
    public String notComparedReason() {
      if (comparable()) {
        return null;
      }
      if (error != null) {
        return error;
      }
      for (BackupFinding f : findings) {
        if (f.kind() != Kind.STALE && f.kind() != Kind.SHRUNK) {
          return f.message();
        }
      }
      return "the time the backup was taken is unknown";
    }

    /** The watermark the comparison binds against updatedAt (UTC text), or null. */
    public String watermark() {
      return asOf == null ? null : BackupTime.watermark(asOf);
    }
  }

  /**
   * Inspects one backup.
   *
   * @param restore whether to run the restore command (whole-dataset audits do; partial ones
   *     compare the endpoint as it is)
   */
  public State inspect(BackupConfig b, boolean restore) {
    return inspect(b, restore, running -> {}, () -> false);
  }

  /**
   * @param restoring told when a restore drill starts and ends (it checks no chunk meanwhile)
   * @param stop polled while a restore drill runs: the drill is killed once it says so (the run was
   *     cancelled, or failed by the watchdog elsewhere)
   */
  public State inspect(
      BackupConfig b,
      boolean restore,
      java.util.function.Consumer<Boolean> restoring,
      java.util.function.BooleanSupplier stop) {
    List<BackupFinding> findings = new ArrayList<>();
    List<BackupFile> files = List.of();
    List<String> beingWritten = new ArrayList<>();
    boolean filesConfigured = b.files() != null && !b.files().isBlank();
    if (filesConfigured) {
      try {
        List<BackupFile> listed = BackupFiles.list(b.files());
        files = BackupFiles.complete(listed, clock.instant(), beingWritten);
        if (!beingWritten.isEmpty()) {
          LOG.info("backup {}: still being written, not checked: {}", b.endpoint(), beingWritten);
        }
        if (files.isEmpty() && !listed.isEmpty()) {
          findings.add(
              new BackupFinding(
                  Kind.MISSING_BACKUP,
                  "no complete backup file matches "
                      + b.files()
                      + ": still being written: "
                      + String.join(", ", beingWritten)));
        } else if (files.isEmpty()) {
          findings.add(
              new BackupFinding(Kind.MISSING_BACKUP, "no backup file matches " + b.files()));
        } else {
          BackupFinding shrunk = BackupFreshness.shrink(files, b.maxShrink());
          if (shrunk != null) {
            findings.add(shrunk);
          }
        }
      } catch (RuntimeException e) {
        findings.add(
            new BackupFinding(
                Kind.MISSING_BACKUP, "cannot list backup files " + b.files() + ": " + describe(e)));
      }
    }
    BackupFile newest = files.isEmpty() ? null : files.get(0);

    RestoreDrill.Result drill = null;
    String skipped = null;
    boolean drills = restore && b.restoreCommand() != null && !b.restoreCommand().isBlank();
    String target = drills ? target(b) : null;
    Restored last = drills ? lastRestored.get(b.endpoint()) : null;
    boolean intact = last != null && target.equals(last.target()) && last.same(newest);
    if (!restore && b.restoreCommand() != null && !b.restoreCommand().isBlank()) {
      // Regression (review 4 of session 21): null here said nothing of why no drill ran.
      skipped =
          "a partial audit (one table or one user) restores nothing: the endpoint is compared as"
              + " it is";
    } else if (intact && b.restoreOnlyNewFiles() && newest != null) {
      skipped =
          "restoreWhen newFile: "
              + newest.path()
              + " was restored at "
              + last.restoredAt()
              + " and has not changed";
    } else if (intact && runId != null && runId.equals(last.runId())) {
      skipped =
          "this run restored "
              + (newest == null ? "the backup" : newest.path().toString())
              + " at "
              + last.restoredAt()
              + " before it was interrupted; not restored again";
    } else if (drills) {
      String refusal = refusal(b.endpoint());
      if (refusal != null) {
        findings.add(new BackupFinding(Kind.RESTORE_FAILED, refusal));
      } else if (!filesConfigured || newest != null) {
        EndpointConfig e = endpoints.get(b.endpoint());
        String command =
            RestoreDrill.render(b.restoreCommand(), newest == null ? null : newest.path(), e);
        Duration timeout = Duration.ofMillis(b.restoreTimeout().toMilliseconds());
        RestoreDrill.Result r;
        // The drill overwrites what an earlier one restored: forgotten first, so that a drill a
        // crash interrupts leaves no claim behind that the endpoint holds a complete restore.
        lastRestored.remove(b.endpoint());
        restoring.accept(true);
        Map<String, RestoredTables.Seen> before;
        try {
          before = lookAtTables(b.endpoint());
          r = RestoreDrill.run(command, e.password(), timeout, withheld.get(), stop);
        } finally {
          restoring.accept(false);
        }
        drill =
            new RestoreDrill.Result(
                redact.apply(r.command()),
                r.exitCode(),
                r.durationMs(),
                RestoreDrill.tail(redact.apply(r.outputTail())),
                r.timedOut());
        String unrestored = drill.succeeded() ? unrestored(b.endpoint(), before, newest) : null;
        if (!drill.succeeded()) {
          findings.add(new BackupFinding(Kind.RESTORE_FAILED, restoreMessage(drill, newest)));
          lastRestored.remove(b.endpoint());
        } else if (unrestored != null) {
          findings.add(new BackupFinding(Kind.RESTORE_FAILED, unrestored));
        } else {
          lastRestored.put(
              b.endpoint(),
              new Restored(
                  newest == null ? null : newest.path().toString(),
                  newest == null ? -1 : newest.bytes(),
                  newest == null ? null : newest.modified(),
                  clock.instant(),
                  runId,
                  target));
        }
      }
    }

    Instant asOf = null;
    String source = null;
    String error = null;
    boolean restoreFailed = findings.stream().anyMatch(f -> f.kind() == Kind.RESTORE_FAILED);
    if (b.asOf() != null && !b.asOf().isBlank()) {
      if (!restoreFailed) {
        source = "asOf query";
        Connection c = null;
        try {
          c = open.apply(b.endpoint());
        } catch (RuntimeException e) {
          error = redact.apply(describe(e)); // unreachable: the audit is incomplete
        }
        if (c != null) {
          try (Connection conn = c) {
            Object v = queryAsOf(conn, b);
            if (v == null) {
              findings.add(
                  new BackupFinding(
                      Kind.MISSING_BACKUP,
                      "the asOf query returned no time on '"
                          + b.endpoint()
                          + "': the endpoint holds no restored backup"));
            } else {
              Instant t = BackupTime.parse(v);
              if (t.isAfter(clock.instant().plus(FUTURE_SKEW))) {
                // A backup taken in the future is a clock or time-zone mistake (a local time in a
                // timestamp column read as UTC): compared as of it, every row written on the
                // primary between the real time and it would be a false MISSING.
                findings.add(
                    new BackupFinding(
                        Kind.ASOF_FAILED,
                        "the asOf query on '"
                            + b.endpoint()
                            + "' returned "
                            + t
                            + ", in the future (a time zone mistake?): not compared"));
              } else {
                asOf = t;
              }
            }
          } catch (IllegalArgumentException e) {
            findings.add(
                new BackupFinding(
                    Kind.ASOF_FAILED,
                    "the asOf query on '" + b.endpoint() + "' returned " + describe(e)));
          } catch (RuntimeException | java.sql.SQLException e) {
            findings.add(
                new BackupFinding(
                    Kind.ASOF_FAILED,
                    "the asOf query on '" + b.endpoint() + "' failed: " + describe(e)));
          }
        }
      }
    } else if (newest != null) {
      source = "modification time of " + newest.path();
      if (newest.modified() != null
          && newest.modified().isAfter(clock.instant().plus(FUTURE_SKEW))) {
        // As for an asOf in the future: a clock mistake, and compared as of it every row written
        // since the real dump would look restorable. Regression (review of session 19): a dump
        // touched 3 hours ahead was the backup's time; a row updated after the dump was a CHANGED
        // finding and none was written after the backup.
        findings.add(
            new BackupFinding(
                Kind.ASOF_FAILED,
                "the newest file "
                    + newest.path()
                    + " was modified at "
                    + newest.modified()
                    + ", in the future (a clock mistake?): not compared"));
      } else {
        asOf = newest.modified();
      }
    }
    findings.addAll(BackupFreshness.age(asOf, source, newest, clock.instant(), maxAge(b)));
    List<BackupFinding> redacted =
        findings.stream().map(f -> new BackupFinding(f.kind(), redact.apply(f.message()))).toList();
    return new State(b, asOf, source, files, drill, redacted, error, skipped, beingWritten);
  }

  private static Duration maxAge(BackupConfig b) {
    return b.maxAge() == null ? null : Duration.ofMillis(b.maxAge().toMilliseconds());
  }

  /** Why a restore into this endpoint must not run, or null. */
  private String refusal(String endpoint) {
    EndpointConfig e = endpoints.get(endpoint);
    if (e == null) {
      return "restore refused: unknown endpoint '" + endpoint + "'";
    }
    JdbcTarget target = JdbcTarget.of(e.url());
    for (String live : liveEndpoints) {
      EndpointConfig l = endpoints.get(live);
      if (live.equals(endpoint) || (l != null && JdbcTarget.of(l.url()).sameDatabase(target))) {
        return "restore refused: endpoint '"
            + endpoint
            + "' is (the same database as) '"
            + live
            + "', a primary or replica";
      }
    }
    // The URLs differ: asked, the servers say whether they are one (another DNS name, an address
    // only the resolver knows). A target that cannot be asked is restored into as configured:
    // the command reaches it through the same host and port, or fails.
    String mine = liveEndpoints.isEmpty() ? null : identity(endpoint);
    if (mine != null) {
      for (String live : liveEndpoints) {
        if (mine.equals(identity(live))) {
          return "restore refused: endpoint '"
              + endpoint
              + "' is the same server and database as '"
              + live
              + "', a primary or replica (asked both)";
        }
      }
      return null;
    }
    // Not asked (its login failed, or the engine has no identity query): the command, which
    // authenticates on its own (.pgpass, its own SSL settings), could still reach a live database
    // under another name. Regression (review 2 of session 22): a backup endpoint naming the
    // primary's server by an alias of its address, whose JDBC login failed, was restored into.
    for (String live : liveEndpoints) {
      EndpointConfig l = endpoints.get(live);
      if (l != null && sameAddress(target, JdbcTarget.of(l.url()))) {
        return "restore refused: endpoint '"
            + endpoint
            + "' could not be asked which server it is, and its host resolves to an address of '"
            + live
            + "' (same port and database), a primary or replica";
      }
    }
    return null;
  }

  /** Replaces the host name resolver (tests). */
  BackupInspector resolvingWith(Function<String, List<java.net.InetAddress>> resolver) {
    this.resolver = resolver;
    return this;
  }

  /**
   * Whether two URLs of one engine name the same database (or one names none) on a port of one
   * address: the hosts resolved, every loopback address one machine.
   */
  private boolean sameAddress(JdbcTarget a, JdbcTarget b) {
    if (!a.scheme().equals(b.scheme())
        || !a.database().isEmpty()
            && !b.database().isEmpty()
            && !a.database().equalsIgnoreCase(b.database())) {
      return false;
    }
    for (JdbcTarget.Server x : a.servers()) {
      for (JdbcTarget.Server y : b.servers()) {
        if (x.port() == null || !x.port().equals(y.port())) {
          continue;
        }
        List<java.net.InetAddress> xs = resolver.apply(x.host());
        List<java.net.InetAddress> ys = resolver.apply(y.host());
        for (java.net.InetAddress i : xs) {
          for (java.net.InetAddress j : ys) {
            if (i.equals(j) || i.isLoopbackAddress() && j.isLoopbackAddress()) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /**
   * Which server and database an endpoint's session is on, as the server says it, or null when it
   * cannot be asked. PostgreSQL: the server's start time (to the microsecond) and the database's
   * oid; a standby has its own start time, and restoring into one fails anyway. MariaDB/MySQL: the
   * host name, port, data directory and database. Other engines: null.
   */
  private String identity(String endpoint) {
    if (!endpoints.containsKey(endpoint)) {
      return null;
    }
    try (Connection c = open.apply(endpoint);
        Statement s = c.createStatement()) {
      String product = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
      String sql =
          product.contains("postgres")
              ? "SELECT CAST(pg_postmaster_start_time() AS text) || '/' || CAST(oid AS text)"
                  + " FROM pg_database WHERE datname = current_database()"
              : product.contains("mariadb") || product.contains("mysql")
                  ? "SELECT CONCAT_WS('/', @@hostname, @@port, @@datadir, DATABASE())"
                  : null;
      if (sql == null) {
        return null;
      }
      try (ResultSet rs = s.executeQuery(sql)) {
        String id = rs.next() ? rs.getString(1) : null;
        return id == null ? null : product + "/" + id;
      } finally {
        if (!c.getAutoCommit()) {
          c.rollback();
        }
      }
    } catch (java.sql.SQLException | RuntimeException e) {
      return null;
    }
  }

  private static Object queryAsOf(Connection c, BackupConfig b) throws java.sql.SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(b.asOf())) {
      boolean any = rs.next();
      Object v = any ? rs.getString(1) : null;
      if (any && rs.next()) {
        // Which row came first is up to the server (review 3 of session 27: the first was used).
        throw new IllegalArgumentException(
            "more than one row: it must return one value (e.g. SELECT max(taken_at) FROM ...);"
                + " not compared");
      }
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      return v;
    }
  }

  private static String restoreMessage(RestoreDrill.Result r, BackupFile newest) {
    String what =
        r.timedOut()
            ? "timed out after " + BackupFreshness.human(Duration.ofMillis(r.durationMs()))
            : r.exitCode() == null
                ? "could not start"
                : "exited with " + r.exitCode() + " after " + r.durationMs() + " ms";
    String tail = r.outputTail() == null ? "" : r.outputTail().strip();
    if (tail.length() > 500) {
      tail = "..." + tail.substring(tail.length() - 500);
    }
    return "restore "
        + (newest == null ? "" : "of " + newest.path() + " ")
        + what
        + (tail.isEmpty() ? "" : ": " + tail);
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
