package io.integrityauditor.health;

import com.codahale.metrics.health.HealthCheck;
import io.integrityauditor.store.StateStore;

/** The state database answers and has the schema this version needs. */
public final class StateDatabaseHealthCheck extends HealthCheck {
  private final StateStore store;

  public StateDatabaseHealthCheck(StateStore store) {
    this.store = store;
  }

  @Override
  protected Result check() {
    try {
      int v = store.schemaVersion();
      if (v < StateStore.latestVersion()) {
        return Result.unhealthy("schema version %d, expected %d", v, StateStore.latestVersion());
      }
      return Result.healthy("%s, schema version %d", store.displayUrl(), v);
    } catch (RuntimeException e) {
      return Result.unhealthy("state database %s: %s", store.displayUrl(), e.getMessage());
    }
  }
}
