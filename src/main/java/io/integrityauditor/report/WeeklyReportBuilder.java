package io.integrityauditor.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.Secrets;
import io.integrityauditor.report.WeeklyReport.BackupSeries;
import io.integrityauditor.report.WeeklyReport.Backups;
import io.integrityauditor.report.WeeklyReport.Change;
import io.integrityauditor.report.WeeklyReport.CopyFindings;
import io.integrityauditor.report.WeeklyReport.CopySeries;
import io.integrityauditor.report.WeeklyReport.Coverage;
import io.integrityauditor.report.WeeklyReport.DatasetWeek;
import io.integrityauditor.report.WeeklyReport.Finding;
import io.integrityauditor.report.WeeklyReport.OpenFindings;
import io.integrityauditor.report.WeeklyReport.WeekSummary;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.CopyResult;
import io.integrityauditor.store.ReportDao;
import io.integrityauditor.store.ReportDao.CopyTotal;
import io.integrityauditor.store.ReportDao.RunReport;
import io.integrityauditor.store.ReportDao.RunRow;
import io.integrityauditor.store.ReportSummary;
import io.integrityauditor.store.RunDao;
import io.integrityauditor.store.StoredFinding;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.stream.Collectors;
import org.quartz.CronExpression;

/**
 * Computes a weekly report from the state database alone: the audited databases are not touched.
 * Seven calendar days of a time zone, compared with the seven before.
 */
public final class WeeklyReportBuilder {
  static final int DAYS = 7;

  private final Map<String, DatasetConfig> datasets;
  private final ReportDao reports;
  private final RunDao runs;
  private final ObjectMapper json;
  private final ZoneId scheduleZone;
  private final int findingsPerCopy;
  private final Collection<String> secrets;
  private volatile java.util.function.Function<String, Instant> scheduleStart = ds -> null;

  /**
   * @param scheduleZone the time zone of the datasets' cron schedules (to count expected audits)
   * @param secrets values that must never appear in a report (tokens, passwords), redacted
   */
  public WeeklyReportBuilder(
      Map<String, DatasetConfig> datasets,
      ReportDao reports,
      RunDao runs,
      ObjectMapper json,
      ZoneId scheduleZone,
      int findingsPerCopy,
      Collection<String> secrets) {
    this.datasets = datasets;
    this.reports = reports;
    this.runs = runs;
    this.json = json;
    this.scheduleZone = scheduleZone;
    this.findingsPerCopy = findingsPerCopy;
    this.secrets = List.copyOf(secrets);
  }

  /**
   * When each dataset's schedule started in the running service (its trigger's start), or null: a
   * dataset not yet run on schedule counts its expected audits from there.
   */
  public WeeklyReportBuilder withScheduleStart(java.util.function.Function<String, Instant> start) {
    this.scheduleStart = start;
    return this;
  }

  /** The week that starts at {@code weekStart} (midnight in its zone), as known at {@code now}. */
  public WeeklyReport build(String id, ZonedDateTime weekStart, Instant now) {
    ZonedDateTime start = weekStart.truncatedTo(ChronoUnit.DAYS);
    Instant from = start.toInstant();
    Instant to = start.plusDays(DAYS).toInstant();
    Instant prevFrom = start.minusDays(DAYS).toInstant();
    Map<String, Instant> firstFires = new LinkedHashMap<>();
    for (String name : datasets.keySet()) {
      Instant first =
          reports.firstScheduled(name).map(ReportDao.FirstScheduled::fireTime).orElse(null);
      Instant started = scheduleStart.apply(name);
      if (first == null || (started != null && started.isBefore(first))) {
        first = started;
      }
      if (first != null) {
        firstFires.put(name, first);
      }
    }
    Window week = load(from, to, now, firstFires);
    Window prev = load(prevFrom, from, now, firstFires);
    List<String> days = new ArrayList<>();
    for (int d = 0; d < DAYS; d++) {
      days.add(start.toLocalDate().plusDays(d).toString());
    }

    List<DatasetWeek> out = new ArrayList<>();
    List<WeekSummary> thisWeeks = new ArrayList<>();
    List<WeekSummary> prevWeeks = new ArrayList<>();
    for (var e : datasets.entrySet()) {
      String name = e.getKey();
      DatasetConfig ds = e.getValue();
      WeekSummary thisWeek = summary(week, name, ds);
      WeekSummary prevWeek = summary(prev, name, ds);
      thisWeeks.add(thisWeek);
      prevWeeks.add(prevWeek);
      out.add(
          new DatasetWeek(
              name,
              divergence(week, name, ds, start),
              usersAtRisk(week, name, start),
              backups(name, ds, from, to, start),
              coverage(week, name, ds, start),
              openFindings(name, ds, to),
              thisWeek,
              prevWeek));
    }
    WeekSummary thisWeek = sum(thisWeeks);
    WeekSummary prevWeek = sum(prevWeeks);
    return new WeeklyReport(
        id,
        now.truncatedTo(ChronoUnit.SECONDS).toString(),
        start.getZone().getId(),
        start.toLocalDate().toString(),
        start.toOffsetDateTime().toString(),
        start.plusDays(DAYS).toOffsetDateTime().toString(),
        to.isAfter(now),
        days,
        thisWeek,
        prevWeek,
        change(thisWeek, prevWeek),
        out);
  }

