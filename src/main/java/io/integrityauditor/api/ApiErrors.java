package io.integrityauditor.api;

import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** JSON errors in Dropwizard's shape: {"code": 404, "message": "..."}. */
final class ApiErrors {
  private ApiErrors() {}

  static WebApplicationException error(int status, String message) {
    return new WebApplicationException(
        message,
        Response.status(status)
            .type(MediaType.APPLICATION_JSON_TYPE)
            .entity(new ErrorMessage(status, message))
            .build());
  }
}
