package io.integrityauditor.dialect;

import io.integrityauditor.engine.Column;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.TableShape;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * MariaDB and MySQL. Rows are hashed in SQL as the first 64 bits of SHA2-256 of the canonical
 * encoding (SHA2 measured ~1.8x faster than MD5 here), each column rendered at full precision:
 * binary values in hex, FLOAT widened to DOUBLE (MariaDB prints FLOAT with 6 digits), temporal
 * values with their fractional seconds in a UTC session.
 */
public final class MySqlDialect implements Dialect {

  @Override
  public String name() {
    return "mariadb";
  }

  @Override
  public String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  @Override
  public void prepareSession(Connection c, Duration statementTimeout) throws SQLException {
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute("SET SESSION TRANSACTION READ ONLY");
      s.execute("SET time_zone = '+00:00'");
      s.execute("SET SESSION lock_wait_timeout = 5");
      s.execute("SET SESSION innodb_lock_wait_timeout = 5");
      try {
        s.execute("SET SESSION max_statement_time = " + Math.max(1, statementTimeout.toSeconds()));
      } catch (SQLException e) {
        // MySQL spells it max_execution_time (milliseconds, SELECT only)
        s.execute("SET SESSION max_execution_time = " + statementTimeout.toMillis());
      }
    }
  }

  @Override
  public String[] catalogAndSchema(Connection c, String schema) throws SQLException {
    return new String[] {schema == null ? c.getCatalog() : schema, null};
  }

  @Override
  public DigestSource digestSource(
      Connection c, TableShape shape, HashFlavor flavor, Duration timeout) {
    if (flavor == HashFlavor.JVM) {
      return new JvmDigestSource(this, c, shape, timeout);
    }
    return new Source(c, shape, timeout);
  }

  static boolean binary(Column c) {
    String t = c.typeName().toLowerCase(Locale.ROOT);
    return t.contains("blob")
        || t.contains("binary")
        || t.startsWith("bit")
        || t.startsWith("geometry")
        || c.jdbcType() == Types.BINARY
        || c.jdbcType() == Types.VARBINARY
        || c.jdbcType() == Types.LONGVARBINARY
        || c.jdbcType() == Types.BLOB;
  }

  private static boolean integral(Column c) {
    return switch (c.jdbcType()) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> true;
      default -> false;
    };
  }

  private static boolean decimal(Column c) {
    return c.jdbcType() == Types.DECIMAL || c.jdbcType() == Types.NUMERIC;
  }

  private final class Source extends JdbcDigestSource {
    private final String hash;

    Source(Connection c, TableShape shape, Duration timeout) {
      super(MySqlDialect.this, c, shape, timeout);
      List<String> parts = new ArrayList<>();
      for (Column col : shape.compared()) {
        String v = render(quote(col.name()), col);
        parts.add("IFNULL(CONCAT(CHAR_LENGTH(" + v + "), ':', " + v + "), 'N')");
      }
      this.hash =
          "CAST(CONV(LEFT(SHA2(CONCAT("
              + String.join(", ", parts)
              + "), 256), 16), 16, 10)"
              + " AS UNSIGNED)";
    }

    private String render(String expr, Column c) {
      String t = c.typeName().toLowerCase(Locale.ROOT);
      if (binary(c)) {
        return "LOWER(HEX(" + expr + "))";
      }
      if (t.startsWith("float") || c.jdbcType() == Types.REAL) {
        return "CAST(" + expr + " AS DOUBLE)";
      }
      return expr;
    }

    @Override
    String hashExpr() {
      return hash;
    }

    @Override
    String keyReadExpr(String expr, Column c) {
      return expr;
    }

    @Override
    Object readKey(ResultSet rs, int idx, Column c) throws SQLException {
      if (integral(c)) {
        BigDecimal d = rs.getBigDecimal(idx);
        if (d == null) {
          return null;
        }
        BigInteger i = d.toBigInteger();
        return i.bitLength() < 64 ? (Object) i.longValue() : i;
      }
      if (decimal(c)) {
        return rs.getBigDecimal(idx);
      }
      if (binary(c)) {
        return rs.getBytes(idx);
      }
      return rs.getString(idx);
    }

    @Override
    String placeholder(Column c) {
      return "?";
    }

    @Override
    void bind(PreparedStatement ps, int idx, Object value, Column c) throws SQLException {
      if (value instanceof Long l) {
        ps.setLong(idx, l);
      } else if (value instanceof BigInteger i) {
        ps.setBigDecimal(idx, new BigDecimal(i));
      } else if (value instanceof BigDecimal d) {
        ps.setBigDecimal(idx, d);
      } else if (value instanceof byte[] b) {
        ps.setBytes(idx, b);
      } else {
        ps.setString(idx, value == null ? null : value.toString());
      }
    }

    @Override
    String textExpr(String expr, Column c) {
      return "CAST(" + render(expr, c) + " AS CHAR)";
    }

    @Override
    boolean rowComparison() {
      return false;
    }

    @Override
    String intDiv(String expr, long divisor) {
      return "((" + expr + ") DIV " + divisor + ")";
    }

    @Override
    public long estimatedRows() {
      return inTransaction(
          () -> {
            try (PreparedStatement ps =
                conn.prepareStatement(
                    "SELECT TABLE_ROWS FROM information_schema.TABLES"
                        + " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?")) {
              ps.setString(1, shape.schema());
              ps.setString(2, shape.name());
              try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1L;
              }
            }
          });
    }
  }
}
