package io.integrityauditor.schedule;

import io.integrityauditor.config.ReportConfig;
import io.integrityauditor.report.WeeklyReports;
import java.util.TimeZone;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders, stores and delivers the weekly report. One durable job with a cron trigger upserted from
 * config at start; with the clustered job store one instance of the cluster runs each fire.
 */
@DisallowConcurrentExecution
public final class WeeklyReportJob implements Job {
  static final JobKey KEY = JobKey.jobKey("weekly-report", "report");
  static final TriggerKey TRIGGER = TriggerKey.triggerKey("weekly-report", "report");
  private static final Logger LOG = LoggerFactory.getLogger(WeeklyReportJob.class);

  private final WeeklyReports reports;

  public WeeklyReportJob(WeeklyReports reports) {
    this.reports = reports;
  }

  @Override
  public void execute(JobExecutionContext context) {
    try {
      reports.generateScheduled(context.getScheduledFireTime().toInstant());
    } catch (RuntimeException e) {
      // Never let an exception reach Quartz: it would only log it, and could refire.
      LOG.error("weekly report failed: {}", e.getMessage(), e);
    }
  }

  /** The job as {@link AuditScheduler} registers it. */
  public static AuditScheduler.ExtraJob registration(WeeklyReports reports, ReportConfig config) {
    return new AuditScheduler.ExtraJob() {
      @Override
      public JobKey key() {
        return KEY;
      }

      @Override
      public Job newJob() {
        return new WeeklyReportJob(reports);
      }

      @Override
      public void register(Scheduler scheduler, boolean clustered) throws SchedulerException {
        // In memory, the trigger starts after the newest report: a fire missed while the service
        // was down runs once at start (as AuditScheduler#rememberedStart does for audits).
        java.util.Date startAt = null;
        if (!clustered) {
          try {
            startAt = reports.lastGenerated().map(AuditScheduler::afterFire).orElse(null);
          } catch (RuntimeException e) {
            LOG.warn("weekly report: cannot read the newest report ({})", e.getMessage());
          }
        }
        upsert(scheduler, config, startAt);
      }
    };
  }

  static void upsert(Scheduler scheduler, ReportConfig config) throws SchedulerException {
    upsert(scheduler, config, null);
  }

  static void upsert(Scheduler scheduler, ReportConfig config, java.util.Date startAt)
      throws SchedulerException {
    if (!config.isEnabled()) {
      if (scheduler.checkExists(KEY)) {
        scheduler.deleteJob(KEY);
        LOG.info("weekly report: schedule removed (report.enabled is false)");
      }
      return;
    }
    JobDetail job =
        JobBuilder.newJob(WeeklyReportJob.class)
            .withIdentity(KEY)
            .withDescription("weekly report")
            .storeDurably()
            .requestRecovery(false)
            .build();
    scheduler.addJob(job, true, true);
    TimeZone tz = TimeZone.getTimeZone(config.zone());
    if (!AuditScheduler.upsertCronTrigger(scheduler, TRIGGER, job, config.getCron(), tz, startAt)) {
      return;
    }
    LOG.info("weekly report: schedule '{}' ({})", config.getCron(), tz.getID());
  }
}
