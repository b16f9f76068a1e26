package io.integrityauditor.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.schedule.AuditScheduler;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.CopyResult;
import io.integrityauditor.store.ReportSummary;
import io.integrityauditor.store.RunDao;
import io.integrityauditor.store.StateStore;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that defines the service's Prometheus metrics (README "Metrics"). Every value that
 * describes the data is read from the state database at scrape time, so all instances report the
 * same and a restart resets nothing; series known from config are exported before the first run.
 * Labels come from config names and enums only.
 */
public final class AuditMetrics implements MultiCollector {
  private static final String[] RESULTS = {"CONSISTENT", "FINDINGS", "FAILED", "CANCELLED"};
  private static final String[] KINDS = {"missing", "extra", "changed"};
  private static final Pattern UNREACHABLE = Pattern.compile("cannot open endpoint '([^']+)'");

  private final Map<String, DatasetConfig> datasets;
  private final StateStore store;
  private final RunDao dao;
  private final ObjectMapper json;
  private final String timeZone;
  private final double maxReplicaLagSeconds;

  /** When each dataset's current schedule started, from the scheduler; null when unknown. */
  private volatile java.util.function.Function<String, Instant> scheduleStart = ds -> null;

  /**
   * Exports {@code integrity_audit_schedule_start_timestamp_seconds}: the time a dataset that never
   * succeeded is stale from (IntegrityAuditStale), instead of the epoch. Regression (review of
   * session 17): a dataset scheduled daily at 03:00, added at 20:34, paged critical at 20:49
   * ("Three audits in a row did not complete") before its first run was due.
   */
  public AuditMetrics withScheduleStart(java.util.function.Function<String, Instant> start) {
    this.scheduleStart = start;
    return this;
  }

  public AuditMetrics(
      Map<String, DatasetConfig> datasets,
      StateStore store,
      ObjectMapper json,
      String timeZone,
      double maxReplicaLagSeconds) {
    this.datasets = datasets;
    this.store = store;
    this.dao = store.runs();
    this.json = json;
    this.timeZone = timeZone;
    this.maxReplicaLagSeconds = maxReplicaLagSeconds;
  }

  private static final class Family {
    final String name;
    final String help;
    final boolean counter;
    final List<Object> points = new ArrayList<>();

    Family(String name, String help, boolean counter) {
      this.name = name;
      this.help = help;
      this.counter = counter;
    }

    void add(double value, String... labels) {
      Labels l = Labels.of(labels);
      if (counter) {
        points.add(CounterDataPointSnapshot.builder().value(value).labels(l).build());
      } else {
        points.add(GaugeDataPointSnapshot.builder().value(value).labels(l).build());
      }
    }

    Object snapshot() {
      if (counter) {
        var b = CounterSnapshot.builder().name(name).help(help);
        points.forEach(p -> b.dataPoint((CounterDataPointSnapshot) p));
        return b.build();
      }
      var b = GaugeSnapshot.builder().name(name).help(help);
      points.forEach(p -> b.dataPoint((GaugeDataPointSnapshot) p));
      return b.build();
    }
  }

  /**
   * Per copy, its results in the newest whole-dataset run since the last complete one (or ever,
   * without one) that failed elsewhere but compared that copy in every table of the dataset (of the
   * 20 newest such runs). Review 9 of session 24: only the newest run was looked at, so a copy that
   * then failed one table fell back to the last complete run (none: 0) and the alert resolved while
   * its rows were still missing.
   */
  private Map<String, List<CopyResult>> laterComparisons(
      String ds, DatasetConfig cfg, AuditRun complete) {
    Map<String, List<CopyResult>> out = new LinkedHashMap<>();
    Instant after = complete == null ? Instant.EPOCH : complete.finishedAt();
    int tables = cfg.tables().size();
    for (AuditRun run : dao.failedDatasetRunsAfter(ds, after)) {
      Map<String, List<CopyResult>> byCopy = new LinkedHashMap<>();
      for (CopyResult c : dao.copies(run.id())) {
        byCopy.computeIfAbsent(c.endpoint(), k -> new ArrayList<>()).add(c);
      }
      byCopy.forEach(
          (endpoint, results) -> {
            boolean all =
                results.stream().map(CopyResult::tableName).distinct().count() == tables
                    && results.stream()
                        .allMatch(c -> c.error() == null && !"FAILED".equals(c.status()));
            if (all) {
              out.putIfAbsent(endpoint, results);
            }
          });
    }
    return out;
  }

