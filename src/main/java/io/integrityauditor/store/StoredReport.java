package io.integrityauditor.store;

import java.time.Instant;
import java.time.LocalDate;

/** A weekly report as stored: the HTML page and its JSON twin. */
public record StoredReport(
    String id, LocalDate weekStart, Instant generatedAt, String html, String json) {}
