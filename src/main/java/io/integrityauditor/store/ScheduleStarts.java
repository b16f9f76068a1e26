package io.integrityauditor.store;

import io.integrityauditor.config.DatasetConfig;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each dataset's current schedule started, kept in the state database (table {@code
 * schedule_starts}): the earliest start any instance saw for the dataset's current cron expression.
 * The in-memory job store starts a schedule anew with each start of the service, so a dataset that
 * never completed an audit was aged from the last restart, not from when its audits were first due.
 * Regression (review 5 of session 24): a restart took such a dataset's age from 318 s to 51 s and
 * resolved its critical alert; restarted more often than the rules' {@code for:}, it never paged. A
 * changed cron starts the schedule anew (review 9 of session 24: a dataset rescheduled daily, aged
 * from a failed attempt 20 days before, would have paged at once). A state database that fails
 * costs only this: the scheduler's own start is used.
 */
public final class ScheduleStarts {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleStarts.class);

  private final StateStore store;
  private final Map<String, DatasetConfig> datasets;
  private final Function<String, Instant> scheduler;
  private final Map<String, Instant> known = new ConcurrentHashMap<>();

  public ScheduleStarts(
      StateStore store, Map<String, DatasetConfig> datasets, Function<String, Instant> scheduler) {
    this.store = store;
    this.datasets = datasets;
    this.scheduler = scheduler;
  }

  /** The dataset's schedule start, or null when it has no schedule (yet). */
  public Instant start(String dataset) {
    Instant seen = known.get(dataset);
    if (seen != null) {
      return seen;
    }
    Instant own = scheduler.apply(dataset);
    DatasetConfig cfg = datasets.get(dataset);
    if (own == null || cfg == null || cfg.schedule() == null) {
      return own;
    }
    try {
      Instant kept = remember(dataset, cfg.schedule(), own);
      known.put(dataset, kept);
      return kept;
    } catch (RuntimeException e) {
      LOG.warn(
          "schedule start of {} not kept in the state database ({}): aged from this start",
          dataset,
          e.getMessage());
      return own;
    }
  }

  /** The start kept for this dataset and cron, {@code own} when none was (or another cron). */
  private Instant remember(String dataset, String schedule, Instant own) {
    return store
        .jdbi()
        .inTransaction(
            h -> {
              var row =
                  h.createQuery(
                          "SELECT schedule, started_at FROM schedule_starts WHERE dataset = :d")
                      .bind("d", dataset)
                      .map(
                          (rs, ctx) ->
                              Map.entry(
                                  rs.getString(1),
                                  rs.getObject(2, OffsetDateTime.class).toInstant()))
                      .findOne()
                      .orElse(null);
              if (row != null && row.getKey().equals(schedule)) {
                return row.getValue().isBefore(own) ? row.getValue() : own;
              }
              h.execute("DELETE FROM schedule_starts WHERE dataset = ?", dataset);
              h.execute(
                  "INSERT INTO schedule_starts (dataset, schedule, started_at) VALUES (?, ?, ?)",
                  dataset,
                  schedule,
                  OffsetDateTime.ofInstant(own, ZoneOffset.UTC));
              return own;
            });
  }
}
