-- The statistics layer (issue 17; domain.md §9): per-day changes of every
-- counted measure, per receiving unit, procedure and channel, written in the
-- same transaction as the dossier change that moves them. Paired with
-- migrations/postgres/0009_statistics.sql: same table, columns and names.
--
-- A measure is a level over days (flows are cumulative), so a period's
-- figures are the levels at the end of the day before it and at the end of
-- its last day: prefix sums. The changes are kept at four grains so that a
-- prefix costs few rows per group: 'y' rows hold a whole year's changes,
-- 'q' rows a quarter's, 'm' rows a month's, 'd' rows a day's; every change
-- is added to its day, month, quarter and year. bucket is the first day of
-- the grain's period.
CREATE TABLE stat_counts (
    grain         TEXT    NOT NULL,
    bucket        TEXT    NOT NULL,
    unit_id       INTEGER NOT NULL,
    procedure_id  INTEGER NOT NULL,
    channel       TEXT    NOT NULL,
    received                 INTEGER NOT NULL DEFAULT 0,
    received_digitised       INTEGER NOT NULL DEFAULT 0,
    received_fully_digitised INTEGER NOT NULL DEFAULT 0,
    received_reused          INTEGER NOT NULL DEFAULT 0,
    refused_at_reception     INTEGER NOT NULL DEFAULT 0,
    resolved                 INTEGER NOT NULL DEFAULT 0,
    resolved_early           INTEGER NOT NULL DEFAULT 0,
    resolved_on_time         INTEGER NOT NULL DEFAULT 0,
    resolved_late            INTEGER NOT NULL DEFAULT 0,
    resolved_without_limit   INTEGER NOT NULL DEFAULT 0,
    resolved_result          INTEGER NOT NULL DEFAULT 0,
    resolved_refused         INTEGER NOT NULL DEFAULT 0,
    resolved_stopped         INTEGER NOT NULL DEFAULT 0,
    resolved_withdrawn       INTEGER NOT NULL DEFAULT 0,
    results_digitised        INTEGER NOT NULL DEFAULT 0,
    late_with_apology        INTEGER NOT NULL DEFAULT 0,
    apologies                INTEGER NOT NULL DEFAULT 0,
    returned                 INTEGER NOT NULL DEFAULT 0,
    returned_postal          INTEGER NOT NULL DEFAULT 0,
    returned_online          INTEGER NOT NULL DEFAULT 0,
    open                     INTEGER NOT NULL DEFAULT 0,
    overdue                  INTEGER NOT NULL DEFAULT 0,
    awaiting_applicant       INTEGER NOT NULL DEFAULT 0,
    done_not_collected       INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT stat_counts_pkey PRIMARY KEY (grain, bucket, unit_id, procedure_id, channel),
    CONSTRAINT stat_counts_grain_check CHECK (grain IN ('d', 'm', 'q', 'y')),
    CONSTRAINT stat_counts_channel_check CHECK (channel IN ('in_person', 'online', 'postal'))
) WITHOUT ROWID;
-- WITHOUT ROWID: rows are stored in key order, so a prefix sum reads one
-- range of the table instead of an index range and a row lookup each.
