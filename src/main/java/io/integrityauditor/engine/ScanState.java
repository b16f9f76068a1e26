package io.integrityauditor.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A chunk checkpoint: how far the comparison of a table got, and everything each copy had found up
 * to there, so an interrupted audit resumes inside the table instead of reading it again.
 *
 * <p>Every copy has compared, and located the differences of, every chunk up to and including
 * {@code upTo}; nothing after it. A resumed comparison scans the keys after {@code upTo} and starts
 * each copy from its state here, so its outcome is the one an uninterrupted run would have had.
 *
 * @param keyColumns the key the state belongs to; a state for another key is not used
 * @param upTo the last key compared, encoded by {@link KeyCodec}; null when {@code done}
 * @param watermark the primary's clock when the comparison began (rows written later are in flight)
 * @param rowsScanned primary rows compared up to {@code upTo}
 * @param done the comparison of these copies is complete; {@code copies} are their outcomes
 * @param copies each copy's state
 */
public record ScanState(
    List<String> keyColumns,
    List<String> upTo,
    String watermark,
    long rowsScanned,
    boolean done,
    List<CopyState> copies) {

  /** A key and its owner. */
  public record KeyOwner(List<String> key, String owner) {}

  /** A row held back for reconciliation: key, row hash, owner. */
  public record PendingRow(List<String> key, long hash, String owner) {}

  /** A finding. */
  public record FindingState(String kind, List<String> key, String owner, List<String> columns) {
    /** The finding as written; null when its key has no exact text form. */
    static FindingState of(Finding f) {
      List<String> k = KeyCodec.encode(f.key());
      return k == null ? null : new FindingState(f.kind().name(), k, f.owner(), f.columns());
    }

    Finding toFinding() {
      return new Finding(
          Finding.Kind.valueOf(kind),
          KeyCodec.decode(key),
          owner,
          columns == null ? List.of() : columns);
    }
  }

  /** What one copy had found; the pending rows are empty once the copy is done. */
  public record CopyState(
      String copy,
      long rowsChecked,
      long missing,
      long extra,
      long changed,
      long inFlight,
      long deletedSinceBackup,
      boolean lostRowsComplete,
      List<FindingState> findings,
      List<KeyOwner> lostRows,
      List<String> owners,
      List<KeyOwner> writtenAfter,
      List<PendingRow> pendingMissing,
      List<PendingRow> pendingExtra,
      String error) {}

  /** The state of completed comparisons; null when a key cannot be written as text. */
  public static ScanState finished(List<String> keyColumns, List<CopyOutcome> outcomes) {
    List<CopyState> copies = new ArrayList<>();
    for (CopyOutcome o : outcomes) {
      CopyState c = copyState(o, List.of(), List.of());
      if (c == null) {
        return null;
      }
      copies.add(c);
    }
    return new ScanState(keyColumns, null, null, 0, true, copies);
  }

  /**
   * A copy's outcome so far, with the rows still held back for reconciliation; null when a key has
   * no exact text form.
   */
  static CopyState copyState(
      CopyOutcome o,
      java.util.Collection<RowHash> pendingMissing,
      java.util.Collection<RowHash> pendingExtra) {
    List<FindingState> findings = new ArrayList<>();
    for (Finding f : o.findings()) {
      FindingState fs = FindingState.of(f);
      if (fs == null) {
        return null;
      }
      findings.add(fs);
    }
    List<KeyOwner> lost = keyOwners(o.lostRows());
    List<KeyOwner> after = keyOwners(o.writtenAfterRows());
    List<PendingRow> pm = pending(pendingMissing);
    List<PendingRow> pe = pending(pendingExtra);
    if (lost == null || after == null || pm == null || pe == null) {
      return null;
    }
    return new CopyState(
        o.copy(),
        o.rowsChecked(),
        o.missing(),
        o.extra(),
        o.changed(),
        o.inFlight(),
        o.deletedSinceBackup(),
        o.lostRowsComplete(),
        findings,
        lost,
        new ArrayList<>(o.ownersAffected()),
        after,
        pm,
        pe,
        o.error());
  }

  /** The outcomes of a done state. */
  public List<CopyOutcome> outcomes() {
    List<CopyOutcome> out = new ArrayList<>();
    for (CopyState c : copies) {
      List<Finding> findings = new ArrayList<>();
      for (FindingState f : c.findings()) {
        findings.add(f.toFinding());
      }
      Set<String> owners = new HashSet<>(c.owners());
      out.add(
          new CopyOutcome(
              c.copy(),
              c.rowsChecked(),
              c.missing(),
              c.extra(),
              c.changed(),
              c.inFlight(),
              findings,
              toMap(c.lostRows()),
              c.lostRowsComplete(),
              owners,
              c.error(),
              c.deletedSinceBackup(),
              toMap(c.writtenAfter())));
    }
    return out;
  }

  /** The copies' names, in order. */
  public List<String> copyNames() {
    return copies.stream().map(CopyState::copy).toList();
  }

  static List<KeyOwner> keyOwners(Map<Key, String> rows) {
    List<KeyOwner> out = new ArrayList<>(rows.size());
    for (var e : rows.entrySet()) {
      List<String> k = KeyCodec.encode(e.getKey());
      if (k == null) {
        return null;
      }
      out.add(new KeyOwner(k, e.getValue()));
    }
    return out;
  }

  static Map<Key, String> toMap(List<KeyOwner> rows) {
    Map<Key, String> out = new LinkedHashMap<>();
    for (KeyOwner r : rows) {
      out.put(KeyCodec.decode(r.key()), r.owner());
    }
    return out;
  }

  static List<PendingRow> pending(java.util.Collection<RowHash> rows) {
    List<PendingRow> out = new ArrayList<>(rows.size());
    for (RowHash r : rows) {
      List<String> k = KeyCodec.encode(r.key());
      if (k == null) {
        return null;
      }
      out.add(new PendingRow(k, r.hash(), r.owner()));
    }
    return out;
  }
}
