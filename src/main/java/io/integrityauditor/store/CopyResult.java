package io.integrityauditor.store;

/** Exact counts of one table on one copy in one run. */
public record CopyResult(
    String runId,
    String tableName,
    String endpoint,
    String role,
    String status,
    long missing,
    long extra,
    long changed,
    long inFlight,
    long usersAffected,
    String error) {}
