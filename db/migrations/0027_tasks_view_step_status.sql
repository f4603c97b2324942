-- The task list filters on the step's own status as well as on the derived one (issue 16): the derived status
-- is a CASE over the attempts that no index serves, so a filter on it alone walked every older task. The step
-- status, last so that CREATE OR REPLACE keeps the view's other columns, lets scenario_steps_tasks_idx
-- (kind, status, id) find a status's tasks newest first. Otherwise the view is 0005's.
CREATE OR REPLACE VIEW tasks AS
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
  -- A task retrying by itself shows why: the error class of its latest attempt (transient, unknown_outcome).
  CASE WHEN st.status = 'running' THEN (
    SELECT a.error_class FROM step_attempts a
    WHERE a.scenario_id = st.scenario_id AND a.path = st.path
    ORDER BY a.round DESC, a.attempt DESC LIMIT 1
  ) ELSE st.error_class END AS error_class,
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
  END AS status,
  st.status AS step_status
FROM scenario_steps st
JOIN scenarios sc ON sc.id = st.scenario_id
LEFT JOIN orders o ON sc.subject_kind = 'order' AND o.workflow_id = sc.id
LEFT JOIN subscriptions sub ON sc.subject_kind = 'subscription' AND sub.id::text = sc.subject_id
LEFT JOIN clients cl ON sc.subject_kind = 'client' AND cl.id::text = sc.subject_id
WHERE st.kind = 'task';
