package io.integrityauditor.report;

import static io.integrityauditor.report.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrityauditor.report.SvgChart.Bar;
import io.integrityauditor.report.SvgChart.Series;
import io.integrityauditor.report.WeeklyReport.BackupSeries;
import io.integrityauditor.report.WeeklyReport.CopyFindings;
import io.integrityauditor.report.WeeklyReport.CopySeries;
import io.integrityauditor.report.WeeklyReport.Coverage;
import io.integrityauditor.report.WeeklyReport.DatasetWeek;
import io.integrityauditor.report.WeeklyReport.Finding;
import io.integrityauditor.report.WeeklyReport.OpenFindings;
import io.integrityauditor.report.WeeklyReport.WeekSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Renders a {@link WeeklyReport} as one self-contained HTML page: inline CSS and SVG, no script, no
 * external font, image or style sheet, so it reads the same in a browser, a mail client or an
 * archive years later. Every text from the database or config is escaped.
 */
public final class WeeklyReportHtml {
  private static final int USERS_SHOWN = 200;

  private static final String CSS =
      "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;"
          + "margin:0;background:#f6f6f4}"
          + "main{max-width:960px;margin:0 auto;padding:24px;background:#fff}"
          + "h1{font-size:22px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;"
          + "border-bottom:2px solid #30638e;padding-bottom:4px}"
          + "h3{font-size:15px;margin:20px 0 6px}"
          + ".meta{color:#666;margin:0 0 16px}"
          + "table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}"
          + "th,td{border:1px solid #ddd;padding:3px 8px;text-align:right;vertical-align:top}"
          + "th:first-child,td:first-child,td.l,th.l{text-align:left}"
          + "th{background:#f0f0ee}"
          + ".worse{color:#b00020;font-weight:600}.better{color:#1b7a3a;font-weight:600}"
          + ".note{color:#666;font-style:italic}"
          + ".legend span{display:inline-block;margin-right:14px;font-size:12px}"
          + ".legend i{display:inline-block;width:10px;height:10px;margin-right:4px;"
          + "border-radius:2px}"
          + ".chart{max-width:100%;height:auto;display:block}"
          + ".bad{color:#b00020;font-weight:600}.ok{color:#1b7a3a}"
          + "code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f3f3f3;"
          + "padding:0 3px;word-break:break-all}"
          + ".users{max-width:900px;word-wrap:break-word}";

  /** The page. */
  public String render(WeeklyReport r) {
    StringBuilder b = new StringBuilder(32_000);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Integrity Auditor weekly report, week of ")
        .append(esc(r.weekStart()))
        .append("</title><style>")
        .append(CSS)
        .append("</style></head><body><main>\n");
    b.append("<h1>Integrity Auditor weekly report</h1><p class=\"meta\">Week of <b>")
        .append(esc(r.weekStart()))
        .append("</b>: ")
        .append(esc(r.days().get(0)))
        .append(" to ")
        .append(esc(r.days().get(r.days().size() - 1)))
        .append(" (")
        .append(esc(r.timeZone()))
        .append("). Generated ")
        .append(esc(r.generatedAt()))
        .append(r.partial() ? " &mdash; <b>partial week</b>: the week has not ended yet." : ".")
        .append(" Report <code>")
        .append(esc(r.id()))
        .append("</code>.</p>\n");

    b.append("<h2 id=\"changes\">What changed since last week</h2>");
    summaryTable(b, r.thisWeek(), r.previousWeek());
    b.append(
        "<p class=\"note\">Divergent rows and users at risk: as the last complete audit of each"
            + " week found them, summed over datasets; peak: the highest a complete audit found."
            + " A user at risk has a row whose current value only the primary holds.</p>\n");

    for (DatasetWeek ds : r.datasets()) {
      dataset(b, r, ds);
    }
    b.append("<p class=\"note\">Integrity Auditor. Numbers come from the auditor's own history;")
        .append(" findings are listed up to a cap, their counts are exact.</p>")
        .append("</main></body></html>\n");
    return b.toString();
  }