  /**
   * Whether a stored copy's counts are divergent rows: not for a copy found CONSISTENT (a backup's
   * table compared by counts only, {@code countsOnly}, counts the writes since the backup).
   */
  public static boolean diverges(CopyResult c) {
    return !"CONSISTENT".equals(c.status());
  }

  @Override
  public MetricSnapshots collect() {
    Family stateUp =
        new Family(
            "integrity_state_database_up", "1 if the state database answered this scrape", false);
    Family lastSuccess =
        new Family(
            "integrity_audit_last_success_timestamp_seconds",
            "End of the last audit of the whole dataset that completed (consistent or with findings); 0 before the first",
            false);
    Family duration =
        new Family(
            "integrity_audit_duration_seconds",
            "Duration of the last completed audit of the whole dataset",
            false);
    Family runs =
        new Family(
            "integrity_audit_runs",
            "Audit runs ended, by result (runs purged by retention included)",
            true);
    Family rows =
        new Family(
            "integrity_rows_checked",
            "Rows compared per copy (runs purged by retention included)",
            true);
    Family divergent =
        new Family(
            "integrity_divergent_rows",
            "Rows differing on a copy in the last completed audit (or a later one that failed elsewhere but compared this copy in every table), by kind",
            false);
    Family atRisk =
        new Family(
            "integrity_users_at_risk",
            "Users with a row that exists on the primary alone (last completed audit)",
            false);
    Family backupTime =
        new Family(
            "integrity_backup_last_timestamp_seconds",
            "When the newest backup was taken; 0 = none found",
            false);
    Family lag =
        new Family(
            "integrity_replica_lag_seconds", "Replication lag measured by the last audit", false);
    Family up =
        new Family(
            "integrity_endpoint_up", "1 if the last audit could connect to the endpoint", false);
    Family interval =
        new Family(
            "integrity_audit_schedule_interval_seconds",
            "Seconds between two scheduled audits of the dataset",
            false);
    Family backupFindings =
        new Family(
            "integrity_backup_findings",
            "1 if the last complete audit found this kind of problem with the backup, else 0",
            false);
    Family scheduleStarted =
        new Family(
            "integrity_audit_schedule_start_timestamp_seconds",
            "When the dataset's current schedule started (its first audit is due after it)",
            false);
    Family backupMaxAge =
        new Family("integrity_backup_max_age_seconds", "Configured maxAge of the backup", false);
    Family maxLag =
        new Family("integrity_replica_max_lag_seconds", "Configured bound on replica lag", false);
    Family running =
        new Family("integrity_audit_running", "1 while an audit of the dataset runs", false);
    List<Family> all =
        List.of(
            lastSuccess,
            duration,
            runs,
            rows,
            divergent,
            atRisk,
            backupTime,
            lag,
            up,
            interval,
            scheduleStarted,
            backupFindings,
            backupMaxAge,
            maxLag,
            running,
            stateUp);
    try {
      Map<String, Map<String, Long>> runCounts = runCounts();
      Map<String, Map<String, Long>> rowCounts = rowCounts();
      for (var e : datasets.entrySet()) {
        String ds = e.getKey();
        DatasetConfig cfg = e.getValue();
        List<String> copies = new ArrayList<>(cfg.replicas());
        cfg.backups().forEach(b -> copies.add(b.endpoint()));
        AuditRun complete = dao.lastCompleteDatasetRun(ds).orElse(null);
        AuditRun last = dao.lastFinished(ds).orElse(null);
        JsonNode report = parse(complete);
        lastSuccess.add(complete == null ? 0 : seconds(complete.finishedAt()), "dataset", ds);
        duration.add(
            complete == null || complete.startedAt() == null
                ? 0
                : (complete.finishedAt().toEpochMilli() - complete.startedAt().toEpochMilli())
                    / 1000.0,
            "dataset",
            ds);
        for (String r : RESULTS) {
          runs.add(
              runCounts.getOrDefault(ds, Map.of()).getOrDefault(r, 0L), "dataset", ds, "result", r);
        }
        Map<String, long[]> div = new LinkedHashMap<>();
        copies.forEach(c -> div.put(c, new long[3]));
        // A copy compared in every table by a later run that failed elsewhere (another copy
        // unreachable) counts as that run found it. Regression (review 5 of session 24): one
        // unreachable copy failed every run, and the rows missing on a healthy copy were never
        // exported: no IntegrityDivergentRows for 9.5 minutes, until the other copy came back.
        Map<String, List<CopyResult>> later = laterComparisons(ds, cfg, complete);
        for (Map.Entry<String, List<CopyResult>> l : later.entrySet()) {
          long[] d = div.computeIfAbsent(l.getKey(), k -> new long[3]);
          for (CopyResult c : l.getValue()) {
            if (diverges(c)) {
              d[0] += c.missing();
              d[1] += c.extra();
              d[2] += c.changed();
            }
          }
        }
        if (complete != null) {
          for (CopyResult c : dao.copies(complete.id())) {
            if (later.containsKey(c.endpoint())) {
              continue;
            }
            long[] d = div.computeIfAbsent(c.endpoint(), k -> new long[3]);
            if (!diverges(c)) {
              // a backup's table without updatedAt, compared by counts only: its counts are the
              // writes since the backup, not divergence (review 2 of session 22: they fired
              // IntegrityDivergentRows on a CONSISTENT audit)
              continue;
            }
            d[0] += c.missing();
            d[1] += c.extra();
            d[2] += c.changed();
          }
        }
        for (String c : copies) {
          rows.add(
              rowCounts.getOrDefault(ds, Map.of()).getOrDefault(c, 0L),
              "dataset",
              ds,
              "endpoint",
              c);
          for (int k = 0; k < 3; k++) {
            divergent.add(div.get(c)[k], "dataset", ds, "endpoint", c, "kind", KINDS[k]);
          }
        }
        atRisk.add(
            complete == null || complete.usersAtRisk() == null ? 0 : complete.usersAtRisk(),
            "dataset",
            ds);
        Map<String, Double> backupTimes = new LinkedHashMap<>();
        Set<String> inspected = new java.util.HashSet<>();
        Map<String, Set<String>> kindsFound = new LinkedHashMap<>();
        for (JsonNode b : report.path("backups")) {
          inspected.add(b.path("endpoint").asText());
          kindsFound.put(
              b.path("endpoint").asText(),
              new java.util.HashSet<>(
                  io.integrityauditor.report.WeeklyReportBuilder.findingKinds(b)));
          // A backup whose files are missing has no newest backup, whatever the copy restored
          // earlier still says (regression: its asOf kept IntegrityBackupMissing from firing).
          boolean missing =
              io.integrityauditor.report.WeeklyReportBuilder.findingKinds(b)
                  .contains("MISSING_BACKUP");
          if (b.path("asOf").isTextual() && !missing) {
            try {
              double t = seconds(Instant.parse(b.path("asOf").asText()));
              // The older of the backup's time and its newest dump file's: the report calls the
              // backup STALE when either is older than maxAge. Regression: dump files three days
              // old beside an asOf of an hour ago were STALE in the report, and no alert fired.
              if (b.path("newestFileTime").isTextual()) {
                t = Math.min(t, seconds(Instant.parse(b.path("newestFileTime").asText())));
              }
              backupTimes.put(b.path("endpoint").asText(), t);
            } catch (RuntimeException ignored) {
              // not an instant: treated as unknown
            }
          }
        }
        for (BackupConfig b : cfg.backups()) {
          // Only a backup the last complete audit inspected: 0 says it found none. Regression: a
          // backup just added to the configuration read 0 until the next audit, and
          // IntegrityBackupMissing paged for a backup nobody had looked at yet.
          if (inspected.contains(b.endpoint())) {
            // Every kind, 0 or 1: an empty or shrunken newest dump (SHRUNK) had no alert, since
            // the backup's time stays fresh (IntegrityBackupShrunk).
            for (io.integrityauditor.backup.BackupFinding.Kind k :
                io.integrityauditor.backup.BackupFinding.Kind.values()) {
              backupFindings.add(
                  kindsFound.get(b.endpoint()).contains(k.name()) ? 1 : 0,
                  "dataset",
                  ds,
                  "endpoint",
                  b.endpoint(),
                  "kind",
                  k.name());
            }
            backupTime.add(
                backupTimes.getOrDefault(b.endpoint(), 0.0),
                "dataset",
                ds,
                "endpoint",
                b.endpoint());
          }
          if (b.maxAge() != null) {
            backupMaxAge.add(b.maxAge().toSeconds(), "dataset", ds, "endpoint", b.endpoint());
          }
        }
        Map<String, Double> lags = new LinkedHashMap<>();
        for (JsonNode r : parse(last).path("replication")) {
          if (r.path("lagSeconds").isNumber()) {
            lags.put(r.path("endpoint").asText(), r.path("lagSeconds").asDouble());
          } else if (r.path("state").asText("").equals("STOPPED")
              || r.path("state").asText("").equals("FORKED")) {
            // Not replicating at all: no finite lag. Regression (review): no series was exported,
            // so IntegrityReplicaLag could not fire for a stopped or split-brain replica.
            lags.put(r.path("endpoint").asText(), Double.POSITIVE_INFINITY);
          }
        }
        for (String r : cfg.replicas()) {
          if (lags.containsKey(r)) {
            lag.add(lags.get(r), "dataset", ds, "endpoint", r);
          }
          maxLag.add(maxReplicaLagSeconds, "dataset", ds, "endpoint", r);
        }
        Set<String> endpoints = new LinkedHashSet<>();
        endpoints.add(cfg.primary());
        endpoints.addAll(copies);
        // Each endpoint as the newest finished run that tried it saw it. Regression: a run that
        // failed on its primary never tried the copies, yet exported them as up (1), which
        // resolved IntegrityEndpointDown for a copy still down.
        List<Map<String, Integer>> seen = new ArrayList<>();
        for (AuditRun r : dao.history(ds, 20)) {
          if (r.finishedAt() != null) {
            seen.add(observed(r));
          }
        }
        for (String ep : endpoints) {
          for (Map<String, Integer> s : seen) {
            if (s.containsKey(ep)) {
              up.add(s.get(ep), "dataset", ds, "endpoint", ep);
              break;
            }
          }
        }
        long iv = AuditScheduler.intervalSeconds(cfg.schedule(), timeZone);
        if (iv > 0) {
          interval.add(iv, "dataset", ds);
          Instant started = scheduleStart.apply(ds);
          if (started != null) {
            scheduleStarted.add(seconds(started), "dataset", ds);
          }
        }
        running.add(
            dao.active(ds).stream().anyMatch(r -> AuditRun.RUNNING.equals(r.status())) ? 1 : 0,
            "dataset",
            ds);
      }
      stateUp.add(1);
    } catch (RuntimeException e) {
      // The state database is down: say so, and export nothing that could be stale or wrong.
      Family only = new Family(stateUp.name, stateUp.help, false);
      only.add(0);
      return MetricSnapshots.of(
          (io.prometheus.metrics.model.snapshots.MetricSnapshot) only.snapshot());
    }
    List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out = new ArrayList<>();
    for (Family f : all) {
      out.add((io.prometheus.metrics.model.snapshots.MetricSnapshot) f.snapshot());
    }
    return new MetricSnapshots(out);
  }

