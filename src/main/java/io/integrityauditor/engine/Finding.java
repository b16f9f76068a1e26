package io.integrityauditor.engine;

import java.util.List;

/**
 * A row that differs between the primary and a copy.
 *
 * @param kind MISSING (on the copy), EXTRA (only on the copy) or CHANGED
 * @param key the row's key
 * @param owner the user the row belongs to (from the primary's row; the copy's for EXTRA), or null
 * @param columns for CHANGED, the compared columns whose values differ (empty when not resolved)
 */
public record Finding(Kind kind, Key key, String owner, List<String> columns) {
  /** The kinds of difference. */
  public enum Kind {
    MISSING,
    EXTRA,
    CHANGED
  }

  public Finding withColumns(List<String> cols) {
    return new Finding(kind, key, owner, List.copyOf(cols));
  }
}
