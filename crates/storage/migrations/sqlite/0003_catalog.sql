-- The procedure catalog: procedures and their versions, their assignment to
-- units, internal processes with their steps, reviews, and the revision
-- counter that tells every node when its search index is stale. Paired with
-- migrations/postgres/0003_catalog.sql: same tables, columns and constraint
-- names. Enums are text with a CHECK; JSON (components) is stored whole.

-- One row. Every transaction that changes the catalog adds 1, so a node can
-- tell with one cheap read whether what it cached is still current.
CREATE TABLE catalog_revision (
    id        INTEGER NOT NULL,
    revision  INTEGER NOT NULL,
    CONSTRAINT catalog_revision_pkey PRIMARY KEY (id),
    CONSTRAINT catalog_revision_id_check CHECK (id = 1),
    CONSTRAINT catalog_revision_revision_check CHECK (revision >= 0)
);
INSERT INTO catalog_revision (id, revision) VALUES (1, 0);

-- A procedure is its code; everything else lives in its versions.
CREATE TABLE procedures (
    id             INTEGER CONSTRAINT procedures_pkey PRIMARY KEY AUTOINCREMENT,
    code           TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    CONSTRAINT procedures_code_key UNIQUE (code),
    CONSTRAINT procedures_code_check CHECK (code <> '')
);

-- Versions of a procedure cover consecutive date ranges: a new version closes
-- the previous one the day before it starts, and only the latest is open
-- (effective_to NULL). levels is 'district;commune' in the draft's order;
-- name_folded is fold_vi(name) for filters; components is JSON text.
CREATE TABLE procedure_versions (
    id                 INTEGER CONSTRAINT procedure_versions_pkey PRIMARY KEY AUTOINCREMENT,
    procedure_id       INTEGER NOT NULL,
    version_no         INTEGER NOT NULL,
    effective_from     TEXT    NOT NULL,
    effective_to       TEXT,
    name               TEXT    NOT NULL,
    name_folded        TEXT    NOT NULL,
    field              TEXT    NOT NULL,
    levels             TEXT    NOT NULL,
    agency             TEXT    NOT NULL,
    time_limit         TEXT    NOT NULL,
    online_time_limit  TEXT,
    online_level       TEXT    NOT NULL,
    fee_dong           INTEGER NOT NULL,
    fee_note           TEXT    NOT NULL,
    result_type        TEXT    NOT NULL,
    legal_basis        TEXT    NOT NULL,
    applicant          TEXT    NOT NULL,
    components         TEXT    NOT NULL,
    created_at_ms      INTEGER NOT NULL,
    CONSTRAINT procedure_versions_procedure_version_key UNIQUE (procedure_id, version_no),
    CONSTRAINT procedure_versions_procedure_from_key UNIQUE (procedure_id, effective_from),
    CONSTRAINT procedure_versions_procedure_id_fkey
        FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT procedure_versions_version_no_check CHECK (version_no >= 1),
    CONSTRAINT procedure_versions_effective_from_check
        CHECK (effective_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CONSTRAINT procedure_versions_effective_to_check
        CHECK (effective_to IS NULL OR effective_to >= effective_from),
    CONSTRAINT procedure_versions_levels_check
        CHECK (levels <> '' AND levels NOT GLOB '*[^a-z;]*'),
    CONSTRAINT procedure_versions_online_level_check
        CHECK (online_level IN ('none', 'partial', 'full_process')),
    CONSTRAINT procedure_versions_fee_dong_check CHECK (fee_dong >= 0),
    CONSTRAINT procedure_versions_result_type_check CHECK (result_type IN ('decision',
        'certificate', 'licence', 'reply', 'certified_copy', 'other')),
    CONSTRAINT procedure_versions_applicant_check
        CHECK (applicant IN ('citizen', 'organisation', 'both'))
);
-- At most one open (latest) version per procedure.
CREATE UNIQUE INDEX procedure_versions_current_key
    ON procedure_versions (procedure_id) WHERE effective_to IS NULL;
CREATE INDEX procedure_versions_field_idx ON procedure_versions (field, procedure_id);
CREATE INDEX procedure_versions_online_level_idx
    ON procedure_versions (online_level, procedure_id);

-- Which units handle which procedures.
CREATE TABLE procedure_units (
    procedure_id    INTEGER NOT NULL,
    unit_id         INTEGER NOT NULL,
    assigned_at_ms  INTEGER NOT NULL,
    CONSTRAINT procedure_units_pkey PRIMARY KEY (procedure_id, unit_id),
    CONSTRAINT procedure_units_procedure_id_fkey
        FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT procedure_units_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id)
);
CREATE INDEX procedure_units_unit_id_idx ON procedure_units (unit_id, procedure_id);

