package io.integrityauditor.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Sessions a table's audit will need, opened on helper threads while the main thread describes the
 * table: each costs a connection and its preparation (15 - 40 ms on PostgreSQL here), and a table
 * with one copy needs six. {@link #take} hands out a session opened ahead, or opens one there and
 * then; a session that failed to open fails {@link #take} exactly as {@link EndpointConnector#open}
 * would have. Sessions never taken are closed by {@link #close}, those still opening as soon as
 * they are open.
 */
final class EarlySessions implements AutoCloseable {
  private final EndpointConnector connector;
  private final Executor executor;
  private final Map<String, Deque<CompletableFuture<Connection>>> pending = new HashMap<>();

  EarlySessions(EndpointConnector connector, Executor executor) {
    this.connector = connector;
    this.executor = executor;
  }

  /** Starts opening {@code n} sessions on the endpoint. */
  synchronized void openAhead(String endpoint, int n) {
    Deque<CompletableFuture<Connection>> q =
        pending.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
    for (int i = 0; i < n; i++) {
      q.add(CompletableFuture.supplyAsync(() -> connector.open(endpoint), executor));
    }
  }

  /** A prepared session on the endpoint; the caller closes it. */
  Connection take(String endpoint) {
    CompletableFuture<Connection> f;
    synchronized (this) {
      Deque<CompletableFuture<Connection>> q = pending.get(endpoint);
      f = q == null ? null : q.poll();
    }
    if (f == null) {
      return connector.open(endpoint);
    }
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Closes every session not taken; one still opening is closed once it is open. */
  @Override
  public synchronized void close() {
    for (Deque<CompletableFuture<Connection>> q : pending.values()) {
      for (CompletableFuture<Connection> f : q) {
        f.whenComplete(
            (c, e) -> {
              if (c != null) {
                try {
                  c.close();
                } catch (SQLException ignored) {
                  // best effort: the session was never used
                }
              }
            });
      }
      q.clear();
    }
  }
}
