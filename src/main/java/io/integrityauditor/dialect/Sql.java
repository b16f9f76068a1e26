package io.integrityauditor.dialect;

import io.integrityauditor.engine.Column;
import java.util.ArrayList;
import java.util.List;

/** A SQL text under construction with its bound key values, in order of appearance. */
final class Sql {
  record Param(Object value, Column column) {}

  final StringBuilder text = new StringBuilder();
  final List<Param> params = new ArrayList<>();

  Sql append(String s) {
    text.append(s);
    return this;
  }

  Sql param(String placeholder, Object value, Column column) {
    text.append(placeholder);
    params.add(new Param(value, column));
    return this;
  }

  @Override
  public String toString() {
    return text.toString();
  }
}
