package io.integrityauditor.dialect;

import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.TableShape;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

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

  @Override
  public DigestSource digestSource(
      Connection c, TableShape shape, HashFlavor flavor, Duration timeout) {
    return new JvmDigestSource(this, c, shape, timeout);
  }
}
