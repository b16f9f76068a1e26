package io.integrityauditor.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.StateDatabaseConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.store.CopyResult;
import io.integrityauditor.store.RunDao;
import io.integrityauditor.store.StateStore;
import io.integrityauditor.store.StoredFinding;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A known two-week history in a state database, and the numbers a weekly report must compute from
 * it. Time zone Europe/Berlin; the week is Monday 2025-03-03 to Sunday 2025-03-09.
 *
 * <p>Dataset {@code users} (replica {@code replica}, backup {@code backup} with maxAge 14 h,
 * schedule twice a day → 14 expected fires a week): on day d, a scheduled run at 00:00 finds d
 * missing + 1 changed on the replica and d users at risk; one at 12:00 finds 2d missing and d + 10
 * users at risk; the backup always has 5 extra rows. Day 3's 12:00 run failed (its error holds a
 * secret), day 6's 12:00 run never ran. One ad-hoc table run (100 divergent rows) must not count as
 * a complete audit. Dataset {@code orders}: no backups, no schedule, one consistent API run.
 *
 * <p>Previous week: users has one scheduled run a day at 12:00 (3 missing, 2 users at risk) and two
 * failed runs.
 */
final class ReportHistory {
  static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  static final ZonedDateTime WEEK = LocalDate.of(2025, 3, 3).atStartOfDay(ZONE);
  static final String SECRET = "pw-secret-4711";
  static final String EVIL_OWNER = "<img src=x onerror=alert(1)>";
  static final String SCHEDULE = "0 0 0,12 * * ?";

  /** The complete run of Sunday 00:00: the newest complete one of the week. */
  static final String LAST_RUN = "11111111-0000-0000-0000-000000000006";

  // Expected numbers (see the class comment).
  static final long[] REPLICA_PER_DAY = {1, 2, 4, 4, 8, 10, 7};
  static final long[] USERS_AT_RISK_PER_DAY = {10, 11, 12, 3, 14, 15, 6};
  static final long[] BACKUP_AGE_PER_DAY = {46800, 50400, 54000, 14400, 61200, 64800, 25200};
  static final boolean[] BACKUP_STALE_PER_DAY = {false, false, true, false, true, true, false};

  private ReportHistory() {}

  static Map<String, DatasetConfig> datasets() {
    Map<String, DatasetConfig> m = new LinkedHashMap<>();
    m.put(
        "users",
        new DatasetConfig(
            "primary",
            List.of("replica"),
            List.of(
                new BackupConfig(
                    "backup", null, io.dropwizard.util.Duration.hours(14), null, null)),
            SCHEDULE,
            List.of(new TableConfig("public.contacts", List.of("id"), "user_id", null, null))));
    m.put(
        "orders",
        new DatasetConfig(
            "primary",
            List.of("replica2"),
            List.of(),
            null,
            List.of(new TableConfig("public.orders", List.of("id"), "user_id", null, null))));
    return m;
  }

  static StateStore store(String url) {
    return store(url, "");
  }

  static StateStore store(String url, String user) {
    StateDatabaseConfig c =
        new ObjectMapper()
            .convertValue(Map.of("url", url, "user", user), StateDatabaseConfig.class);
    return new StateStore(c);
  }

