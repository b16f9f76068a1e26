package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.quartz.CronExpression;

/** The weekly report (README "Weekly report"): when it is rendered and where it is delivered. */
public class ReportConfig {
  /** Renders the report on its schedule; false leaves only on-demand reports. */
  @JsonProperty private boolean enabled = true;

  /** Quartz cron of the weekly job: the report covers the seven days before the day it fires. */
  @JsonProperty @NotBlank private String cron = "0 0 6 ? * MON";

  /** Time zone of the cron and of the report's days. */
  @JsonProperty @NotBlank private String timeZone = "UTC";

  /** Optional: the JSON twin is POSTed here. Treated as a secret (it often embeds one). */
  @JsonProperty private String webhookUrl;

  /** Optional: the HTML page is mailed. */
  @JsonProperty @Valid private Smtp smtp;

  /** Findings listed per copy in the report (the counts are always exact). */
  @JsonProperty
  @Min(0)
  @Max(10000)
  private int findingsPerCopy = 100;

  /** An SMTP relay. The password is never printed: {@link #toString()} redacts it. */
  public record Smtp(
      @JsonProperty("host") String host,
      @JsonProperty("port") Integer port,
      @JsonProperty("from") String from,
      @JsonProperty("to") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
          List<String> to,
      @JsonProperty("username") String username,
      @JsonProperty("password") String password,
      @JsonProperty("startTls") Boolean startTls,
      @JsonProperty("ssl") Boolean ssl) {
    public Smtp {
      to = to == null ? List.of() : List.copyOf(to);
    }

    public int portOrDefault() {
      return port != null ? port : Boolean.TRUE.equals(ssl) ? 465 : 25;
    }

    @Override
    public String toString() {
      return "Smtp[host=" + host + ", port=" + port + ", from=" + from + ", password=***]";
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public String getCron() {
    return cron;
  }

  public String getTimeZone() {
    return timeZone;
  }

  public ZoneId zone() {
    return ZoneId.of(timeZone);
  }

  public String getWebhookUrl() {
    return webhookUrl;
  }

  public Smtp getSmtp() {
    return smtp;
  }

  public int getFindingsPerCopy() {
    return findingsPerCopy;
  }

  /** What is wrong with this section, each naming its field; empty when it is fine. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (!CronExpression.isValidExpression(cron)) {
      out.add("report.cron: '" + cron + "' is not a Quartz cron expression");
    }
    try {
      ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      out.add("report.timeZone: unknown time zone '" + timeZone + "'");
    }
    if (webhookUrl != null && !webhookUrl.isBlank()) {
      try {
        URI u = URI.create(webhookUrl);
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())
            || u.getHost() == null) {
          out.add("report.webhookUrl: must be an http:// or https:// URL");
        }
      } catch (IllegalArgumentException e) {
        out.add("report.webhookUrl: not a URL");
      }
    }
    if (smtp != null) {
      if (smtp.host() == null || smtp.host().isBlank()) {
        out.add("report.smtp.host: required");
      }
      if (smtp.from() == null || smtp.from().isBlank()) {
        out.add("report.smtp.from: required");
      }
      if (smtp.to().isEmpty()) {
        out.add("report.smtp.to: at least one recipient required");
      }
      if (smtp.port() != null && (smtp.port() < 1 || smtp.port() > 65535)) {
        out.add("report.smtp.port: must be 1 to 65535");
      }
    }
    return out;
  }
}
