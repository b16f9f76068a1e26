package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Regression (review 2 of session 24): the human output listed the users {@code frank}, {@code
 * "frank "} and {@code " eve"} as "frank, frank , eve", which read as a duplicate and a typo. An id
 * that would be ambiguous in a comma-separated list is quoted now; any other is printed as is.
 */
class UserShownTest {
  @Test
  void ambiguousIdsAreQuotedOthersAreNot() {
    assertThat(ReportPrinter.user("frank")).isEqualTo("frank");
    assertThat(ReportPrinter.user("42")).isEqualTo("42");
    assertThat(ReportPrinter.user("0a0a0a0a-0000-0000-0000-00000000000a"))
        .isEqualTo("0a0a0a0a-0000-0000-0000-00000000000a");
    assertThat(ReportPrinter.user("Jörg Müller")).isEqualTo("Jörg Müller");
    assertThat(ReportPrinter.user("frank ")).isEqualTo("\"frank \"");
    assertThat(ReportPrinter.user(" eve")).isEqualTo("\" eve\"");
    assertThat(ReportPrinter.user("")).isEqualTo("\"\"");
    assertThat(ReportPrinter.user("a, b")).isEqualTo("\"a, b\"");
    assertThat(ReportPrinter.user("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
    assertThat(ReportPrinter.user("a\\b")).isEqualTo("\"a\\\\b\"");
    assertThat(ReportPrinter.user("a\tb\u0001")).isEqualTo("\"a\\tb\\u0001\"");
    // review 9: no-break spaces, C1 controls and the list's own "more" mark
    assertThat(ReportPrinter.user("frank\u00a0")).isEqualTo("\"frank\u00a0\"");
    assertThat(ReportPrinter.user("frank\u2007")).isEqualTo("\"frank\u2007\"");
    assertThat(ReportPrinter.user("a\u009bb")).isEqualTo("\"a\\u009bb\"");
    assertThat(ReportPrinter.user("...")).isEqualTo("\"...\"");
  }
}