  /** The runs of one window and the divergent rows of each of their copies. */
  private record Window(
      Instant from,
      Instant to,
      Instant now,
      List<RunRow> runs,
      Map<String, List<CopyTotal>> copies,
      Map<String, Instant> firstFires) {
    boolean finishedIn(RunRow r) {
      return r.finishedAt() != null
          && !r.finishedAt().isBefore(from)
          && r.finishedAt().isBefore(to);
    }

    /** Created in the window, and by now (as the expected fires are counted up to now). */
    boolean createdIn(RunRow r) {
      return !r.createdAt().isBefore(from)
          && r.createdAt().isBefore(to)
          && !r.createdAt().isAfter(now);
    }

    List<RunRow> finished(String dataset) {
      return runs.stream().filter(r -> r.dataset().equals(dataset) && finishedIn(r)).toList();
    }

    List<RunRow> complete(String dataset) {
      return finished(dataset).stream()
          .filter(RunRow::complete)
          .sorted(Comparator.comparing(RunRow::finishedAt).thenComparing(RunRow::id))
          .toList();
    }

    long divergent(String runId) {
      return copies.getOrDefault(runId, List.of()).stream().mapToLong(CopyTotal::divergent).sum();
    }
  }

  private Window load(Instant from, Instant to, Instant now, Map<String, Instant> firstFires) {
    Map<String, List<CopyTotal>> copies =
        reports.copyTotals(from, to).stream()
            .collect(
                Collectors.groupingBy(CopyTotal::runId, LinkedHashMap::new, Collectors.toList()));
    return new Window(from, to, now, reports.runs(from, to), copies, firstFires);
  }

  /**
   * The schedule's fires in the window up to now, counted from the fire of the dataset's first
   * scheduled run when that came later: the fires before it were never the service's to run.
   * Regression: the first week of a service started on a Wednesday reported Monday's and Tuesday's
   * fires as expected and not run, as if it had missed them. The schedule's start in the running
   * service counts when earlier, and alone for a dataset never run on schedule yet; with neither,
   * the whole window.
   */
  private Long expected(Window w, String dataset, DatasetConfig ds) {
    Instant first = w.firstFires().get(dataset);
    Instant from = first != null && first.isAfter(w.from()) ? first : w.from();
    return expectedFires(ds.schedule(), from, w.to().isAfter(w.now()) ? w.now() : w.to());
  }

  private WeekSummary summary(Window w, String dataset, DatasetConfig ds) {
    List<RunRow> finished = w.finished(dataset);
    long succeeded = finished.stream().filter(r -> succeeded(r.status())).count();
    long failed = finished.stream().filter(r -> AuditRun.FAILED.equals(r.status())).count();
    long cancelled = finished.stream().filter(r -> AuditRun.CANCELLED.equals(r.status())).count();
    long scheduledRan =
        w.runs().stream()
            .filter(r -> r.dataset().equals(dataset) && scheduled(r) && w.createdIn(r))
            .count();
    List<RunRow> complete = w.complete(dataset);
    Long divergent = null;
    Long atRisk = null;
    Long peak = null;
    if (!complete.isEmpty()) {
      RunRow last = complete.get(complete.size() - 1);
      divergent = w.divergent(last.id());
      atRisk = last.usersAtRisk();
      peak =
          complete.stream()
              .map(RunRow::usersAtRisk)
              .filter(v -> v != null)
              .max(Long::compare)
              .orElse(null);
    }
    return new WeekSummary(
        finished.size(),
        succeeded,
        failed,
        cancelled,
        expected(w, dataset, ds),
        scheduledRan,
        divergent,
        atRisk,
        peak);
  }

