package io.integrityauditor.engine;

import java.util.List;

/**
 * The result of digesting a range on the side that defines the split: consecutive buckets of a
 * fixed number of rows in key order, each with its first key, and the last key read when the scan
 * stopped at its row limit.
 *
 * @param buckets the buckets in key order
 * @param last the key of the last row when the limit was reached; null when the range was exhausted
 */
public record PositionalDigest(List<BucketDigest> buckets, Key last) {
  public long rows() {
    long n = 0;
    for (BucketDigest b : buckets) {
      n += b.digest().count();
    }
    return n;
  }
}
