package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A cancelled run starts no further table. Regression (review 6 of session 20): each table left
 * connected to every endpoint and described itself before its comparison saw the flag; behind a
 * copy that accepted connections and never answered, a cancel took 58.6 s over 12 tables.
 */
class CancelBetweenTablesTest {
  @Test
  void noTableStartsOnceTheRunIsCancelled() throws Exception {
    // a server that accepts connections (the kernel's backlog) and never answers
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      String url = "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/app";
      List<TableConfig> tables = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        tables.add(new TableConfig("t" + i, List.of(), null, null, List.of()));
      }
      AuditService service =
          new AuditService(
              Map.of("d", new DatasetConfig("p", List.of("c"), List.of(), null, tables)),
              new EndpointConnector(
                  Map.of(
                      "p", new EndpointConfig(url, "auditor", "", Map.of()),
                      "c", new EndpointConfig(url, "auditor", "", Map.of())),
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(3)),
              CompareSettings.defaults(),
              Clock.systemUTC(),
              Duration.ofSeconds(30));
      long t0 = System.nanoTime();
      service.run(
          new AuditRequest("d", null, null), AuditService.Progress.NONE, new AtomicBoolean(true));
      // the endpoints' checks before the first table may wait out one connection timeout (3 s);
      // each of the 6 tables did too
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
    }
  }
}