  private static boolean succeeded(String status) {
    return AuditRun.CONSISTENT.equals(status) || AuditRun.FINDINGS.equals(status);
  }

  private static boolean scheduled(RunRow r) {
    return "SCHEDULE".equals(r.triggerKind());
  }

  /** How many times the cron fires in [from, to); null without a schedule. */
  Long expectedFires(String cron, Instant from, Instant to) {
    if (cron == null || cron.isBlank() || !to.isAfter(from)) {
      return cron == null || cron.isBlank() ? null : 0L;
    }
    try {
      CronExpression ce = new CronExpression(cron);
      ce.setTimeZone(TimeZone.getTimeZone(scheduleZone));
      long n = 0;
      java.util.Date t = ce.getNextValidTimeAfter(java.util.Date.from(from.minusMillis(1)));
      while (t != null && t.toInstant().isBefore(to) && n < 1_000_000) {
        n++;
        t = ce.getNextValidTimeAfter(t);
      }
      return n;
    } catch (java.text.ParseException e) {
      return null;
    }
  }

  private static int day(ZonedDateTime start, Instant t) {
    LocalDate d = t.atZone(start.getZone()).toLocalDate();
    return (int) ChronoUnit.DAYS.between(start.toLocalDate(), d);
  }

  private static List<Long> nulls() {
    return new ArrayList<>(Arrays.asList(new Long[DAYS]));
  }

  private static void max(List<Long> values, int day, Long v) {
    if (day < 0 || day >= DAYS || v == null) {
      return;
    }
    Long cur = values.get(day);
    values.set(day, cur == null ? v : Math.max(cur, v));
  }

  private List<CopySeries> divergence(
      Window w, String dataset, DatasetConfig ds, ZonedDateTime start) {
    Map<String, String> roles = new LinkedHashMap<>();
    ds.replicas().forEach(r -> roles.put(r, "REPLICA"));
    ds.backups().forEach(b -> roles.put(b.endpoint(), "BACKUP"));
    Map<String, List<Long>> values = new LinkedHashMap<>();
    roles.keySet().forEach(k -> values.put(k, nulls()));
    for (RunRow r : w.complete(dataset)) {
      int d = day(start, r.finishedAt());
      for (CopyTotal c : w.copies().getOrDefault(r.id(), List.of())) {
        roles.putIfAbsent(c.endpoint(), c.role());
        max(values.computeIfAbsent(c.endpoint(), k -> nulls()), d, c.divergent());
      }
    }
    List<CopySeries> out = new ArrayList<>();
    values.forEach((k, v) -> out.add(new CopySeries(k, roles.get(k), v)));
    return out;
  }

  private List<Long> usersAtRisk(Window w, String dataset, ZonedDateTime start) {
    List<Long> values = nulls();
    for (RunRow r : w.complete(dataset)) {
      max(values, day(start, r.finishedAt()), r.usersAtRisk() == null ? 0L : r.usersAtRisk());
    }
    return values;
  }

