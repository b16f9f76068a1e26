package io.integrityauditor.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value of a row's key columns, as read from one database. Values are kept in the form the
 * dialect binds back into range predicates (Long, BigInteger, BigDecimal, String or byte[]), while
 * equality and hashing use {@link Values#normalize(Object)} so a key read from the primary matches
 * the same key read from a copy.
 */
public final class Key implements Comparable<Key> {
  private final List<Object> values;
  private final List<Object> normalized;

  public Key(List<Object> values) {
    this.values = Collections.unmodifiableList(new ArrayList<>(values));
    List<Object> n = new ArrayList<>(values.size());
    for (Object v : values) {
      n.add(Values.normalizeKey(v));
    }
    this.normalized = n;
  }

  public static Key of(Object... values) {
    return new Key(List.of(values));
  }

  public List<Object> values() {
    return values;
  }

  public Object get(int i) {
    return values.get(i);
  }

  public int size() {
    return values.size();
  }

  /** The key as a JSON-friendly map: numbers stay numbers, everything else is text. */
  public Map<String, Object> toMap(List<String> columnNames) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      Object n = normalized.get(i);
      map.put(columnNames.get(i), n instanceof Number ? n : String.valueOf(n));
    }
    return map;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Key k && normalized.equals(k.normalized);
  }

  @Override
  public int hashCode() {
    return normalized.hashCode();
  }

  /** Orders keys for presentation only; range membership is always decided by the databases. */
  @Override
  public int compareTo(Key o) {
    for (int i = 0; i < Math.min(normalized.size(), o.normalized.size()); i++) {
      int c = compareValues(normalized.get(i), o.normalized.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(normalized.size(), o.normalized.size());
  }

  private static int compareValues(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return toBigDecimal(x).compareTo(toBigDecimal(y));
    }
    return String.valueOf(a).compareTo(String.valueOf(b));
  }

  private static BigDecimal toBigDecimal(Number n) {
    if (n instanceof BigDecimal d) {
      return d;
    }
    if (n instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    return BigDecimal.valueOf(n.longValue());
  }

  @Override
  public String toString() {
    return normalized.size() == 1 ? String.valueOf(normalized.get(0)) : normalized.toString();
  }
}
