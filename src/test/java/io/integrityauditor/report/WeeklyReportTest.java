package io.integrityauditor.report;

import static io.integrityauditor.report.ReportHistory.WEEK;
import static io.integrityauditor.report.ReportHistory.ZONE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.config.ReportConfig;
import io.integrityauditor.store.ReportDao;
import io.integrityauditor.store.StateStore;
import io.integrityauditor.store.StoredReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The weekly report computed from a known history (see {@link ReportHistory}): exact numbers in the
 * JSON twin, the same numbers in the HTML, the page self-contained and escaped, no secret.
 */
class WeeklyReportTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static StateStore store;
  static ReportDao dao;

  @BeforeAll
  static void history() throws Exception {
    Path dir = Path.of("target", "report-test");
    Files.createDirectories(dir);
    store =
        ReportHistory.store(
            "jdbc:h2:file:" + dir.resolve("state-" + UUID.randomUUID()).toAbsolutePath());
    store.migrate();
    ReportHistory.insert(store);
    dao = store.jdbi().onDemand(ReportDao.class);
  }

  @AfterAll
  static void close() {
    store.close();
  }

  static WeeklyReports reports(Instant now) {
    WeeklyReportBuilder builder =
        new WeeklyReportBuilder(
            ReportHistory.datasets(),
            dao,
            store.runs(),
            JSON,
            ZONE,
            100,
            List.of(ReportHistory.SECRET));
    return new WeeklyReports(
        builder, dao, new ReportDelivery(new ReportConfig()), JSON, Clock.fixed(now, ZONE), ZONE);
  }

  /** Monday 06:00 after the week: the scheduled report of Monday to Sunday. */
  static StoredReport scheduled() {
    Instant fire = WEEK.plusDays(7).plusHours(6).toInstant();
    return reports(fire).generateScheduled(fire);
  }

  static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(n -> out.add(n.isNull() ? null : n.asLong()));
    return out;
  }

  static List<Long> list(long[] values) {
    List<Long> out = new ArrayList<>();
    for (long v : values) {
      out.add(v);
    }
    return out;
  }

  @Test
  void theJsonTwinHasTheExactNumbersOfTheWeek() throws Exception {
    StoredReport stored = scheduled();
    assertThat(stored.weekStart()).isEqualTo(LocalDate.of(2025, 3, 3));
    JsonNode r = JSON.readTree(stored.json());
    assertThat(r.get("id").asText()).isEqualTo(stored.id());
    assertThat(r.get("weekStart").asText()).isEqualTo("2025-03-03");
    assertThat(r.get("timeZone").asText()).isEqualTo("Europe/Berlin");
    assertThat(r.get("periodStart").asText()).isEqualTo("2025-03-03T00:00+01:00");
    assertThat(r.get("periodEnd").asText()).isEqualTo("2025-03-10T00:00+01:00");
    assertThat(r.get("partial").asBoolean()).isFalse();
    assertThat(r.get("days")).hasSize(7);
    assertThat(r.get("days").get(6).asText()).isEqualTo("2025-03-09");

    JsonNode users = r.get("datasets").get(0);
    assertThat(users.get("name").asText()).isEqualTo("users");
    JsonNode replica = users.get("divergentRowsPerDay").get(0);
    assertThat(replica.get("endpoint").asText()).isEqualTo("replica");
    assertThat(replica.get("role").asText()).isEqualTo("REPLICA");
    assertThat(longs(replica.get("values"))).isEqualTo(list(ReportHistory.REPLICA_PER_DAY));
    JsonNode backupCopy = users.get("divergentRowsPerDay").get(1);
    assertThat(backupCopy.get("endpoint").asText()).isEqualTo("backup");
    assertThat(longs(backupCopy.get("values"))).containsOnly(5L).hasSize(7);
    assertThat(longs(users.get("usersAtRiskPerDay")))
        .isEqualTo(list(ReportHistory.USERS_AT_RISK_PER_DAY));

    JsonNode backups = users.get("backups");
    assertThat(backups.get("configured").asBoolean()).isTrue();
    assertThat(backups.get("checked").asBoolean()).isTrue();
    JsonNode b = backups.get("series").get(0);
    assertThat(b.get("endpoint").asText()).isEqualTo("backup");
    assertThat(b.get("maxAgeSeconds").asLong()).isEqualTo(14 * 3600);
    assertThat(longs(b.get("ageSecondsPerDay"))).isEqualTo(list(ReportHistory.BACKUP_AGE_PER_DAY));
    for (int d = 0; d < 7; d++) {
      assertThat(b.get("stalePerDay").get(d).asBoolean())
          .as("stale on day " + d)
          .isEqualTo(ReportHistory.BACKUP_STALE_PER_DAY[d]);
    }
    assertThat(b.get("lastAgeSeconds").asLong()).isEqualTo(25200);
    assertThat(b.get("lastStale").asBoolean()).isFalse();
    // Regression: a failed restore (or missing dump files) read "fresh" in the report.
    assertThat(b.get("lastFindings")).hasSize(1);
    assertThat(b.get("lastFindings").get(0).asText()).isEqualTo("RESTORE_FAILED");
    assertThat(stored.html())
        .contains("<span class=\"bad\">restore failed</span>")
        .doesNotContain(">fresh<");

    JsonNode cov = users.get("coverage");
    assertThat(cov.get("schedule").asText()).isEqualTo(ReportHistory.SCHEDULE);
    assertThat(cov.get("scheduledExpected").asLong()).isEqualTo(14);
    assertThat(cov.get("scheduledRan").asLong()).isEqualTo(13);
    assertThat(cov.get("scheduledSucceeded").asLong()).isEqualTo(12);
    assertThat(cov.get("scheduledFailed").asLong()).isEqualTo(1);
    assertThat(cov.get("adHocRuns").asLong()).isEqualTo(1);
    assertThat(longs(cov.get("succeededPerDay"))).containsExactly(2L, 2L, 2L, 1L, 2L, 2L, 1L);
    assertThat(cov.get("lastFailure").asText())
        .contains("cannot connect")
        .doesNotContain(ReportHistory.SECRET);

    JsonNode open = users.get("openFindings");
    assertThat(open.get("runId").asText()).isEqualTo(ReportHistory.LAST_RUN);
    assertThat(open.get("usersAtRisk").asLong()).isEqualTo(6);
    assertThat(open.get("copies")).hasSize(2);
    JsonNode rc = open.get("copies").get(0);
    assertThat(rc.get("endpoint").asText()).isEqualTo("replica");
    assertThat(rc.get("missing").asLong()).isEqualTo(6);
    assertThat(rc.get("changed").asLong()).isEqualTo(1);
    assertThat(rc.get("users"))
        .extracting(JsonNode::asText)
        .containsExactly("5", "6", "8", ReportHistory.EVIL_OWNER);
    assertThat(rc.get("findings").get(0).get("kind").asText()).isEqualTo("MISSING");
    assertThat(rc.get("findings").get(0).get("key").get("id").asLong()).isEqualTo(105);
    assertThat(rc.get("findings").get(2).get("columns").get(0).asText()).isEqualTo("email");
    JsonNode bc = open.get("copies").get(1);
    assertThat(bc.get("endpoint").asText()).isEqualTo("backup");
    assertThat(bc.get("extra").asLong()).isEqualTo(5);
    assertThat(bc.get("users")).extracting(JsonNode::asText).containsExactly("1");

    // users: this week vs the previous one
    assertThat(users.get("thisWeek").get("divergentRows").asLong()).isEqualTo(12);
    assertThat(users.get("thisWeek").get("usersAtRisk").asLong()).isEqualTo(6);
    assertThat(users.get("thisWeek").get("peakUsersAtRisk").asLong()).isEqualTo(15);
    assertThat(users.get("thisWeek").get("runs").asLong()).isEqualTo(14);
    assertThat(users.get("thisWeek").get("runsFailed").asLong()).isEqualTo(1);
    assertThat(users.get("previousWeek").get("runs").asLong()).isEqualTo(9);
    assertThat(users.get("previousWeek").get("runsFailed").asLong()).isEqualTo(2);
    assertThat(users.get("previousWeek").get("divergentRows").asLong()).isEqualTo(3);
    assertThat(users.get("previousWeek").get("usersAtRisk").asLong()).isEqualTo(2);

    JsonNode orders = r.get("datasets").get(1);
    assertThat(orders.get("name").asText()).isEqualTo("orders");
    assertThat(orders.get("backups").get("configured").asBoolean()).isFalse();
    assertThat(orders.get("coverage").get("scheduledExpected").isNull()).isTrue();
    assertThat(orders.get("openFindings").get("status").asText()).isEqualTo("CONSISTENT");
    assertThat(orders.get("openFindings").get("copies")).isEmpty();
    assertThat(orders.get("previousWeek").get("divergentRows").isNull()).isTrue();

    // Totals and change
    JsonNode now = r.get("thisWeek");
    assertThat(now.get("runs").asLong()).isEqualTo(15);
    assertThat(now.get("runsSucceeded").asLong()).isEqualTo(14);
    assertThat(now.get("runsFailed").asLong()).isEqualTo(1);
    assertThat(now.get("divergentRows").asLong()).isEqualTo(12);
    assertThat(now.get("usersAtRisk").asLong()).isEqualTo(6);
    assertThat(now.get("peakUsersAtRisk").asLong()).isEqualTo(15);
    assertThat(now.get("scheduledExpected").asLong()).isEqualTo(14);
    assertThat(now.get("scheduledRan").asLong()).isEqualTo(13);
    JsonNode prev = r.get("previousWeek");
    assertThat(prev.get("runs").asLong()).isEqualTo(9);
    assertThat(prev.get("runsFailed").asLong()).isEqualTo(2);
    JsonNode change = r.get("change");
    assertThat(change.get("runs").asLong()).isEqualTo(6);
    assertThat(change.get("runsFailed").asLong()).isEqualTo(-1);
    assertThat(change.get("scheduledRan").asLong()).isEqualTo(4);
    assertThat(change.get("divergentRows").asLong()).isEqualTo(9);
    assertThat(change.get("usersAtRisk").asLong()).isEqualTo(4);
    assertThat(change.get("peakUsersAtRisk").asLong()).isEqualTo(13);

    assertThat(stored.json()).doesNotContain(ReportHistory.SECRET);
  }

  @Test
  void theHtmlShowsTheSameNumbersAndIsSelfContained() throws Exception {
    StoredReport stored = scheduled();
    String html = stored.html();
    Files.createDirectories(Path.of("target", "screenshots"));
    Files.writeString(Path.of("target", "screenshots", "weekly-report-test.html"), html);

    assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains("</html>");
    assertSelfContained(html);
    // divergent rows per day on the replica, users at risk per day: the tables under the charts
    assertThat(html).contains(row("replica (REPLICA)", ReportHistory.REPLICA_PER_DAY));
    assertThat(html).contains(row("backup (BACKUP)", new long[] {5, 5, 5, 5, 5, 5, 5}));
    assertThat(html).contains(row("users at risk", ReportHistory.USERS_AT_RISK_PER_DAY));
    assertThat(html).contains("<td>backup</td><td>13.0 h</td><td>14.0 h</td><td>15.0 h</td>");
    // what changed: this week, previous week, change
    assertThat(html)
        .contains(
            "<tr><td>Users at risk</td><td>6</td><td>2</td><td><span class=\"worse\">&#9650; +4</span></td></tr>");
    assertThat(html)
        .contains(
            "<tr><td>Divergent rows</td><td>12</td><td>3</td><td><span class=\"worse\">&#9650; +9</span></td></tr>");
    assertThat(html)
        .contains(
            "<tr><td>Runs failed</td><td>1</td><td>2</td><td><span class=\"better\">&#9660; -1</span></td></tr>");
    // coverage, findings, backups
    assertThat(html).contains("<b>13</b> ran of 14 expected, <b>12</b> succeeded, <b>1</b> failed");
    assertThat(html).contains(ReportHistory.LAST_RUN);
    // each id isolated (review 7 of session 21: a right-to-left override reversed the others)
    assertThat(html)
        .contains(
            "Users affected: <bdi>5</bdi>, <bdi>6</bdi>, <bdi>8</bdi>,"
                + " <bdi>&lt;img src=x onerror=alert(1)&gt;</bdi>");
    assertThat(html)
        .contains("<code>id=105</code>")
        .contains("<code>id=&lt;script&gt;alert(1)&lt;/script&gt;</code>");
    assertThat(html).contains("No backups configured for this dataset.");
    // escaped, never raw; no secret
    assertThat(html).doesNotContain(ReportHistory.EVIL_OWNER).doesNotContain("<script");
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    assertThat(html).doesNotContain(ReportHistory.SECRET);
  }

  static String row(String name, long[] values) {
    StringBuilder b = new StringBuilder("<tr><td>" + name + "</td>");
    for (long v : values) {
      b.append("<td>").append(v).append("</td>");
    }
    return b.append("</tr>").toString();
  }

  /** No script, no style sheet, font, image or frame from anywhere else. */
  static void assertSelfContained(String html) {
    Matcher m =
        Pattern.compile(
                "(?i)\\b(src|href|action|xlink:href|srcset|poster|data)\\s*=\\s*[\"']?([^\"'\\s>]*)")
            .matcher(html);
    while (m.find()) {
      assertThat(m.group(2)).as("attribute " + m.group()).doesNotContainIgnoringCase("//");
    }
    assertThat(html).doesNotContainIgnoringCase("http://").doesNotContainIgnoringCase("https://");
    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link");
    assertThat(html).doesNotContainIgnoringCase("@import").doesNotContainIgnoringCase("url(");
    assertThat(html).doesNotContainIgnoringCase("<img").doesNotContainIgnoringCase("<iframe");
  }

  @Test
  void anOnDemandReportCoversTheWeekSoFarAndSaysItIsPartial() throws Exception {
    // Sunday 11:00: the 00:00 fire has happened, the 12:00 one not yet → 13 expected so far.
    Instant now = WEEK.plusDays(6).plusHours(11).toInstant();
    StoredReport stored = reports(now).generateNow();
    JsonNode r = JSON.readTree(stored.json());
    assertThat(r.get("weekStart").asText()).isEqualTo("2025-03-03");
    assertThat(r.get("partial").asBoolean()).isTrue();
    assertThat(r.get("datasets").get(0).get("coverage").get("scheduledExpected").asLong())
        .isEqualTo(13);
    assertThat(stored.html()).contains("partial week");
    assertThat(dao.find(stored.id())).isPresent();
    assertThat(dao.list(100)).extracting(ReportDao.ReportEntry::id).contains(stored.id());
  }

  @Test
  void aDatasetWithBackupsButNoCheckSaysSo() throws Exception {
    // A week with no runs at all: nothing measured, backups configured but not checked.
    Instant fire = WEEK.plusDays(28).plusHours(6).toInstant();
    JsonNode r = JSON.readTree(reports(fire).generateScheduled(fire).json());
    JsonNode users = r.get("datasets").get(0);
    assertThat(longs(users.get("usersAtRiskPerDay"))).containsOnlyNulls();
    assertThat(users.get("backups").get("configured").asBoolean()).isTrue();
    assertThat(users.get("backups").get("checked").asBoolean()).isFalse();
    assertThat(users.get("coverage").get("scheduledRan").asLong()).isZero();
    assertThat(users.get("coverage").get("scheduledExpected").asLong()).isEqualTo(14);
    // the newest complete run before the period end still names the open findings
    assertThat(users.get("openFindings").get("runId").asText()).isEqualTo(ReportHistory.LAST_RUN);
    assertThat(r.get("thisWeek").get("divergentRows").isNull()).isTrue();
    String html = reports(fire).generateScheduled(fire).html();
    assertThat(html).contains("No backups checked this week.");
  }

  @Test
  void chartsTickInWholeNumbers() {
    assertThat(SvgChart.tickStep(0)).isEqualTo(1);
    assertThat(SvgChart.tickStep(4)).isEqualTo(1);
    assertThat(SvgChart.tickStep(5)).isEqualTo(2);
    assertThat(SvgChart.tickStep(15)).isEqualTo(5);
    assertThat(SvgChart.tickStep(90)).isEqualTo(25);
    assertThat(SvgChart.tickStep(1500)).isEqualTo(500);
  }
}
