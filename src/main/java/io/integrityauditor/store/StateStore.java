package io.integrityauditor.store;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.integrityauditor.config.Secrets;
import io.integrityauditor.config.StateDatabaseConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The auditor's own database: history, checkpoints, findings. H2 (embedded, the default) or
 * PostgreSQL (shared by clustered instances). Versioned migrations run at start and by {@code db
 * migrate}.
 */
public final class StateStore {
  /** One schema change; applied once, in version order, recorded in {@code schema_version}. */
  record Migration(int version, String description, String resource, boolean postgresOnly) {}

  static final List<Migration> MIGRATIONS =
      List.of(
          new Migration(1, "audit history", "/db/V1__audit_history.sql", false),
          // Quartz's own tables for the clustered JDBC job store, from the Quartz jar.
          new Migration(
              2, "quartz job store", "/org/quartz/impl/jdbcjobstore/tables_postgres.sql", true),
          new Migration(3, "weekly reports", "/db/V3__weekly_reports.sql", false),
          new Migration(4, "chunk checkpoints", "/db/V4__chunk_checkpoints.sql", false),
          new Migration(5, "purged counts", "/db/V5__purged_counts.sql", false),
          new Migration(6, "restored backups", "/db/V6__restored_backups.sql", false),
          new Migration(7, "schedule starts", "/db/V7__schedule_starts.sql", false));

  private final String url;
  private final ManagedDataSource dataSource;
  private final Jdbi jdbi;

  public StateStore(StateDatabaseConfig config) {
    this.url = config.getUrl();
    this.dataSource = pool(config);
    this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
  }

  public boolean isPostgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Rewrites an embedded H2 state database's file without its dead pages, and shrinks it; nothing
   * for other databases. Commits are written at once ({@link #durable}), which stops H2's
   * background writer, and with it the compaction it does. Regression (review 7 of session 22): 110
   * runs of 20 datasets of 50 tables grew the file to 181 MB, 1.3 MB once compacted. Called every
   * few minutes by the service; takes at most {@code maxMillis} of writes' time.
   *
   * @return the file's size before and after, in bytes, or null when not an H2 file
   */
  public long[] compact(int maxMillis) {
    if (!url.startsWith("jdbc:h2:file:")) {
      return null;
    }
    try (java.sql.Connection c = dataSource.getConnection()) {
      org.h2.engine.Session session = c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
      if (!(session instanceof org.h2.engine.SessionLocal local)) {
        return null; // a server-mode URL: that server compacts its own file
      }
      org.h2.mvstore.MVStore store = local.getDatabase().getStore().getMvStore();
      String name = store.getFileStore().getFileName();
      long before = java.nio.file.Files.size(java.nio.file.Path.of(name));
      store.compactFile(maxMillis);
      long after = java.nio.file.Files.size(java.nio.file.Path.of(name));
      return new long[] {before, after};
    } catch (java.sql.SQLException | java.io.IOException | RuntimeException e) {
      throw new StateException("cannot compact the state database", e);
    }
  }

  /** Closes the pool. */
  public void close() {
    try {
      dataSource.stop();
    } catch (Exception e) {
      // closing anyway
    }
  }

  public RunDao runs() {
    return jdbi.onDemand(RunDao.class);
  }

  /** The URL with any password removed, for logs and errors. */
  public String displayUrl() {
    return Secrets.redactUrl(url);
  }

  /** Applies every migration not applied yet; returns the descriptions of those applied now. */
  public List<String> migrate() {
    List<String> applied = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY,"
                + " description VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
      }
      c.commit();
      if (isPostgres()) {
        try (Statement s = c.createStatement()) {
          // Two instances starting together: one migrates, the other waits here, then sees it done.
          s.execute("LOCK TABLE schema_version IN EXCLUSIVE MODE");
        }
      }
      int current;
      try (Statement s = c.createStatement();
          var rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
        rs.next();
        current = rs.getInt(1);
      }
      for (Migration m : MIGRATIONS) {
        if (m.version() <= current) {
          continue;
        }
        if (!m.postgresOnly() || isPostgres()) {
          for (String sql : statements(load(m.resource()))) {
            try (Statement s = c.createStatement()) {
              s.execute(sql);
            }
          }
        }
        try (var ps =
            c.prepareStatement(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
          ps.setInt(1, m.version());
          ps.setString(2, m.description());
          ps.setObject(
              3, java.time.OffsetDateTime.ofInstant(Instant.now(), java.time.ZoneOffset.UTC));
          ps.executeUpdate();
        }
        applied.add("V" + m.version() + " " + m.description());
      }
      c.commit();
      // Back to the pool as it came: a connection left in a transaction would swallow writes.
      c.setAutoCommit(true);
      return applied;
    } catch (SQLException e) {
      throw new StateException("cannot migrate the state database " + displayUrl(), e);
    }
  }

  /**
   * The highest applied migration, or 0 for a database never migrated (regression: {@code db
   * status} on an empty database failed with "relation schema_version does not exist").
   */
  public int schemaVersion() {
    try {
      return versionOrZero();
    } catch (java.sql.SQLException e) {
      throw new StateException("cannot read the state database " + displayUrl(), e);
    }
  }

  private int versionOrZero() throws java.sql.SQLException {
    return jdbi.withHandle(
        h -> {
          java.sql.DatabaseMetaData md = h.getConnection().getMetaData();
          boolean exists = false;
          for (String name : new String[] {"schema_version", "SCHEMA_VERSION"}) {
            try (java.sql.ResultSet rs =
                md.getTables(null, h.getConnection().getSchema(), name, null)) {
              exists |= rs.next();
            }
          }
          return exists
              ? h.createQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                  .mapTo(Integer.class)
                  .one()
              : 0;
        });
  }

  public static int latestVersion() {
    return MIGRATIONS.get(MIGRATIONS.size() - 1).version();
  }

  private String load(String resource) {
    try (InputStream in = StateStore.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new StateException("migration resource missing: " + resource, null);
      }
      String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return sql.replace("${text}", isPostgres() ? "TEXT" : "CLOB");
    } catch (IOException e) {
      throw new StateException("cannot read " + resource, e);
    }
  }

