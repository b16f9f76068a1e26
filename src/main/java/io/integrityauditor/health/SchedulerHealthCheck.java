package io.integrityauditor.health;

import com.codahale.metrics.health.HealthCheck;
import io.integrityauditor.schedule.AuditScheduler;

/** Quartz is started and not in stand-by. Audited endpoints are not checked: down is a finding. */
public final class SchedulerHealthCheck extends HealthCheck {
  private final AuditScheduler scheduler;

  public SchedulerHealthCheck(AuditScheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  protected Result check() {
    String problem = scheduler.problem();
    return problem == null
        ? Result.healthy(scheduler.clustered() ? "clustered" : "single instance")
        : Result.unhealthy(problem);
  }
}
