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
   * audited gets the new run QUEUED behind the running one; the same request still waiting is
   * answered with its run; 429 when {@link AuditRunner#MAX_QUEUED_API_RUNS} API runs wait.
   */
  @POST
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @RolesAllowed(ApiUser.ADMIN)
  public Response trigger(@Auth ApiUser user, java.io.InputStream in) {
    byte[] body;
    try {
      // Read up to the limit only: a gzip body of 2 MB inflated to 2 GB and ran the heap out of
      // memory (review 7 of session 21). A request is well under 1 KB.
      body = in == null ? null : in.readNBytes(MAX_BODY + 1);
    } catch (java.io.IOException e) {
      throw ApiErrors.error(422, "the body could not be read: " + e.getMessage());
    }
    if (body != null && body.length > MAX_BODY) {
      throw ApiErrors.error(413, "the body is larger than " + MAX_BODY + " bytes");
    }
    AuditRequest request = parse(body);
    try {
      runner.audits().validate(request);
    } catch (AuditService.UnknownTargetException e) {
      throw ApiErrors.error(404, e.getMessage());
    }
    Map.Entry<AuditRun, Boolean> submitted;
    try {
      submitted = runner.submitApi(request, user.name());
    } catch (AuditRunner.QueueFull e) {
      throw ApiErrors.error(429, e.getMessage());
    }
    AuditRun run = submitted.getKey();
    scheduler.enqueue(run.id(), run.dataset());
    LOG.info(
        "audit {} of {}{}{} requested by {}{}",
        run.id(),
        request.dataset(),
        request.table() == null ? "" : " table " + request.table(),
        request.user() == null ? "" : " user " + printable(request.user()),
        user.name(),
        submitted.getValue() ? " (already queued)" : "");
    return Response.accepted(Map.of("id", run.id(), "status", run.status()))
        .location(URI.create("/api/audits/" + run.id()))
        .build();
  }

  /**
   * The request in the body. Read as bytes, JSON's own encoding (Jersey decoding it by the
   * Content-Type's charset answered 500 for {@code charset=bogus}), as one JSON value with each
   * field once. Regression (review of session 19): {@code {"dataset":"users"} trailing} ran an
   * audit of users, and {@code {"dataset":"users","dataset":"other"}} one of other.
   */
  private AuditRequest parse(byte[] body) {
    JsonNode node;
    try {
      node =
          body == null || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()
              ? null
              : json.reader()
                  .with(
                      com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                  .withFeatures(
                      com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                  .readTree(body);
    } catch (java.io.IOException e) {
      throw ApiErrors.error(
          422,
          "the body is not valid JSON: "
              + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
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
    String u = optional(node, "user", true);
    if (u != null && u.length() > MAX_USER) {
      // the state database's user_id column; regression: 401 characters answered 500
      throw ApiErrors.error(422, "'user' is longer than " + MAX_USER + " characters");
    }
    if (u != null && !validText(u)) {
      // Regression (review 7 of session 21): U+0000 answered 500 (PostgreSQL state database), a
      // lone surrogate was sent to the databases as '?' and that user's rows audited instead.
      throw ApiErrors.error(422, "'user' must be valid Unicode text: no U+0000, no lone surrogate");
    }
    return new AuditRequest(ds.asText(), optional(node, "table", false), u);
  }

  static final int MAX_USER = 400;

  /** The largest request body read. */
  static final int MAX_BODY = 64 * 1024;

  /** No U+0000, no surrogate that is not half of a pair. */
  static boolean validText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return false;
      }
      if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Text for a log line: control characters (a newline would start a forged line) and the Unicode
   * line separators as {@code \\uXXXX}. Regression (review of session 19): a user {@code "7\nERROR
   * [...] FORGED"} wrote a line of its own to the service's log.
   */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
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
      // read again: a run that ended between the lookup and the cancel showed its old status
      // ("has already ended: RUNNING", review 3 of session 21)
      String status = dao.find(id).map(AuditRun::status).orElse(run.status());
      throw ApiErrors.error(409, "audit run '" + id + "' has already ended: " + status);
    }
    LOG.info("audit {} cancelled by {}", id, user.name());
    return Response.accepted(AuditView.of(dao.find(id).orElse(run), false)).build();
  }
}
