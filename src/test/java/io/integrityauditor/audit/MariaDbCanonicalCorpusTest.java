package io.integrityauditor.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The corpus on MariaDB where a column's type differs on the copy (text vs mediumtext), so rows are
 * hashed with the SHA2 form of the encoding (CANONICAL) instead of the CRC pair.
 */
class MariaDbCanonicalCorpusTest extends MariaDbCorpusTest {
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
      s.execute("ALTER TABLE corpus MODIFY s2 mediumtext");
    }
  }

  @Override
  String expectedHashing() {
    return "CANONICAL";
  }
}
