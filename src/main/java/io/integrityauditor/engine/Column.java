package io.integrityauditor.engine;

/**
 * A column as described by the database catalog.
 *
 * @param name the column name exactly as the catalog spells it
 * @param typeName the database's own type name (for PostgreSQL, {@code format_type()} output)
 * @param jdbcType the {@link java.sql.Types} constant reported by the driver
 * @param nullable whether the column admits NULL
 */
public record Column(String name, String typeName, int jdbcType, boolean nullable) {
  /** Character data, by its JDBC type. */
  public boolean textual() {
    return switch (jdbcType) {
      case java.sql.Types.CHAR,
          java.sql.Types.VARCHAR,
          java.sql.Types.LONGVARCHAR,
          java.sql.Types.NCHAR,
          java.sql.Types.NVARCHAR,
          java.sql.Types.LONGNVARCHAR,
          java.sql.Types.CLOB ->
          true;
      default -> false;
    };
  }

  /**
   * A boolean column: PostgreSQL's {@code boolean}, H2's {@code BOOLEAN}. Its key values are the
   * numbers 1 and 0 ({@link Values#keyAsRead}), bound back as booleans. MariaDB's {@code BOOLEAN}
   * is a {@code TINYINT(1)} that may hold any small number, and its dialect binds its keys as
   * numbers.
   */
  public boolean bool() {
    String type = typeName == null ? "" : typeName.toLowerCase(java.util.Locale.ROOT);
    return jdbcType == java.sql.Types.BOOLEAN || type.equals("bool") || type.equals("boolean");
  }

  /**
   * Bytes, by its JDBC type (PostgreSQL's bytea, MariaDB's BINARY, VARBINARY and BLOBs, H2's
   * binaries), except a UUID that a driver calls binary (H2's).
   */
  public boolean binary() {
    return switch (jdbcType) {
      case java.sql.Types.BINARY,
          java.sql.Types.VARBINARY,
          java.sql.Types.LONGVARBINARY,
          java.sql.Types.BLOB ->
          typeName == null || !typeName.equalsIgnoreCase("uuid");
      default -> false;
    };
  }

  /** An integer or decimal, by its JDBC type (read as a number: Long, BigInteger, BigDecimal). */
  public boolean numeric() {
    return switch (jdbcType) {
      case java.sql.Types.TINYINT,
          java.sql.Types.SMALLINT,
          java.sql.Types.INTEGER,
          java.sql.Types.BIGINT,
          java.sql.Types.NUMERIC,
          java.sql.Types.DECIMAL ->
          true;
      default -> false;
    };
  }
}
