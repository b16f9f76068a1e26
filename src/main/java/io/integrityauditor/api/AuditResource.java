package io.integrityauditor.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.auth.Auth;
import io.integrityauditor.audit.AuditRequest;
import io.integrityauditor.audit.AuditRunner;
import io.integrityauditor.audit.AuditService;
import io.integrityauditor.schedule.AuditScheduler;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.RunDao;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Trigger, follow, list and cancel audit runs (README "API"). */
@Path("/api/audits")
@Produces(MediaType.APPLICATION_JSON)
public final class AuditResource {
  private static final Logger LOG = LoggerFactory.getLogger(AuditResource.class);
  private static final Set<String> FIELDS = Set.of("dataset", "table", "user");

  private final AuditRunner runner;
  private final AuditScheduler scheduler;
  private final RunDao dao;
  private final ObjectMapper json;

  public AuditResource(
      AuditRunner runner, AuditScheduler scheduler, RunDao dao, ObjectMapper json) {
    this.runner = runner;
    this.scheduler = scheduler;
    this.dao = dao;
    this.json = json;
  }

  /**
   * Queues an audit and answers at once: 202 with its id and Location. A dataset already being
   * audited gets the new run QUEUED behind the running one.
   */
  @POST
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @RolesAllowed(ApiUser.ADMIN)
  public Response trigger(@Auth ApiUser user, String body) {
    AuditRequest request = parse(body);
    try {
      runner.audits().validate(request);
    } catch (AuditService.UnknownTargetException e) {
      throw ApiErrors.error(404, e.getMessage());
    }
    AuditRun run = runner.submit(request, "API", user.name());
    scheduler.enqueue(run.id(), run.dataset());
    LOG.info(
        "audit {} of {}{}{} requested by {}",
        run.id(),
        request.dataset(),
        request.table() == null ? "" : " table " + request.table(),
        request.user() == null ? "" : " user " + request.user(),
        user.name());
    return Response.accepted(Map.of("id", run.id(), "status", run.status()))
        .location(URI.create("/api/audits/" + run.id()))
        .build();
  }

  private AuditRequest parse(String body) {
    JsonNode node;
    try {
      node = body == null || body.isBlank() ? null : json.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiErrors.error(422, "the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiErrors.error(
          422,
          "the body must be a JSON object like {\"dataset\": \"users\", \"table\": ..., \"user\": ...}");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw ApiErrors.error(422, "unknown field '" + f + "' (allowed: dataset, table, user)");
      }
    }
    JsonNode ds = node.get("dataset");
    if (ds == null || !ds.isTextual() || ds.asText().isBlank()) {
      throw ApiErrors.error(422, "'dataset' is required and must be a string");
    }
    return new AuditRequest(
        ds.asText(), optional(node, "table", false), optional(node, "user", true));
  }

  private static String optional(JsonNode node, String field, boolean numberAllowed) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual() && !v.asText().isBlank()) {
      return v.asText();
    }
    if (numberAllowed && v.isIntegralNumber()) {
      return v.asText();
    }
    throw ApiErrors.error(
        422, "'" + field + "' must be a " + (numberAllowed ? "string or an integer" : "string"));
  }

  @GET
  @Path("{id}")
  @RolesAllowed(ApiUser.VIEWER)
  public AuditView get(@PathParam("id") String id) {
    return dao.find(id)
        .map(r -> AuditView.of(r, true))
        .orElseThrow(() -> ApiErrors.error(404, "no audit run '" + id + "'"));
  }

  @GET
  @RolesAllowed(ApiUser.VIEWER)
  public List<AuditView> history(
      @QueryParam("dataset") String dataset, @QueryParam("limit") String limitText) {
    int limit = ApiErrors.limit(limitText, 50);
    if (dataset != null && !runner.audits().datasets().containsKey(dataset)) {
      throw ApiErrors.error(404, "unknown dataset '" + dataset + "'");
    }
    List<AuditRun> runs = dataset == null ? dao.recent(limit) : dao.history(dataset, limit);
    return runs.stream().map(r -> AuditView.of(r, false)).toList();
  }

  /** Cancels a queued or running run: 202, 404 if unknown, 409 if it has already ended. */
  @DELETE
  @Path("{id}")
  @RolesAllowed(ApiUser.ADMIN)
  public Response cancel(@Auth ApiUser user, @PathParam("id") String id) {
    AuditRun run =
        dao.find(id).orElseThrow(() -> ApiErrors.error(404, "no audit run '" + id + "'"));
    if (!runner.cancel(id, user.name())) {
      throw ApiErrors.error(409, "audit run '" + id + "' has already ended: " + run.status());
    }
    LOG.info("audit {} cancelled by {}", id, user.name());
    return Response.accepted(AuditView.of(dao.find(id).orElse(run), false)).build();
  }
}
