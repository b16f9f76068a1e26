package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-call files: Prometheus rules and their promtool tests (alerts/), runbooks
 * (docs/runbooks.md) and the Grafana dashboard (dashboards/). Needs {@code promtool} on the PATH
 * (scripts/install-deps.sh installs it).
 */
class AlertRulesTest {
  /** The metrics the service exports (ARCHITECTURE.md section 6 and the alerting additions). */
  static final Set<String> EXPORTED_METRICS =
      Set.of(
          "integrity_audit_last_success_timestamp_seconds",
          "integrity_audit_duration_seconds",
          "integrity_audit_runs_total",
          "integrity_rows_checked_total",
          "integrity_divergent_rows",
          "integrity_users_at_risk",
          "integrity_backup_last_timestamp_seconds",
          "integrity_replica_lag_seconds",
          "integrity_endpoint_up",
          "integrity_audit_schedule_interval_seconds",
          "integrity_audit_schedule_start_timestamp_seconds",
          "integrity_backup_max_age_seconds",
          "integrity_backup_findings",
          "integrity_replica_max_lag_seconds",
          "integrity_audit_running");

  private static final String RUNBOOKS_URL =
      "https://github.com/integrity-auditor/integrity-auditor/blob/main/docs/runbooks.md#";
  private static final String DS = "${DS_PROMETHEUS}";
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void promtoolAcceptsTheRuleFiles() {
    assertThat(MonitoringFiles.ruleFiles()).isNotEmpty();
    promtool("check", "rules", MonitoringFiles.ruleFiles());
  }

  @Test
  void promtoolUnitTestsPass() {
    assertThat(MonitoringFiles.ruleTestFiles()).isNotEmpty();
    promtool("test", "rules", MonitoringFiles.ruleTestFiles());
  }

  @Test
  void everyAlertHasASeveritySummaryDescriptionAndRunbook() {
    var alerts = alerts();
    assertThat(alerts).isNotEmpty();
    alerts.forEach(
        (name, rule) -> {
          assertThat(name).as("alert name").matches("Integrity[A-Z][A-Za-z]+");
          assertThat(rule.path("labels").path("severity").asText())
              .as("%s: labels.severity", name)
              .isIn("critical", "warning");
          for (String annotation : List.of("summary", "description", "runbook_url")) {
            assertThat(rule.path("annotations").path(annotation).asText())
                .as("%s: annotations.%s", name, annotation)
                .isNotBlank();
          }
          assertThat(rule.path("annotations").path("description").asText())
              .as("%s: description is templated", name)
              .contains("{{");
          assertThat(rule.path("annotations").path("runbook_url").asText())
              .as("%s: runbook_url", name)
              .startsWith(RUNBOOKS_URL);
        });
    assertThat(alerts.keySet())
        .contains(
            "IntegrityAuditorDown",
            "IntegrityAuditorAbsent",
            "IntegrityAuditStale",
            "IntegrityAuditStaleCritical",
            "IntegrityDivergentRows",
            "IntegrityUsersAtRisk",
            "IntegrityBackupStale",
            "IntegrityBackupMissing",
            "IntegrityEndpointDown",
            "IntegrityReplicaLag");
  }

  @Test
  void everyRunbookUrlPointsAtAHeadingOfTheRunbooks() {
    Set<String> anchors = headingAnchors(MonitoringFiles.read(MonitoringFiles.runbooks()));
    alerts()
        .forEach(
            (name, rule) -> {
              String url = rule.path("annotations").path("runbook_url").asText();
              String anchor = url.substring(url.indexOf('#') + 1);
              assertThat(anchors)
                  .as("%s: runbook anchor #%s among the headings of docs/runbooks.md", name, anchor)
                  .contains(anchor);
            });
  }

  @Test
  void githubAnchorsFollowGithubRules() {
    assertThat(
            headingAnchors(
                "## IntegrityUsersAtRisk\n```\n# not a heading\n```\n### What's up, doc?"))
        .containsExactlyInAnyOrder("integrityusersatrisk", "whats-up-doc");
  }

