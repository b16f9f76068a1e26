-- Per dataset, when its current schedule (cron expression) first started: the in-memory job store
-- starts a schedule anew with each start of the service, and a dataset that never completed an
-- audit is stale from its schedule's start. Kept here, a restart does not reset that age; a
-- changed cron starts it anew.
CREATE TABLE schedule_starts (
  dataset VARCHAR(200) NOT NULL PRIMARY KEY,
  schedule VARCHAR(200) NOT NULL,
  started_at TIMESTAMP WITH TIME ZONE NOT NULL
);
