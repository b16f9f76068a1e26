package io.integrityauditor.api;

import io.integrityauditor.report.WeeklyReports;
import io.integrityauditor.store.StoredReport;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/**
 * Weekly reports (README "Weekly report"): the HTML page and its JSON twin, the newest or by id,
 * and the list. The newest is generated on demand when none exists yet.
 */
@Path("/api/reports/weekly")
public final class WeeklyReportResource {
  /** The page may style itself and show data: images, nothing else: no script, no fetch. */
  static final String REPORT_CSP =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

  /** One stored report in the list. */
  public record Entry(String id, String weekStart, String generatedAt, String html, String json) {}

  private final WeeklyReports reports;

  public WeeklyReportResource(WeeklyReports reports) {
    this.reports = reports;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiUser.VIEWER)
  public List<Entry> list(@QueryParam("limit") String limitText) {
    int limit = ApiErrors.limit(limitText, 52);
    return reports.list(limit).stream()
        .map(
            e ->
                new Entry(
                    e.id(),
                    e.weekStart().toString(),
                    e.generatedAt().toString(),
                    "/api/reports/weekly/" + e.id(),
                    "/api/reports/weekly/" + e.id() + ".json"))
        .toList();
  }

  /** Generates a report of the last seven days now (admin): 201 with its id and Location. */
  @POST
  @Produces(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiUser.ADMIN)
  public Response generate() {
    StoredReport r = reports.generateNow();
    return Response.created(URI.create("/api/reports/weekly/" + r.id()))
        .entity(
            new Entry(
                r.id(),
                r.weekStart().toString(),
                r.generatedAt().toString(),
                "/api/reports/weekly/" + r.id(),
                "/api/reports/weekly/" + r.id() + ".json"))
        .build();
  }

  @GET
  @Path("latest")
  @Produces(MediaType.TEXT_HTML)
  @RolesAllowed(ApiUser.VIEWER)
  public Response latestHtml() {
    return html(reports.latestOrGenerate());
  }

  @GET
  @Path("latest.json")
  @Produces(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiUser.VIEWER)
  public Response latestJson() {
    return json(reports.latestOrGenerate());
  }

  @GET
  @Path("{id}.json")
  @Produces(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiUser.VIEWER)
  public Response byIdJson(@PathParam("id") String id) {
    return json(find(id));
  }

  @GET
  @Path("{id}")
  @Produces(MediaType.TEXT_HTML)
  @RolesAllowed(ApiUser.VIEWER)
  public Response byIdHtml(@PathParam("id") String id) {
    return html(find(id));
  }

  private StoredReport find(String id) {
    return reports
        .find(id)
        .orElseThrow(() -> ApiErrors.error(404, "no weekly report '" + id + "'"));
  }

  private static Response html(StoredReport r) {
    return Response.ok(r.html(), "text/html; charset=utf-8")
        .header("Content-Security-Policy", REPORT_CSP)
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Report-Id", r.id())
        .build();
  }

  private static Response json(StoredReport r) {
    return Response.ok(r.json(), MediaType.APPLICATION_JSON_TYPE)
        .header("X-Report-Id", r.id())
        .build();
  }
}