  /** Splits a script into statements; drops comments and the script's own transaction control. */
  static List<String> statements(String script) {
    StringBuilder clean = new StringBuilder();
    for (String line : script.split("\n")) {
      String t = line.strip();
      if (t.startsWith("--") || t.startsWith("#")) {
        continue;
      }
      clean.append(line).append('\n');
    }
    List<String> out = new ArrayList<>();
    for (String part : clean.toString().split(";")) {
      String t = part.strip();
      if (t.isEmpty() || t.equalsIgnoreCase("commit") || t.equalsIgnoreCase("begin")) {
        continue;
      }
      out.add(t);
    }
    return out;
  }

  /** The state database failed; the message carries no password. */
  public static final class StateException extends RuntimeException {
    public StateException(String message, Throwable cause) {
      super(message + (cause == null ? "" : ": " + cause.getMessage()), null);
    }
  }

  /**
   * H2 writes commits to its file up to 500 ms late by default: a {@code kill -9} then loses the
   * last checkpoints and run states. Each commit is written at once (the OS keeps it when the
   * process dies).
   */
  static String durable(String url) {
    if (url.startsWith("jdbc:h2:file:")
        && !url.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY")) {
      return url + ";WRITE_DELAY=0";
    }
    return url;
  }

  /**
   * A small validating pool: connections are checked on borrow, so a restarted state database costs
   * the queries in flight at that moment, never the service.
   */
  private static ManagedDataSource pool(StateDatabaseConfig config) {
    DataSourceFactory f = new DataSourceFactory();
    f.setUrl(durable(config.getUrl()));
    f.setUser(config.getUser() == null ? "" : config.getUser());
    f.setPassword(config.getPassword() == null ? "" : config.getPassword());
    f.setDriverClass(
        config.getUrl().startsWith("jdbc:postgresql:") ? "org.postgresql.Driver" : "org.h2.Driver");
    f.setMinSize(1);
    f.setInitialSize(1);
    f.setMaxSize(16);
    f.setCheckConnectionOnBorrow(true);
    f.setValidationQuery("SELECT 1");
    f.setMaxWaitForConnection(io.dropwizard.util.Duration.seconds(10));
    f.setAutoCommitByDefault(true);
    if (config.getUrl().startsWith("jdbc:postgresql:")) {
      f.setProperties(
          java.util.Map.of(
              "connectTimeout",
              "5",
              "socketTimeout",
              "60",
              "ApplicationName",
              "integrity-auditor"));
    }
    return f.build(new MetricRegistry(), "state");
  }
}