  @Test
  void everyAlertHasAFiringAndASilentPromtoolCase() {
    Map<String, JsonNode> alerts = alerts();
    Map<String, Integer> firing = new HashMap<>();
    Map<String, Integer> silent = new HashMap<>();
    for (Path file : MonitoringFiles.ruleTestFiles()) {
      for (JsonNode test : yaml(file).path("tests")) {
        for (JsonNode c : test.path("alert_rule_test")) {
          String name = c.path("alertname").asText();
          String where = file.getFileName() + " '" + test.path("name").asText() + "'";
          assertThat(alerts).as("%s: tests an alert that exists", where).containsKey(name);
          JsonNode expected = c.path("exp_alerts");
          if (expected.isEmpty()) {
            silent.merge(name, 1, Integer::sum);
            continue;
          }
          firing.merge(name, 1, Integer::sum);
          JsonNode rule = alerts.get(name);
          for (JsonNode alert : expected) {
            assertThat(alert.path("exp_labels").path("severity").asText())
                .as("%s %s: exp_labels.severity", where, name)
                .isEqualTo(rule.path("labels").path("severity").asText());
            assertThat(fieldNames(alert.path("exp_annotations")))
                .as("%s %s: exp_annotations", where, name)
                .isEqualTo(fieldNames(rule.path("annotations")));
          }
        }
      }
    }
    assertThat(firing.keySet()).as("alerts with a firing test case").isEqualTo(alerts.keySet());
    assertThat(silent.keySet()).as("alerts with a silent test case").isEqualTo(alerts.keySet());
  }

  @Test
  void alertsAndDashboardsUseOnlyExportedMetrics() {
    Set<String> names = MonitoringFiles.metricNames();
    assertThat(names).contains("integrity_users_at_risk", "integrity_endpoint_up");
    assertThat(names).as("metrics named in alerts/ and dashboards/").isSubsetOf(EXPORTED_METRICS);
    assertThat(MonitoringFiles.metricNamesIn(MonitoringFiles.ruleTestFiles()))
        .as("metrics named in alerts/tests/")
        .isSubsetOf(EXPORTED_METRICS);
  }

  @Test
  void metricNamesStripsHistogramSuffixes(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("q.json");
    Files.writeString(
        file,
        "{\"expr\": \"rate(integrity_x_seconds_bucket[5m]) / integrity_x_seconds_count"
            + " + integrity_y_total\", \"uid\": \"integrity-auditor\"}");
    assertThat(MonitoringFiles.metricNamesIn(List.of(file)))
        .containsExactly("integrity_x_seconds", "integrity_y_total");
  }

  @Test
  void dashboardHasAFixedUidAndUsesTheDatasourceVariableEverywhere() throws IOException {
    Path file = MonitoringFiles.projectDir().resolve("dashboards/integrity-auditor.json");
    JsonNode dashboard = JSON.readTree(file.toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("integrity-auditor");
    assertThat(dashboard.has("id")).as("has an id field").isTrue();
    assertThat(dashboard.get("id").isNull()).as("id is null").isTrue();

    Map<String, JsonNode> variables = new LinkedHashMap<>();
    dashboard
        .path("templating")
        .path("list")
        .forEach(v -> variables.put(v.path("name").asText(), v));
    assertThat(variables).containsKeys("DS_PROMETHEUS", "dataset");
    assertThat(variables.get("DS_PROMETHEUS").path("type").asText()).isEqualTo("datasource");
    assertThat(variables.get("DS_PROMETHEUS").path("query").asText()).isEqualTo("prometheus");
    JsonNode dataset = variables.get("dataset");
    assertThat(dataset.path("datasource").path("uid").asText()).isEqualTo(DS);
    String datasetQuery =
        dataset.path("query").isObject()
            ? dataset.path("query").path("query").asText()
            : dataset.path("query").asText();
    assertThat(datasetQuery)
        .isEqualTo("label_values(integrity_audit_last_success_timestamp_seconds, dataset)");

    List<JsonNode> panels = panels(dashboard);
    assertThat(panels).hasSizeGreaterThanOrEqualTo(7);
    Set<String> titles = new HashSet<>();
    for (JsonNode panel : panels) {
      String title = panel.path("title").asText();
      titles.add(title);
      assertThat(datasourceUid(panel.path("datasource")))
          .as("panel '%s' datasource", title)
          .isEqualTo(DS);
      assertThat(panel.path("targets")).as("panel '%s' targets", title).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        assertThat(datasourceUid(target.path("datasource")))
            .as("panel '%s' target %s datasource", title, target.path("refId").asText())
            .isEqualTo(DS);
        assertThat(target.path("expr").asText())
            .as("panel '%s' query", title)
            .contains("integrity_");
      }
    }
    assertThat(titles)
        .contains(
            "Audit freshness",
            "Divergent rows per copy",
            "Users at risk",
            "Backup age",
            "Replica lag",
            "Audit duration",
            "Audit runs by result");
  }

