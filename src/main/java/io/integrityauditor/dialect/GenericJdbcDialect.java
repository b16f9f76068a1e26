package io.integrityauditor.dialect;

import io.integrityauditor.engine.Column;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.TableShape;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Any other JDBC database (H2, SQLite, ...): rows are streamed in key ranges and hashed in the JVM
 * with the canonical encoding. Also used on both sides when the primary and a copy run different
 * engines, since their SQL renderings of a value need not agree.
 */
public final class GenericJdbcDialect implements Dialect {
  private String quoteString = "\"";

  @Override
  public String name() {
    return "jdbc";
  }

  @Override
  public String quote(String identifier) {
    if (quoteString.isBlank()) {
      return identifier;
    }
    return quoteString + identifier.replace(quoteString, quoteString + quoteString) + quoteString;
  }

  @Override
  public void prepareSession(Connection c, Duration statementTimeout) throws SQLException {
    String qs = c.getMetaData().getIdentifierQuoteString();
    quoteString = qs == null ? " " : qs.trim().isEmpty() ? " " : qs.trim();
    c.setReadOnly(true);
    c.setAutoCommit(false);
  }

  /**
   * Numbers, dates, times and timestamps sort alike in every engine: "". H2 sorts UUIDs and binary
   * strings as unsigned bytes, as PostgreSQL and MariaDB's VARBINARY do: "" too; its character
   * strings by UTF-16 code units unless a collation is set, by type ("h2:utf16:CHARACTER VARYING").
   * Anything else, or another engine, is unknown ("?" and the product and type name): the same only
   * against the same engine's same type. Regression: the generic dialect named no order at all,
   * which counted as alike, so a PostgreSQL table with a text key under an ICU collation (or
   * supplementary characters under "C", which UTF-16 puts before U+FF00) against H2 was compared by
   * key ranges: 19,927 false MISSING and 1,162 false EXTRA rows of 30,000.
   */
  @Override
  public List<String> keyOrder(Connection c, TableShape shape) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName();
    boolean h2 = "H2".equalsIgnoreCase(product);
    String collation = h2 ? h2Collation(c) : null;
    List<String> out = new ArrayList<>();
    for (Column k : shape.key()) {
      String type = k.typeName().toUpperCase(Locale.ROOT);
      if (ORDERED_ALIKE.contains(k.jdbcType())) {
        out.add("");
      } else if (h2 && (type.equals("UUID") || type.contains("BINARY"))) {
        out.add("");
      } else if (h2 && CHARACTER.contains(k.jdbcType())) {
        out.add("h2:" + collation + ":" + type);
      } else {
        out.add("?" + product + ":" + type);
      }
    }
    return out;
  }

  /** Types whose values sort the same in every engine. */
  private static final Set<Integer> ORDERED_ALIKE =
      Set.of(
          Types.TINYINT,
          Types.SMALLINT,
          Types.INTEGER,
          Types.BIGINT,
          Types.DECIMAL,
          Types.NUMERIC,
          Types.BOOLEAN,
          Types.DATE,
          Types.TIME,
          Types.TIMESTAMP,
          Types.TIMESTAMP_WITH_TIMEZONE);

  private static final Set<Integer> CHARACTER =
      Set.of(Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.CLOB);

  /** H2's database collation ("utf16" unless SET COLLATION chose one). */
  private static String h2Collation(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME = 'COLLATION'")) {
      String value = rs.next() ? rs.getString(1) : null;
      return value == null || value.isBlank() || value.equalsIgnoreCase("OFF")
          ? "utf16"
          : value.toLowerCase(Locale.ROOT);
    } finally {
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
  }

  @Override
  public DigestSource digestSource(
      Connection c, TableShape shape, HashFlavor flavor, Duration timeout) {
    return new JvmDigestSource(this, c, shape, timeout);
  }
}
