-- Per backup endpoint, the restore drill that last completed successfully there: restoreWhen
-- newFile does not restore the same newest file again after a restart (or on another clustered
-- instance), and a run resumed after a crash does not repeat a drill it completed itself. The row
-- is deleted before a drill starts: a drill overwrites the endpoint.
CREATE TABLE restored_backups (
  endpoint VARCHAR(200) NOT NULL PRIMARY KEY,
  target VARCHAR(64) NOT NULL,
  file_path VARCHAR(4000),
  file_bytes BIGINT NOT NULL,
  file_modified_nanos BIGINT,
  restored_at TIMESTAMP WITH TIME ZONE NOT NULL,
  run_id VARCHAR(36)
);
