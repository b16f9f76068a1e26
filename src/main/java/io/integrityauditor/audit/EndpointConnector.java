package io.integrityauditor.audit;

import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.Secrets;
import io.integrityauditor.dialect.Dialect;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Opens read-only sessions on audited endpoints. Every session is prepared by its dialect (read
 * only, statement and lock timeouts, UTC); errors never carry a password.
 */
public final class EndpointConnector {
  private final Map<String, EndpointConfig> endpoints;
  private final Duration statementTimeout;
  private final Duration connectTimeout;
  private final List<String> otherSecrets = new ArrayList<>();

  public EndpointConnector(
      Map<String, EndpointConfig> endpoints, Duration statementTimeout, Duration connectTimeout) {
    this.endpoints = endpoints;
    this.statementTimeout = statementTimeout;
    this.connectTimeout = connectTimeout;
  }

  /**
   * Secrets of the configuration that belong to no endpoint (API tokens, the state database's and
   * the SMTP relay's passwords): redacted like the endpoints' and withheld from restore commands.
   */
  public EndpointConnector withOtherSecrets(java.util.Collection<String> secrets) {
    for (String s : secrets) {
      if (s != null && !s.isEmpty()) {
        otherSecrets.add(s);
      }
    }
    return this;
  }

  /** Every secret value the configuration holds: endpoints' passwords and the others. */
  public List<String> secrets() {
    List<String> secrets = new ArrayList<>(otherSecrets);
    secrets.addAll(Secrets.fromEnvironment());
    for (EndpointConfig e : endpoints.values()) {
      for (String s : Secrets.of(e.url(), e.password(), e.properties())) {
        if (s != null && !s.isEmpty()) {
          secrets.add(s);
        }
      }
    }
    return secrets;
  }

  /** An endpoint could not be reached or prepared. The message is safe to show. */
  public static final class EndpointException extends RuntimeException {
    public EndpointException(String message) {
      super(message);
    }
  }

  public Dialect dialect(String endpoint) {
    return Dialect.forUrl(config(endpoint).url());
  }

  /** The configuration of an endpoint, or null when it is not configured. */
  public EndpointConfig endpoint(String name) {
    return endpoints.get(name);
  }

  /** Every configured endpoint, by name. */
  public Map<String, EndpointConfig> endpoints() {
    return endpoints;
  }

  public Duration statementTimeout() {
    return statementTimeout;
  }

  private EndpointConfig config(String endpoint) {
    EndpointConfig cfg = endpoints.get(endpoint);
    if (cfg == null) {
      throw new EndpointException("unknown endpoint '" + endpoint + "'");
    }
    return cfg;
  }

  /** Opens and prepares a session; the caller closes it. */
  public Connection open(String endpoint) {
    EndpointConfig cfg = config(endpoint);
    Properties props = new Properties();
    props.putAll(cfg.properties());
    if (cfg.user() != null) {
      props.setProperty("user", cfg.user());
    }
    if (cfg.password() != null) {
      props.setProperty("password", cfg.password());
    }
    long seconds = Math.max(1, connectTimeout.toSeconds());
    // A network that swallows packets must not hold a run (and its dataset's schedule) forever:
    // the client gives up well after the server-side statement timeout would have.
    long socketSeconds = 2 * Math.max(1, statementTimeout.toSeconds()) + 5;
    if (cfg.url().startsWith("jdbc:postgresql:")) {
      props.putIfAbsent("connectTimeout", Long.toString(seconds));
      // connectTimeout bounds the TCP connect only, and pgjdbc ignores DriverManager's login
      // timeout: a server that accepts and never answers held each login for the socket timeout
      // (2 x statementTimeout + 5 s: 245 s by default) (LoginTimeoutTest).
      props.putIfAbsent("loginTimeout", Long.toString(seconds));
      // Chunk and locate queries repeat the same text thousands of times: server-side prepared
      // after 3 uses, they skip parsing and planning (the driver's default is 5).
      props.putIfAbsent("prepareThreshold", "3");
      props.putIfAbsent("ApplicationName", "integrity-auditor");
      props.putIfAbsent("tcpKeepAlive", "true");
      props.putIfAbsent("socketTimeout", Long.toString(socketSeconds));
    } else if (cfg.url().startsWith("jdbc:mariadb:") || cfg.url().startsWith("jdbc:mysql:")) {
      props.putIfAbsent("connectTimeout", Long.toString(seconds * 1000));
      props.putIfAbsent("tcpKeepAlive", "true");
      props.putIfAbsent("socketTimeout", Long.toString(socketSeconds * 1000));
    }
    Dialect dialect = Dialect.forUrl(cfg.url());
    Connection c = null;
    try {
      DriverManager.setLoginTimeout((int) seconds);
      c = connectWaitingForASlot(cfg.url(), props, seconds);
      dialect.prepareSession(c, statementTimeout);
      return c;
    } catch (SQLException | RuntimeException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // already failing
        }
      }
      throw new EndpointException(
          "cannot open endpoint '"
              + endpoint
              + "' ("
              + Secrets.redactUrl(cfg.url())
              + "): "
              + redact(describe(e)));
    }
  }

  /**
   * A connection, tried again for up to {@code seconds} (the connect timeout) while the server
   * refuses it for having too many (PostgreSQL {@code 53300}; MariaDB/MySQL 1040, 1203, 1226): an
   * audit opens three short sessions per table and endpoint, and other audits or applications may
   * hold the rest for a moment. Regression (review 7 of session 22): three audits at once against a
   * server allowing 12 connections failed 235 - 267 of 300 tables each with "too many clients".
   */
  static Connection connectWaitingForASlot(String url, Properties props, long seconds)
      throws SQLException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long pause = 50;
    while (true) {
      try {
        return DriverManager.getConnection(url, props);
      } catch (SQLException e) {
        boolean full =
            "53300".equals(e.getSQLState())
                || e.getErrorCode() == 1040
                || e.getErrorCode() == 1203
                || e.getErrorCode() == 1226;
        if (!full || System.nanoTime() + pause * 1_000_000L > deadline) {
          throw e;
        }
        try {
          Thread.sleep(pause);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        pause = Math.min(1000, pause * 2);
      }
    }
  }

  /** Removes every configured password from a message. */
  public String redact(String message) {
    return Secrets.redact(message, secrets());
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    if (m == null && e.getCause() != null) {
      m = e.getCause().getMessage();
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
