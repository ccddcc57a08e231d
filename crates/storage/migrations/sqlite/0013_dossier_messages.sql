-- A dossier's page lists the messages sent about it (issue 18, point 10):
-- read by dossier, which the outbox's indexes (by due moment, by status)
-- do not answer without reading every message. Paired with
-- migrations/postgres/0013_dossier_messages.sql.
CREATE INDEX outbox_dossier_idx ON outbox (dossier_id, id);
