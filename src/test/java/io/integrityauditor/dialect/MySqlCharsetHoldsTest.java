package io.integrityauditor.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What text a MariaDB character set holds, as the server converts it (checked on MariaDB 10.11).
 */
class MySqlCharsetHoldsTest {

  /**
   * MariaDB's latin1 is cp1252 plus the five bytes cp1252 leaves undefined, held as U+0081, U+008D,
   * U+008F, U+0090 and U+009D ({@code CONVERT(_latin1 0x818D8F909D USING utf8mb4)} is C281 C28D
   * C28F C290 C29D). Regression: Java's windows-1252 cannot encode them, so they counted as
   * characters a latin1 column cannot hold.
   */
  @Test
  void latin1IsCp1252WithItsFiveUndefinedBytesAsC1Controls() {
    var latin1 = MySqlDialect.holds("latin1");
    assertThat(latin1.test("u\u0081\u008d\u008f\u0090\u009d")).isTrue();
    assertThat(latin1.test("€ é ’ –")).isTrue();
    assertThat(latin1.test("\u0080")).isFalse();
    assertThat(latin1.test("\u0085")).isFalse();
    assertThat(latin1.test("userЖ1")).isFalse();
  }

  @Test
  void utf8mb3HoldsTheBasicMultilingualPlaneOnly() {
    var mb3 = MySqlDialect.holds("utf8mb3");
    assertThat(mb3.test("é\uFFFF")).isTrue();
    assertThat(mb3.test("😀")).isFalse();
    assertThat(MySqlDialect.holds("utf8mb4")).isNull();
  }
}