  private Backups backups(
      String dataset, DatasetConfig ds, Instant from, Instant to, ZonedDateTime start) {
    if (ds.backups().isEmpty()) {
      return new Backups(false, false, List.of());
    }
    Map<String, List<Long>> ages = new LinkedHashMap<>();
    Map<String, List<Boolean>> stale = new LinkedHashMap<>();
    Map<String, JsonNode> last = new LinkedHashMap<>();
    Map<String, Long> lastAge = new LinkedHashMap<>();
    Map<String, Long> maxAge = new LinkedHashMap<>();
    for (BackupConfig b : ds.backups()) {
      ages.put(b.endpoint(), nulls());
      stale.put(b.endpoint(), new ArrayList<>(Arrays.asList(new Boolean[DAYS])));
      maxAge.put(b.endpoint(), b.maxAge() == null ? null : b.maxAge().toSeconds());
    }
    boolean checked = false;
    for (RunReport r : reports.reports(dataset, from, to)) {
      // one report at a time, summarised (ReportSummary)
      JsonNode report = parse(runs.report(r.id()).orElse(null));
      int d = day(start, r.finishedAt());
      for (JsonNode b : report.path("backups")) {
        String ep = b.path("endpoint").asText(null);
        if (ep == null) {
          continue;
        }
        Long age = b.path("ageSeconds").isNumber() ? b.path("ageSeconds").asLong() : null;
        if (age == null && b.path("asOf").isTextual()) {
          try {
            age =
                Duration.between(Instant.parse(b.path("asOf").asText()), r.finishedAt())
                    .toSeconds();
          } catch (RuntimeException e) {
            age = null;
          }
        }
        List<Long> series = ages.computeIfAbsent(ep, k -> nulls());
        List<Boolean> st =
            stale.computeIfAbsent(ep, k -> new ArrayList<>(Arrays.asList(new Boolean[DAYS])));
        max(series, d, age);
        if (d >= 0 && d < DAYS && b.path("stale").isBoolean()) {
          st.set(d, Boolean.TRUE.equals(st.get(d)) || b.path("stale").asBoolean());
        }
        last.put(ep, b);
        lastAge.put(ep, age);
        checked = true;
      }
    }
    List<BackupSeries> series = new ArrayList<>();
    for (String ep : ages.keySet()) {
      JsonNode l = last.get(ep);
      series.add(
          new BackupSeries(
              ep,
              maxAge.get(ep),
              ages.get(ep),
              stale.get(ep),
              l == null || !l.path("asOf").isTextual() ? null : l.path("asOf").asText(),
              lastAge.get(ep),
              l == null || !l.path("stale").isBoolean() ? null : l.path("stale").asBoolean(),
              l == null ? List.of() : findingKinds(l)));
    }
    return new Backups(true, checked, series);
  }

  /** The kinds of a report's backup findings, in order, each once. */
  public static List<String> findingKinds(JsonNode backup) {
    java.util.Set<String> kinds = new java.util.LinkedHashSet<>();
    for (JsonNode f : backup.path("findings")) {
      if (f.path("kind").isTextual()) {
        kinds.add(f.path("kind").asText());
      }
    }
    return List.copyOf(kinds);
  }

  private Coverage coverage(Window w, String dataset, DatasetConfig ds, ZonedDateTime start) {
    List<RunRow> sched =
        w.runs().stream()
            .filter(r -> r.dataset().equals(dataset) && scheduled(r) && w.createdIn(r))
            .toList();
    List<Long> perDay = new ArrayList<>();
    for (int d = 0; d < DAYS; d++) {
      perDay.add(0L);
    }
    for (RunRow r : sched) {
      int d = day(start, r.createdAt());
      if (succeeded(r.status()) && d >= 0 && d < DAYS) {
        perDay.set(d, perDay.get(d) + 1);
      }
    }
    String lastFailure =
        w.finished(dataset).stream()
            .filter(r -> AuditRun.FAILED.equals(r.status()))
            .max(Comparator.comparing(RunRow::finishedAt))
            .map(r -> r.finishedAt() + ": " + shorten(Secrets.redact(r.error(), secrets)))
            .orElse(null);
    long adHoc =
        w.runs().stream()
            .filter(r -> r.dataset().equals(dataset) && !scheduled(r) && w.createdIn(r))
            .count();
    return new Coverage(
        ds.schedule(),
        expected(w, dataset, ds),
        sched.size(),
        sched.stream().filter(r -> succeeded(r.status())).count(),
        sched.stream().filter(r -> AuditRun.FAILED.equals(r.status())).count(),
        sched.stream().filter(r -> AuditRun.CANCELLED.equals(r.status())).count(),
        adHoc,
        perDay,
        lastFailure);
  }

