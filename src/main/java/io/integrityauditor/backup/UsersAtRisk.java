package io.integrityauditor.backup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of one table that exist in their current form on the primary alone: every replica lacks
 * or differs from them, and the newest verified backup cannot restore them (it lacks them, holds
 * another value, or they were written at or after its time). Built from the copies' findings only,
 * so its cost follows the number of differences, not the number of rows or users.
 */
public final class UsersAtRisk {
  private UsersAtRisk() {}

  /**
   * The rows at risk, key to owner.
   *
   * @param replicaLost per replica that was compared, the rows it cannot restore (MISSING or
   *     CHANGED), key to owner
   * @param backupUnrestorable the rows the newest verified backup cannot restore (MISSING, CHANGED,
   *     written after its time), or null when no backup was verified: replicas alone decide
   * @return key to owner; empty when there is no copy to decide with
   */
  public static <K> Map<K, String> rows(
      List<Map<K, String>> replicaLost, Map<K, String> backupUnrestorable) {
    List<Map<K, String>> sets = new ArrayList<>(replicaLost);
    if (backupUnrestorable != null) {
      sets.add(backupUnrestorable);
    }
    if (sets.isEmpty()) {
      return Map.of();
    }
    // Start from the smallest set: the intersection is no larger.
    Map<K, String> smallest = sets.get(0);
    for (Map<K, String> s : sets) {
      if (s.size() < smallest.size()) {
        smallest = s;
      }
    }
    Map<K, String> out = new LinkedHashMap<>(smallest);
    for (Map<K, String> s : sets) {
      if (s != smallest) {
        out.keySet().retainAll(s.keySet());
      }
    }
    return out;
  }

  /** The union of two row sets (a backup's lost rows and its rows written after its time). */
  public static <K> Map<K, String> union(Map<K, String> a, Map<K, String> b) {
    Map<K, String> out = new LinkedHashMap<>(a);
    b.forEach(out::putIfAbsent);
    return out;
  }

  /** The owners of rows, nulls left out. */
  public static List<String> owners(Collection<String> owners) {
    return owners.stream().filter(java.util.Objects::nonNull).distinct().toList();
  }
}
