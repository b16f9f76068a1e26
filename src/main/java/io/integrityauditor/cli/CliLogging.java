package io.integrityauditor.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/** One-shot commands log warnings to stderr only, so stdout carries just the report. */
public final class CliLogging {
  private CliLogging() {}

  public static void quiet() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    PatternLayoutEncoder enc = new PatternLayoutEncoder();
    enc.setContext(ctx);
    enc.setPattern("%-5level %logger{0}: %msg%n");
    enc.start();
    ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> app = new ConsoleAppender<>();
    app.setContext(ctx);
    app.setTarget("System.err");
    app.setEncoder(enc);
    app.start();
    root.addAppender(app);
    root.setLevel(Level.WARN);
  }
}
