package io.integrityauditor.schedule;

import io.dropwizard.lifecycle.Managed;
import io.integrityauditor.audit.AuditRunner;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.ServiceSettings;
import io.integrityauditor.store.StateStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz, wired by hand: one durable job per dataset, its cron trigger upserted from config at
 * every start (so a changed schedule applies on deploy), and one-shot triggers for queued runs. RAM
 * job store on the embedded state database; a clustered JDBC job store on PostgreSQL, so several
 * instances share the schedule and each fire runs on one of them.
 */
public final class AuditScheduler implements Managed {
  static final String AUDIT_GROUP = "audit";
  static final String SCHEDULE_GROUP = "schedule";
  static final String RUN_GROUP = "run";
  private static final Logger LOG = LoggerFactory.getLogger(AuditScheduler.class);

  private final Map<String, DatasetConfig> datasets;
  private final StateStore store;
  private final AuditRunner runner;
  private final ServiceSettings settings;
  private final java.util.List<ExtraJob> extraJobs =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Scheduler scheduler;

  /** Another durable job (the weekly report): built by its own factory, upserted at start. */
  public interface ExtraJob {
    JobKey key();

    org.quartz.Job newJob();

    /**
     * Upserts the job and its trigger; {@code clustered}: whether the job store keeps triggers
     * across restarts (else the trigger is new at every start, see {@link #rememberedStart}).
     */
    void register(Scheduler scheduler, boolean clustered) throws SchedulerException;
  }

  /** Adds a job before {@link #start()}. */
  public void addJob(ExtraJob job) {
    extraJobs.add(job);
  }

  public AuditScheduler(
      Map<String, DatasetConfig> datasets,
      StateStore store,
      AuditRunner runner,
      ServiceSettings settings) {
    this.datasets = datasets;
    this.store = store;
    this.runner = runner;
    this.settings = settings;
  }

  /**
   * How late a fire may be before Quartz takes it for missed (then it runs once, as soon as
   * possible). A fire later than this loses its place: Quartz gives it the time of the moment it
   * noticed, behind every fire due before then. Regression (review 7 of session 22, documented
   * until session 23): at 60 s, when the schedules asked for more audits than the threads could
   * run, the datasets first in name order took every free thread and the last ones were starved (in
   * Quartz alone scaled down to a 2 s threshold, 4 jobs of 1.5 s due every second on 1 thread ran
   * 8, 7, 3 and 2 times in 30 s). Late fires now keep the time they were due and run in that order;
   * a fire due before a run of its dataset that began since is skipped (AuditRunner#scheduled), so
   * a backlog ends in one run (ScheduleFairnessTest).
   */
  static final java.time.Duration MISFIRE_THRESHOLD = java.time.Duration.ofHours(1);

  public boolean clustered() {
    return store.isPostgres();
  }

