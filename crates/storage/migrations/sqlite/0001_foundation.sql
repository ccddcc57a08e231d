-- Foundation: the unit tree, users and their role grants, calendar
-- corrections, office hours, settings and the hash-chained audit log.
-- Instants are Unix milliseconds UTC (INTEGER); civil dates are 'YYYY-MM-DD'
-- text, which sorts and compares like the date. Paired with
-- migrations/postgres/0001_foundation.sql: same tables, columns and
-- constraint names.

CREATE TABLE units (
    id          INTEGER CONSTRAINT units_pkey PRIMARY KEY AUTOINCREMENT,
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    parent_id   INTEGER,
    valid_from  TEXT    NOT NULL,
    valid_to    TEXT,
    CONSTRAINT units_code_key UNIQUE (code),
    CONSTRAINT units_kind_check CHECK (kind IN ('province', 'department', 'service_centre',
        'district', 'district_office', 'commune', 'public_service_unit', 'central_branch', 'desk')),
    CONSTRAINT units_level_check CHECK (level IN ('central', 'province', 'district', 'commune')),
    CONSTRAINT units_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES units (id),
    CONSTRAINT units_valid_from_check
        CHECK (valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CONSTRAINT units_valid_to_check CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX units_parent_id_idx ON units (parent_id);

CREATE TABLE users (
    id             INTEGER CONSTRAINT users_pkey PRIMARY KEY AUTOINCREMENT,
    username       TEXT    NOT NULL,
    full_name      TEXT    NOT NULL,
    email          TEXT,
    password_hash  TEXT    NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at_ms  INTEGER NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_username_check CHECK (username <> '' AND username = lower(username)),
    CONSTRAINT users_active_check CHECK (active IN (0, 1))
);

CREATE TABLE role_grants (
    id             INTEGER CONSTRAINT role_grants_pkey PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL,
    role           TEXT    NOT NULL,
    unit_id        INTEGER NOT NULL,
    granted_at_ms  INTEGER NOT NULL,
    CONSTRAINT role_grants_user_role_unit_key UNIQUE (user_id, role, unit_id),
    CONSTRAINT role_grants_role_check CHECK (role IN ('desk_officer', 'specialist', 'leader',
        'unit_admin', 'reform_evaluator', 'viewer', 'system_admin')),
    CONSTRAINT role_grants_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT role_grants_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id)
);
CREATE INDEX role_grants_unit_id_idx ON role_grants (unit_id);

-- unit_key is 0 for an override that applies to every unit, so that the
-- primary key also makes global overrides unique per date (NULLs never collide).
CREATE TABLE calendar_overrides (
    unit_key  INTEGER NOT NULL,
    unit_id   INTEGER,
    day       TEXT    NOT NULL,
    working   INTEGER NOT NULL,
    reason    TEXT    NOT NULL,
    CONSTRAINT calendar_overrides_pkey PRIMARY KEY (unit_key, day),
    CONSTRAINT calendar_overrides_unit_key_check CHECK (unit_key = coalesce(unit_id, 0)),
    CONSTRAINT calendar_overrides_day_check
        CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CONSTRAINT calendar_overrides_working_check CHECK (working IN (0, 1)),
    CONSTRAINT calendar_overrides_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id)
);

-- sessions is JSON text: [["07:00","11:30"],["13:30","17:00"]].
CREATE TABLE office_hours (
    unit_id     INTEGER NOT NULL,
    valid_from  TEXT    NOT NULL,
    valid_to    TEXT,
    sessions    TEXT    NOT NULL,
    CONSTRAINT office_hours_pkey PRIMARY KEY (unit_id, valid_from),
    CONSTRAINT office_hours_valid_from_check
        CHECK (valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CONSTRAINT office_hours_valid_to_check CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT office_hours_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id)
);

-- value is JSON text, stored whole and never filtered on.
CREATE TABLE settings (
    scope          TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    value          TEXT    NOT NULL,
    updated_at_ms  INTEGER NOT NULL,
    CONSTRAINT settings_pkey PRIMARY KEY (scope, key)
);

-- Append-only. seq is assigned by the writer that holds the chain head, from 1
-- without gaps; hash = entry_hash(prev_hash, fields) from motcua-domain.
CREATE TABLE audit_log (
    seq        INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    CONSTRAINT audit_log_pkey PRIMARY KEY (seq),
    CONSTRAINT audit_log_seq_check CHECK (seq >= 1)
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, seq);

-- The log is append-only for the application and anyone using its database
-- account: updates and deletes are refused. An intruder with the rights to drop
-- these triggers is caught by the hash chain instead (`motcua audit verify`).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
