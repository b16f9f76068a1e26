package io.integrityauditor.audit;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import java.sql.Connection;
import java.sql.SQLException;

/** The corpus on real PostgreSQL, identical column types: the native row hash. */
class PostgresCorpusTest extends CorpusTestBase {
  static final int PORT = TestDatabases.PG_PRIMARY_PORT;

  String primaryDb() {
    return "corpus_p";
  }

  String copyDb() {
    return "corpus_c";
  }

  @Override
  DivergenceCorpus.Engine engine() {
    return DivergenceCorpus.POSTGRES;
  }

  @Override
  EndpointConfig primaryEndpoint() {
    return TestDatabases.pgEndpoint(PORT, primaryDb());
  }

  @Override
  EndpointConfig copyEndpoint() {
    return TestDatabases.pgEndpoint(PORT, copyDb());
  }

  @Override
  void recreate() throws SQLException {
    TestDatabases.recreatePgDatabase(PORT, primaryDb());
    TestDatabases.recreatePgDatabase(PORT, copyDb());
  }

  @Override
  Connection adminPrimary() throws SQLException {
    return TestDatabases.admin(TestDatabases.pgUrl(PORT, primaryDb()));
  }

  @Override
  Connection adminCopy() throws SQLException {
    return TestDatabases.admin(TestDatabases.pgUrl(PORT, copyDb()));
  }

  @Override
  String expectedHashing() {
    return "NATIVE";
  }
}
