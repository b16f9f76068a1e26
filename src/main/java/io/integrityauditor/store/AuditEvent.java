package io.integrityauditor.store;

import java.time.Instant;

/** Who triggered or cancelled a run, and when. */
public record AuditEvent(String runId, String action, String actor, Instant at) {}
