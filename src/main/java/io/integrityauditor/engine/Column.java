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