  @Override
  public void start() throws SchedulerException {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(settings.getThreads()));
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "audit");
    p.setProperty(
        "org.quartz.jobStore.misfireThreshold",
        Long.toString(clustered() ? LateFiresJobStore.SCAN : MISFIRE_THRESHOLD.toMillis()));
    if (clustered()) {
      // Identical on every node: the scheduler name is the cluster's name in the QRTZ_ tables.
      String ds = "state-" + UUID.randomUUID();
      DBConnectionManager.getInstance().addConnectionProvider(ds, new StateConnections(store));
      p.setProperty("org.quartz.scheduler.instanceName", "integrity-auditor");
      p.setProperty("org.quartz.scheduler.instanceId", runner.instanceId());
      p.setProperty("org.quartz.jobStore.class", LateFiresJobStore.class.getName());
      p.setProperty(
          "org.quartz.jobStore.driverDelegateClass",
          "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
      p.setProperty("org.quartz.jobStore.dataSource", ds);
      p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
      p.setProperty("org.quartz.jobStore.useProperties", "true");
      p.setProperty("org.quartz.jobStore.isClustered", "true");
      p.setProperty(
          "org.quartz.jobStore.clusterCheckinInterval",
          Long.toString(settings.getClusterCheckinInterval().toMilliseconds()));
    } else {
      // One scheduler per service in this JVM (tests start several).
      p.setProperty("org.quartz.scheduler.instanceName", "integrity-auditor-" + UUID.randomUUID());
      p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    }
    scheduler = new StdSchedulerFactory(p).getScheduler();
    scheduler.setJobFactory(
        (bundle, s) ->
            extraJobs.stream()
                .filter(j -> j.key().equals(bundle.getJobDetail().getKey()))
                .findFirst()
                .map(ExtraJob::newJob)
                .orElseGet(() -> new AuditJob(runner)));
    upsertJobsAndTriggers();
    for (ExtraJob j : extraJobs) {
      j.register(scheduler, clustered());
    }
    scheduler.start();
    LOG.info(
        "scheduler started ({} job store, {} dataset(s))",
        clustered() ? "clustered JDBC" : "RAM",
        datasets.size());
  }

  private void upsertJobsAndTriggers() throws SchedulerException {
    for (String w : io.integrityauditor.config.ConfigValidator.warnings(datasets)) {
      LOG.warn(w);
    }
    TimeZone tz = TimeZone.getTimeZone(ZoneId.of(settings.getTimeZone()));
    for (var e : datasets.entrySet()) {
      String name = e.getKey();
      JobDetail job =
          JobBuilder.newJob(AuditJob.class)
              .withIdentity(name, AUDIT_GROUP)
              .withDescription("audit of dataset " + name)
              .storeDurably()
              .requestRecovery(false)
              .build();
      scheduler.addJob(job, true, true);
      TriggerKey key = TriggerKey.triggerKey(name, SCHEDULE_GROUP);
      String cron = e.getValue().schedule();
      if (cron == null || cron.isBlank()) {
        if (scheduler.getTrigger(key) != null) {
          scheduler.unscheduleJob(key);
          LOG.info("dataset {}: schedule removed", name);
        }
        LOG.warn("dataset {}: no schedule: audited only when asked (POST /api/audits)", name);
        continue;
      }
      if (!upsertCronTrigger(scheduler, key, job, cron, tz, rememberedStart(name))) {
        continue;
      }
      LOG.info("dataset {}: schedule '{}' ({})", name, cron, tz.getID());
    }
    // Datasets no longer configured: their jobs and triggers go.
    Set<JobKey> jobs = scheduler.getJobKeys(GroupMatcher.jobGroupEquals(AUDIT_GROUP));
    for (JobKey k : jobs) {
      if (!datasets.containsKey(k.getName())) {
        scheduler.deleteJob(k);
        LOG.info("dataset {} is no longer configured: its schedule was removed", k.getName());
      }
    }
  }

  /**
   * Where the in-memory job store's cron trigger of the dataset starts: just after the fire of the
   * dataset's newest scheduled run the state database holds, so that a fire missed while the
   * service was down is a misfire and runs once at start, as the clustered job store (which keeps
   * its triggers) does. Null (start now) with the clustered store, or without a scheduled run yet.
   * Regression (review 3 of session 21): with the default H2 state database the trigger was new at
   * every start, and a fire missed while the service was down (a deploy across a daily audit) never
   * ran.
   */
  private java.util.Date rememberedStart(String dataset) {
    if (clustered()) {
      return null;
    }
    try {
      return store
          .jdbi()
          .onDemand(io.integrityauditor.store.ReportDao.class)
          .lastScheduled(dataset)
          .map(r -> afterFire(r.fireTime()))
          .orElse(null);
    } catch (RuntimeException e) {
      LOG.warn(
          "dataset {}: cannot read its last scheduled run ({}): a fire missed while the service"
              + " was down is not made up",
          dataset,
          e.getMessage());
      return null;
    }
  }

  /**
   * A trigger start whose first fire is the first fire after {@code fire}: Quartz takes a cron
   * trigger's first fire as the first after its start less one second (cron times are whole
   * seconds). Regression (review 5 of session 21): started at the fire plus 1 ms, the first fire
   * was that fire again, so every restart more than a minute after a scheduled run ran it once
   * more.
   */
  public static java.util.Date afterFire(java.time.Instant fire) {
    return java.util.Date.from(fire.plusSeconds(1));
  }

  /**
   * Creates or replaces a cron trigger unless it already has this expression and time zone (then
   * its next fire time is kept). A fire missed while no instance ran, or while the job still ran,
   * runs once as soon as possible, not once per missed fire. Returns whether it changed.
   */
  public static boolean upsertCronTrigger(
      Scheduler scheduler, TriggerKey key, JobDetail job, String cron, TimeZone tz)
      throws SchedulerException {
    return upsertCronTrigger(scheduler, key, job, cron, tz, null);
  }

  /**
   * The same, a new trigger starting at {@code startAt} (its first fire is the first after it; one
   * in the past is a misfire, run once at start), or now when null.
   */
  public static boolean upsertCronTrigger(
      Scheduler scheduler,
      TriggerKey key,
      JobDetail job,
      String cron,
      TimeZone tz,
      java.util.Date startAt)
      throws SchedulerException {
    Trigger existing = scheduler.getTrigger(key);
    if (existing instanceof CronTrigger ct
        && ct.getCronExpression().equals(cron)
        && ct.getTimeZone().getID().equals(tz.getID())) {
      return false;
    }
    TriggerBuilder<CronTrigger> builder =
        TriggerBuilder.newTrigger()
            .withIdentity(key)
            .forJob(job)
            .withSchedule(
                CronScheduleBuilder.cronSchedule(cron)
                    .inTimeZone(tz)
                    .withMisfireHandlingInstructionFireAndProceed());
    if (startAt != null) {
      builder.startAt(startAt);
    }
    Trigger trigger = builder.build();
    if (existing == null) {
      try {
        scheduler.scheduleJob(trigger);
      } catch (ObjectAlreadyExistsException raced) {
        // another instance starting at the same moment
        scheduler.rescheduleJob(key, trigger);
      }
    } else {
      scheduler.rescheduleJob(key, trigger);
    }
    return true;
  }

  /** Hands a queued run to the dataset's job; a no-op when its trigger already exists. */
  /**
   * When the dataset's current schedule started (its cron trigger's start time: when it was
   * scheduled, or rescheduled after a change of its cron expression; kept across restarts by a
   * clustered job store, the time of the start with the in-memory one), or null without one.
   */
  public java.time.Instant scheduleStart(String dataset) {
    Scheduler s = scheduler;
    if (s == null) {
      return null;
    }
    try {
      Trigger t = s.getTrigger(TriggerKey.triggerKey(dataset, SCHEDULE_GROUP));
      return t == null || t.getStartTime() == null ? null : t.getStartTime().toInstant();
    } catch (SchedulerException e) {
      return null;
    }
  }

  /** Whether the dataset is in this instance's configuration (its audit job exists). */
  public boolean configures(String dataset) {
    return datasets.containsKey(dataset);
  }

  public void enqueue(String runId, String dataset) {
    TriggerKey key = TriggerKey.triggerKey(runId, RUN_GROUP);
    try {
      if (scheduler.checkExists(key)) {
        return;
      }
      Trigger t =
          TriggerBuilder.newTrigger()
              .withIdentity(key)
              .forJob(JobKey.jobKey(dataset, AUDIT_GROUP))
              .usingJobData(AuditJob.RUN_ID, runId)
              .startNow()
              .withSchedule(
                  SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
              .build();
      scheduler.scheduleJob(t);
    } catch (ObjectAlreadyExistsException raced) {
      // another instance enqueued it
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot queue run " + runId + ": " + e.getMessage(), e);
    }
  }

  /** Whether a one-shot trigger for the run is waiting (or firing). */
  public boolean isEnqueued(String runId) {
    Scheduler s = scheduler;
    if (s == null) {
      return false; // not started (yet): nothing is queued
    }
    try {
      return s.checkExists(TriggerKey.triggerKey(runId, RUN_GROUP));
    } catch (SchedulerException e) {
      return false;
    }
  }

  /** Seconds between two fires of a cron expression from now, or -1 without a schedule. */
  public static long intervalSeconds(String cron, String timeZone) {
    return intervalSeconds(cron, timeZone, java.time.Instant.now());
  }

  /**
   * The longest of the gaps between the last three fires up to {@code now} and the next fire. The
   * stale alerts fire when the last success is older than 2 (3) times this: with the longest of
   * those gaps, that is only when the last two (three) fires passed without a success, however
   * uneven the schedule. Regression (review): the gap between the next two fires was exported, so a
   * business-hours cron ({@code 0 *}{@code /15 0-12 * * ?}) exported 900 s at 14:00 and paged
   * "three audits in a row did not complete" every evening, and a weekday cron warned every Sunday.
   */
  static long intervalSeconds(String cron, String timeZone, java.time.Instant now) {
    if (cron == null || cron.isBlank()) {
      return -1;
    }
    try {
      CronExpression ce = new CronExpression(cron);
      ce.setTimeZone(TimeZone.getTimeZone(ZoneId.of(timeZone)));
      java.util.Date at = java.util.Date.from(now);
      java.util.Date next = ce.getNextValidTimeAfter(at);
      // The last fires up to now: Quartz finds only later fires, so walk forward from ever
      // earlier starts until three are found (or four years back).
      java.util.List<java.util.Date> past = new java.util.ArrayList<>();
      for (java.time.Duration back :
          java.util.List.of(
              java.time.Duration.ofMinutes(1),
              java.time.Duration.ofHours(1),
              java.time.Duration.ofDays(1),
              java.time.Duration.ofDays(8),
              java.time.Duration.ofDays(93),
              java.time.Duration.ofDays(4 * 366))) {
        past.clear();
        java.util.Date d = ce.getNextValidTimeAfter(java.util.Date.from(now.minus(back)));
        for (int i = 0; d != null && !d.after(at) && i < 20_000; i++) {
          past.add(d);
          d = ce.getNextValidTimeAfter(d);
        }
        if (past.size() >= 3) {
          break;
        }
      }
      java.util.List<java.util.Date> fires = new java.util.ArrayList<>(past);
      if (next != null) {
        fires.add(next);
      } else {
        return -1;
      }
      if (fires.size() < 2) {
        java.util.Date after = ce.getNextValidTimeAfter(next);
        return after == null ? -1 : (after.getTime() - next.getTime()) / 1000;
      }
      long longest = 0;
      for (int i = Math.max(1, fires.size() - 3); i < fires.size(); i++) {
        longest = Math.max(longest, fires.get(i).getTime() - fires.get(i - 1).getTime());
      }
      return longest / 1000;
    } catch (java.text.ParseException e) {
      return -1;
    }
  }

  /** For the health check: started, not shut down, not in stand-by. */
  public String problem() {
    try {
      if (scheduler == null || !scheduler.isStarted()) {
        return "scheduler not started";
      }
      if (scheduler.isShutdown()) {
        return "scheduler shut down";
      }
      if (scheduler.isInStandbyMode()) {
        return "scheduler in stand-by";
      }
      return null;
    } catch (SchedulerException e) {
      return e.getMessage();
    }
  }

  @Override
  public void stop() throws SchedulerException {
    if (scheduler != null) {
      scheduler.shutdown(false);
    }
  }

  /** Quartz's connections come from the state store's pool. */
  private static final class StateConnections implements ConnectionProvider {
    private final StateStore store;

    StateConnections(StateStore store) {
      this.store = store;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return store.dataSource().getConnection();
    }

    @Override
    public void shutdown() {}

    @Override
    public void initialize() {}
  }
}
