package io.integrityauditor.api;

import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** JSON errors in Dropwizard's shape: {"code": 404, "message": "..."}. */
final class ApiErrors {
  private ApiErrors() {}

  /** A {@code limit} query parameter: absent gives the default, else 1..1000 or 422. */
  static int limit(String text, int byDefault) {
    if (text == null) {
      return byDefault;
    }
    int limit;
    try {
      limit = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > 1000) {
      throw error(422, "'limit' must be an integer from 1 to 1000");
    }
    return limit;
  }

  static WebApplicationException error(int status, String message) {
    return new WebApplicationException(
        message,
        Response.status(status)
            .type(MediaType.APPLICATION_JSON_TYPE)
            .entity(new ErrorMessage(status, message))
            .build());
  }
}
