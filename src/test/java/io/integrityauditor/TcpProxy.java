package io.integrityauditor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy for tests: a database that goes away ({@link #down()}: every connection cut,
 * new ones refused), comes back ({@link #up()}, same port), or hangs ({@link #hang(boolean)}:
 * connections accepted, bytes never forwarded).
 */
public final class TcpProxy implements AutoCloseable {
  private final int targetPort;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  private volatile boolean hanging;
  private volatile byte[] hangMarker;
  private volatile boolean refusing;
  private volatile boolean stalledOnMarker;
  private volatile long delayMillis;

  public TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.port = s.getLocalPort();
    start(s);
  }

  public int port() {
    return port;
  }

  private void start(ServerSocket s) {
    server = s;
    Thread t =
        new Thread(
            () -> {
              while (!s.isClosed()) {
                try {
                  Socket client = s.accept();
                  if (refusing) {
                    closeQuietly(client);
                    continue;
                  }
                  sockets.add(client);
                  Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                  sockets.add(upstream);
                  pump(client, upstream, true);
                  pump(upstream, client, false);
                } catch (IOException e) {
                  // closed, or the target refused
                }
              }
            },
            "tcp-proxy-" + port);
    t.setDaemon(true);
    t.start();
  }

  private void pump(Socket from, Socket to, boolean fromClient) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                boolean stalled = false;
                while ((n = in.read(buf)) >= 0) {
                  byte[] marker = hangMarker;
                  stalled |= fromClient && marker != null && contains(buf, n, marker);
                  stalledOnMarker |= stalled;
                  while ((hanging || stalled && hangMarker != null) && !from.isClosed()) {
                    Thread.sleep(50);
                  }
                  long delay = delayMillis;
                  if (fromClient && delay > 0) {
                    Thread.sleep(delay);
                  }
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // connection cut
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Cuts every connection and drops new ones at once, like a database that stopped. */
  public synchronized void down() {
    refusing = true;
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  /** Forwards connections again. */
  public synchronized void up() {
    refusing = false;
  }

  /** While true, connections stay open but nothing they send arrives: a hung database. */
  public void hang(boolean on) {
    hanging = on;
  }

  /**
   * While set, a connection whose client sends these bytes (e.g. a statement's text) stops there:
   * logged in, then nothing answers. Null releases them.
   */
  public void hangOn(String marker) {
    hangMarker = marker == null ? null : marker.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Delays everything clients send by this long: a distant, slow database. */
  public void delay(long millis) {
    delayMillis = millis;
  }

  /** Whether a connection has stopped at the {@link #hangOn} marker. */
  public boolean stalledOnMarker() {
    return stalledOnMarker;
  }

  private static boolean contains(byte[] buf, int n, byte[] marker) {
    outer:
    for (int i = 0; i + marker.length <= n; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (buf[i + j] != marker[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    down();
    closeQuietly(server);
  }
}
