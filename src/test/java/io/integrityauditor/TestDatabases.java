package io.integrityauditor;

import io.integrityauditor.config.EndpointConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The real databases of the test topology (scripts/topology.sh). Tests fail, never skip, when they
 * are not there: run {@code scripts/test.sh}, which starts them.
 */
public final class TestDatabases {
  private TestDatabases() {}

  public static final int PG_PRIMARY_PORT = port("IA_PG_PRIMARY_PORT", 5441);
  public static final int PG_STANDBY_PORT = port("IA_PG_STANDBY_PORT", 5442);
  public static final int PG_FORK_PORT = port("IA_PG_FORK_PORT", 5443);

  /** The logical subscriber of the primary's app (subscription ia_sub to publication ia_pub). */
  public static final int PG_LOGICAL_PORT = port("IA_PG_LOGICAL_PORT", 5444);

  public static final int MARIADB_PRIMARY_PORT = port("IA_MARIADB_PRIMARY_PORT", 3341);
  public static final int MARIADB_REPLICA_PORT = port("IA_MARIADB_REPLICA_PORT", 3342);

  private static int port(String env, int def) {
    String v = System.getenv(env);
    return v == null || v.isBlank() ? def : Integer.parseInt(v);
  }

  public static String pgUrl(int port, String db) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
  }

  public static String mariaUrl(int port, String db) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + db;
  }

  public static EndpointConfig pgEndpoint(int port, String db) {
    return new EndpointConfig(pgUrl(port, db), "postgres", "", Map.of());
  }

  public static EndpointConfig mariaEndpoint(int port, String db) {
    return new EndpointConfig(mariaUrl(port, db), "root", "", Map.of());
  }

  /** Connects as the admin user (tests write; the auditor never does). */
  public static Connection admin(String url) throws SQLException {
    if (url.startsWith("jdbc:postgresql:")) {
      return DriverManager.getConnection(url, "postgres", "");
    }
    if (url.startsWith("jdbc:mariadb:")) {
      return DriverManager.getConnection(url, "root", "");
    }
    return DriverManager.getConnection(url);
  }

  /** Runs statements as the admin user, in order. */
  public static void execute(String url, String... statements) throws SQLException {
    try (Connection c = admin(url);
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** Drops and creates a PostgreSQL database on the topology primary. */
  public static void recreatePgDatabase(int port, String db) throws SQLException {
    try (Connection c = admin(pgUrl(port, "postgres"));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + db);
    }
  }

  /** Drops and creates a MariaDB database, without writing it to the binlog. */
  public static void recreateMariaDatabase(int port, String db) throws SQLException {
    try (Connection c = admin(mariaUrl(port, ""));
        Statement s = c.createStatement()) {
      s.execute("SET sql_log_bin = 0");
      s.execute("DROP DATABASE IF EXISTS " + db);
      s.execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4");
    }
  }

  /** Opens an admin session on MariaDB that does not replicate what it writes. */
  public static Connection mariaUnlogged(String url) throws SQLException {
    Connection c = admin(url);
    try (Statement s = c.createStatement()) {
      s.execute("SET sql_log_bin = 0");
    }
    return c;
  }
}
