package io.integrityauditor.dialect;

import io.integrityauditor.engine.Column;
import io.integrityauditor.engine.TableShape;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Resolves a configured table against a database's catalog: the table and every named column must
 * exist, and the key must be a primary key or a unique key of NOT NULL columns. Only names found
 * here are ever put into SQL, and they are quoted.
 */
public final class TableCatalog {
  private TableCatalog() {}

  /**
   * What the configuration asks for.
   *
   * @param table {@code schema.table} or {@code table}
   * @param key key columns, or empty to use the primary key (or a unique NOT NULL key)
   * @param owner owner column or null
   * @param updatedAt last-write-time column or null
   * @param exclude columns not compared
   * @param onCopy whether the table is a copy's, which may lack an excluded column the primary has
   */
  public record Request(
      String table,
      List<String> key,
      String owner,
      String updatedAt,
      List<String> exclude,
      boolean onCopy) {
    public Request(
        String table, List<String> key, String owner, String updatedAt, List<String> exclude) {
      this(table, key, owner, updatedAt, exclude, false);
    }

    /** The same request for a copy's table. */
    public Request forCopy() {
      return new Request(table, key, owner, updatedAt, exclude, true);
    }
  }

  /** A table that cannot be audited as configured; the message says why. */
  public static final class CatalogException extends RuntimeException {
    public CatalogException(String message) {
      super(message);
    }
  }

