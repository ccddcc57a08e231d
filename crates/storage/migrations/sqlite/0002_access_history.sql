-- Sign-in state shared by every node (sessions, failed logins, API tokens)
-- and the unit tree through time (versions and successions). Instants are
-- Unix milliseconds UTC (INTEGER); civil dates are 'YYYY-MM-DD' text. Paired
-- with migrations/postgres/0002_access_history.sql: same tables, columns and
-- constraint names.

-- A browser session, stored by the SHA-256 hash of the cookie secret. A
-- session exists while expires_at_ms is after the moment asked about.
CREATE TABLE sessions (
    id_hash        TEXT    NOT NULL,
    user_id        INTEGER NOT NULL,
    csrf_token     TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id_hash),
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_ms_idx ON sessions (expires_at_ms);

-- One row per failed login under a key ('user:<name>' or 'ip:<address>'),
-- counted over a window. Plain inserts, so nodes never contend on a counter;
-- rows older than a day are pruned when a failure is recorded.
CREATE TABLE login_failures (
    key    TEXT    NOT NULL,
    at_ms  INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at_ms_idx ON login_failures (key, at_ms);
CREATE INDEX login_failures_at_ms_idx ON login_failures (at_ms);

-- Machine clients' tokens, stored by the SHA-256 hash of the secret; revoked
-- tokens are kept (with revoked_at_ms) so their audit trail still resolves.
CREATE TABLE api_tokens (
    id             INTEGER CONSTRAINT api_tokens_pkey PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    token_hash     TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    revoked_at_ms  INTEGER,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
    CONSTRAINT api_tokens_name_check CHECK (trim(name) <> ''),
    CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id, created_at_ms);

-- What a unit was called, where it hung and what it was, from valid_from to
-- valid_to inclusive (none while open). A unit's versions do not overlap: each
-- change closes the latest version the day before the next one starts. The
-- units row mirrors the latest version (see storage's history_rules).
CREATE TABLE unit_versions (
    unit_id     INTEGER NOT NULL,
    valid_from  TEXT    NOT NULL,
    valid_to    TEXT,
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    parent_id   INTEGER,
    kind        TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    CONSTRAINT unit_versions_pkey PRIMARY KEY (unit_id, valid_from),
    CONSTRAINT unit_versions_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT unit_versions_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES units (id),
    CONSTRAINT unit_versions_parent_id_check CHECK (parent_id IS NULL OR parent_id <> unit_id),
    CONSTRAINT unit_versions_kind_check CHECK (kind IN ('province', 'department', 'service_centre',
        'district', 'district_office', 'commune', 'public_service_unit', 'central_branch', 'desk')),
    CONSTRAINT unit_versions_level_check CHECK (level IN ('central', 'province', 'district', 'commune')),
    CONSTRAINT unit_versions_valid_from_check
        CHECK (valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CONSTRAINT unit_versions_valid_to_check CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX unit_versions_parent_id_idx ON unit_versions (parent_id, valid_from);
CREATE INDEX unit_versions_code_idx ON unit_versions (code);

-- Units that existed before this migration get their one version.
INSERT INTO unit_versions (unit_id, valid_from, valid_to, code, name, parent_id, kind, level)
SELECT id, valid_from, valid_to, code, name, parent_id, kind, level FROM units;

-- A unit that ended (predecessor) and one that carries on its work.
CREATE TABLE unit_successions (
    predecessor_id  INTEGER NOT NULL,
    successor_id    INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    effective       TEXT    NOT NULL,
    CONSTRAINT unit_successions_pkey PRIMARY KEY (predecessor_id, successor_id),
    CONSTRAINT unit_successions_predecessor_id_fkey FOREIGN KEY (predecessor_id) REFERENCES units (id),
    CONSTRAINT unit_successions_successor_id_fkey FOREIGN KEY (successor_id) REFERENCES units (id),
    CONSTRAINT unit_successions_distinct_check CHECK (predecessor_id <> successor_id),
    CONSTRAINT unit_successions_kind_check CHECK (kind IN ('merge', 'split')),
    CONSTRAINT unit_successions_effective_check
        CHECK (effective GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
);
CREATE INDEX unit_successions_successor_id_idx ON unit_successions (successor_id);
