package io.integrityauditor.dialect;

import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.TableShape;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * What the engine needs to know about one database engine: quoting, session safety, the catalog,
 * and how to digest a table in SQL. One small class per engine.
 */
public interface Dialect {

  /** How rows are hashed. Both sides of a comparison must use the same flavour. */
  enum HashFlavor {
    /** PostgreSQL's own row hash; only between PostgreSQL tables with identical column types. */
    NATIVE,
    /** A hash of the canonical text encoding, computed by the database. */
    CANONICAL,
    /** The canonical encoding hashed in the JVM (any JDBC database; also across engines). */
    JVM
  }

  String name();

  /** Quotes an identifier that was validated against the catalog. */
  String quote(String identifier);

  /**
   * Makes the session safe and deterministic: read-only, statement and lock timeouts, UTC, full
   * precision text output.
   */
  void prepareSession(Connection c, Duration statementTimeout) throws SQLException;

  /** Resolves a table against the catalog (see {@link TableCatalog}). */
  default TableShape describe(Connection c, TableCatalog.Request request) throws SQLException {
    return TableCatalog.describe(this, c, request);
  }

  /** The database's own type name of each column, used to decide whether NATIVE hashing applies. */
  default boolean supportsNative(Connection c, TableShape shape) {
    return false;
  }

  /**
   * What, beyond the session settings, decides the bytes that this database hashes in SQL (its
   * server encoding, for PostgreSQL), or null when nothing does. Two databases of one dialect whose
   * values differ here are compared in the JVM, from decoded values: in SQL the same text would
   * hash differently on each side.
   */
  default String sqlHashingContext(Connection c) throws SQLException {
    return null;
  }

  /**
   * How each key column sorts, one entry per key column: "" for a type without a collation,
   * "binary" for code-point order (PostgreSQL "C", "POSIX", "C.UTF-8"; MariaDB "*_nopad_bin"), else
   * the collation's provider and locale or name. Two sides whose lists differ put different rows
   * into the same key range. Null when unknown: alike only against another null.
   */
  default List<String> keyOrder(Connection c, TableShape shape) throws SQLException {
    return null;
  }

  /** Opens a digest source for a table on a prepared connection. */
  DigestSource digestSource(Connection c, TableShape shape, HashFlavor flavor, Duration timeout);

  /**
   * Checks how {@code replica} replicates from {@code primary} (both prepared sessions of this
   * dialect), waiting at most {@code maxLag} for it to apply the primary's current position.
   */
  default ReplicationHealth replicationHealth(
      Connection primary, Connection replica, Duration maxLag) throws SQLException {
    return ReplicationHealth.of(
        ReplicationHealth.State.UNKNOWN, null, "no replication check for " + name());
  }

  /**
   * How the table's rows are read in a FROM clause ({@code table} is its quoted name): the table
   * itself, or only the rows its key covers.
   */
  /**
   * The logical replication slots of this (primary's) database, which its logical subscribers'
   * subscriptions use; null when the engine has none or they cannot be read (no restriction).
   */
  default java.util.Set<String> logicalSlots(Connection c) {
    return null;
  }

  default String fromReference(Connection c, String table) throws SQLException {
    return table;
  }

  /** The JDBC catalog/schema arguments for a table's schema part. */
  default String[] catalogAndSchema(Connection c, String schema) throws SQLException {
    return new String[] {null, schema};
  }

  /** Picks the dialect for a JDBC URL. */
  static Dialect forUrl(String url) {
    if (url.startsWith("jdbc:postgresql:")) {
      return new PostgresDialect();
    }
    if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
      return new MySqlDialect();
    }
    return new GenericJdbcDialect();
  }
}
