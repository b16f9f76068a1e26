package io.integrityauditor.audit;

/**
 * What to audit: a dataset, optionally one table of it and optionally one user's rows.
 *
 * @param dataset dataset name
 * @param table table name as configured, or null for all
 * @param user owner value, or null for all users
 */
public record AuditRequest(String dataset, String table, String user) {}
