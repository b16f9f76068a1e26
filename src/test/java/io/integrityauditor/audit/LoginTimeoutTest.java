package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.integrityauditor.TcpProxy;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression: {@code connectTimeout} did not bound a PostgreSQL login to a server that accepts the
 * connection and never answers (pgjdbc's {@code connectTimeout} covers the TCP connect, and it
 * ignores {@code DriverManager.setLoginTimeout}): with a 2 s connect timeout and a one-minute
 * statement timeout the copy failed after the 125 s socket timeout, once for the replication check
 * and again for every table. MariaDB's driver applies its connect timeout to the handshake.
 */
@Timeout(100)
class LoginTimeoutTest {
  @Test
  void aPostgresLoginToAHungServerGivesUpAfterTheConnectTimeout() throws Exception {
    try (TcpProxy proxy = new TcpProxy(TestDatabases.PG_PRIMARY_PORT)) {
      proxy.hang(true);
      EndpointConnector connector =
          new EndpointConnector(
              Map.of(
                  "c",
                  new EndpointConfig(
                      "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/app?sslmode=disable",
                      "postgres",
                      null,
                      null)),
              Duration.ofMinutes(1),
              Duration.ofSeconds(2));
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> connector.open("c"))
          .hasMessageContaining("cannot open endpoint 'c'");
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(seconds).isBetween(1.5, 10.0);
    }
  }
}
