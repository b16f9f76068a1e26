package io.integrityauditor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Regression: {@code audit --json}'s stdout carried a log line before the report in 3 of 30 audits
 * ("[start-up-warm-up] DEBUG org.jboss.logging -- Logging Provider: ..."): the start-up warm-up
 * thread's first log line came while logback still had its default configuration (everything, to
 * stdout), and Dropwizard's start-up logging, set up next, writes warnings to stdout too. What
 * {@code main} sets up for the audit command must keep every log line off stdout from its first
 * line on, including across the application's constructor.
 */
class ReportStdoutTest {

  @Test
  void theAuditCommandsStartUpLogsNothingToStdout() throws Exception {
    PrintStream realOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      // logback as the JVM finds it before main: its default configuration, to (this) stdout
      ctx.reset();
      ch.qos.logback.classic.BasicConfigurator basic =
          new ch.qos.logback.classic.BasicConfigurator();
      basic.setContext(ctx);
      basic.configure(ctx);
      IntegrityAuditorApplication.oneShotAuditLogging();
      // the warm-up thread's first line, and a warning, before the application exists
      LoggerFactory.getLogger("org.jboss.logging").debug("Logging Provider: slf4j");
      LoggerFactory.getLogger("org.hibernate.validator").warn("a warning during start-up");
      // Dropwizard sets up its start-up logging in the application's constructor
      new IntegrityAuditorApplication();
      LoggerFactory.getLogger("org.hibernate.validator").warn("a warning after it");
    } finally {
      System.setOut(realOut);
      // as it was for the other tests of this JVM
      IntegrityAuditorApplication.oneShotAudit = false;
      ctx.reset();
      new ContextInitializer(ctx).autoConfig();
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
