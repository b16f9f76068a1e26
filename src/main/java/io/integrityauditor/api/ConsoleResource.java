package io.integrityauditor.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The console: a few static files at {@code /} and {@code /console/*}, from the jar. They need no
 * token; every datum comes from the API, with the token the user pastes (kept in sessionStorage). A
 * Jersey resource rather than an asset servlet, so {@code /api/*} and {@code /metrics} keep the
 * application's one servlet.
 */
@Path("/")
public final class ConsoleResource {
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data:; frame-src 'self' blob:; connect-src 'self'; base-uri 'none';"
          + " form-action 'none'; frame-ancestors 'none'";
  private static final Map<String, String> FILES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "console.js", "text/javascript; charset=utf-8",
          "console.css", "text/css; charset=utf-8");
  private final Map<String, byte[]> cache = new java.util.concurrent.ConcurrentHashMap<>();

  @GET
  public Response index() {
    return file("index.html");
  }

  @GET
  @Path("console/{file}")
  public Response asset(@PathParam("file") String file) {
    if (!FILES.containsKey(file)) {
      return Response.status(404).type("text/plain").entity("not found").build();
    }
    return file(file);
  }

  private Response file(String name) {
    byte[] body = cache.computeIfAbsent(name, ConsoleResource::load);
    return Response.ok(body, FILES.get(name))
        .header("Content-Security-Policy", CSP)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header("Cache-Control", "no-cache")
        .build();
  }

  private static byte[] load(String name) {
    try (InputStream in = ConsoleResource.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("console file missing from the jar: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
