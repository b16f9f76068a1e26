-- Weekly reports as rendered: the self-contained HTML page and its JSON twin, one row per report.
-- A week may have several (an on-demand partial week, then the scheduled one); the newest wins.
CREATE TABLE weekly_reports (
  id VARCHAR(36) PRIMARY KEY,
  week_start DATE NOT NULL,
  generated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  html ${text} NOT NULL,
  json ${text} NOT NULL
);
CREATE INDEX weekly_reports_by_time ON weekly_reports (generated_at);
