-- The average processing time (issue 17, point 7; domain.md §9): two more
-- measures of the statistics layer, both flows on the end day. Paired with
-- migrations/sqlite/0010_processing_time.sql. The run of migrate that
-- applies this over existing dossiers rebuilds the layer from their
-- histories (motcua_service::stats::rebuild::after_migration), so the new
-- columns hold every ended dossier's time, not only those ended from now.
ALTER TABLE stat_counts ADD COLUMN resolved_timed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stat_counts ADD COLUMN processing_minutes BIGINT NOT NULL DEFAULT 0;