  /** Inserts the whole history into a migrated state database. */
  static void insert(StateStore store) {
    RunDao dao = store.runs();
    List<CopyResult> copies = new ArrayList<>();
    for (int d = 0; d < 7; d++) {
      ZonedDateTime day = WEEK.plusDays(d);
      // 00:00
      String id0 = d == 6 ? LAST_RUN : UUID.randomUUID().toString();
      run(
          store,
          id0,
          "users",
          null,
          "SCHEDULE",
          "FINDINGS",
          day,
          10,
          (long) d,
          report(d, 3600L * (d + 1), d == 6));
      copies.add(copy(id0, "replica", "REPLICA", d, 0, 1));
      copies.add(copy(id0, "backup", "BACKUP", 0, 5, 0));
      // A table without updatedAt on the backup, compared by counts only: CONSISTENT, its counts
      // the writes since the dump, no divergent rows (review 2 of session 22: they were counted).
      copies.add(
          new CopyResult(
              id0, "public.notes", "backup", "BACKUP", "CONSISTENT", 2, 0, 1, 0, 0, null));
      // 12:00
      if (d == 3) {
        run(
            store,
            UUID.randomUUID().toString(),
            "users",
            null,
            "SCHEDULE",
            "FAILED",
            day.plusHours(12),
            10,
            null,
            null,
            "cannot connect to jdbc:postgresql://db/app?password=" + SECRET + " (" + SECRET + ")");
      } else if (d != 6) {
        String id12 = UUID.randomUUID().toString();
        run(
            store,
            id12,
            "users",
            null,
            "SCHEDULE",
            "FINDINGS",
            day.plusHours(12),
            10,
            (long) d + 10,
            report(d, 3600L * (d + 1) + 43200, false));
        copies.add(copy(id12, "replica", "REPLICA", 2 * d, 0, 0));
        copies.add(copy(id12, "backup", "BACKUP", 0, 5, 0));
      }
    }
    // An ad-hoc table run on Wednesday: partial, so not a complete audit.
    String adHoc = UUID.randomUUID().toString();
    run(
        store,
        adHoc,
        "users",
        "public.contacts",
        "API",
        "FINDINGS",
        WEEK.plusDays(2).plusHours(15),
        5,
        50L,
        null);
    copies.add(copy(adHoc, "replica", "REPLICA", 100, 0, 0));
    // orders: one consistent API run on Tuesday.
    String orders = UUID.randomUUID().toString();
    run(
        store,
        orders,
        "orders",
        null,
        "API",
        "CONSISTENT",
        WEEK.plusDays(1).plusHours(9),
        5,
        0L,
        null);
    copies.add(copy(orders, "replica2", "REPLICA", 0, 0, 0));
    // The previous week.
    for (int d = 1; d <= 7; d++) {
      String id = UUID.randomUUID().toString();
      run(
          store,
          id,
          "users",
          null,
          "SCHEDULE",
          "FINDINGS",
          WEEK.minusDays(d).plusHours(12),
          10,
          2L,
          null);
      copies.add(copy(id, "replica", "REPLICA", 3, 0, 0));
      copies.add(copy(id, "backup", "BACKUP", 0, 0, 0));
    }
    for (int d = 1; d <= 2; d++) {
      run(
          store,
          UUID.randomUUID().toString(),
          "users",
          null,
          "SCHEDULE",
          "FAILED",
          WEEK.minusDays(d),
          10,
          null,
          null,
          "timeout");
    }
    dao.insertCopies(copies);
    dao.insertFindings(
        List.of(
            finding("replica", "MISSING", "{\"id\":105}", "5", null),
            finding("replica", "MISSING", "{\"id\":206}", "6", null),
            finding("replica", "CHANGED", "{\"id\":408}", "8", "[\"email\"]"),
            finding(
                "replica", "MISSING", "{\"id\":\"<script>alert(1)</script>\"}", EVIL_OWNER, null),
            finding("backup", "EXTRA", "{\"id\":20001}", "1", null)));
  }

  private static String report(int d, long ageSeconds, boolean last) {
    Instant asOf = WEEK.plusDays(d).toInstant().minusSeconds(ageSeconds);
    return "{\"status\":\"FINDINGS\",\"backups\":[{\"endpoint\":\"backup\",\"asOf\":\""
        + asOf
        + "\",\"ageSeconds\":"
        + ageSeconds
        + ",\"stale\":"
        + (ageSeconds > 50400)
        // The last run's restore drill failed: the age is the copy restored before.
        + (last
            ? ",\"findings\":[{\"kind\":\"RESTORE_FAILED\",\"message\":\"restore of"
                + " users-9.dump exited with 1\"}]"
            : ",\"findings\":[]")
        + "}],\"usersAtRisk\":"
        + d
        + ",\"usersAtRiskSample\":"
        + (last ? "[\"5\",\"6\",\"8\"]" : "[]")
        + "}";
  }

  private static void run(
      StateStore store,
      String id,
      String dataset,
      String table,
      String trigger,
      String status,
      ZonedDateTime created,
      int minutes,
      Long usersAtRisk,
      String report) {
    run(store, id, dataset, table, trigger, status, created, minutes, usersAtRisk, report, null);
  }

  private static void run(
      StateStore store,
      String id,
      String dataset,
      String table,
      String trigger,
      String status,
      ZonedDateTime created,
      int minutes,
      Long usersAtRisk,
      String report,
      String error) {
    // The age in the report is measured at the run's start: make finished = created for the math.
    Instant c = created.toInstant();
    Instant f = c.plusSeconds(60L * minutes);
    store
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "INSERT INTO audit_runs (id, dataset, table_name, trigger_kind, triggered_by,"
                            + " status, created_at, started_at, finished_at, attempts,"
                            + " users_at_risk, error, report) VALUES (:id, :dataset, :table,"
                            + " :trigger, :by, :status, :created, :created, :finished, 1,"
                            + " :usersAtRisk, :error, :report)")
                    .bind("id", id)
                    .bind("dataset", dataset)
                    .bind("table", table)
                    .bind("trigger", trigger)
                    .bind("by", "SCHEDULE".equals(trigger) ? "schedule" : "dba-team")
                    .bind("status", status)
                    .bind("created", c)
                    .bind("finished", f)
                    .bind("usersAtRisk", usersAtRisk)
                    .bind("error", error)
                    .bind("report", report)
                    .execute());
  }

  private static CopyResult copy(
      String run, String endpoint, String role, long missing, long extra, long changed) {
    long total = missing + extra + changed;
    return new CopyResult(
        run,
        "public.contacts",
        endpoint,
        role,
        total == 0 ? "CONSISTENT" : "FINDINGS",
        missing,
        extra,
        changed,
        0,
        total,
        null);
  }

  private static StoredFinding finding(
      String endpoint, String kind, String key, String owner, String columns) {
    return new StoredFinding(LAST_RUN, "public.contacts", endpoint, kind, key, owner, columns);
  }
}
