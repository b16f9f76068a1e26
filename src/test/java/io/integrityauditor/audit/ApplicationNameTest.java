package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL endpoint's {@code ApplicationName} (a connection property or URL parameter) is the
 * sessions' application_name, as the README says of endpoint properties; without one it is
 * integrity-auditor. Regression (review 1 of session 23): every session ran {@code SET
 * application_name = 'integrity-auditor'}, so DBAs could not tell auditor instances apart in
 * pg_stat_activity or the server's log.
 */
class ApplicationNameTest {
  private static String applicationName(EndpointConfig endpoint) throws Exception {
    EndpointConnector connector =
        new EndpointConnector(Map.of("p", endpoint), Duration.ofSeconds(30), Duration.ofSeconds(5));
    try (Connection c = connector.open("p");
        ResultSet rs =
            c.createStatement().executeQuery("SELECT current_setting('application_name')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void theEndpointsApplicationNameIsKept() throws Exception {
    String url = TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "postgres");
    assertThat(applicationName(new EndpointConfig(url, "postgres", "", Map.of())))
        .isEqualTo("integrity-auditor");
    assertThat(
            applicationName(
                new EndpointConfig(url, "postgres", "", Map.of("ApplicationName", "auditor-eu-1"))))
        .isEqualTo("auditor-eu-1");
    String sep = url.contains("?") ? "&" : "?";
    assertThat(
            applicationName(
                new EndpointConfig(
                    url + sep + "ApplicationName=auditor-eu-2", "postgres", "", Map.of())))
        .isEqualTo("auditor-eu-2");
  }
}
