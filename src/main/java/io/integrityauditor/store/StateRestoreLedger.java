package io.integrityauditor.store;

import io.integrityauditor.backup.BackupInspector.Restored;
import io.integrityauditor.backup.RestoreLedger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's {@link RestoreLedger}: table {@code restored_backups} of the state database, so
 * that what a drill restored outlives a restart and is seen by every clustered instance. A state
 * database that fails is logged and costs at most a drill run again (a failed read counts as no
 * restore); a failed delete before a drill is retried once and then logged.
 */
public final class StateRestoreLedger implements RestoreLedger {
  private static final Logger LOG = LoggerFactory.getLogger(StateRestoreLedger.class);

  private final StateStore store;

  public StateRestoreLedger(StateStore store) {
    this.store = store;
  }

  @Override
  public Restored get(String endpoint) {
    try {
      return store
          .jdbi()
          .withHandle(
              h ->
                  h.createQuery(
                          "SELECT file_path, file_bytes, file_modified_nanos, restored_at, run_id,"
                              + " target FROM restored_backups WHERE endpoint = :e")
                      .bind("e", endpoint)
                      .map(
                          (rs, ctx) -> {
                            long nanos = rs.getLong(3);
                            Instant modified =
                                rs.wasNull()
                                    ? null
                                    : Instant.ofEpochSecond(
                                        Math.floorDiv(nanos, 1_000_000_000L),
                                        Math.floorMod(nanos, 1_000_000_000L));
                            return new Restored(
                                rs.getString(1),
                                rs.getLong(2),
                                modified,
                                rs.getObject(4, OffsetDateTime.class).toInstant(),
                                rs.getString(5),
                                rs.getString(6));
                          })
                      .findOne()
                      .orElse(null));
    } catch (RuntimeException e) {
      LOG.warn(
          "restore record of {} unreadable in the state database ({}): the drill runs",
          endpoint,
          e.getMessage());
      return null;
    }
  }

  @Override
  public void put(String endpoint, Restored r) {
    try {
      store
          .jdbi()
          .useTransaction(
              h -> {
                h.execute("DELETE FROM restored_backups WHERE endpoint = ?", endpoint);
                h.createUpdate(
                        "INSERT INTO restored_backups (endpoint, target, file_path, file_bytes,"
                            + " file_modified_nanos, restored_at, run_id) VALUES (:e, :t, :p, :b,"
                            + " :m, :at, :run)")
                    .bind("e", endpoint)
                    .bind("t", r.target())
                    .bind("p", r.path())
                    .bind("b", r.bytes())
                    .bind(
                        "m",
                        r.modified() == null
                            ? null
                            : Math.addExact(
                                Math.multiplyExact(r.modified().getEpochSecond(), 1_000_000_000L),
                                r.modified().getNano()))
                    .bind("at", OffsetDateTime.ofInstant(r.restoredAt(), ZoneOffset.UTC))
                    .bind("run", r.runId())
                    .execute();
              });
    } catch (RuntimeException e) {
      LOG.warn(
          "restore of {} not recorded in the state database ({}): the next audit restores again",
          endpoint,
          e.getMessage());
    }
  }

  @Override
  public void remove(String endpoint) {
    RuntimeException failure = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        store
            .jdbi()
            .useHandle(h -> h.execute("DELETE FROM restored_backups WHERE endpoint = ?", endpoint));
        return;
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    LOG.warn(
        "restore record of {} not cleared in the state database ({}): should this drill be"
            + " interrupted, a resumed run may take the endpoint for restored",
        endpoint,
        failure.getMessage());
  }
}
