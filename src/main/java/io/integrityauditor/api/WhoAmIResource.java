package io.integrityauditor.api;

import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/whoami}: the name and role of the token sent (never the token), so the console
 * shows what the role allows.
 */
@Path("/api/whoami")
@Produces(MediaType.APPLICATION_JSON)
public final class WhoAmIResource {
  @GET
  @RolesAllowed(ApiUser.VIEWER)
  public ApiUser whoami(@Auth ApiUser user) {
    return user;
  }
}