  @Test
  void promtoolCompilesEveryDashboardQuery(@TempDir Path dir) throws IOException {
    ObjectNode rules = YAML.createObjectNode();
    ArrayNode list =
        rules.putArray("groups").addObject().put("name", "dashboard").putArray("rules");
    for (Path file : MonitoringFiles.dashboardFiles()) {
      for (JsonNode panel : panels(JSON.readTree(file.toFile()))) {
        for (JsonNode target : panel.path("targets")) {
          String expr =
              target
                  .path("expr")
                  .asText()
                  .replace("$__rate_interval", "5m")
                  .replace("$__interval", "1m")
                  .replace("$__range", "1h")
                  .replace("$dataset", ".*");
          assertThat(expr).as("unknown Grafana variable in %s", expr).doesNotContain("$");
          list.addObject()
              .put(
                  "record",
                  "dashboard:panel_"
                      + panel.path("id").asInt()
                      + "_"
                      + target.path("refId").asText())
              .put("expr", expr);
        }
      }
    }
    Path file = dir.resolve("dashboard-queries.yml");
    YAML.writeValue(file.toFile(), rules);
    promtool("check", "rules", List.of(file));
  }

  // ---------------------------------------------------------------------------------------------

  /** Runs promtool from the project directory; fails with its output unless it exits 0. */
  private static void promtool(String command, String what, List<Path> files) {
    List<String> argv = new ArrayList<>(List.of("promtool", command, what));
    Path project = MonitoringFiles.projectDir();
    files.forEach(
        f -> argv.add(f.startsWith(project) ? project.relativize(f).toString() : f.toString()));
    Process process;
    try {
      process =
          new ProcessBuilder(argv).directory(project.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      fail("cannot run promtool (install it with scripts/install-deps.sh): " + e.getMessage());
      return;
    }
    try {
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        fail(String.join(" ", argv) + " did not finish in 2 minutes");
      }
      String output = new String(out, StandardCharsets.UTF_8);
      assertThat(process.exitValue())
          .as("%s exit code; its output:%n%s", String.join(" ", argv), output)
          .isZero();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every alerting rule of alerts/*.yml by name (names are unique across files). */
  private static Map<String, JsonNode> alerts() {
    Map<String, JsonNode> alerts = new LinkedHashMap<>();
    for (Path file : MonitoringFiles.ruleFiles()) {
      for (JsonNode group : yaml(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          if (rule.has("alert")) {
            String name = rule.path("alert").asText();
            assertThat(alerts).as("alert %s defined twice", name).doesNotContainKey(name);
            alerts.put(name, rule);
          }
        }
      }
    }
    return alerts;
  }

  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");

  /** GitHub's anchors of the Markdown headings outside code fences. */
  static Set<String> headingAnchors(String markdown) {
    Set<String> anchors = new TreeSet<>();
    boolean fenced = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.startsWith("```") || line.startsWith("~~~")) {
        fenced = !fenced;
        continue;
      }
      var m = HEADING.matcher(line);
      if (!fenced && m.matches()) {
        anchors.add(
            m.group(1)
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-'));
      }
    }
    return anchors;
  }

  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        panel.path("panels").forEach(panels::add);
      } else {
        panels.add(panel);
      }
    }
    return panels;
  }

  private static String datasourceUid(JsonNode datasource) {
    return datasource.isTextual() ? datasource.asText() : datasource.path("uid").asText();
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot parse " + file, e);
    }
  }
}
