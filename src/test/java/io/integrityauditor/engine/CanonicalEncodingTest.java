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
}