-- Internal processes (quy trình nội bộ), versioned per (procedure, unit).
CREATE TABLE processes (
    id              INTEGER CONSTRAINT processes_pkey PRIMARY KEY AUTOINCREMENT,
    procedure_id    INTEGER NOT NULL,
    unit_id         INTEGER NOT NULL,
    version_no      INTEGER NOT NULL,
    decision        TEXT    NOT NULL,
    effective_from  TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    CONSTRAINT processes_procedure_unit_version_key UNIQUE (procedure_id, unit_id, version_no),
    CONSTRAINT processes_procedure_id_fkey FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT processes_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT processes_version_no_check CHECK (version_no >= 1),
    CONSTRAINT processes_effective_from_check
        CHECK (effective_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
);
CREATE INDEX processes_unit_id_idx ON processes (unit_id, procedure_id);

-- Steps in order; allotted is a time limit in working hours or days.
CREATE TABLE process_steps (
    process_id  INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    unit_id     INTEGER NOT NULL,
    role        TEXT    NOT NULL,
    allotted    TEXT    NOT NULL,
    external    INTEGER NOT NULL,
    CONSTRAINT process_steps_pkey PRIMARY KEY (process_id, position),
    CONSTRAINT process_steps_process_id_fkey FOREIGN KEY (process_id) REFERENCES processes (id),
    CONSTRAINT process_steps_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT process_steps_position_check CHECK (position >= 1),
    CONSTRAINT process_steps_role_check CHECK (role IN ('desk_officer', 'specialist', 'leader',
        'unit_admin', 'reform_evaluator', 'viewer', 'system_admin')),
    CONSTRAINT process_steps_allotted_check
        CHECK (allotted LIKE '% working_hours' OR allotted LIKE '% working_days'),
    CONSTRAINT process_steps_external_check CHECK (external IN (0, 1))
);
CREATE INDEX process_steps_unit_id_idx ON process_steps (unit_id);

-- Reviewed procedures (rà soát): limits before and after, as time-limit text.
CREATE TABLE reviews (
    id                  INTEGER CONSTRAINT reviews_pkey PRIMARY KEY AUTOINCREMENT,
    unit_id             INTEGER NOT NULL,
    procedure_id        INTEGER NOT NULL,
    year                INTEGER NOT NULL,
    limit_before        TEXT    NOT NULL,
    limit_after         TEXT    NOT NULL,
    components_removed  INTEGER NOT NULL,
    decision            TEXT    NOT NULL,
    effective           TEXT    NOT NULL,
    created_at_ms       INTEGER NOT NULL,
    CONSTRAINT reviews_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT reviews_procedure_id_fkey FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT reviews_year_check CHECK (year BETWEEN 1900 AND 2100),
    CONSTRAINT reviews_components_removed_check CHECK (components_removed >= 0),
    CONSTRAINT reviews_effective_check
        CHECK (effective GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
);
CREATE INDEX reviews_unit_year_idx ON reviews (unit_id, year);
CREATE INDEX reviews_year_idx ON reviews (year);
CREATE INDEX reviews_procedure_id_idx ON reviews (procedure_id);
