package io.integrityauditor.schedule;

import org.quartz.impl.jdbcjobstore.JobStoreTX;

/**
 * The clustered JDBC job store, with fires counted as missed only {@link
 * AuditScheduler#MISFIRE_THRESHOLD} after they were due, while its misfire handler still looks for
 * missed fires every {@link #SCAN} (Quartz sleeps its misfire threshold between scans). Regression
 * (review 4 of session 23): with the threshold itself at an hour, a fire over an hour late waited
 * up to another hour for the next scan, every thread idle.
 */
public final class LateFiresJobStore extends JobStoreTX {
  /** How often the misfire handler looks for missed fires. */
  static final long SCAN = 60_000;

  public LateFiresJobStore() {
    setMisfireThreshold(SCAN);
  }

  /** Fires due before this are missed: acquired by the misfire handler, not in their turn. */
  @Override
  protected long getMisfireTime() {
    return System.currentTimeMillis() - AuditScheduler.MISFIRE_THRESHOLD.toMillis();
  }
}
