package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanonicalEncodingTest {
  private static String row(String... cols) {
    return CanonicalEncoding.encodeRow(Arrays.asList(cols));
  }

  @Test
  void nullEmptyAndTheWordNullEncodeDifferently() {
    assertThat(List.of(row((String) null), row(""), row("NULL"), row("N"))).doesNotHaveDuplicates();
  }

  @Test
  void aSeparatorMovingBetweenAdjacentColumnsChangesTheEncoding() {
    assertThat(row("a|", "b")).isNotEqualTo(row("a", "|b"));
    assertThat(row("a:", "b")).isNotEqualTo(row("a", ":b"));
    assertThat(row("1:a", "")).isNotEqualTo(row("", "1:a"));
  }

  @Test
  void lengthsCountCodePointsSoEveryEngineAgrees() {
    assertThat(CanonicalEncoding.encode("é")).isEqualTo("1:é");
    assertThat(CanonicalEncoding.encode("e\u0301")).isEqualTo("2:e\u0301");
    assertThat(CanonicalEncoding.encode("\uD83D\uDCF7")).isEqualTo("1:\uD83D\uDCF7");
  }

  @Test
  void rowHashIsTheFirst64BitsOfSha256() {
    // sha256("") = e3b0c44298fc1c14...
    assertThat(CanonicalEncoding.rowHash("")).isEqualTo(0xe3b0c44298fc1c14L);
  }

  /**
   * The streamed row hash is the hash of the row's text built whole, byte for byte (row hashes must
   * not change): texts longer than a piece with a surrogate pair across a piece's end, unpaired
   * surrogates (encoded '?'), empty values, NULLs, and binary values as their lower-case hex.
   */
  @Test
  void streamedRowHashEqualsTheHashOfTheWholeEncoding() {
    java.util.Random r = new java.util.Random(7);
    CanonicalEncoding.RowHasher hasher = new CanonicalEncoding.RowHasher();
    String pairAcrossPiece = "a".repeat(8191) + "\uD83D\uDCF7" + "é".repeat(9000);
    String unpaired = "x".repeat(8191) + "\uD83D" + "y\uDC00z";
    byte[] bytes = new byte[20000];
    r.nextBytes(bytes);
    List<Object> values =
        java.util.Arrays.asList(
            pairAcrossPiece, unpaired, "", null, "N", bytes, new byte[0], "1:a", "\uD83D");
    for (int round = 0; round < 200; round++) {
      java.util.List<Object> row = new java.util.ArrayList<>();
      int n = 1 + r.nextInt(5);
      for (int i = 0; i < n; i++) {
        row.add(values.get(r.nextInt(values.size())));
      }
      java.util.List<String> texts = new java.util.ArrayList<>();
      for (Object v : row) {
        if (v instanceof byte[] b) {
          texts.add(java.util.HexFormat.of().formatHex(b));
          hasher.addHex(b);
        } else {
          texts.add((String) v);
          hasher.add((String) v);
        }
      }
      assertThat(hasher.rowHash())
          .as("row %s", round)
          .isEqualTo(CanonicalEncoding.rowHash(CanonicalEncoding.encodeRow(texts)));
    }
  }

  @Test
  void aValueDigestIsTheSha256OfItsCanonicalText() {
    byte[] b = {0x00, (byte) 0xab, 0x7f};
    assertThat(CanonicalEncoding.valueDigest(b))
        .isEqualTo(CanonicalEncoding.valueDigest("00ab7f"))
        .startsWith("sha256:")
        .hasSize(7 + 64);
    // sha256("") = e3b0c442...
    assertThat(CanonicalEncoding.valueDigest(""))
        .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    String pairAcrossPiece = "a".repeat(8191) + "\uD83D\uDCF7";
    assertThat(CanonicalEncoding.valueDigest(pairAcrossPiece))
        .isNotEqualTo(CanonicalEncoding.valueDigest("a".repeat(8191) + "??"));
  }
}