  static TableShape describe(Dialect dialect, Connection c, Request req) throws SQLException {
    String[] parts = splitName(req.table());
    String schema = parts[0];
    String name = parts[1];
    DatabaseMetaData md = c.getMetaData();
    if (schema == null && dialect instanceof PostgresDialect) {
      schema = "public";
    }
    String[] cs = dialect.catalogAndSchema(c, schema);
    String[] found = findTable(md, cs[0], cs[1], name);
    if (found == null) {
      String kind = otherKind(md, cs[0], cs[1], name);
      throw new CatalogException(
          kind != null
              ? "'"
                  + req.table()
                  + "' is "
                  + ("aeiou".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ")
                  + kind
                  + ", not a table or view: it holds no rows to audit"
              : "table '" + req.table() + "' does not exist (or is not visible to this user)");
    }
    String catalog = found[0];
    String realSchema = found[1];
    String realName = found[2];

    Map<String, Column> columns = new LinkedHashMap<>();
    try (ResultSet rs = md.getColumns(catalog, realSchema, realName, "%")) {
      TreeMap<Integer, Column> ordered = new TreeMap<>();
      while (rs.next()) {
        ordered.put(
            rs.getInt("ORDINAL_POSITION"),
            new Column(
                rs.getString("COLUMN_NAME"),
                withPrecision(
                    rs.getString("TYPE_NAME"),
                    rs.getInt("DATA_TYPE"),
                    rs.getInt("COLUMN_SIZE"),
                    rs.getInt("DECIMAL_DIGITS")),
                rs.getInt("DATA_TYPE"),
                rs.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls));
      }
      for (Column col : ordered.values()) {
        columns.put(col.name(), col);
      }
    }

    List<List<String>> uniqueKeys =
        dialect instanceof PostgresDialect
            ? postgresUniqueKeys(
                c, dialect.quote(realSchema) + "." + dialect.quote(realName), columns)
            : uniqueKeys(md, catalog, realSchema, realName, columns);
    List<Column> key = new ArrayList<>();
    if (req.key() == null || req.key().isEmpty()) {
      if (uniqueKeys.isEmpty()) {
        throw new CatalogException(
            "table '"
                + req.table()
                + "' has neither a primary key nor a unique key on NOT NULL columns;"
                + " rows cannot be matched between copies. Add one, or set 'key' to columns"
                + " that are unique and NOT NULL");
      }
      for (String k : uniqueKeys.get(0)) {
        key.add(columns.get(k));
      }
    } else {
      for (String k : req.key()) {
        key.add(column(columns, k, req.table(), "key"));
      }
      Set<String> keyNames = new LinkedHashSet<>();
      key.forEach(col -> keyNames.add(col.name()));
      boolean unique = uniqueKeys.stream().anyMatch(keyNames::containsAll);
      if (!unique) {
        throw new CatalogException(
            "key "
                + req.key()
                + " of table '"
                + req.table()
                + "' is not a primary key or unique key of NOT NULL columns");
      }
      for (Column col : key) {
        if (col.nullable()) {
          throw new CatalogException(
              "key column '" + col.name() + "' of table '" + req.table() + "' admits NULL");
        }
      }
    }

    Set<String> excluded = new LinkedHashSet<>();
    for (String e : req.exclude() == null ? List.<String>of() : req.exclude()) {
      if (req.onCopy()
          && columns.values().stream().noneMatch(col -> col.name().equalsIgnoreCase(e))) {
        // A column the primary has and the copy lacks is what exclude is for. Regression (review
        // 2 of session 25): the copy's catalog refused it ("does not exist"), so such a table
        // could not be audited at all; the primary's catalog still names a misspelt column.
        continue;
      }
      Column col = column(columns, e, req.table(), "exclude");
      if (key.stream().anyMatch(k -> k.name().equals(col.name()))) {
        throw new CatalogException(
            "exclude: key column '"
                + col.name()
                + "' of table '"
                + req.table()
                + "' must be compared");
      }
      excluded.add(col.name());
    }
    List<Column> compared = new ArrayList<>();
    for (Column col : columns.values()) {
      if (!excluded.contains(col.name())) {
        compared.add(col);
      }
    }
    Column owner = req.owner() == null ? null : column(columns, req.owner(), req.table(), "owner");
    Column updated =
        req.updatedAt() == null ? null : column(columns, req.updatedAt(), req.table(), "updatedAt");
    if (updated != null && !temporal(updated)) {
      // Compared with the primary's clock and a backup's time: a number (an epoch) or text cannot
      // be. Regression: a bigint updatedAt failed the copy at its first difference, after the
      // whole scan, with the server's "invalid input syntax for type bigint".
      throw new CatalogException(
          "updatedAt: column '"
              + updated.name()
              + "' of table '"
              + req.table()
              + "' is "
              + updated.typeName()
              + ", not a date or timestamp: the time of a row's last write is compared with the"
              + " database's clock and a backup's time");
    }
    String shapeSchema = dialect instanceof MySqlDialect ? catalog : realSchema;
    if (dialect instanceof MySqlDialect && schemaOmitted(req.table())) {
      shapeSchema = null;
    }
    return new TableShape(shapeSchema, realName, key, compared, owner, updated, null);
  }

  /** A date, timestamp or timestamp with time zone (DATETIME, timestamptz, ...). */
  private static boolean temporal(Column c) {
    return switch (c.jdbcType()) {
      case java.sql.Types.DATE, java.sql.Types.TIMESTAMP, java.sql.Types.TIMESTAMP_WITH_TIMEZONE ->
          true;
      default -> false;
    };
  }

  private static boolean schemaOmitted(String table) {
    return splitName(table)[0] == null;
  }

  /**
   * A configured table name as a MariaDB/MySQL copy reads it: a qualifier naming the primary's own
   * database (its URL's) names the copy's (its URL's) there, as an unqualified name does.
   * Regression (review 3 of session 22): {@code rev3_ma.q} read the primary's table on a copy in
   * database {@code rev3_mb} of the same server, so the primary was compared with itself:
   * CONSISTENT, exit 0, with a changed and a missing row on the copy.
   */
  public static String onCopy(String table, String primaryDatabase, String copyDatabase) {
    String[] parts = splitName(table);
    if (parts[0] == null
        || primaryDatabase == null
        || copyDatabase == null
        || primaryDatabase.isEmpty()
        || copyDatabase.isEmpty()
        || !parts[0].equalsIgnoreCase(primaryDatabase)
        || copyDatabase.equalsIgnoreCase(primaryDatabase)) {
      return table;
    }
    return "\""
        + copyDatabase.replace("\"", "\"\"")
        + "\".\""
        + parts[1].replace("\"", "\"\"")
        + "\"";
  }

  /**
   * A configured table name as its schema (or database; null when omitted) and table: split at the
   * last dot, or, where a part is double-quoted ({@code "My.Schema"."we.ird"}, {@code ""} for a
   * quote inside), at the dot between the quoted parts, so names holding dots can be audited.
   */
  public static String[] splitName(String table) {
    if (table.indexOf('"') < 0) {
      int dot = table.lastIndexOf('.');
      return dot > 0
          ? new String[] {table.substring(0, dot), table.substring(dot + 1)}
          : new String[] {null, table};
    }
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < table.length(); i++) {
      char ch = table.charAt(i);
      if (ch == '"') {
        if (quoted && i + 1 < table.length() && table.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (ch == '.' && !quoted) {
        parts.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    parts.add(cur.toString());
    if (quoted || parts.size() > 2 || parts.stream().anyMatch(String::isEmpty)) {
      throw new CatalogException(
          "table '" + table + "': expected table, schema.table or \"schema\".\"table\"");
    }
    return parts.size() == 2
        ? new String[] {parts.get(0), parts.get(1)}
        : new String[] {null, parts.get(0)};
  }

  private static Column column(
      Map<String, Column> columns, String name, String table, String field) {
    Column exact = columns.get(name);
    if (exact != null) {
      return exact;
    }
    List<Column> folded =
        columns.values().stream().filter(c -> c.name().equalsIgnoreCase(name)).toList();
    if (folded.size() == 1) {
      return folded.get(0);
    }
    throw new CatalogException(
        field
            + ": column '"
            + name
            + "' does not exist in table '"
            + table
            + "' (columns: "
            + String.join(", ", columns.keySet())
            + ")");
  }

  private static String[] findTable(DatabaseMetaData md, String catalog, String schema, String name)
      throws SQLException {
    String[] found = matchTable(tables(md, catalog, schema), null, name);
    if (found == null && schema != null) {
      // Catalogs fold unquoted names differently (H2: PUBLIC.CONTACTS); match case-insensitively.
      found = matchTable(tables(md, catalog, null), schema, name);
    }
    return found;
  }

  /**
   * The kind of an object of this name that is no table or view (a sequence, say), or null.
   * Regression (review 1 of session 25): a MariaDB SEQUENCE named as a table was "table 'seqt' does
   * not exist" while it did.
   */
  private static String otherKind(DatabaseMetaData md, String catalog, String schema, String name) {
    try (ResultSet rs = md.getTables(catalog, schema, null, null)) {
      while (rs.next()) {
        String type = rs.getString("TABLE_TYPE");
        if (type != null
            && name.equalsIgnoreCase(rs.getString("TABLE_NAME"))
            && !type.toUpperCase(Locale.ROOT).contains("TABLE")
            && !type.toUpperCase(Locale.ROOT).contains("VIEW")) {
          return type.toLowerCase(Locale.ROOT);
        }
      }
    } catch (SQLException e) {
      // only an explanation: the table is reported missing as before
    }
    return null;
  }

  private static List<String[]> tables(DatabaseMetaData md, String catalog, String schema)
      throws SQLException {
    List<String[]> all = new ArrayList<>();
    try (ResultSet rs = md.getTables(catalog, schema, null, null)) {
      while (rs.next()) {
        String type = rs.getString("TABLE_TYPE");
        if (type != null
            && !type.toUpperCase(Locale.ROOT).contains("TABLE")
            && !type.toUpperCase(Locale.ROOT).contains("VIEW")) {
          continue;
        }
        all.add(
            new String[] {
              rs.getString("TABLE_CAT"), rs.getString("TABLE_SCHEM"), rs.getString("TABLE_NAME")
            });
      }
    }
    return all;
  }

  private static String[] matchTable(List<String[]> all, String schema, String name) {
    List<String[]> candidates =
        schema == null
            ? all
            : all.stream().filter(t -> t[1] != null && t[1].equalsIgnoreCase(schema)).toList();
    Optional<String[]> exact = candidates.stream().filter(t -> t[2].equals(name)).findFirst();
    if (exact.isPresent()) {
      return exact.get();
    }
    List<String[]> folded = candidates.stream().filter(t -> t[2].equalsIgnoreCase(name)).toList();
    return folded.size() == 1 ? folded.get(0) : null;
  }

  /**
   * PostgreSQL's unique keys from its own catalog, as {@link #uniqueKeys} orders them: only valid
   * unique indexes over plain columns and every row, by their key columns. The driver's index list
   * took a partial unique index ({@code WHERE NOT deleted}) and one a failed {@code CREATE UNIQUE
   * INDEX CONCURRENTLY} left invalid as keys, though neither makes rows unique (false EXTRA and
   * CHANGED rows), and counted an index's INCLUDE columns as key columns (a unique id refused as a
   * key because an included column admits NULL).
   */
  private static List<List<String>> postgresUniqueKeys(
      Connection c, String table, Map<String, Column> cols) throws SQLException {
    Map<Long, List<String>> indexes = new LinkedHashMap<>();
    Long primary = null;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT i.indexrelid, i.indisprimary, a.attname FROM pg_index i"
                + " CROSS JOIN LATERAL unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY"
                + " AS k(attnum, ord)"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + " WHERE i.indrelid = CAST(? AS regclass) AND i.indisunique AND i.indisvalid"
                + " AND i.indpred IS NULL AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts"
                + " ORDER BY i.indexrelid, k.ord")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long idx = rs.getLong(1);
          if (rs.getBoolean(2)) {
            primary = idx;
          }
          indexes.computeIfAbsent(idx, x -> new ArrayList<>()).add(rs.getString(3));
        }
      }
    }
    List<List<String>> keys = new ArrayList<>();
    if (primary != null) {
      keys.add(indexes.remove(primary));
    }
    List<List<String>> unique = new ArrayList<>();
    for (List<String> names : indexes.values()) {
      if (names.stream().allMatch(n -> cols.containsKey(n) && !cols.get(n).nullable())) {
        unique.add(names);
      }
    }
    unique.sort(Comparator.comparingInt(List::size));
    keys.addAll(unique);
    return keys;
  }

