package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** How the service schedules, watches and keeps audit runs (README "The service"). */
public class ServiceSettings {
  /** Time zone of every dataset's cron schedule. */
  @JsonProperty @NotBlank private String timeZone = "UTC";

  /** Audits that may run at once on one instance (one per dataset at most). */
  @JsonProperty
  @Min(1)
  @Max(64)
  private int threads = 4;

  /** How often a running audit records its progress and proves its instance alive. */
  @JsonProperty @NotNull private Duration heartbeatInterval = Duration.seconds(2);

  /** A run whose instance has not heart-beaten for this long is resumed elsewhere. */
  @JsonProperty @NotNull private Duration heartbeatTimeout = Duration.seconds(60);

  /** A run that checked no new chunk for this long is failed by the watchdog. */
  @JsonProperty @NotNull private Duration stuckAfter = Duration.minutes(30);

  /** How often the watchdog looks. */
  @JsonProperty @NotNull private Duration watchdogInterval = Duration.seconds(10);

  /** Times an interrupted run is resumed before it is closed as FAILED. */
  @JsonProperty
  @Min(1)
  @Max(100)
  private int maxAttempts = 3;

  /** Runs, findings and events older than this are deleted. */
  @JsonProperty @NotNull private Duration retention = Duration.days(90);

  /** Clustered instances check in this often; a silent one is recovered after about twice it. */
  @JsonProperty @NotNull private Duration clusterCheckinInterval = Duration.seconds(7);

  /**
   * How often a running audit records a chunk checkpoint inside a table: a resumed run continues
   * the table from there instead of reading it again.
   */
  @JsonProperty @NotNull private Duration checkpointInterval = Duration.seconds(30);

  public String getTimeZone() {
    return timeZone;
  }

  public int getThreads() {
    return threads;
  }

  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public Duration getHeartbeatTimeout() {
    return heartbeatTimeout;
  }

  public Duration getStuckAfter() {
    return stuckAfter;
  }

  public Duration getWatchdogInterval() {
    return watchdogInterval;
  }

  public int getMaxAttempts() {
    return maxAttempts;
  }

  public Duration getRetention() {
    return retention;
  }

  public Duration getCheckpointInterval() {
    return checkpointInterval;
  }

  public Duration getClusterCheckinInterval() {
    return clusterCheckinInterval;
  }
}
