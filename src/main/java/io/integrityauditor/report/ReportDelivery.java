package io.integrityauditor.report;

import io.integrityauditor.config.ReportConfig;
import io.integrityauditor.store.StoredReport;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a stored report where the config says: its JSON twin to a webhook (POST), its HTML page by
 * mail. A failed delivery is logged and reported back, never thrown: the report stays stored and
 * served. Logs name the webhook's host only (its URL often carries a secret).
 */
public final class ReportDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(ReportDelivery.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final ReportConfig config;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  public ReportDelivery(ReportConfig config) {
    this.config = config;
  }

  /** Delivers to every configured target; returns one problem per failed target. */
  public List<String> deliver(StoredReport report, String subject) {
    List<String> problems = new ArrayList<>();
    String url = config.getWebhookUrl();
    if (url != null && !url.isBlank()) {
      String host = URI.create(url).getHost();
      try {
        int status = postWebhook(url, report.json());
        if (status / 100 != 2) {
          problems.add("webhook " + host + " answered HTTP " + status);
        } else {
          LOG.info("weekly report {} posted to webhook {}", report.id(), host);
        }
      } catch (IOException e) {
        problems.add("webhook " + host + " unreachable: " + e.getClass().getSimpleName());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problems.add("webhook " + host + ": interrupted");
      }
    }
    ReportConfig.Smtp smtp = config.getSmtp();
    if (smtp != null) {
      try {
        mail(smtp, subject, report.html());
        LOG.info(
            "weekly report {} mailed to {} recipient(s) via {}",
            report.id(),
            smtp.to().size(),
            smtp.host());
      } catch (MessagingException e) {
        problems.add("mail via " + smtp.host() + " failed: " + safe(e, smtp));
      }
    }
    for (String p : problems) {
      LOG.warn("weekly report {}: {}", report.id(), p);
    }
    return problems;
  }

  private int postWebhook(String url, String json) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("User-Agent", "integrity-auditor")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
            .build();
    return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static void mail(ReportConfig.Smtp smtp, String subject, String html)
      throws MessagingException {
    Properties p = new Properties();
    boolean ssl = Boolean.TRUE.equals(smtp.ssl());
    String proto = ssl ? "smtps" : "smtp";
    p.setProperty("mail.transport.protocol", proto);
    p.setProperty("mail." + proto + ".host", smtp.host());
    p.setProperty("mail." + proto + ".port", Integer.toString(smtp.portOrDefault()));
    p.setProperty("mail." + proto + ".connectiontimeout", Long.toString(TIMEOUT.toMillis()));
    p.setProperty("mail." + proto + ".timeout", Long.toString(TIMEOUT.toMillis()));
    p.setProperty("mail." + proto + ".writetimeout", Long.toString(TIMEOUT.toMillis()));
    // STARTTLS whenever the server offers it (default on); a plain relay on localhost still works.
    p.setProperty(
        "mail.smtp.starttls.enable", Boolean.toString(!Boolean.FALSE.equals(smtp.startTls())));
    Authenticator auth = null;
    if (smtp.username() != null && !smtp.username().isBlank()) {
      p.setProperty("mail." + proto + ".auth", "true");
      auth =
          new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
              return new PasswordAuthentication(
                  smtp.username(), smtp.password() == null ? "" : smtp.password());
            }
          };
    }
    Session session = Session.getInstance(p, auth);
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(smtp.from()));
    List<InternetAddress> to = new ArrayList<>();
    for (String t : smtp.to()) {
      to.add(new InternetAddress(t));
    }
    m.setRecipients(Message.RecipientType.TO, to.toArray(new InternetAddress[0]));
    m.setSubject(subject, "UTF-8");
    m.setSentDate(new Date());
    m.setText(html, "UTF-8", "html");
    Transport.send(m);
  }

  /** The exception's message without the SMTP password. */
  private static String safe(Exception e, ReportConfig.Smtp smtp) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (smtp.password() != null && !smtp.password().isEmpty()) {
      msg = msg.replace(smtp.password(), "***");
    }
    return msg;
  }
}