  private static void summaryTable(StringBuilder b, WeekSummary now, WeekSummary prev) {
    b.append("<table class=\"summary\"><tr><th class=\"l\"></th><th>This week</th>")
        .append("<th>Previous week</th><th>Change</th></tr>");
    row(b, "Divergent rows", now.divergentRows(), prev.divergentRows(), true);
    row(b, "Users at risk", now.usersAtRisk(), prev.usersAtRisk(), true);
    row(b, "Peak users at risk", now.peakUsersAtRisk(), prev.peakUsersAtRisk(), true);
    row(b, "Runs", now.runs(), prev.runs(), false);
    row(b, "Runs failed", now.runsFailed(), prev.runsFailed(), true);
    row(b, "Scheduled audits expected", now.scheduledExpected(), prev.scheduledExpected(), false);
    row(b, "Scheduled audits run", now.scheduledRan(), prev.scheduledRan(), false);
    b.append("</table>\n");
  }

  private static void row(StringBuilder b, String label, Long now, Long prev, boolean upIsBad) {
    b.append("<tr><td>")
        .append(esc(label))
        .append("</td><td>")
        .append(n(now))
        .append("</td><td>")
        .append(n(prev))
        .append("</td><td>");
    if (now == null || prev == null) {
      b.append("&ndash;");
    } else {
      long d = now - prev;
      String cls = d == 0 || !upIsBad ? "" : d > 0 ? "worse" : "better";
      b.append("<span class=\"")
          .append(cls)
          .append("\">")
          .append(d > 0 ? "&#9650; +" + d : d < 0 ? "&#9660; " + d : "0")
          .append("</span>");
    }
    b.append("</td></tr>");
  }

  private static String n(Long v) {
    return v == null ? "&ndash;" : Long.toString(v);
  }

  private void dataset(StringBuilder b, WeeklyReport r, DatasetWeek ds) {
    b.append("<h2 id=\"dataset-")
        .append(esc(ds.name()))
        .append("\">Dataset ")
        .append(esc(ds.name()))
        .append("</h2>");
    summaryTable(b, ds.thisWeek(), ds.previousWeek());
    List<String> labels = shortDays(r.days());

    b.append("<h3>Divergent rows per copy per day</h3>");
    if (ds.divergentRowsPerDay().isEmpty()) {
      b.append("<p class=\"note\">This dataset has no copies.</p>");
    } else {
      List<Series> series = new ArrayList<>();
      for (CopySeries c : ds.divergentRowsPerDay()) {
        series.add(new Series(c.endpoint() + " (" + c.role() + ")", toDouble(c.values(), v -> v)));
      }
      b.append(
          SvgChart.lines(
              "Divergent rows per copy per day, " + ds.name(), labels, series, "", null));
      legend(b, series);
      dayTable(b, r.days(), series, v -> SvgChart.num(v));
    }
    b.append(
        "<p class=\"note\">Per day, the most rows (missing + extra + changed, all tables) a"
            + " complete audit found different on the copy; &ndash; where no complete audit"
            + " finished that day.</p>");

    b.append("<h3>Users at risk</h3>");
    List<Series> risk =
        List.of(new Series("users at risk", toDouble(ds.usersAtRiskPerDay(), v -> v)));
    b.append(SvgChart.lines("Users at risk per day, " + ds.name(), labels, risk, "", null));
    dayTable(b, r.days(), risk, v -> SvgChart.num(v));

    b.append("<h3>Backup age</h3>");
    if (!ds.backups().configured()) {
      b.append("<p class=\"note\">No backups configured for this dataset.</p>");
    } else if (!ds.backups().checked()) {
      b.append("<p class=\"bad\">No backups checked this week.</p>");
    } else {
      List<Series> ages = new ArrayList<>();
      Double limit = null;
      for (BackupSeries s : ds.backups().series()) {
        ages.add(new Series(s.endpoint(), toDouble(s.ageSecondsPerDay(), v -> v / 3600.0)));
        if (s.maxAgeSeconds() != null) {
          limit =
              limit == null
                  ? s.maxAgeSeconds() / 3600.0
                  : Math.min(limit, s.maxAgeSeconds() / 3600.0);
        }
      }
      b.append(SvgChart.lines("Backup age in hours, " + ds.name(), labels, ages, " h", limit));
      legend(b, ages);
      dayTable(b, r.days(), ages, v -> String.format(Locale.ROOT, "%.1f h", v));
      b.append("<table><tr><th class=\"l\">Backup</th><th class=\"l\">Last as of</th>")
          .append("<th>Age (s)</th><th>Max age (s)</th><th class=\"l\">Last check</th></tr>");
      for (BackupSeries s : ds.backups().series()) {
        b.append("<tr><td>")
            .append(esc(s.endpoint()))
            .append("</td><td class=\"l\">")
            .append(s.lastAsOf() == null ? "&ndash;" : esc(s.lastAsOf()))
            .append("</td><td>")
            .append(n(s.lastAgeSeconds()))
            .append("</td><td>")
            .append(n(s.maxAgeSeconds()))
            .append("</td><td class=\"l\">")
            .append(backupStatus(s))
            .append("</td></tr>");
      }
      b.append("</table>");
    }

    coverage(b, ds);
    findings(b, ds.openFindings());
  }

