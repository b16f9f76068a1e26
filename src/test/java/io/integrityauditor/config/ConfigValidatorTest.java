package io.integrityauditor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValidatorTest {
  private static final EndpointConfig E =
      new EndpointConfig("jdbc:postgresql://db/app", "a", null, null);
  private static final TableConfig T =
      new TableConfig("public.contacts", List.of("id"), null, null, null);

  @Test
  void namesTheFieldOfAnUnknownEndpoint() {
    var ds = new DatasetConfig("p", List.of("replica-9"), List.of(), null, List.of(T));
    assertThat(ConfigValidator.problems(Map.of("p", E), Map.of("users", ds)))
        .containsExactly("datasets.users.replicas[0]: unknown endpoint 'replica-9' (known: p)");
  }

  @Test
  void refusesADatasetWithNothingToCompare() {
    var ds = new DatasetConfig("p", List.of(), List.of(), null, List.of(T));
    assertThat(ConfigValidator.problems(Map.of("p", E), Map.of("users", ds)))
        .containsExactly(
            "datasets.users: no replicas and no backups: there is nothing to compare the primary with");
  }

  @Test
  void refusesAnEndpointUsedTwiceAndANonJdbcUrl() {
    var bad = new EndpointConfig("postgres://db/app", null, null, null);
    var ds = new DatasetConfig("p", List.of("p"), List.of(), null, List.of(T));
    assertThat(ConfigValidator.problems(Map.of("p", bad), Map.of("users", ds)))
        .containsExactlyInAnyOrder(
            "endpoints.p.url: must be a JDBC URL (jdbc:...)",
            "datasets.users.replicas[0]: endpoint 'p' is used twice in this dataset");
  }

  @Test
  void refusesServiceTimingsThatWouldTakeOverLiveRuns() {
    ServiceSettings bad =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .convertValue(
                Map.of(
                    "heartbeatInterval", "10s",
                    "heartbeatTimeout", "15s",
                    "stuckAfter", "5s",
                    "checkpointInterval", "0s"),
                ServiceSettings.class);
    assertThat(ConfigValidator.serviceProblems(Map.of(), bad))
        .containsExactly(
            "service.heartbeatTimeout: must be at least twice heartbeatInterval (10 seconds)",
            "service.stuckAfter: must be at least twice heartbeatInterval (10 seconds)",
            "service.checkpointInterval: must be at least 1s");
    assertThat(ConfigValidator.serviceProblems(Map.of(), new ServiceSettings())).isEmpty();
  }
}
