package io.integrityauditor.store;

/** One stored finding: the key and changed columns as JSON text. */
public record StoredFinding(
    String runId,
    String tableName,
    String endpoint,
    String kind,
    String rowKey,
    String owner,
    String columnsChanged) {}
