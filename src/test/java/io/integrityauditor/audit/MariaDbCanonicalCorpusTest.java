package io.integrityauditor.audit;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The corpus on MariaDB where a column's type differs on the copy (text vs mediumtext), so rows are
 * hashed with the SHA2 form of the encoding (CANONICAL) instead of the CRC pair.
 */
class MariaDbCanonicalCorpusTest extends MariaDbCorpusTest {
  @Override
  EndpointConfig primaryEndpoint() {
    return TestDatabases.mariaEndpoint(PORT, "corpus_tp");
  }

  @Override
  EndpointConfig copyEndpoint() {
    return TestDatabases.mariaEndpoint(PORT, "corpus_tc");
  }

  @Override
  void recreate() throws SQLException {
    TestDatabases.recreateMariaDatabase(PORT, "corpus_tp");
    TestDatabases.recreateMariaDatabase(PORT, "corpus_tc");
  }

  @Override
  Connection adminPrimary() throws SQLException {
    return TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, "corpus_tp"));
  }

  @Override
  Connection adminCopy() throws SQLException {
    return TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, "corpus_tc"));
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
