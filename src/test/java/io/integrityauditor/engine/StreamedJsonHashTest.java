package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A JSON column hashed in the JVM is streamed into the row hash (review 3 of session 24: a 15 MB
 * JSON value ran -Xmx128m out of memory); the hash must be exactly that of its canonical text, or
 * every row with JSON would differ from rows hashed before and by {@code canonicalJson}. Strings
 * longer than a piece are escaped piece by piece, so escapes and surrogate pairs at piece bounds
 * are covered.
 */
class StreamedJsonHashTest {
  private static long whole(String json) {
    CanonicalEncoding.RowHasher h = new CanonicalEncoding.RowHasher();
    h.add("before");
    h.add(Values.canonicalJson(json));
    h.add("after");
    return h.rowHash();
  }

  private static long streamed(String json) {
    CanonicalEncoding.RowHasher h = new CanonicalEncoding.RowHasher();
    h.add("before");
    Values.hashCanonicalJson(json, h);
    h.add("after");
    return h.rowHash();
  }

  @Test
  void theStreamedHashIsTheHashOfTheCanonicalText() {
    Random r = new Random(24);
    StringBuilder big = new StringBuilder();
    String[] bits = {
      "a", "\\\"", "\\\\", "\\n", "\\u0001", "é", "😀", "\\ud83d\\ude00", "/", "\\t"
    };
    while (big.length() < 40_000) {
      big.append(bits[r.nextInt(bits.length)]);
    }
    // a surrogate pair straddling the first piece bound (8,192 chars)
    String straddle = "x".repeat(8191) + "😀" + "y".repeat(9000);
    List<String> docs =
        List.of(
            "{\"b\": 1, \"a\": [1.0, 1.00, 1e2, null, true, \"s\"]}",
            "{\"k\": \"" + big + "\", \"n\": {\"z\": \"" + big + "\", \"a\": 5}}",
            "[\"" + straddle + "\"]",
            "{\"" + straddle + "\": \"" + "q".repeat(20_000) + "\\u0000\"}",
            "\"just a string\"",
            "42",
            "not json at all",
            "{\"a\": 1,}",
            "");
    com.fasterxml.jackson.databind.ObjectMapper m =
        new com.fasterxml.jackson.databind.ObjectMapper();
    for (String d : docs.subList(0, 6)) {
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> m.readTree(d)))
          .as("parses: " + d.substring(0, Math.min(40, d.length())))
          .isNull();
    }
    for (String d : docs) {
      assertThat(streamed(d)).as(d.length() > 80 ? d.substring(0, 80) : d).isEqualTo(whole(d));
    }
  }
}
