package io.integrityauditor.engine;

import java.util.List;

/**
 * A table resolved against one database's catalog: what is compared and how rows are identified.
 *
 * @param schema schema (PostgreSQL) or database (MariaDB); null for the connection default
 * @param name the table name
 * @param key the key columns, in key order (a primary key or a unique key of non-null columns)
 * @param compared every compared column (key columns included), in the primary's column order
 * @param owner the column naming the user a row belongs to, or null
 * @param updatedAt the column holding the row's last write time, or null
 * @param ownerFilter when not null, only rows of this owner are compared (a one-user audit)
 */
public record TableShape(
    String schema,
    String name,
    List<Column> key,
    List<Column> compared,
    Column owner,
    Column updatedAt,
    String ownerFilter) {

  public TableShape withOwnerFilter(String owner) {
    return new TableShape(schema, name, key, compared, this.owner, updatedAt, owner);
  }

  /** The same table with another database's column types, for a copy. */
  public TableShape withColumns(
      List<Column> key, List<Column> compared, Column owner, Column updatedAt) {
    return new TableShape(schema, name, key, compared, owner, updatedAt, ownerFilter);
  }

  /**
   * The same table with every compared column named in {@code nullable} (lower case) treated as
   * nullable: a row encoding that marks NULLs only for nullable columns must be built alike on both
   * sides, whichever side allows NULL.
   */
  public TableShape withNullable(java.util.Set<String> nullable) {
    List<Column> cols =
        compared.stream()
            .map(
                c ->
                    c.nullable() || !nullable.contains(c.name().toLowerCase(java.util.Locale.ROOT))
                        ? c
                        : new Column(c.name(), c.typeName(), c.jdbcType(), true))
            .toList();
    return new TableShape(schema, name, key, cols, owner, updatedAt, ownerFilter);
  }

  /** Whether a column holds JSON documents (PostgreSQL json/jsonb, MySQL JSON). */
  public static boolean isJson(Column c) {
    String t = c.typeName().toLowerCase(java.util.Locale.ROOT);
    return t.equals("json") || t.equals("jsonb");
  }

  /** Lower-case names of the compared columns that hold JSON (see {@link #isJson}). */
  public java.util.Set<String> jsonColumns() {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (Column c : compared) {
      if (isJson(c)) {
        out.add(c.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  /**
   * The same table with every compared column named in {@code json} (lower case) typed "json":
   * hashed in the JVM, such a column is compared as a JSON document (see {@link
   * Values#canonicalJson}) on both sides, whichever side declares it JSON (MariaDB's JSON is a
   * LONGTEXT).
   */
  public TableShape withJson(java.util.Set<String> json) {
    List<Column> cols =
        compared.stream()
            .map(
                c ->
                    isJson(c) || !json.contains(c.name().toLowerCase(java.util.Locale.ROOT))
                        ? c
                        : new Column(c.name(), "json", c.jdbcType(), c.nullable()))
            .toList();
    return new TableShape(schema, name, key, cols, owner, updatedAt, ownerFilter);
  }

  /**
   * Whether a column is fixed-length text (SQL CHAR(n)), whose trailing spaces are padding:
   * PostgreSQL returns 'ab' in a CHAR(5) as 'ab ', MariaDB as 'ab'.
   */
  public static boolean isFixedChar(Column c) {
    String t = c.typeName().toLowerCase(java.util.Locale.ROOT);
    return c.jdbcType() == java.sql.Types.CHAR
        || c.jdbcType() == java.sql.Types.NCHAR
        || t.equals("bpchar")
        || t.equals("character")
        || t.equals("char")
        || t.equals("nchar");
  }

  /** Lower-case names of the compared columns that are fixed-length text. */
  public java.util.Set<String> fixedCharColumns() {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (Column c : compared) {
      if (isFixedChar(c)) {
        out.add(c.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  /**
   * The same table with every compared column named in {@code fixed} (lower case) typed CHAR:
   * hashed in the JVM, its trailing spaces are dropped on both sides, whichever side declares it
   * CHAR(n).
   */
  public TableShape withFixedChar(java.util.Set<String> fixed) {
    List<Column> cols =
        compared.stream()
            .map(
                c ->
                    isFixedChar(c) || !fixed.contains(c.name().toLowerCase(java.util.Locale.ROOT))
                        ? c
                        : new Column(c.name(), "character", java.sql.Types.CHAR, c.nullable()))
            .toList();
    return new TableShape(schema, name, key, cols, owner, updatedAt, ownerFilter);
  }

  /** Lower-case names of the compared columns that allow NULL. */
  public java.util.Set<String> nullableColumns() {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (Column c : compared) {
      if (c.nullable()) {
        out.add(c.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  public List<String> keyNames() {
    return key.stream().map(Column::name).toList();
  }

  public String displayName() {
    return schema == null ? name : schema + "." + name;
  }
}
