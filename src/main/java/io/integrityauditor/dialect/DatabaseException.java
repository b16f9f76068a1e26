package io.integrityauditor.dialect;

import java.sql.SQLException;

/** A database error surfaced from a digest source, with the SQL state kept for retry decisions. */
public final class DatabaseException extends RuntimeException {
  private final String sqlState;

  public DatabaseException(SQLException cause) {
    super(cause.getMessage(), cause);
    this.sqlState = cause.getSQLState();
  }

  public String sqlState() {
    return sqlState;
  }
}
