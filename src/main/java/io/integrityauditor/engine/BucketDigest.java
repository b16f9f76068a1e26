package io.integrityauditor.engine;

/**
 * The digest of one bucket of a positional split: the rows from {@code first} (inclusive) up to the
 * next bucket's first key (exclusive).
 */
public record BucketDigest(Key first, Digest digest) {}
