package io.integrityauditor.api;

import io.dropwizard.auth.Authenticator;
import io.dropwizard.auth.Authorizer;
import io.integrityauditor.config.AuthConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Bearer tokens from config. Compared in constant time; the token itself is never logged or
 * returned, only its name.
 */
public final class TokenAuthenticator
    implements Authenticator<String, ApiUser>, Authorizer<ApiUser> {
  private final List<AuthConfig.Token> tokens;

  public TokenAuthenticator(List<AuthConfig.Token> tokens) {
    this.tokens = List.copyOf(tokens);
  }

  @Override
  public Optional<ApiUser> authenticate(String credentials) {
    byte[] given = credentials.getBytes(StandardCharsets.UTF_8);
    ApiUser found = null;
    for (AuthConfig.Token t : tokens) {
      // Every token is compared, so the time taken does not tell which one nearly matched.
      if (MessageDigest.isEqual(given, t.token().getBytes(StandardCharsets.UTF_8))
          && found == null) {
        found = new ApiUser(t.name(), t.role());
      }
    }
    return Optional.ofNullable(found);
  }

  @Override
  public boolean authorize(ApiUser user, String role, ContainerRequestContext context) {
    // admin may do everything a viewer may
    return role.equals(user.role()) || ApiUser.ADMIN.equals(user.role());
  }
}
