package io.integrityauditor.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal SMTP server on 127.0.0.1 for tests: EHLO, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, QUIT.
 * Accepts everything and records each message with the credentials it came with.
 */
final class SmtpTestServer implements AutoCloseable {
  /** One received message: envelope, credentials and the raw DATA (dot-unstuffed). */
  record Mail(String from, List<String> to, String user, String password, String data) {}

  private final ServerSocket server;
  private final LinkedBlockingQueue<Mail> mails = new LinkedBlockingQueue<>();
  private final Thread thread;

  SmtpTestServer() throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "smtp-test-server");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return server.getLocalPort();
  }

  Mail await(long seconds) throws InterruptedException {
    return mails.poll(seconds, TimeUnit.SECONDS);
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(20_000);
        session(s);
      } catch (IOException e) {
        // closed, or a client gone: next
      }
    }
  }

  private void session(Socket s) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    OutputStream out = s.getOutputStream();
    say(out, "220 localhost ESMTP test");
    String from = null;
    List<String> to = new ArrayList<>();
    String user = null;
    String password = null;
    String line;
    while ((line = in.readLine()) != null) {
      String upper = line.toUpperCase();
      if (upper.startsWith("EHLO")) {
        say(out, "250-localhost\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10000000");
      } else if (upper.startsWith("HELO")) {
        say(out, "250 localhost");
      } else if (upper.startsWith("AUTH PLAIN")) {
        String b64 = line.length() > 11 ? line.substring(11).trim() : null;
        if (b64 == null || b64.isEmpty()) {
          say(out, "334 ");
          b64 = in.readLine();
        }
        String[] parts =
            new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8).split("\0");
        user = parts[1];
        password = parts[2];
        say(out, "235 2.7.0 Authentication successful");
      } else if (upper.startsWith("AUTH LOGIN")) {
        String rest = line.length() > 11 ? line.substring(11).trim() : "";
        if (rest.isEmpty()) {
          say(out, "334 VXNlcm5hbWU6");
          rest = in.readLine();
        }
        user = decode(rest);
        say(out, "334 UGFzc3dvcmQ6");
        password = decode(in.readLine());
        say(out, "235 2.7.0 Authentication successful");
      } else if (upper.startsWith("MAIL FROM:")) {
        from = address(line.substring(10));
        to = new ArrayList<>();
        say(out, "250 OK");
      } else if (upper.startsWith("RCPT TO:")) {
        to.add(address(line.substring(8)));
        say(out, "250 OK");
      } else if (upper.startsWith("DATA")) {
        say(out, "354 End data with <CR><LF>.<CR><LF>");
        StringBuilder data = new StringBuilder();
        String l;
        while ((l = in.readLine()) != null && !l.equals(".")) {
          data.append(l.startsWith("..") ? l.substring(1) : l).append("\r\n");
        }
        mails.add(new Mail(from, List.copyOf(to), user, password, data.toString()));
        say(out, "250 OK queued");
      } else if (upper.startsWith("RSET") || upper.startsWith("NOOP")) {
        say(out, "250 OK");
      } else if (upper.startsWith("QUIT")) {
        say(out, "221 Bye");
        return;
      } else {
        say(out, "502 Command not implemented");
      }
    }
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64.trim()), StandardCharsets.UTF_8);
  }

  private static String address(String s) {
    String t = s.trim();
    int a = t.indexOf('<');
    int b = t.indexOf('>');
    return a >= 0 && b > a ? t.substring(a + 1, b) : t;
  }

  private static void say(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
