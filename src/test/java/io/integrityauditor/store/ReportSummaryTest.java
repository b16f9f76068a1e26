package io.integrityauditor.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * A stored report as the metrics, the dataset view and the weekly report read it: everything but
 * the rows each copy lists. Regression: every scrape of /metrics parsed the whole report of 22 runs
 * per dataset (20 runs of 200 tables x 1,000 findings, 12.6 MB each: 14 - 22 s a scrape; 40 - 110
 * ms once each run's summary is kept, 1.3 - 3.6 s for the first scrape after a start).
 */
class ReportSummaryTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void copiesLoseTheirFindingsAndNothingElse() throws Exception {
    String report =
        "{\"id\":\"r1\",\"tables\":[{\"table\":\"t\",\"error\":null,\"copies\":["
            + "{\"endpoint\":\"c\",\"status\":\"FINDINGS\",\"missing\":2,\"findings\":["
            + "{\"kind\":\"MISSING\",\"key\":{\"id\":\"cannot open endpoint 'c'\"}},"
            + "{\"kind\":\"MISSING\",\"key\":{\"id\":[1,{\"findings\":2}]}}],\"error\":\"x\"}]}],"
            + "\"backups\":[{\"endpoint\":\"b\",\"findings\":[{\"kind\":\"STALE\"}]}],"
            + "\"replication\":[{\"endpoint\":\"c\",\"lagSeconds\":1.5}],"
            + "\"usersAtRisk\":3,\"usersAtRiskSample\":[\"7\"],\"findings\":[1]}";
    assertThat(ReportSummary.of(json, report))
        .isEqualTo(
            json.readTree(
                "{\"id\":\"r1\",\"tables\":[{\"table\":\"t\",\"error\":null,\"copies\":["
                    + "{\"endpoint\":\"c\",\"status\":\"FINDINGS\",\"missing\":2,\"error\":\"x\"}]}],"
                    + "\"backups\":[{\"endpoint\":\"b\",\"findings\":[{\"kind\":\"STALE\"}]}],"
                    + "\"replication\":[{\"endpoint\":\"c\",\"lagSeconds\":1.5}],"
                    + "\"usersAtRisk\":3,\"usersAtRiskSample\":[\"7\"],\"findings\":[1]}"));
  }

  @Test
  void nothingOrNoObjectIsAnEmptyObject() {
    assertThat(ReportSummary.of(json, null)).isEmpty();
    assertThat(ReportSummary.of(json, "")).isEmpty();
    assertThat(ReportSummary.of(json, "[1]")).isEmpty();
    assertThat(ReportSummary.of(json, "{\"a\": ")).isEmpty();
  }
}
