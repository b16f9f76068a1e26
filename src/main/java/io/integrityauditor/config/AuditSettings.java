package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** How audits run. The defaults suit tables from a few rows to billions. */
public class AuditSettings {
  @JsonProperty
  @Min(0)
  @Max(1_000_000)
  private int findingsCap = 1000;

  @JsonProperty @NotNull private Duration chunkTarget = Duration.milliseconds(20);
  @JsonProperty @NotNull private Duration statementTimeout = Duration.minutes(2);
  @JsonProperty @NotNull private Duration connectTimeout = Duration.seconds(10);
  @JsonProperty @NotNull private Duration replicaWait = Duration.seconds(10);
  @JsonProperty @NotNull private Duration maxReplicaLag = Duration.seconds(30);

  public Duration getMaxReplicaLag() {
    return maxReplicaLag;
  }

  @JsonProperty
  @Min(0)
  @Max(20)
  private int recheckAttempts = 3;

  /**
   * A table with a single integer key whose keys span at most this many values is digested in one
   * statement per side where that is cheaper than chunks (PostgreSQL); 0 turns it off. The
   * statement also stays within statementTimeout at 100,000 rows per second.
   */
  @JsonProperty
  @Min(0)
  @Max(1_000_000_000)
  private long onePassMaxRows = 10_000_000;

  public long getOnePassMaxRows() {
    return onePassMaxRows;
  }

  public Duration getReplicaWait() {
    return replicaWait;
  }

  public int getRecheckAttempts() {
    return recheckAttempts;
  }

  public int getFindingsCap() {
    return findingsCap;
  }

  public Duration getChunkTarget() {
    return chunkTarget;
  }

  public Duration getStatementTimeout() {
    return statementTimeout;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }
}
