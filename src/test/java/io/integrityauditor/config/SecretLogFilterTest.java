package io.integrityauditor.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * DEBUG and TRACE lines that would show a secret are dropped; INFO and above pass whatever they
 * say, so a password that is a common word ({@code postgres}) does not drop every line naming a
 * {@code jdbc:postgresql} URL.
 */
class SecretLogFilterTest {
  final LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
  final Logger log = ctx.getLogger("secret-log-filter-test");
  final ListAppender<ILoggingEvent> seen = new ListAppender<>();

  @AfterEach
  void remove() {
    ctx.getTurboFilterList().removeIf(f -> f instanceof SecretLogFilter);
    log.detachAppender(seen);
  }

  @Test
  void debugLinesWithASecretAreDroppedAndInfoLinesPass() {
    SecretLogFilter.install(List.of("tok-2718281828", "postgres", "pw"));
    seen.setContext(ctx);
    seen.start();
    log.addAppender(seen);
    log.setLevel(Level.TRACE);
    log.debug("parsedHeader({})", "Authorization: Bearer tok-2718281828");
    log.trace("Connecting with URL: jdbc:postgresql://db/app?user=a&password=NotConfigured9");
    log.debug("Connecting to jdbc:mariadb://auditor:Hidden7@db/app");
    log.debug("a line for {}", "nobody");
    log.info("state database jdbc:postgresql://db/state (user postgres)");
    log.warn("endpoint down: {}", "jdbc:postgresql://db/app");
    assertThat(seen.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "a line for nobody",
            "state database jdbc:postgresql://db/state (user postgres)",
            "endpoint down: jdbc:postgresql://db/app");
  }

  /**
   * Regression (review 3 of session 20): Jetty's DEBUG buffer dumps show windows of ~19 bytes of a
   * request, so a token was printed in pieces, none of which is the whole token.
   */
  @Test
  void jettysDebugLinesAreDropped() {
    SecretLogFilter.install(List.of("tok-2718281828-abcdefghij"));
    Logger jetty = ctx.getLogger("org.eclipse.jetty.io.ArrayByteBufferPool");
    ListAppender<ILoggingEvent> jettySeen = new ListAppender<>();
    jettySeen.setContext(ctx);
    jettySeen.start();
    jetty.addAppender(jettySeen);
    Level before = jetty.getLevel();
    try {
      jetty.setLevel(Level.TRACE);
      jetty.debug("HeapByteBuffer@1a2b[p=0,l=19]={<<<er tok-2718281828-a>>>}");
      jetty.trace("filled 211");
      jetty.info("Started Server@5e3a8624{STARTING}");
      assertThat(jettySeen.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("Started Server@5e3a8624{STARTING}");
    } finally {
      jetty.setLevel(before);
      jetty.detachAppender(jettySeen);
    }
  }
}