  private static String shorten(String s) {
    if (s == null) {
      return "(no message)";
    }
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  private OpenFindings openFindings(String dataset, DatasetConfig ds, Instant to) {
    RunReport run = reports.lastComplete(dataset, to).orElse(null);
    if (run == null) {
      return null;
    }
    JsonNode report = parse(run.report());
    Map<String, List<StoredFinding>> byCopy = new LinkedHashMap<>();
    for (StoredFinding f : runs.findings(run.id())) {
      byCopy
          .computeIfAbsent(f.tableName() + "\u0000" + f.endpoint(), k -> new ArrayList<>())
          .add(f);
    }
    // Tables, then copies in config order (replicas, then backups), as in the audit report.
    List<String> order = new ArrayList<>(ds.replicas());
    ds.backups().forEach(b -> order.add(b.endpoint()));
    List<CopyResult> results = new ArrayList<>(runs.copies(run.id()));
    results.sort(
        Comparator.comparing(CopyResult::tableName)
            .thenComparingInt(
                c -> order.indexOf(c.endpoint()) < 0 ? order.size() : order.indexOf(c.endpoint()))
            .thenComparing(CopyResult::endpoint));
    List<CopyFindings> copies = new ArrayList<>();
    for (CopyResult c : results) {
      if (c.missing() + c.extra() + c.changed() == 0 || "CONSISTENT".equals(c.status())) {
        continue;
      }
      List<StoredFinding> stored =
          byCopy.getOrDefault(c.tableName() + "\u0000" + c.endpoint(), List.of());
      Set<String> users = new LinkedHashSet<>();
      stored.stream()
          .map(StoredFinding::owner)
          .filter(o -> o != null)
          .sorted(USER_ORDER)
          .forEach(users::add);
      List<Finding> shown =
          stored.stream()
              .limit(findingsPerCopy)
              .map(
                  f ->
                      new Finding(
                          f.kind(), parseOr(f.rowKey()), f.owner(), parseOr(f.columnsChanged())))
              .toList();
      copies.add(
          new CopyFindings(
              c.tableName(),
              c.endpoint(),
              c.role(),
              c.status(),
              c.missing(),
              c.extra(),
              c.changed(),
              c.inFlight(),
              c.usersAffected(),
              List.copyOf(users),
              shown,
              stored.size()));
    }
    List<String> sample = new ArrayList<>();
    report.path("usersAtRiskSample").forEach(n -> sample.add(n.asText()));
    return new OpenFindings(
        run.id(),
        run.finishedAt().toString(),
        run.status(),
        report.path("usersAtRisk").isNumber() ? report.path("usersAtRisk").asLong() : null,
        sample,
        copies);
  }

  /** Numeric user ids in numeric order, others after them in text order. */
  static final Comparator<String> USER_ORDER =
      (a, b) -> {
        boolean na = a.matches("-?\\d{1,18}");
        boolean nb = b.matches("-?\\d{1,18}");
        if (na && nb) {
          return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return na ? -1 : nb ? 1 : a.compareTo(b);
      };

  /** A run's report without the rows it lists ({@link ReportSummary}): the week reads hundreds. */
  private JsonNode parse(String text) {
    return ReportSummary.of(json, text);
  }

  private JsonNode parseOr(String text) {
    if (text == null) {
      return null;
    }
    try {
      return json.readTree(text);
    } catch (Exception e) {
      return TextNode.valueOf(text);
    }
  }

  private static WeekSummary sum(List<WeekSummary> all) {
    return new WeekSummary(
        all.stream().mapToLong(WeekSummary::runs).sum(),
        all.stream().mapToLong(WeekSummary::runsSucceeded).sum(),
        all.stream().mapToLong(WeekSummary::runsFailed).sum(),
        all.stream().mapToLong(WeekSummary::runsCancelled).sum(),
        sumOrNull(all.stream().map(WeekSummary::scheduledExpected).toList()),
        all.stream().mapToLong(WeekSummary::scheduledRan).sum(),
        sumOrNull(all.stream().map(WeekSummary::divergentRows).toList()),
        sumOrNull(all.stream().map(WeekSummary::usersAtRisk).toList()),
        sumOrNull(all.stream().map(WeekSummary::peakUsersAtRisk).toList()));
  }

  private static Long sumOrNull(List<Long> values) {
    Long s = null;
    for (Long v : values) {
      if (v != null) {
        s = (s == null ? 0 : s) + v;
      }
    }
    return s;
  }

  private static Change change(WeekSummary a, WeekSummary b) {
    return new Change(
        a.runs() - b.runs(),
        a.runsFailed() - b.runsFailed(),
        a.scheduledRan() - b.scheduledRan(),
        diff(a.divergentRows(), b.divergentRows()),
        diff(a.usersAtRisk(), b.usersAtRisk()),
        diff(a.peakUsersAtRisk(), b.peakUsersAtRisk()));
  }

  private static Long diff(Long a, Long b) {
    return a == null || b == null ? null : a - b;
  }
}
