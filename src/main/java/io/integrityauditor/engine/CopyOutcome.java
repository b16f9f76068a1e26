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
    String error) {

  public boolean failed() {
    return error != null;
  }

  public long divergent() {
    return missing + extra + changed;
  }
}
