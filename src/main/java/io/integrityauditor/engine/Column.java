package io.integrityauditor.engine;

/**
 * A column as described by the database catalog.
 *
 * @param name the column name exactly as the catalog spells it
 * @param typeName the database's own type name (for PostgreSQL, {@code format_type()} output)
 * @param jdbcType the {@link java.sql.Types} constant reported by the driver
 * @param nullable whether the column admits NULL
 */
public record Column(String name, String typeName, int jdbcType, boolean nullable) {}
