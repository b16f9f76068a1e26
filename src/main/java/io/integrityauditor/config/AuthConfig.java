package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;

/** API tokens. */
public class AuthConfig {
  /** One API token. */
  public record Token(
      @JsonProperty("name") @NotBlank String name,
      @JsonProperty("role")
          @NotBlank
          @Pattern(regexp = "viewer|admin", message = "must be viewer or admin")
          String role,
      @JsonProperty("token") @NotBlank String token) {
    @Override
    public String toString() {
      return "Token[name=" + name + ", role=" + role + ", token=***]";
    }
  }

  @JsonProperty @Valid private List<Token> tokens = new ArrayList<>();

  public List<Token> getTokens() {
    return tokens;
  }
}