  private static void coverage(StringBuilder b, DatasetWeek ds) {
    Coverage c = ds.coverage();
    b.append("<h3>Audit coverage</h3>");
    List<Bar> bars = new ArrayList<>();
    if (c.scheduledExpected() != null) {
      bars.add(new Bar("expected", c.scheduledExpected(), "#9aa5b1"));
    }
    bars.add(new Bar("ran", c.scheduledRan(), "#30638e"));
    bars.add(new Bar("succeeded", c.scheduledSucceeded(), "#66a182"));
    bars.add(new Bar("failed", c.scheduledFailed(), "#d1495b"));
    b.append(SvgChart.bars("Scheduled audits this week, " + ds.name(), bars));
    b.append("<p>Schedule: ")
        .append(
            c.schedule() == null ? "none (ad hoc only)" : "<code>" + esc(c.schedule()) + "</code>")
        .append(". Scheduled audits: <b>")
        .append(c.scheduledRan())
        .append("</b> ran")
        .append(c.scheduledExpected() == null ? "" : " of " + c.scheduledExpected() + " expected")
        .append(", <b>")
        .append(c.scheduledSucceeded())
        .append("</b> succeeded, <b>")
        .append(c.scheduledFailed())
        .append("</b> failed, ")
        .append(c.scheduledCancelled())
        .append(" cancelled; ")
        .append(c.adHocRuns())
        .append(" ad-hoc run(s).</p>");
    if (c.lastFailure() != null) {
      b.append("<p>Last failure: <span class=\"bad\">")
          .append(esc(c.lastFailure()))
          .append("</span></p>");
    }
  }

  private static void findings(StringBuilder b, OpenFindings f) {
    b.append("<h3>Open findings</h3>");
    if (f == null) {
      b.append("<p class=\"bad\">No complete audit of this dataset yet.</p>");
      return;
    }
    b.append("<p>Newest complete audit <code>")
        .append(esc(f.runId()))
        .append("</code>, finished ")
        .append(esc(f.finishedAt()))
        .append(": <b>")
        .append(esc(f.status()))
        .append("</b>, <b>")
        .append(n(f.usersAtRisk()))
        .append("</b> user(s) at risk");
    if (!f.usersAtRiskSample().isEmpty()) {
      b.append(" (").append(Html.isolated(f.usersAtRiskSample())).append(")");
    }
    b.append(".</p>");
    if (f.copies().isEmpty()) {
      b.append("<p class=\"ok\">Every copy matched the primary.</p>");
      return;
    }
    b.append("<table><tr><th class=\"l\">Table</th><th class=\"l\">Copy</th><th>Missing</th>")
        .append("<th>Extra</th><th>Changed</th><th>In flight</th><th>Users affected</th></tr>");
    for (CopyFindings c : f.copies()) {
      b.append("<tr><td>")
          .append(esc(c.table()))
          .append("</td><td class=\"l\">")
          .append(esc(c.endpoint()))
          .append(" (")
          .append(esc(c.role()))
          .append(")</td><td>")
          .append(c.missing())
          .append("</td><td>")
          .append(c.extra())
          .append("</td><td>")
          .append(c.changed())
          .append("</td><td>")
          .append(c.inFlight())
          .append("</td><td>")
          .append(c.usersAffected())
          .append("</td></tr>");
    }
    b.append("</table>");
    for (CopyFindings c : f.copies()) {
      b.append("<h4>")
          .append(esc(c.table()))
          .append(" on ")
          .append(esc(c.endpoint()))
          .append("</h4>");
      if (!c.users().isEmpty()) {
        List<String> shown =
            c.users().size() > USERS_SHOWN ? c.users().subList(0, USERS_SHOWN) : c.users();
        b.append("<p class=\"users\">Users affected: ")
            .append(Html.isolated(shown))
            .append(
                c.users().size() > USERS_SHOWN
                    ? " and " + (c.users().size() - USERS_SHOWN) + " more"
                    : "")
            .append("</p>");
      }
      if (c.findings().isEmpty()) {
        continue;
      }
      b.append("<table><tr><th class=\"l\">Kind</th><th class=\"l\">Key</th>")
          .append("<th class=\"l\">User</th><th class=\"l\">Columns</th></tr>");
      for (Finding x : c.findings()) {
        b.append("<tr><td class=\"l\">")
            .append(esc(x.kind()))
            .append("</td><td class=\"l\"><code>")
            .append(esc(keyText(x.key())))
            .append("</code></td><td class=\"l\">")
            .append(esc(x.owner()))
            .append("</td><td class=\"l\">")
            .append(esc(text(x.columns())))
            .append("</td></tr>");
      }
      b.append("</table>");
      long total = c.missing() + c.extra() + c.changed();
      if (total > c.findings().size()) {
        b.append("<p class=\"note\">")
            .append(c.findings().size())
            .append(" of ")
            .append(total)
            .append(" differing rows listed.</p>");
      }
    }
  }

