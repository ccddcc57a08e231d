-- The calendar revision: one row whose number moves with every change to
-- what a unit's working calendar is built from (administrators' corrections,
-- office hours, and settings such as the year Culture Day became a day
-- off). Each node keeps units' calendars while the number stays
-- (crates/service/src/dossiers/calendars.rs), so a correction made on one
-- node is seen by every other at its next read. Triggers move it in the
-- changing transaction itself, so no write path can forget to. Paired with
-- migrations/sqlite/0015_calendar_revision.sql.
CREATE TABLE calendar_revision (
    id        BIGINT NOT NULL,
    revision  BIGINT NOT NULL,
    CONSTRAINT calendar_revision_pkey PRIMARY KEY (id),
    CONSTRAINT calendar_revision_id_check CHECK (id = 1),
    CONSTRAINT calendar_revision_revision_check CHECK (revision >= 0)
);
INSERT INTO calendar_revision (id, revision) VALUES (1, 0);

CREATE FUNCTION calendar_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER calendar_overrides_calendar_revision
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_revision_bump();
CREATE TRIGGER office_hours_calendar_revision
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON office_hours
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_revision_bump();
CREATE TRIGGER settings_calendar_revision
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_revision_bump();
