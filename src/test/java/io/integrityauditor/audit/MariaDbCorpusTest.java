package io.integrityauditor.audit;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import java.sql.Connection;
import java.sql.SQLException;

/** The corpus on real MariaDB: identical column types, so the CRC32 x CRC32C row hash (NATIVE). */
class MariaDbCorpusTest extends CorpusTestBase {
  static final int PORT = TestDatabases.MARIADB_PRIMARY_PORT;

  @Override
  DivergenceCorpus.Engine engine() {
    return DivergenceCorpus.MARIADB;
  }

  @Override
  EndpointConfig primaryEndpoint() {
    return TestDatabases.mariaEndpoint(PORT, "corpus_p");
  }

  @Override
  EndpointConfig copyEndpoint() {
    return TestDatabases.mariaEndpoint(PORT, "corpus_c");
  }

  @Override
  void recreate() throws SQLException {
    TestDatabases.recreateMariaDatabase(PORT, "corpus_p");
    TestDatabases.recreateMariaDatabase(PORT, "corpus_c");
  }

  @Override
  Connection adminPrimary() throws SQLException {
    return TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, "corpus_p"));
  }

  @Override
  Connection adminCopy() throws SQLException {
    return TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, "corpus_c"));
  }

  @Override
  String expectedHashing() {
    return "NATIVE";
  }
}
