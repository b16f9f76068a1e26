package io.integrityauditor.store;

import java.time.Instant;

/**
 * How far a run got inside a table it had not completed, for one scan (hashing flavour): the
 * engine's ScanState as JSON. What a resumed run continues the table from.
 */
public record ChunkCheckpointRow(
    String runId,
    String tableName,
    String scan,
    Instant updatedAt,
    long rowsScanned,
    String state) {}
