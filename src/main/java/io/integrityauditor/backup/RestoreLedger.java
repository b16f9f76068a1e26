package io.integrityauditor.backup;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per backup endpoint, the restore drill that last completed successfully there ({@link
 * BackupInspector.Restored}). {@code restoreWhen: newFile} skips a drill of the file restored last,
 * and a run resumed after its process died skips the drill it had completed itself. The CLI keeps
 * it in memory for its one audit; the service keeps it in the state database, so that it outlives a
 * restart and is shared by clustered instances ({@code
 * io.integrityauditor.store.StateRestoreLedger}).
 *
 * <p>A drill overwrites the endpoint: its entry is removed before the drill starts, so a drill
 * interrupted by a crash never leaves behind the claim that the previous restore is intact.
 */
public interface RestoreLedger {
  /** The last successful restore on this endpoint, or null. */
  BackupInspector.Restored get(String endpoint);

  /** Records a successful restore. Must not throw: the restore itself succeeded. */
  void put(String endpoint, BackupInspector.Restored restored);

  /**
   * Forgets the endpoint's restore: a drill is about to overwrite it, or failed. A ledger that
   * cannot forget throws, and the drill does not run (it would leave a stale entry behind).
   */
  void remove(String endpoint);

  /** A ledger held by this process alone. */
  static RestoreLedger inMemory() {
    Map<String, BackupInspector.Restored> map = new ConcurrentHashMap<>();
    return new RestoreLedger() {
      @Override
      public BackupInspector.Restored get(String endpoint) {
        return map.get(endpoint);
      }

      @Override
      public void put(String endpoint, BackupInspector.Restored restored) {
        map.put(endpoint, restored);
      }

      @Override
      public void remove(String endpoint) {
        map.remove(endpoint);
      }
    };
  }
}
