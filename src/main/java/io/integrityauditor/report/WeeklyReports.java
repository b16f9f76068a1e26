package io.integrityauditor.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.store.ReportDao;
import io.integrityauditor.store.StoredReport;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates, stores and delivers weekly reports. The scheduled report covers the seven full days
 * before the day it fires (Monday 06:00 → Monday to Sunday); an on-demand report covers the seven
 * days up to and including today, and says it is partial.
 */
public final class WeeklyReports {
  private static final Logger LOG = LoggerFactory.getLogger(WeeklyReports.class);

  private final WeeklyReportBuilder builder;
  private final WeeklyReportHtml html = new WeeklyReportHtml();
  private final ReportDao dao;
  private final ReportDelivery delivery;
  private final ObjectMapper json;
  private final Clock clock;
  private final ZoneId zone;

  public WeeklyReports(
      WeeklyReportBuilder builder,
      ReportDao dao,
      ReportDelivery delivery,
      ObjectMapper json,
      Clock clock,
      ZoneId zone) {
    this.builder = builder;
    this.dao = dao;
    this.delivery = delivery;
    this.json = json;
    this.clock = clock;
    this.zone = zone;
  }

  /** The scheduled report for a fire at {@code fireTime}: stored, then delivered. */
  public StoredReport generateScheduled(Instant fireTime) {
    ZonedDateTime dayStart = fireTime.atZone(zone).truncatedTo(ChronoUnit.DAYS);
    StoredReport r = generate(dayStart.minusDays(WeeklyReportBuilder.DAYS));
    List<String> problems = delivery.deliver(r, subject(r));
    if (!problems.isEmpty()) {
      LOG.warn("weekly report {} stored but not delivered everywhere: {}", r.id(), problems);
    }
    return r;
  }

  /** A report of the last seven days including today, stored (not delivered). */
  public StoredReport generateNow() {
    ZonedDateTime tomorrow = clock.instant().atZone(zone).truncatedTo(ChronoUnit.DAYS).plusDays(1);
    return generate(tomorrow.minusDays(WeeklyReportBuilder.DAYS));
  }

  /** The week starting at the given midnight, stored. */
  public synchronized StoredReport generate(ZonedDateTime weekStart) {
    String id = UUID.randomUUID().toString();
    Instant exact = clock.instant();
    // The exact instant: the fires counted as expected and the runs counted as run are cut at
    // the same moment (review 3 of session 21: fires were cut at the whole second before it, runs
    // not, and a fire at x2.000 whose run was created at x2.005 showed 9 run of 8 expected).
    WeeklyReport model = builder.build(id, weekStart, exact.truncatedTo(ChronoUnit.MILLIS));
    String page = html.render(model);
    String twin;
    try {
      twin = json.writerWithDefaultPrettyPrinter().writeValueAsString(model);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report's JSON: " + e.getMessage(), e);
    }
    StoredReport stored =
        new StoredReport(
            // Stored to the millisecond: two reports asked for within one second must still
            // order, or "latest" would pick one of them at random.
            id, weekStart.toLocalDate(), exact.truncatedTo(ChronoUnit.MILLIS), page, twin);
    dao.insert(stored);
    LOG.info("weekly report {} for the week of {} generated", id, model.weekStart());
    return stored;
  }

  public Optional<StoredReport> latest() {
    return dao.latest();
  }

  /** The newest report; one is generated when none exists yet. */
  public synchronized StoredReport latestOrGenerate() {
    return dao.latest().orElseGet(this::generateNow);
  }

  public Optional<StoredReport> find(String id) {
    return dao.find(id);
  }

  /** When the newest stored report was generated. */
  public java.util.Optional<Instant> lastGenerated() {
    return dao.lastReportGenerated();
  }

  public List<ReportDao.ReportEntry> list(int limit) {
    return dao.list(limit);
  }

  /** The mail subject: week and the number the pager cares about. */
  String subject(StoredReport r) {
    String atRisk = "";
    try {
      var n = json.readTree(r.json()).path("thisWeek").path("usersAtRisk");
      if (n.isNumber()) {
        atRisk = ": " + n.asLong() + " user(s) at risk";
      }
    } catch (JsonProcessingException e) {
      // subject without the number
    }
    return "Integrity Auditor weekly report, week of " + r.weekStart() + atRisk;
  }
}
