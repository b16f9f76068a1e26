package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import java.util.Map;

/**
 * One database the auditor reads. The password is never printed: {@link #toString()} and every
 * error message built from an endpoint redact it.
 */
public record EndpointConfig(
    @JsonProperty("url") @NotBlank String url,
    @JsonProperty("user") String user,
    @JsonProperty("password") String password,
    @JsonProperty("properties") Map<String, String> properties) {

  public EndpointConfig {
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }

  @Override
  public String toString() {
    return "EndpointConfig[url=" + Secrets.redactUrl(url) + ", user=" + user + ", password=***]";
  }
}
