package io.integrityauditor;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.integrityauditor.config.AuditSettings;
import io.integrityauditor.config.AuthConfig;
import io.integrityauditor.config.ConfigValidator;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.ReportConfig;
import io.integrityauditor.config.Secrets;
import io.integrityauditor.config.ServiceSettings;
import io.integrityauditor.config.StateDatabaseConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The service's configuration (see README "Configuration"). */
public class IntegrityAuditorConfiguration extends Configuration {
  @JsonProperty @Valid @NotNull
  private StateDatabaseConfig stateDatabase = new StateDatabaseConfig();

  @JsonProperty @Valid @NotNull
  private Map<String, EndpointConfig> endpoints = new LinkedHashMap<>();

  @JsonProperty @Valid @NotNull private Map<String, DatasetConfig> datasets = new LinkedHashMap<>();
  @JsonProperty @Valid @NotNull private AuthConfig auth = new AuthConfig();
  @JsonProperty @Valid @NotNull private AuditSettings audit = new AuditSettings();
  @JsonProperty @Valid @NotNull private ServiceSettings service = new ServiceSettings();
  @JsonProperty @Valid @NotNull private ReportConfig report = new ReportConfig();

  public StateDatabaseConfig getStateDatabase() {
    return stateDatabase;
  }

  public Map<String, EndpointConfig> getEndpoints() {
    return endpoints;
  }

  public Map<String, DatasetConfig> getDatasets() {
    return datasets;
  }

  public AuthConfig getAuth() {
    return auth;
  }

  public AuditSettings getAudit() {
    return audit;
  }

  public ServiceSettings getService() {
    return service;
  }

  public ReportConfig getReport() {
    return report;
  }

  /**
   * The configuration's secrets outside its endpoints: API tokens, the state database's password
   * (and any in its URL), the SMTP relay's password and the webhook URL (a chat webhook's URL is
   * its credential). Endpoints' secrets come from {@link Secrets#of}.
   */
  public List<String> nonEndpointSecrets() {
    List<String> out = new java.util.ArrayList<>();
    for (AuthConfig.Token t : auth.getTokens()) {
      out.add(t.token());
    }
    out.addAll(Secrets.of(stateDatabase.getUrl(), stateDatabase.getPassword(), null));
    if (report.getSmtp() != null) {
      out.add(report.getSmtp().password());
    }
    out.add(report.getWebhookUrl());
    out.removeIf(s -> s == null || s.isEmpty());
    return out;
  }

  /**
   * Everything the service refuses to start with that annotations cannot check (references between
   * sections, schedules, time zones), each naming its field; empty when the configuration is fine.
   * The {@code server}, {@code audit} and {@code check} commands all refuse exactly these.
   */
  public List<String> problems() {
    return ConfigValidator.allProblems(this);
  }

  /** The message a command prints for {@link #problems()}, one problem per line. */
  public static String problemsMessage(List<String> problems) {
    return "The configuration has errors:\n  * " + String.join("\n  * ", problems);
  }
}
