package io.integrityauditor.store;

import java.time.Instant;

/** A table an audit run completed, with its result as JSON: what a resumed run starts from. */
public record TableCheckpointRow(
    String runId, String tableName, Instant finishedAt, long rowsChecked, String checkpoint) {}
