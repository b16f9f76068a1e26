-- Chunk checkpoints: how far a run got inside a table it had not completed, and what each copy had
-- found up to there (ScanState as JSON). One row per table and scan (hashing flavour); replaced as
-- the scan advances, deleted when the table completes.
CREATE TABLE audit_chunk_checkpoints (
  run_id VARCHAR(36) NOT NULL REFERENCES audit_runs (id) ON DELETE CASCADE,
  table_name VARCHAR(400) NOT NULL,
  scan VARCHAR(40) NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  rows_scanned BIGINT NOT NULL,
  state ${text} NOT NULL,
  PRIMARY KEY (run_id, table_name, scan)
);
