-- The task queue (spec 01 §17) is a view over the scenario engine's records, not a second source of truth.
-- A task is a leaf step that calls a plugin. Its status is derived:
--   queued    the step is running but no attempt is executing (not picked up yet, or backing off between attempts)
--   running   an attempt of the current round is executing
--   failed    the step failed and waits for a decision
--   completed the step succeeded
--   cancelled the step was skipped or cancelled
CREATE VIEW tasks AS
SELECT
  st.id,
  st.scenario_id,
  st.path,
  st.name,
  st.plugin,
  st.operation,
  st.idempotency_key,
  st.input,
  st.output,
  st.error_class,
  st.error_message,
  st.rounds,
  st.created_at,
  st.started_at,
  st.finished_at,
  st.duration_ms,
  sc.type AS scenario_type,
  sc.subject_kind,
  sc.subject_id,
  o.id AS order_id,
  coalesce(o.client_id, sub.client_id, cl.id) AS client_id,
  coalesce(o.subscription_id, sub.id) AS subscription_id,
  CASE
    WHEN st.status = 'succeeded' THEN 'completed'
    WHEN st.status = 'failed' THEN 'failed'
    WHEN st.status IN ('skipped', 'cancelled') THEN 'cancelled'
    WHEN EXISTS (
      SELECT 1 FROM step_attempts a
      WHERE a.scenario_id = st.scenario_id AND a.path = st.path AND a.round = st.rounds AND a.status = 'running'
    ) THEN 'running'
    ELSE 'queued'
  END AS status
FROM scenario_steps st
JOIN scenarios sc ON sc.id = st.scenario_id
LEFT JOIN orders o ON sc.subject_kind = 'order' AND o.workflow_id = sc.id
LEFT JOIN subscriptions sub ON sc.subject_kind = 'subscription' AND sub.id::text = sc.subject_id
LEFT JOIN clients cl ON sc.subject_kind = 'client' AND cl.id::text = sc.subject_id
WHERE st.kind = 'task';
--> statement-breakpoint
CREATE INDEX step_attempts_current_idx ON step_attempts (scenario_id, path, round) WHERE status = 'running';
