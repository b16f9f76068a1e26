package io.integrityauditor.engine;

/** One row's key, its 64-bit hash and its owner (the user it belongs to, as text; null if none). */
public record RowHash(Key key, long hash, String owner) {}
