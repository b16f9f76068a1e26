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

  /**
   * The key's and the compared columns, each once, in that order (an owner or updatedAt column not
   * compared may be the primary's, standing in for a copy's: not listed).
   */
  public List<Column> readColumns() {
    java.util.LinkedHashMap<String, Column> all = new java.util.LinkedHashMap<>();
    for (Column c : key) {
      all.putIfAbsent(c.name(), c);
    }
    for (Column c : compared) {
      all.putIfAbsent(c.name(), c);
    }
    return List.copyOf(all.values());
  }

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
    return retyped(
        nullable, Column::nullable, c -> new Column(c.name(), c.typeName(), c.jdbcType(), true));
  }

  /** Lower-case names of the compared columns that allow NULL. */
  public java.util.Set<String> nullableColumns() {
    return names(Column::nullable);
  }

  /** Whether a column holds JSON documents (PostgreSQL json/jsonb, MySQL JSON). */
  public static boolean isJson(Column c) {
    String t = c.typeName().toLowerCase(java.util.Locale.ROOT);
    return t.equals("json") || t.equals("jsonb");
  }

  /** Lower-case names of the compared columns that hold JSON (see {@link #isJson}). */
  public java.util.Set<String> jsonColumns() {
    return names(TableShape::isJson);
  }

  /**
   * The same table with every compared column named in {@code json} (lower case) typed "json":
   * hashed in the JVM, such a column is compared as a JSON document (see {@link
   * Values#canonicalJson}) on both sides, whichever side declares it JSON (MariaDB's JSON is a
   * LONGTEXT).
   */
  public TableShape withJson(java.util.Set<String> json) {
    return retyped(
        json, TableShape::isJson, c -> new Column(c.name(), "json", c.jdbcType(), c.nullable()));
  }

  /** The mark {@link #withJsonAsWritten} appends to a {@code json} column's type name. */
  public static final String JSON_AS_WRITTEN = "|as-written";

  /**
   * The same table with every compared {@code json} column named in {@code names} (lower case)
   * compared as the text it holds, not as a document: its type name carries {@link
   * #JSON_AS_WRITTEN}, so {@link #isJson} no longer holds. For a PostgreSQL {@code json} on every
   * side, whose text as written (whitespace, member order, duplicate keys) is its value.
   */
  public TableShape withJsonAsWritten(java.util.Set<String> names) {
    return retyped(
        names,
        c -> !c.typeName().equals("json"),
        c -> new Column(c.name(), c.typeName() + JSON_AS_WRITTEN, c.jdbcType(), c.nullable()));
  }

  /** Lower-case names of the compared columns whose type is {@code type} (as described). */
  public java.util.Set<String> columnsOfType(String type) {
    return names(c -> c.typeName().equals(type));
  }

  /**
   * The same table with every compared column named in {@code names} (lower case) typed "jsonb":
   * compared over the row's text, a column json on one side and jsonb on another is compared as
   * jsonb documents on both.
   */
  public TableShape withJsonb(java.util.Set<String> names) {
    return retyped(
        names,
        c -> c.typeName().equals("jsonb"),
        c -> new Column(c.name(), "jsonb", c.jdbcType(), c.nullable()));
  }

  /**
   * Whether a column is fixed-length text (SQL CHAR(n)), whose trailing spaces are padding:
   * PostgreSQL returns 'ab' in a CHAR(5) padded with three spaces, MariaDB without them.
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
    return names(TableShape::isFixedChar);
  }

  /**
   * The same table with every compared column named in {@code fixed} (lower case) typed CHAR:
   * hashed in the JVM, its trailing spaces are dropped on both sides, whichever side declares it
   * CHAR(n).
   */
  public TableShape withFixedChar(java.util.Set<String> fixed) {
    return retyped(
        fixed,
        TableShape::isFixedChar,
        c -> new Column(c.name(), "character", java.sql.Types.CHAR, c.nullable()));
  }

  /** The mark {@link #withTrimmedScale} appends to a column's type name. */
  public static final String TRIMMED_SCALE = "|trimmed-scale";

  /**
   * A decimal column's declared scale: 2 for {@code numeric(10,2)} or {@code DECIMAL(10,2)}, 0 for
   * {@code numeric(10)}; null for an unconstrained {@code numeric} (each value keeps its own) and
   * for a column that is no decimal.
   */
  public static Integer declaredScale(Column c) {
    String t = c.typeName().toLowerCase(java.util.Locale.ROOT);
    if (!(t.startsWith("numeric") || t.startsWith("decimal"))
        || t.endsWith("]")
        || t.contains(TRIMMED_SCALE)) {
      return null;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\(\\s*\\d+\\s*(?:,\\s*(-?\\d+)\\s*)?\\)").matcher(t);
    if (!m.find()) {
      return null;
    }
    return m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
  }

  /** Whether a column is a decimal (see {@link #declaredScale}), constrained or not. */
  public static boolean isDecimal(Column c) {
    String t = c.typeName().toLowerCase(java.util.Locale.ROOT);
    return (t.startsWith("numeric") || t.startsWith("decimal")) && !t.endsWith("]");
  }

  /**
   * Lower-case names of the decimal columns this table and {@code other} declare with different
   * scales (a constrained scale against another, or against an unconstrained {@code numeric}):
   * compared with their trailing fractional zeros dropped on both sides ({@link
   * #withTrimmedScale}), since such a column prints the same number as 1.50 on one side and 1.5000
   * on the other.
   */
  public java.util.SortedSet<String> scaleDrift(TableShape other) {
    return pairedWith(
        other,
        (c, o) ->
            isDecimal(c)
                && isDecimal(o)
                && !java.util.Objects.equals(declaredScale(c), declaredScale(o)));
  }

  /**
   * Lower-case names of the compared columns whose counterpart of the same name among {@code
   * other}'s compared columns makes a pair that passes {@code test} (this side's column first).
   */
  private java.util.SortedSet<String> pairedWith(
      TableShape other, java.util.function.BiPredicate<Column, Column> test) {
    java.util.Map<String, Column> theirs = new java.util.HashMap<>();
    for (Column c : other.compared) {
      theirs.put(c.name().toLowerCase(java.util.Locale.ROOT), c);
    }
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    for (Column c : compared) {
      String n = c.name().toLowerCase(java.util.Locale.ROOT);
      Column o = theirs.get(n);
      if (o != null && test.test(c, o)) {
        out.add(n);
      }
    }
    return out;
  }

  /** Whether a column is compared without trailing fractional zeros ({@link #withTrimmedScale}). */
  public static boolean trimmedScale(Column c) {
    return c.typeName().endsWith(TRIMMED_SCALE);
  }

  /**
   * The same table with every compared column named in {@code names} (lower case) compared as its
   * number without trailing fractional zeros: its type name carries {@link #TRIMMED_SCALE}, which
   * each way of hashing renders so (the key columns keep their types: keys are matched by value).
   */
  public TableShape withTrimmedScale(java.util.Set<String> names) {
    return retyped(
        names,
        TableShape::trimmedScale,
        c -> new Column(c.name(), c.typeName() + TRIMMED_SCALE, c.jdbcType(), c.nullable()));
  }

  /** The mark {@link #withDateAsTimestamp} appends to a date column's type name. */
  public static final String DATE_AS_TIMESTAMP = "|as-timestamp";

  /** A calendar date (SQL DATE; not MariaDB's YEAR, which its driver also calls a date). */
  public static boolean isDate(Column c) {
    return c.typeName().equalsIgnoreCase("date");
  }

  /**
   * A date and time without a zone: PostgreSQL's {@code timestamp [(p)] without time zone},
   * MariaDB's and MySQL's {@code DATETIME} (not their {@code TIMESTAMP}, an instant).
   */
  public static boolean isZonelessTimestamp(Column c) {
    String t = c.typeName().toLowerCase(java.util.Locale.ROOT);
    return t.startsWith("datetime") || t.startsWith("timestamp") && t.endsWith("without time zone");
  }

  /**
   * Lower-case names of the compared columns that are a date on one side and a date and time
   * without a zone on the other (a {@code date} migrated to {@code timestamp}, DATE to DATETIME):
   * the date side is compared as the midnight starting it ({@link #withDateAsTimestamp}).
   */
  public java.util.SortedSet<String> dateDrift(TableShape other) {
    return pairedWith(
        other,
        (c, o) -> isDate(c) && isZonelessTimestamp(o) || isZonelessTimestamp(c) && isDate(o));
  }

  /** Whether a date column is compared as its midnight ({@link #withDateAsTimestamp}). */
  public static boolean dateAsTimestamp(Column c) {
    return c.typeName().endsWith(DATE_AS_TIMESTAMP);
  }

  /**
   * The same table with every compared date column named in {@code names} (lower case) compared as
   * the date and time of its midnight: its type name carries {@link #DATE_AS_TIMESTAMP}, which each
   * way of hashing renders as the other side's timestamp of that midnight. Other columns so named
   * (the other side's timestamps) are left as they are.
   */
  public TableShape withDateAsTimestamp(java.util.Set<String> names) {
    return retyped(
        names,
        c -> !isDate(c),
        c -> new Column(c.name(), c.typeName() + DATE_AS_TIMESTAMP, c.jdbcType(), c.nullable()));
  }

  /** The mark {@link #withUnpadded} appends to a text column's type name. */
  public static final String UNPADDED = "|unpadded";

  /**
   * Lower-case names of the compared columns that are fixed-length text ({@code CHAR(n)}) on one
   * side and text of another kind ({@code VARCHAR}, {@code text}) on the other: compared without
   * trailing spaces on both sides ({@link #withUnpadded}), as the cross-engine comparison does,
   * since the {@code CHAR(n)} side cannot hold them (a subscriber or an ETL copy receiving
   * PostgreSQL's padded output of a {@code char(10)} into a {@code varchar} keeps the padding).
   */
  public java.util.SortedSet<String> padDrift(TableShape other) {
    return pairedWith(
        other,
        (c, o) ->
            c.textual()
                && o.textual()
                && isFixedChar(c) != isFixedChar(o)
                && !c.typeName().endsWith("]")
                && !o.typeName().endsWith("]"));
  }

  /** Whether a text column is compared without trailing spaces ({@link #withUnpadded}). */
  public static boolean unpadded(Column c) {
    return c.typeName().endsWith(UNPADDED);
  }

  /**
   * The same table with every compared column named in {@code names} (lower case) that is not
   * fixed-length text compared without its trailing spaces (U+0020): its type name carries {@link
   * #UNPADDED}. The fixed-length side is rendered without its padding already.
   */
  public TableShape withUnpadded(java.util.Set<String> names) {
    return retyped(
        names,
        c -> isFixedChar(c) || unpadded(c),
        c -> new Column(c.name(), c.typeName() + UNPADDED, c.jdbcType(), c.nullable()));
  }

  /** Lower-case names of the compared columns that pass {@code test}. */
  private java.util.Set<String> names(java.util.function.Predicate<Column> test) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (Column c : compared) {
      if (test.test(c)) {
        out.add(c.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  /**
   * The same table with each compared column named in {@code names} (lower case) that is not {@code
   * already} so replaced by {@code as}.
   */
  private TableShape retyped(
      java.util.Set<String> names,
      java.util.function.Predicate<Column> already,
      java.util.function.UnaryOperator<Column> as) {
    List<Column> cols =
        compared.stream()
            .map(
                c ->
                    already.test(c) || !names.contains(c.name().toLowerCase(java.util.Locale.ROOT))
                        ? c
                        : as.apply(c))
            .toList();
    return new TableShape(schema, name, key, cols, owner, updatedAt, ownerFilter);
  }

  public List<String> keyNames() {
    return key.stream().map(Column::name).toList();
  }

  public String displayName() {
    return schema == null ? name : schema + "." + name;
  }
}
