package io.integrityauditor.dialect;

/** Test access to {@link TableCatalog#splitName}. */
public final class TableCatalogNames {
  private TableCatalogNames() {}

  public static String[] split(String table) {
    return TableCatalog.splitName(table);
  }
}
