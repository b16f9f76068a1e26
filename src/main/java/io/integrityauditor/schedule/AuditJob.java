package io.integrityauditor.schedule;

import io.integrityauditor.audit.AuditRunner;
import io.integrityauditor.store.AuditRun;
import java.util.Optional;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits one dataset: fired by its cron trigger (a new scheduled run) or by a one-shot trigger
 * carrying the id of a queued run (ad hoc, or resumed). One at a time per dataset, across the
 * cluster; a second request waits as QUEUED.
 */
@DisallowConcurrentExecution
public final class AuditJob implements Job {
  static final String RUN_ID = "runId";
  private static final Logger LOG = LoggerFactory.getLogger(AuditJob.class);

  private final AuditRunner runner;

  public AuditJob(AuditRunner runner) {
    this.runner = runner;
  }

  @Override
  public void execute(JobExecutionContext context) {
    String dataset = context.getJobDetail().getKey().getName();
    String runId = context.getMergedJobDataMap().getString(RUN_ID);
    try {
      if (runId == null) {
        // One run per scheduled fire time, even if two instances were to fire it.
        String fireKey = dataset + "@" + context.getScheduledFireTime().toInstant();
        Optional<AuditRun> run =
            runner.scheduled(dataset, fireKey, context.getScheduledFireTime().toInstant());
        if (run.isEmpty()) {
          return; // it has its run, or a newer run covered it (AuditRunner logs which)
        }
        runId = run.get().id();
      }
      runner.execute(runId);
    } catch (RuntimeException e) {
      // Never let an exception reach Quartz: it would only log it, and could refire.
      LOG.error("audit of dataset {} (run {}) failed: {}", dataset, runId, e.getMessage(), e);
    }
  }
}
