package io.integrityauditor.backup;

import io.integrityauditor.dialect.Dialect;
import io.integrityauditor.dialect.MySqlDialect;
import io.integrityauditor.dialect.PostgresDialect;
import io.integrityauditor.dialect.TableCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a restore drill restored the audited tables: each table's identity on the backup
 * endpoint, read before and after the drill. A restore command recreates the objects its dump holds
 * ({@code pg_restore --clean}, a {@code mariadb-dump}'s DROP and CREATE) and leaves every other
 * table as it was. Regression (review 3 of session 27): a dump of the wrong database (its own
 * {@code backup_meta}, no table {@code t}) restored with exit 0 and the table the previous drill
 * had restored was compared as this backup: CONSISTENT, exit 0, no user at risk; into a fresh
 * endpoint the audit failed (exit 2, "table does not exist") and the backup said OK.
 *
 * <p>PostgreSQL: the table's oid, its file, size and counts of rows written (of its partitions
 * too), so a restore that drops, truncates, rewrites or writes the table changes it. Regression
 * (review 4 of session 27): only a partitioned table's partitions were listed, so an ordinary
 * table's TRUNCATE and data-only restore looked untouched. MariaDB/MySQL: the table's creation and
 * last-write times (a TRUNCATE and its rows written again change the latter); they have whole
 * seconds, so a table written in the second the first look was taken counts as restored. A view (on
 * either engine) is only required to exist: it holds no rows of its own. InnoDB's table id is not
 * read: without the PROCESS privilege the driver logged each refusal. Other engines are not looked
 * at.
 */
final class RestoredTables {
  private RestoredTables() {}

  /**
   * One table as seen at one time; {@code identity} null when the table does not exist; {@code
   * unsure} when an unchanged identity would not mean an untouched table: a view (it holds no rows
   * of its own: a data-only restore of its tables leaves it as it was), or a MariaDB table written
   * in the very second it was looked at.
   */
  record Seen(String table, String identity, boolean unsure) {}

  /** What a drill left wrong with the tables: absent ones and ones it did not touch. */
  record Verdict(List<String> absent, List<String> untouched) {
    boolean ok() {
      return absent.isEmpty() && untouched.isEmpty();
    }
  }

  /**
   * Each table's identity on this endpoint, in order, or null when this engine is not looked at or
   * the catalog could not be read (then nothing is concluded).
   */
  static Map<String, Seen> look(Connection c, Dialect dialect, List<String> tables) {
    try {
      Map<String, Seen> out = new LinkedHashMap<>();
      for (String t : tables) {
        String[] parts = TableCatalog.splitName(t);
        Seen s;
        if (dialect instanceof PostgresDialect) {
          s = postgres(c, t, parts[0], parts[1]);
        } else if (dialect instanceof MySqlDialect) {
          s = mysql(c, t, parts[0], parts[1]);
        } else {
          return null;
        }
        out.put(t, s);
      }
      return out;
    } catch (SQLException | RuntimeException e) {
      LOG.warn(
          "cannot look at the audited tables (whether a restore drill restored them): {}",
          e.getMessage());
      return null;
    }
  }

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(RestoredTables.class);

  /** The tables the drill left absent, and those it left exactly as they were before it. */
  static Verdict verdict(Map<String, Seen> before, Map<String, Seen> after) {
    List<String> absent = new ArrayList<>();
    List<String> untouched = new ArrayList<>();
    for (Map.Entry<String, Seen> e : after.entrySet()) {
      Seen now = e.getValue();
      Seen then = before.get(e.getKey());
      if (now.identity() == null) {
        absent.add(e.getKey());
      } else if (then != null
          && then.identity() != null
          && !then.unsure()
          && Objects.equals(then.identity(), now.identity())) {
        untouched.add(e.getKey());
      }
    }
    return new Verdict(absent, untouched);
  }

  private static Seen postgres(Connection c, String table, String schema, String name)
      throws SQLException {
    String sql =
        "SELECT n.nspname, c.relname, CAST(c.relkind AS text) || ':' || c.oid::text || '/'"
            + " || COALESCE((SELECT string_agg("
            + "x.oid::text || ':' || x.relfilenode::text || ':' || pg_relation_size(x.oid)::text"
            + " || ':' || (pg_stat_get_tuples_inserted(x.oid) + pg_stat_get_tuples_updated(x.oid)"
            + " + pg_stat_get_tuples_deleted(x.oid))::text, ',' ORDER BY x.oid) FROM pg_class x"
            + " WHERE x.oid = c.oid OR x.oid IN (SELECT relid FROM pg_partition_tree(c.oid))),"
            + " '')"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND lower(c.relname) = lower(?)"
            + " AND CASE WHEN CAST(? AS text) IS NULL THEN n.nspname = ANY (current_schemas(false))"
            + " ELSE lower(n.nspname) = lower(CAST(? AS text)) END"
            + " ORDER BY array_position(current_schemas(false), n.nspname)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name);
      ps.setString(2, schema);
      ps.setString(3, schema);
      String identity = pick(ps, schema, name);
      return new Seen(table, identity, identity != null && identity.startsWith("v:"));
    }
  }

  private static Seen mysql(Connection c, String table, String schema, String name)
      throws SQLException {
    String sql =
        "SELECT TABLE_SCHEMA, TABLE_NAME, CONCAT_WS('/', CREATE_TIME, UPDATE_TIME),"
            + " GREATEST(COALESCE(CREATE_TIME, TIMESTAMP '1971-01-01 00:00:00'),"
            + " COALESCE(UPDATE_TIME, TIMESTAMP '1971-01-01 00:00:00')) >= NOW()"
            + " OR TABLE_TYPE = 'VIEW' OR CREATE_TIME IS NULL"
            + " FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE())"
            + " AND LOWER(TABLE_NAME) = LOWER(?)";
    String identity;
    boolean unsure = false;
    String nameFound = null;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      ps.setString(2, name);
      identity = null;
      try (ResultSet rs = ps.executeQuery()) {
        int n = 0;
        while (rs.next()) {
          boolean exact = rs.getString(2).equals(name);
          if (identity == null || exact) {
            nameFound = rs.getString(2);
            identity = "t:" + rs.getString(3);
            unsure = rs.getBoolean(4);
          }
          n++;
          if (exact) {
            break;
          }
        }
        if (n > 1 && !Objects.equals(nameFound, name)) {
          identity = null; // ambiguous by case: as the catalog's lookup, no table
        }
      }
    }
    return new Seen(table, identity, unsure);
  }

  /** The identity of the row naming the table exactly, else of the only one, else null. */
  private static String pick(PreparedStatement ps, String schema, String name) throws SQLException {
    List<String[]> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
      }
    }
    for (String[] r : rows) {
      if (r[1].equals(name) && (schema == null || r[0].equals(schema))) {
        return r[2];
      }
    }
    if (rows.size() == 1) {
      return rows.get(0)[2];
    }
    if (schema == null && !rows.isEmpty()) {
      // the first schema on the search path that holds it by this name, folded
      String first = rows.get(0)[0];
      List<String[]> inFirst = rows.stream().filter(r -> r[0].equals(first)).toList();
      return inFirst.size() == 1 ? inFirst.get(0)[2] : null;
    }
    return null;
  }
}
