package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server that refuses a session for having too many waits for a slot up to the connect timeout.
 * Regression (review 7 of session 22): three audits at once against a server allowing 12
 * connections failed 235 - 267 of 300 tables each with "too many clients".
 */
class ConnectionSlotTest {
  private static final int PORT = TestDatabases.PG_PRIMARY_PORT;

  @Test
  void aSessionRefusedForTooManyWaitsForASlot() throws Exception {
    String url = TestDatabases.pgUrl(PORT, "app");
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "postgres"),
        "DROP ROLE IF EXISTS ia_one_slot",
        "CREATE ROLE ia_one_slot LOGIN CONNECTION LIMIT 1");
    EndpointConnector connector =
        new EndpointConnector(
            Map.of("p", new EndpointConfig(url, "ia_one_slot", "", Map.of())),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5));
    Connection held = DriverManager.getConnection(url, "ia_one_slot", "");
    Thread release =
        new Thread(
            () -> {
              try {
                Thread.sleep(1000);
                held.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    release.start();
    long t0 = System.nanoTime();
    try (Connection c = connector.open("p")) {
      assertThat(c.isValid(1)).isTrue();
    }
    assertThat((System.nanoTime() - t0) / 1e9).isBetween(0.8, 5.0);
    release.join();

    // held past the connect timeout: the server's refusal, as before
    try (Connection again = DriverManager.getConnection(url, "ia_one_slot", "")) {
      EndpointConnector quick =
          new EndpointConnector(
              Map.of("p", new EndpointConfig(url, "ia_one_slot", "", Map.of())),
              Duration.ofSeconds(30),
              Duration.ofSeconds(1));
      assertThatThrownBy(() -> quick.open("p").close())
          .hasMessageContaining("too many connections");
    }
  }
}
