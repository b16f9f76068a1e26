package io.integrityauditor.audit;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** The corpus on H2 through the generic JDBC dialect: rows hashed in the JVM. */
class H2CorpusTest extends CorpusTestBase {
  private static final String P = "jdbc:h2:mem:corpus_p;DB_CLOSE_DELAY=-1";
  private static final String C = "jdbc:h2:mem:corpus_c;DB_CLOSE_DELAY=-1";

  @Override
  DivergenceCorpus.Engine engine() {
    return DivergenceCorpus.H2;
  }

  @Override
  EndpointConfig primaryEndpoint() {
    return new EndpointConfig(P, "sa", "", Map.of());
  }

  @Override
  EndpointConfig copyEndpoint() {
    return new EndpointConfig(C, "sa", "", Map.of());
  }

  @Override
  void recreate() throws SQLException {
    for (String url : new String[] {P, C}) {
      try (Connection c = TestDatabases.admin(url + ";USER=sa");
          Statement s = c.createStatement()) {
        s.execute("DROP ALL OBJECTS");
      }
    }
  }

  @Override
  Connection adminPrimary() throws SQLException {
    return java.sql.DriverManager.getConnection(P, "sa", "");
  }

  @Override
  Connection adminCopy() throws SQLException {
    return java.sql.DriverManager.getConnection(C, "sa", "");
  }

  @Override
  String expectedHashing() {
    return "JVM";
  }
}
