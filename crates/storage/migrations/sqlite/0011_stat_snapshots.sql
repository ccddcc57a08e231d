-- Levels of the statistics layer at the end of closed months (issue 17,
-- reports at 10,000,000 dossiers). Paired with
-- migrations/postgres/0011_stat_snapshots.sql.
--
-- A report needs each group's level at the end of the day before its period
-- and at its end: a prefix sum over stat_counts, several rows per group. The
-- level at the end of a month that closed two days or more ago changes only
-- when something writes changes dated on or before it (an import, a void, a
-- rebuild, a write with a test clock), so it is kept here once computed, one
-- row per receiving unit: `levels` packs each of the unit's groups
-- (procedure, channel, every measure; motcua_storage::ports::snapshot), so
-- that a province's level is a few hundred rows to decode instead of tens
-- of thousands to sum. unit_id 0 marks a complete snapshot, so an empty
-- level is told from a missing one.
--
-- Every write of changes dated before today deletes the snapshots from its
-- first day on, after bumping stat_epoch; a snapshot is built after bumping
-- it too, so on PostgreSQL the row lock orders a build and such a write
-- (either the build sees the write's counters, or the write deletes the
-- build's rows).
CREATE TABLE stat_snapshots (
    day      TEXT    NOT NULL,
    unit_id  INTEGER NOT NULL,
    levels   BLOB    NOT NULL,
    CONSTRAINT stat_snapshots_pkey PRIMARY KEY (day, unit_id)
);

CREATE TABLE stat_epoch (
    id  INTEGER PRIMARY KEY,
    n   BIGINT  NOT NULL
);
INSERT INTO stat_epoch (id, n) VALUES (1, 0);
