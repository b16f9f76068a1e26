package io.integrityauditor.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * A stored run's report without the rows it lists: the document with every copy's {@code findings}
 * array ({@code tables[].copies[].findings}) left out, read in one streamed pass. What the metrics
 * and the dataset views read of a report (statuses, counts, errors, replication, backups) is all
 * there, in a tree the size of the tables, not of their findings. Regression: every scrape of
 * {@code /metrics} built the whole tree of 22 reports per dataset; with 20 runs of 200 tables and
 * 1,000 findings each (12.6 MB of JSON a run) one scrape took 14 - 22 s, past Prometheus' 10 s
 * timeout.
 */
public final class ReportSummary {
  private ReportSummary() {}

  /** The summary of a report; an empty object for null or unreadable text. */
  public static JsonNode of(ObjectMapper json, String report) {
    if (report == null) {
      return json.createObjectNode();
    }
    try (JsonParser p = json.getFactory().createParser(report)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return json.createObjectNode();
      }
      return object(json, p, Level.ROOT);
    } catch (IOException | RuntimeException e) {
      return json.createObjectNode();
    }
  }

  private enum Level {
    ROOT,
    TABLE,
    COPY
  }

  /** The object the parser is at (its START_OBJECT read), at this level of the report. */
  private static ObjectNode object(ObjectMapper json, JsonParser p, Level level)
      throws IOException {
    ObjectNode out = json.createObjectNode();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (level == Level.COPY && name.equals("findings")) {
        p.skipChildren();
        continue;
      }
      Level inner =
          level == Level.ROOT && name.equals("tables")
              ? Level.TABLE
              : level == Level.TABLE && name.equals("copies") ? Level.COPY : null;
      if (inner != null && value == JsonToken.START_ARRAY) {
        ArrayNode items = out.putArray(name);
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (p.currentToken() == JsonToken.START_OBJECT) {
            items.add(object(json, p, inner));
          } else {
            items.add((JsonNode) json.readTree(p));
          }
        }
      } else {
        out.set(name, json.readTree(p));
      }
    }
    return out;
  }
}
