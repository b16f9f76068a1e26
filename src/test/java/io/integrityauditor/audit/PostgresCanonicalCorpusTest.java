package io.integrityauditor.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The corpus on PostgreSQL where the copy's column types differ (varchar vs text), so rows are
 * hashed through their canonical text form instead of the native row hash.
 */
class PostgresCanonicalCorpusTest extends PostgresCorpusTest {
  @Override
  String primaryDb() {
    return "corpus_tp";
  }

  @Override
  String copyDb() {
    return "corpus_tc";
  }

  @Override
  void afterLoad(Connection copy) throws SQLException {
    try (Statement s = copy.createStatement()) {
      s.execute("ALTER TABLE corpus ALTER COLUMN s2 TYPE varchar(100)");
    }
  }

  @Override
  String expectedHashing() {
    return "CANONICAL";
  }
}
