package io.integrityauditor.engine;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What comparing one table on one copy found. Counts are exact; {@code findings} is capped.
 *
 * @param copy the copy's endpoint name
 * @param rowsChecked primary rows whose ranges were compared
 * @param missing rows on the primary absent from the copy
 * @param extra rows on the copy absent from the primary
 * @param changed rows present on both with different values
 * @param inFlight differing rows written on the primary after the audit began (not findings)
 * @param findings the first findings, up to the cap, in key order
 * @param lostRows key to owner of every MISSING or CHANGED row (the copy cannot restore them)
 * @param lostRowsComplete false when lostRows was truncated at its memory bound
 * @param ownersAffected owners of every finding
 * @param error why the comparison of this copy could not complete, or null
 * @param deletedSinceBackup for a backup: rows it holds that the primary no longer has (deleted
 *     since the backup was taken; not findings, and not counted in {@code extra})
 * @param writtenAfterRows for a backup: key to owner of the differing rows the primary wrote at or
 *     after the backup's time (counted in {@code inFlight}): the backup cannot restore them
 */
public record CopyOutcome(
    String copy,
    long rowsChecked,
    long missing,
    long extra,
    long changed,
    long inFlight,
    List<Finding> findings,
    Map<Key, String> lostRows,
    boolean lostRowsComplete,
    Set<String> ownersAffected,
    String error,
    long deletedSinceBackup,
    Map<Key, String> writtenAfterRows) {

  public CopyOutcome(
      String copy,
      long rowsChecked,
      long missing,
      long extra,
      long changed,
      long inFlight,
      List<Finding> findings,
      Map<Key, String> lostRows,
      boolean lostRowsComplete,
      Set<String> ownersAffected,
      String error) {
    this(
        copy,
        rowsChecked,
        missing,
        extra,
        changed,
        inFlight,
        findings,
        lostRows,
        lostRowsComplete,
        ownersAffected,
        error,
        0,
        Map.of());
  }

  /** The same outcome, failed with this error. */
  public CopyOutcome withError(String message) {
    return new CopyOutcome(
        copy,
        rowsChecked,
        missing,
        extra,
        changed,
        inFlight,
        findings,
        lostRows,
        lostRowsComplete,
        ownersAffected,
        message,
        deletedSinceBackup,
        writtenAfterRows);
  }

  /** The same outcome with these lost rows. */
  public CopyOutcome withLostRows(Map<Key, String> rows, boolean complete) {
    return new CopyOutcome(
        copy,
        rowsChecked,
        missing,
        extra,
        changed,
        inFlight,
        findings,
        rows,
        complete,
        ownersAffected,
        error,
        deletedSinceBackup,
        writtenAfterRows);
  }

  public boolean failed() {
    return error != null;
  }

  public long divergent() {
    return missing + extra + changed;
  }
}
