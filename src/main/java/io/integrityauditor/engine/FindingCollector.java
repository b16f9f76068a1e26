package io.integrityauditor.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects the differences of one copy. Rows seen on one side only are held back until the end so
 * that a row which two databases with different collations placed in different ranges is matched up
 * again instead of being reported as both MISSING and EXTRA.
 */
final class FindingCollector {
  private final CompareSettings settings;

  /** A backup: rows only on the copy were deleted on the primary since; rows written later kept. */
  private final boolean backup;

  private final Map<Key, String> writtenAfter = new LinkedHashMap<>();
  private long deletedSinceBackup;
  private final Map<Key, RowHash> pendingMissing = new HashMap<>();
  private final Map<Key, RowHash> pendingExtra = new HashMap<>();
  private final List<Finding> findings = new ArrayList<>();
  private final Map<Key, String> lostRows = new LinkedHashMap<>();
  private final Set<String> owners = new HashSet<>();
  private boolean lostRowsComplete = true;
  private long missing;
  private long extra;
  private long changed;
  private long inFlight;

  FindingCollector(CompareSettings settings) {
    this(settings, false);
  }

  FindingCollector(CompareSettings settings, boolean backup) {
    this.settings = settings;
    this.backup = backup;
  }

  synchronized void missing(RowHash primaryRow) {
    RowHash other = pendingExtra.remove(primaryRow.key());
    if (other != null) {
      if (other.hash() != primaryRow.hash()) {
        changed(primaryRow);
      }
      return;
    }
    if (pendingMissing.size() < settings.pendingCap()) {
      pendingMissing.put(primaryRow.key(), primaryRow);
    } else {
      record(Finding.Kind.MISSING, primaryRow);
    }
  }

  synchronized void extra(RowHash copyRow) {
    RowHash other = pendingMissing.remove(copyRow.key());
    if (other != null) {
      if (other.hash() != copyRow.hash()) {
        changed(other);
      }
      return;
    }
    if (pendingExtra.size() < settings.pendingCap()) {
      pendingExtra.put(copyRow.key(), copyRow);
    } else {
      record(Finding.Kind.EXTRA, copyRow);
    }
  }

  /** Rows that differ but were written on the primary after the audit began. */
  synchronized void inFlight(long n) {
    inFlight += n;
  }

  /**
   * Rows that differ but were written on the primary at or after the watermark; a backup keeps them
   * (key to owner) since it cannot restore them.
   */
  synchronized void inFlight(Map<Key, String> rows) {
    inFlight += rows.size();
    if (!backup) {
      return;
    }
    for (var e : rows.entrySet()) {
      if (writtenAfter.size() + lostRows.size() < settings.lostRowsCap()) {
        writtenAfter.put(e.getKey(), e.getValue());
      } else {
        lostRowsComplete = false;
      }
    }
  }

  /**
   * Differing rows found the same on both sides when read again: in flight, no longer findings.
   * Their owners stay among those affected unless every finding is held (then they are counted
   * again).
   */
  synchronized void cleared(Set<Key> keys) {
    boolean wasWhole = missing + extra + changed == findings.size();
    for (java.util.Iterator<Finding> it = findings.iterator(); it.hasNext(); ) {
      Finding f = it.next();
      if (!keys.contains(f.key())) {
        continue;
      }
      it.remove();
      switch (f.kind()) {
        case MISSING -> missing--;
        case EXTRA -> extra--;
        case CHANGED -> changed--;
      }
      inFlight++;
      if (f.kind() != Finding.Kind.EXTRA) {
        lostRows.remove(f.key());
      }
    }
    if (wasWhole) {
      owners.clear();
      for (Finding f : findings) {
        if (f.owner() != null) {
          owners.add(f.owner());
        }
      }
    }
  }

  synchronized void changed(RowHash primaryRow) {
    record(Finding.Kind.CHANGED, primaryRow);
  }

  private void record(Finding.Kind kind, RowHash row) {
    if (backup && kind == Finding.Kind.EXTRA) {
      // Only on the backup: deleted on the primary since the backup was taken. Expected.
      deletedSinceBackup++;
      return;
    }
    switch (kind) {
      case MISSING -> missing++;
      case EXTRA -> extra++;
      case CHANGED -> changed++;
    }
    if (row.owner() != null) {
      owners.add(row.owner());
    }
    if (kind != Finding.Kind.EXTRA) {
      if (lostRows.size() < settings.lostRowsCap()) {
        lostRows.put(row.key(), row.owner());
      } else {
        lostRowsComplete = false;
      }
    }
    if (findings.size() < settings.findingsCap()) {
      findings.add(new Finding(kind, row.key(), row.owner(), List.of()));
    }
  }

  /**
   * Rows that differed but could not be judged (the replica fell behind): some may be rows it lost,
   * so the lost rows kept are no longer all of them and its users at risk are a lower bound.
   */
  synchronized void unjudged() {
    lostRowsComplete = false;
  }

  /** Reports every row still unmatched; call once, after the last range. */
  synchronized void flush() {
    pendingMissing.values().stream()
        .sorted((a, b) -> a.key().compareTo(b.key()))
        .forEach(r -> record(Finding.Kind.MISSING, r));
    pendingExtra.values().stream()
        .sorted((a, b) -> a.key().compareTo(b.key()))
        .forEach(r -> record(Finding.Kind.EXTRA, r));
    pendingMissing.clear();
    pendingExtra.clear();
  }

  /**
   * What was found so far, for a chunk checkpoint; null when a key has no exact text form or the
   * state holds more than {@code maxEntries} keys (writing it would cost more than re-reading).
   */
  synchronized ScanState.CopyState snapshot(String copy, long rowsChecked, long maxEntries) {
    if ((long) findings.size()
            + lostRows.size()
            + owners.size()
            + writtenAfter.size()
            + pendingMissing.size()
            + pendingExtra.size()
        > maxEntries) {
      return null;
    }
    return ScanState.copyState(
        outcome(copy, rowsChecked, findings), pendingMissing.values(), pendingExtra.values());
  }

  /** Continues from a checkpoint's state. */
  synchronized void restore(ScanState.CopyState s) {
    missing = s.missing();
    extra = s.extra();
    changed = s.changed();
    inFlight = s.inFlight();
    deletedSinceBackup = s.deletedSinceBackup();
    lostRowsComplete = s.lostRowsComplete();
    for (ScanState.FindingState f : s.findings()) {
      findings.add(f.toFinding());
    }
    lostRows.putAll(ScanState.toMap(s.lostRows()));
    owners.addAll(s.owners());
    writtenAfter.putAll(ScanState.toMap(s.writtenAfter()));
    for (ScanState.PendingRow r : s.pendingMissing()) {
      Key k = KeyCodec.decode(r.key());
      pendingMissing.put(k, new RowHash(k, r.hash(), r.owner()));
    }
    for (ScanState.PendingRow r : s.pendingExtra()) {
      Key k = KeyCodec.decode(r.key());
      pendingExtra.put(k, new RowHash(k, r.hash(), r.owner()));
    }
  }

  synchronized List<Finding> findings() {
    return findings;
  }

  synchronized CopyOutcome outcome(String copy, long rowsChecked, List<Finding> resolved) {
    List<Finding> sorted = new ArrayList<>(resolved);
    sorted.sort((a, b) -> a.key().compareTo(b.key()));
    return new CopyOutcome(
        copy,
        rowsChecked,
        missing,
        extra,
        changed,
        inFlight,
        sorted,
        lostRows,
        lostRowsComplete,
        owners,
        null,
        deletedSinceBackup,
        writtenAfter);
  }
}
