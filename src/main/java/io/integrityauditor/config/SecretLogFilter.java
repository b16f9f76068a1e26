package io.integrityauditor.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Collection;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Drops every DEBUG or TRACE log event that would print a secret of the configuration (an API
 * token, a password, a URL's password parameter). The service's own lines are redacted where they
 * are written; this catches the libraries': at DEBUG, which {@code /tasks/log-level} or {@code
 * logging.level} turn on, Jetty logged each request's {@code Authorization: Bearer <token>} header
 * and pgjdbc each connection's URL with its {@code password=} (review of session 19); Jetty's DEBUG
 * and TRACE lines are dropped whatever they say (they dump request bytes, tokens cut into pieces).
 * An event is dropped whole: only the logger can say what else it meant. Events of a disabled level
 * cost nothing more.
 */
public final class SecretLogFilter extends TurboFilter {
  private final List<String> secrets;

  SecretLogFilter(Collection<String> secrets) {
    this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 3).distinct().toList();
    setName("secret-log-filter");
  }

  /** Installs the filter for these secrets, replacing one installed before. */
  public static void install(Collection<String> secrets) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    ctx.getTurboFilterList().removeIf(f -> f instanceof SecretLogFilter);
    SecretLogFilter f = new SecretLogFilter(secrets);
    f.setContext(ctx);
    f.start();
    ctx.addTurboFilter(f);
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // INFO and above pass: the service redacts its own lines, and a password that is a common word
    // (postgres) must not drop every line naming a jdbc:postgresql URL. (The effective level, not
    // isEnabledFor, which asks the turbo filters: this one again.)
    if (level == null
        || level.isGreaterOrEqual(Level.INFO)
        || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL;
    }
    if (logger.getName().startsWith("org.eclipse.jetty")) {
      // Jetty's DEBUG and TRACE dump the raw bytes of requests in windows: a window of a token
      // never holds the whole token, and every window was seen over requests of other lengths
      // (review 3 of session 20). Jetty's own internals, of no use for the audits: dropped.
      return FilterReply.DENY;
    }
    if (format != null && holdsSecret(format, params)) {
      return FilterReply.DENY;
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getMessage() != null && holdsSecret(c.getMessage(), null)) {
        return FilterReply.DENY;
      }
    }
    return FilterReply.NEUTRAL;
  }

  private boolean holdsSecret(String format, Object[] params) {
    String message =
        params == null || params.length == 0
            ? format
            : MessageFormatter.arrayFormat(format, params).getMessage();
    if (message == null) {
      return false;
    }
    for (String s : secrets) {
      if (message.contains(s)) {
        return true;
      }
    }
    // a password= parameter or URL user info whose value the configuration does not hold
    return !Secrets.redact(message, List.of()).equals(message);
  }
}
