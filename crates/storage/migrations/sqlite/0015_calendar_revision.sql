-- The calendar revision: one row whose number moves with every change to
-- what a unit's working calendar is built from (administrators' corrections,
-- office hours, and settings such as the year Culture Day became a day
-- off). Each node keeps units' calendars while the number stays
-- (crates/service/src/dossiers/calendars.rs), so a correction made on one
-- node is seen by every other at its next read. Triggers move it in the
-- changing transaction itself, so no write path can forget to. Paired with
-- migrations/postgres/0015_calendar_revision.sql.
CREATE TABLE calendar_revision (
    id        INTEGER NOT NULL,
    revision  INTEGER NOT NULL,
    CONSTRAINT calendar_revision_pkey PRIMARY KEY (id),
    CONSTRAINT calendar_revision_id_check CHECK (id = 1),
    CONSTRAINT calendar_revision_revision_check CHECK (revision >= 0)
);
INSERT INTO calendar_revision (id, revision) VALUES (1, 0);

CREATE TRIGGER calendar_overrides_revision_insert AFTER INSERT ON calendar_overrides
BEGIN UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_overrides_revision_update AFTER UPDATE ON calendar_overrides
BEGIN UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_overrides_revision_delete AFTER DELETE ON calendar_overrides
BEGIN UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1; END;

CREATE TRIGGER office_hours_revision_insert AFTER INSERT ON office_hours
BEGIN UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER office_hours_revision_update AFTER UPDATE ON office_hours
BEGIN UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER office_hours_revision_delete AFTER DELETE ON office_hours
BEGIN UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1; END;

CREATE TRIGGER settings_calendar_revision_insert AFTER INSERT ON settings
BEGIN UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER settings_calendar_revision_update AFTER UPDATE ON settings
BEGIN UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER settings_calendar_revision_delete AFTER DELETE ON settings
BEGIN UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1; END;
