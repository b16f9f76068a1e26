package io.integrityauditor.schedule;

import io.dropwizard.lifecycle.Managed;
import io.integrityauditor.audit.AuditRunner;
import io.integrityauditor.config.ServiceSettings;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.RunDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps runs moving: resumes runs whose instance died (no heartbeat), fails runs that make no
 * progress, re-queues queued runs the scheduler lost (a restart with the RAM job store), and
 * deletes history past its retention.
 */
public final class Watchdog implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

  private final RunDao dao;
  private final AuditRunner runner;
  private final AuditScheduler scheduler;
  private final ServiceSettings settings;
  private final Clock clock;
  private ScheduledExecutorService executor;
  private volatile boolean firstPass = true;
  private Instant lastPurge = Instant.EPOCH;

  public Watchdog(
      RunDao dao,
      AuditRunner runner,
      AuditScheduler scheduler,
      ServiceSettings settings,
      Clock clock) {
    this.dao = dao;
    this.runner = runner;
    this.scheduler = scheduler;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "audit-watchdog");
              t.setDaemon(true);
              return t;
            });
    long every = settings.getWatchdogInterval().toMilliseconds();
    executor.scheduleWithFixedDelay(this::check, 0, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  /** One pass; public for tests. */
  public void check() {
    try {
      Instant now = clock.instant();
      resumeOrphans(now);
      failStuck(now);
      requeueLost(now);
      purge(now);
      firstPass = false;
    } catch (RuntimeException e) {
      // The state database may be down: try again next time, never die.
      LOG.warn("watchdog pass failed: {}", e.getMessage());
    }
  }

  private void resumeOrphans(Instant now) {
    // Without a cluster, this process is the only one that can have been running anything: at
    // start every RUNNING run is an orphan of a previous process.
    Instant cutoff =
        firstPass && !scheduler.clustered()
            ? now.plusSeconds(1)
            : now.minusMillis(settings.getHeartbeatTimeout().toMilliseconds());
    for (AuditRun r : dao.staleRunning(cutoff)) {
      if (runner.isActive(r.id())) {
        continue; // ours, and alive: only its heartbeat is late (state database slow or down)
      }
      if (r.attempts() >= settings.getMaxAttempts()) {
        String reason =
            "interrupted "
                + r.attempts()
                + " time(s) (instance "
                + r.instanceId()
                + " stopped heart-beating); not resumed again";
        if (dao.close(r.id(), AuditRun.FAILED, now, reason) > 0) {
          LOG.warn("run {} closed: {}", r.id(), reason);
        }
      } else if (dao.requeueStale(r.id(), cutoff) > 0) {
        LOG.warn(
            "run {} of {} was interrupted on instance {} (last heartbeat {}): resuming it",
            r.id(),
            r.dataset(),
            r.instanceId(),
            r.heartbeatAt());
        scheduler.enqueue(r.id(), r.dataset());
      }
    }
  }

  private void failStuck(Instant now) {
    Duration stuck = Duration.ofMillis(settings.getStuckAfter().toMilliseconds());
    for (AuditRun r : dao.withoutProgressSince(now.minus(stuck))) {
      String reason =
          "no progress for "
              + settings.getStuckAfter()
              + " (last at "
              + r.progressAt()
              + "): stopped by the watchdog";
      if (dao.close(r.id(), AuditRun.FAILED, now, reason) > 0) {
        LOG.warn("run {} of {} failed: {}", r.id(), r.dataset(), reason);
      }
      runner.abort(r.id(), reason);
    }
  }

  private void requeueLost(Instant now) {
    Instant cutoff = now.minusMillis(2 * settings.getWatchdogInterval().toMilliseconds());
    for (AuditRun r : dao.withStatus(AuditRun.QUEUED)) {
      if ((firstPass || r.createdAt().isBefore(cutoff)) && !scheduler.isEnqueued(r.id())) {
        if (!scheduler.configures(r.dataset())) {
          // Its dataset was removed from the configuration (and its job with it): it can never
          // run. Regression: such a run, interrupted and queued to resume, stayed QUEUED for
          // ever, and every watchdog pass of every instance failed on it.
          String reason =
              "dataset '" + r.dataset() + "' is no longer configured: the run cannot be resumed";
          if (dao.close(r.id(), AuditRun.FAILED, now, reason) > 0) {
            LOG.warn("run {} closed: {}", r.id(), reason);
          }
          continue;
        }
        LOG.info("run {} of {} is queued without a trigger: queuing it again", r.id(), r.dataset());
        try {
          scheduler.enqueue(r.id(), r.dataset());
        } catch (RuntimeException e) {
          // one run that cannot be queued must not stop the pass for the others (and the purge)
          LOG.warn("cannot queue run {} of {}: {}", r.id(), r.dataset(), e.getMessage());
        }
      }
    }
  }

  private void purge(Instant now) {
    if (Duration.between(lastPurge, now).toMinutes() < 60) {
      return;
    }
    Instant before = now.minusMillis(settings.getRetention().toMilliseconds());
    int runs = dao.purgeRuns(before);
    dao.purgeEvents(before);
    int reports = dao.purgeReports(before);
    lastPurge = now;
    if (reports > 0) {
      LOG.info("deleted {} weekly report(s) generated before {}", reports, before);
    }
    if (runs > 0) {
      LOG.info(
          "deleted {} run(s) finished before {} (retention {})",
          runs,
          before,
          settings.getRetention());
    }
  }
}
