-- Campaign webhooks are called after the batch transaction commits, never inside it (issue 7):
-- the batch leaves the step scheduled a lease ahead; the call's outcome is stored here, the
-- step made due at once, and the next batch applies it (done / retry / failed) like any other
-- action's outcome, in its own transaction. A crash before the outcome is stored makes the
-- step due again when the lease ends: the call is repeated with the same Idempotency-Key.
CREATE TABLE campaign_calls(
  log_id INTEGER PRIMARY KEY,   -- campaign_log.id
  ok INTEGER NOT NULL,          -- outcome (run.go ok* constants)
  reason TEXT,
  at INTEGER NOT NULL
);
