-- Paired with migrations/postgres/0020_stat_counts_fillfactor.sql, which
-- leaves room on PostgreSQL's pages of stat_counts for heap-only updates.
-- SQLite has no fill factor (its B-tree pages split and merge as rows grow),
-- so it records the version and changes nothing.
SELECT 1;