  private Map<String, Map<String, Long>> runCounts() {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    store
        .jdbi()
        .useHandle(
            h ->
                h.createQuery(
                        // One statement, one snapshot: a purge moving runs from the history
                        // to purged_run_counts is seen entirely or not at all.
                        "SELECT dataset, result, SUM(n) FROM ("
                            + "SELECT dataset, status AS result, COUNT(*) AS n FROM audit_runs"
                            + " WHERE status IN "
                            + RunDao.ENDED_STATUSES
                            + " GROUP BY dataset, status"
                            + " UNION ALL SELECT dataset, result, runs AS n FROM purged_run_counts"
                            + ") x GROUP BY dataset, result")
                    .map(
                        (rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)})
                    .forEach(
                        r ->
                            out.computeIfAbsent((String) r[0], k -> new LinkedHashMap<>())
                                .put((String) r[1], (Long) r[2])));
    return out;
  }

  private Map<String, Map<String, Long>> rowCounts() {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    store
        .jdbi()
        .useHandle(
            h ->
                h.createQuery(
                        "SELECT dataset, endpoint, SUM(n) FROM ("
                            + "SELECT r.dataset, c.endpoint, SUM(t.rows_checked) AS n"
                            + " FROM audit_copies c"
                            + " JOIN audit_tables t ON t.run_id = c.run_id AND t.table_name = c.table_name"
                            + " JOIN audit_runs r ON r.id = c.run_id"
                            + " WHERE "
                            + io.integrityauditor.store.RunDao.COMPARED_COPY
                            + " GROUP BY r.dataset, c.endpoint"
                            + " UNION ALL SELECT dataset, endpoint, rows_checked AS n"
                            + " FROM purged_row_counts"
                            + ") x GROUP BY dataset, endpoint")
                    .map(
                        (rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)})
                    .forEach(
                        r ->
                            out.computeIfAbsent((String) r[0], k -> new LinkedHashMap<>())
                                .put((String) r[1], (Long) r[2])));
    return out;
  }

  /**
   * A finished run's report as the metrics read it ({@link ReportSummary}: without the rows it
   * lists), read from the state database and summarised once per run: a finished run's report no
   * longer changes. Regression: each scrape read and parsed the whole report of 22 runs per dataset
   * (20 runs of 12.6 MB: 14 - 22 s a scrape, past Prometheus' scrape timeout).
   */
  private JsonNode parse(AuditRun run) {
    if (run == null || run.finishedAt() == null) {
      return json.createObjectNode();
    }
    String key = run.id() + "@" + run.finishedAt();
    synchronized (summaries) {
      JsonNode cached = summaries.get(key);
      if (cached != null) {
        return cached;
      }
    }
    JsonNode summary =
        ReportSummary.of(
            json, run.report() != null ? run.report() : dao.report(run.id()).orElse(null));
    synchronized (summaries) {
      summaries.put(key, summary);
    }
    return summary;
  }

  /** Summaries of finished runs' reports ({@link #parse}), the most recently used kept. */
  private final Map<String, JsonNode> summaries =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JsonNode> eldest) {
          return size() > 64 + 32 * datasets.size();
        }
      };

  /**
   * The endpoints a finished run tried, 1 if it connected and 0 if it could not: copies compared
   * (CONSISTENT or FINDINGS), replicas whose replication it read, the primary of a table it
   * compared, backups whose asOf it read, and every endpoint its errors say it could not open.
   */
  private Map<String, Integer> observed(AuditRun run) {
    Map<String, Integer> out = new LinkedHashMap<>();
    JsonNode report = parse(run);
    String primary =
        datasets.containsKey(run.dataset()) ? datasets.get(run.dataset()).primary() : null;
    for (JsonNode t : report.path("tables")) {
      if (t.path("error").isNull() && primary != null && t.path("copies").size() > 0) {
        out.put(primary, 1);
      }
      for (JsonNode c : t.path("copies")) {
        String status = c.path("status").asText("");
        // Compared only: a backup "not compared" (its restore failed, no backup was found) is
        // FINDINGS without having been opened. Regression: a backup on a port nothing listens on,
        // whose restore command failed, was exported up (1) and resolved IntegrityEndpointDown.
        if ((status.equals("CONSISTENT") || status.equals("FINDINGS"))
            && c.path("hashing").isTextual()) {
          out.put(c.path("endpoint").asText(), 1);
        }
      }
    }
    for (JsonNode r : report.path("replication")) {
      String state = r.path("state").asText("UNKNOWN");
      if (!state.equals("UNKNOWN")) {
        out.put(r.path("endpoint").asText(), 1);
        if (primary != null) {
          out.put(primary, 1);
        }
      }
    }
    for (JsonNode b : report.path("backups")) {
      // read from the endpoint itself (not a dump file's modification time)
      if (b.path("asOf").isTextual() && b.path("asOfSource").asText("").equals("asOf query")) {
        out.put(b.path("endpoint").asText(), 1);
      }
    }
    for (String d : unreachable(run)) {
      out.put(d, 0);
    }
    return out;
  }

  /** Endpoints the run could not connect to, from its recorded errors. */
  private Set<String> unreachable(AuditRun run) {
    Set<String> out = new LinkedHashSet<>();
    if (run == null) {
      return out;
    }
    List<String> texts = new ArrayList<>();
    if (run.error() != null) {
      texts.add(run.error());
    }
    // the report's errors, not the rows it lists (a key could spell the message)
    texts.add(parse(run).toString());
    for (String t : texts) {
      Matcher m = UNREACHABLE.matcher(t);
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  private static double seconds(Instant t) {
    return t == null ? 0 : t.toEpochMilli() / 1000.0;
  }
}
