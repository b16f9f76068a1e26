package io.integrityauditor.api;

import java.security.Principal;

/** The holder of an API token: its configured name and role (viewer or admin). */
public record ApiUser(String name, String role) implements Principal {
  public static final String VIEWER = "viewer";
  public static final String ADMIN = "admin";

  @Override
  public String getName() {
    return name;
  }
}