  /** The primary key first, then unique indexes on NOT NULL columns, fewest columns first. */
  private static List<List<String>> uniqueKeys(
      DatabaseMetaData md, String catalog, String schema, String table, Map<String, Column> cols)
      throws SQLException {
    List<List<String>> keys = new ArrayList<>();
    TreeMap<Integer, String> pk = new TreeMap<>();
    try (ResultSet rs = md.getPrimaryKeys(catalog, schema, table)) {
      while (rs.next()) {
        pk.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
      }
    }
    if (!pk.isEmpty()) {
      keys.add(new ArrayList<>(pk.values()));
    }
    Map<String, TreeMap<Integer, String>> indexes = new LinkedHashMap<>();
    try (ResultSet rs = md.getIndexInfo(catalog, schema, table, true, false)) {
      while (rs.next()) {
        String idx = rs.getString("INDEX_NAME");
        String col = rs.getString("COLUMN_NAME");
        if (idx == null || col == null || rs.getBoolean("NON_UNIQUE")) {
          continue;
        }
        indexes.computeIfAbsent(idx, x -> new TreeMap<>()).put(rs.getInt("ORDINAL_POSITION"), col);
      }
    }
    List<List<String>> unique = new ArrayList<>();
    for (TreeMap<Integer, String> idx : indexes.values()) {
      List<String> names = new ArrayList<>(idx.values());
      boolean notNull =
          names.stream().allMatch(n -> cols.containsKey(n) && !cols.get(n).nullable());
      if (notNull && !names.equals(keys.isEmpty() ? null : keys.get(0))) {
        unique.add(names);
      }
    }
    unique.sort(Comparator.comparingInt(List::size));
    keys.addAll(unique);
    return keys;
  }

  /**
   * A decimal column's type with its precision and scale, as PostgreSQL's format_type names it
   * ({@code DECIMAL(10,2)}): the drivers' type name alone says {@code DECIMAL} for every precision
   * and scale, so two columns of different scales counted as one type (and the row hash that
   * requires identical types printed 1.50 against 1.5000: a false CHANGED on every row).
   */
  static String withPrecision(String typeName, int jdbcType, int precision, int scale) {
    if ((jdbcType == java.sql.Types.DECIMAL || jdbcType == java.sql.Types.NUMERIC)
        && typeName != null
        && typeName.indexOf('(') < 0
        && precision > 0) {
      return typeName + "(" + precision + "," + scale + ")";
    }
    return typeName;
  }
}
