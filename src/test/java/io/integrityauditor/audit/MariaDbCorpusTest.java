package io.integrityauditor.audit;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import java.sql.Connection;
import java.sql.SQLException;

/** The corpus on real MariaDB: identical column types, so the CRC32 x CRC32C row hash (NATIVE). */
class MariaDbCorpusTest extends CorpusTestBase {
  static final int PORT = TestDatabases.MARIADB_PRIMARY_PORT;

  String primaryDb() {
    return "corpus_p";
  }

  String copyDb() {
    return "corpus_c";
  }

  @Override
  DivergenceCorpus.Engine engine() {
    return DivergenceCorpus.MARIADB;
  }

  @Override
  EndpointConfig primaryEndpoint() {
    return TestDatabases.mariaEndpoint(PORT, primaryDb());
  }

  @Override
  EndpointConfig copyEndpoint() {
    return TestDatabases.mariaEndpoint(PORT, copyDb());
  }

  @Override
  void recreate() throws SQLException {
    TestDatabases.recreateMariaDatabase(PORT, primaryDb());
    TestDatabases.recreateMariaDatabase(PORT, copyDb());
  }

  @Override
  Connection adminPrimary() throws SQLException {
    return TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, primaryDb()));
  }

  @Override
  Connection adminCopy() throws SQLException {
    return TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, copyDb()));
  }

  @Override
  String expectedHashing() {
    return "NATIVE";
  }
}
