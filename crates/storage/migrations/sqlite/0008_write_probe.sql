-- The row /readyz writes to learn whether a node can write again after a
-- write failed for a fault of the server (disk full, I/O error, read-only
-- database): one small committed write, only while the last one failed
-- (issue 16, point 10). Paired with migrations/postgres/0009_write_probe.sql.
-- It holds nothing of the business and is not audited.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at_ms BIGINT NOT NULL
);
