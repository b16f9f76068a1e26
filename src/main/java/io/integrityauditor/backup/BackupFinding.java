package io.integrityauditor.backup;

/**
 * Something wrong with a backup itself (not with its rows).
 *
 * @param kind what is wrong
 * @param message for on-call: what was seen, with times, sizes, output
 */
public record BackupFinding(Kind kind, String message) {
  /** The kinds of backup finding. */
  public enum Kind {
    /** The backup (or its newest file) is older than {@code maxAge}. */
    STALE,
    /** No backup at all: no file matches, or the restored copy holds no backup time. */
    MISSING_BACKUP,
    /** The newest file is sharply smaller than the previous one. */
    SHRUNK,
    /** The restore command failed, timed out or was refused. */
    RESTORE_FAILED,
    /** The {@code asOf} query failed or returned something that is not a time. */
    ASOF_FAILED
  }
}
