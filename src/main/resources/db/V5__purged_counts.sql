-- What the retention purge deleted, added up: /metrics exports integrity_audit_runs_total and
-- integrity_rows_checked_total as these plus the retained history, so a purge never lowers a
-- counter (Prometheus would read the drop as a reset and increase() would over-count).
CREATE TABLE purged_run_counts (
  dataset VARCHAR(200) NOT NULL,
  result VARCHAR(20) NOT NULL,
  runs BIGINT NOT NULL,
  PRIMARY KEY (dataset, result)
);

CREATE TABLE purged_row_counts (
  dataset VARCHAR(200) NOT NULL,
  endpoint VARCHAR(200) NOT NULL,
  rows_checked BIGINT NOT NULL,
  PRIMARY KEY (dataset, endpoint)
);