  /** {@code id=105, region=eu}: key columns by name, values as they are. */
  static String keyText(JsonNode key) {
    if (key == null || !key.isObject()) {
      return text(key);
    }
    List<String> parts = new ArrayList<>();
    key.fields()
        .forEachRemaining(
            e ->
                parts.add(
                    e.getKey()
                        + "="
                        + (e.getValue().isValueNode()
                            ? e.getValue().asText()
                            : e.getValue().toString())));
    return String.join(", ", parts);
  }

  private static String text(JsonNode n) {
    if (n == null || n.isNull()) {
      return "";
    }
    if (n.isArray()) {
      List<String> parts = new ArrayList<>();
      n.forEach(x -> parts.add(x.asText()));
      return String.join(", ", parts);
    }
    return n.isTextual() ? n.asText() : n.toString();
  }

  private static List<String> shortDays(List<String> days) {
    List<String> out = new ArrayList<>();
    for (String d : days) {
      java.time.LocalDate ld = java.time.LocalDate.parse(d);
      out.add(
          ld.getDayOfWeek().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ENGLISH)
              + " "
              + ld.getDayOfMonth());
    }
    return out;
  }

  private static List<Double> toDouble(List<Long> values, Function<Double, Double> f) {
    List<Double> out = new ArrayList<>();
    for (Long v : values) {
      out.add(v == null ? null : f.apply(v.doubleValue()));
    }
    return out;
  }

  private static void legend(StringBuilder b, List<Series> series) {
    b.append("<p class=\"legend\">");
    for (int i = 0; i < series.size(); i++) {
      b.append("<span><i style=\"background:")
          .append(SvgChart.color(i))
          .append("\"></i>")
          .append(esc(series.get(i).name()))
          .append("</span>");
    }
    b.append("</p>");
  }

  private static void dayTable(
      StringBuilder b, List<String> days, List<Series> series, Function<Double, String> fmt) {
    b.append("<table><tr><th class=\"l\"></th>");
    for (String d : days) {
      b.append("<th>").append(esc(d.substring(5))).append("</th>");
    }
    b.append("</tr>");
    for (Series s : series) {
      b.append("<tr><td>").append(esc(s.name())).append("</td>");
      for (Double v : s.values()) {
        b.append("<td>").append(v == null ? "&ndash;" : esc(fmt.apply(v))).append("</td>");
      }
      b.append("</tr>");
    }
    b.append("</table>");
  }

  /**
   * The last check of a backup: what it found wrong, else stale or fresh. Regression: a backup
   * whose dump files were missing, or whose restore failed, showed as "fresh" (its age came from
   * the copy restored earlier).
   */
  static String backupStatus(BackupSeries s) {
    List<String> wrong = new java.util.ArrayList<>(s.lastFindings());
    if (Boolean.TRUE.equals(s.lastStale()) && !wrong.contains("STALE")) {
      wrong.add(0, "STALE");
    }
    if (!wrong.isEmpty()) {
      return "<span class=\"bad\">"
          + esc(String.join(", ", wrong).toLowerCase(java.util.Locale.ROOT).replace('_', ' '))
          + "</span>";
    }
    return s.lastStale() == null && s.lastAsOf() == null ? "not checked" : "fresh";
  }
}
