-- Dossiers (hồ sơ) from reception to return, with their timelines, steps,
-- files, the notification outbox and the idempotency keys of API writes.
-- Paired with migrations/postgres/0004_dossiers.sql: same tables, columns and
-- constraint names. Instants are UTC Unix milliseconds; civil dates are
-- YYYY-MM-DD text; enums are text with a CHECK; JSON is stored whole and
-- never filtered on.

-- The daily sequence behind dossier codes, per receiving unit. Bumped with
-- UPDATE … RETURNING inside the dossier's insert, so codes stay unique when
-- many desks (and nodes) receive at once; a number is never reused.
CREATE TABLE dossier_sequences (
    unit_id  INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    last     INTEGER NOT NULL,
    CONSTRAINT dossier_sequences_pkey PRIMARY KEY (unit_id, day),
    CONSTRAINT dossier_sequences_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT dossier_sequences_last_check CHECK (last >= 1)
);

-- The current state of each dossier, derived from its events (both written
-- in one transaction). version is the optimistic-concurrency counter a
-- change must name. clock is the deadline clock's input (limit, cut-off,
-- policy, receipt and clock events) as JSON; the due columns are what it
-- gives, kept as columns so lists can filter on them.
CREATE TABLE dossiers (
    id                    INTEGER CONSTRAINT dossiers_pkey PRIMARY KEY AUTOINCREMENT,
    code                  TEXT    NOT NULL,
    lookup_token          TEXT    NOT NULL,
    unit_id               INTEGER NOT NULL,
    procedure_id          INTEGER NOT NULL,
    procedure_version_id  INTEGER NOT NULL,
    process_id            INTEGER,
    channel               TEXT    NOT NULL,
    return_method         TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    version               INTEGER NOT NULL,
    applicant_kind        TEXT    NOT NULL,
    applicant_name        TEXT    NOT NULL,
    applicant_folded      TEXT    NOT NULL,
    applicant_identity    TEXT    NOT NULL,
    applicant_phone       TEXT    NOT NULL,
    applicant_email       TEXT    NOT NULL,
    applicant_address     TEXT    NOT NULL,
    sets                  INTEGER NOT NULL,
    fee_dong              INTEGER NOT NULL,
    submitted_at_ms       INTEGER,
    received_at_ms        INTEGER,
    original_due_ms       INTEGER,
    current_due_ms        INTEGER,
    near_due_ms           INTEGER,
    clock_running         INTEGER NOT NULL,
    clock                 TEXT,
    holder_unit_id        INTEGER,
    holder_user_id        INTEGER,
    step_no               INTEGER,
    supplement_count      INTEGER NOT NULL,
    extension_count       INTEGER NOT NULL,
    ended_at_ms           INTEGER,
    outcome               TEXT,
    classification        TEXT,
    result_digitised      INTEGER NOT NULL,
    returned_at_ms        INTEGER,
    return_detail         TEXT,
    imported              INTEGER NOT NULL,
    received_by           TEXT    NOT NULL,
    created_at_ms         INTEGER NOT NULL,
    updated_at_ms         INTEGER NOT NULL,
    CONSTRAINT dossiers_code_key UNIQUE (code),
    CONSTRAINT dossiers_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT dossiers_procedure_id_fkey FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT dossiers_procedure_version_id_fkey
        FOREIGN KEY (procedure_version_id) REFERENCES procedure_versions (id),
    CONSTRAINT dossiers_process_id_fkey FOREIGN KEY (process_id) REFERENCES processes (id),
    CONSTRAINT dossiers_holder_unit_id_fkey FOREIGN KEY (holder_unit_id) REFERENCES units (id),
    CONSTRAINT dossiers_holder_user_id_fkey FOREIGN KEY (holder_user_id) REFERENCES users (id),
    CONSTRAINT dossiers_channel_check CHECK (channel IN ('in_person', 'online', 'postal')),
    CONSTRAINT dossiers_return_method_check
        CHECK (return_method IN ('in_person', 'postal', 'online')),
    CONSTRAINT dossiers_status_check CHECK (status IN ('draft', 'awaiting_online_reception',
        'received', 'processing', 'awaiting_supplement', 'awaiting_financial_obligation',
        'done', 'returned', 'refused', 'stopped', 'withdrawn', 'voided')),
    CONSTRAINT dossiers_version_check CHECK (version >= 1),
    CONSTRAINT dossiers_applicant_kind_check
        CHECK (applicant_kind IN ('citizen', 'organisation')),
    CONSTRAINT dossiers_sets_check CHECK (sets >= 1),
    CONSTRAINT dossiers_fee_dong_check CHECK (fee_dong >= 0),
    CONSTRAINT dossiers_clock_running_check CHECK (clock_running IN (0, 1)),
    CONSTRAINT dossiers_counts_check CHECK (supplement_count >= 0 AND extension_count >= 0),
    CONSTRAINT dossiers_outcome_check
        CHECK (outcome IS NULL OR outcome IN ('done', 'refused', 'stopped', 'withdrawn')),
    CONSTRAINT dossiers_classification_check
        CHECK (classification IS NULL OR classification IN ('early', 'on_time', 'late')),
    CONSTRAINT dossiers_result_digitised_check CHECK (result_digitised IN (0, 1)),
    CONSTRAINT dossiers_imported_check CHECK (imported IN (0, 1))
);
CREATE INDEX dossiers_unit_id_idx ON dossiers (unit_id, id);
CREATE INDEX dossiers_holder_unit_id_idx ON dossiers (holder_unit_id, id);
CREATE INDEX dossiers_status_idx ON dossiers (status, id);
CREATE INDEX dossiers_procedure_id_idx ON dossiers (procedure_id, id);
CREATE INDEX dossiers_received_at_idx ON dossiers (received_at_ms);
-- Open dossiers whose clock runs, by due moment: the near-due and overdue lists.
CREATE INDEX dossiers_running_due_idx ON dossiers (current_due_ms)
    WHERE clock_running;

-- The components received with a dossier (giấy tờ), in the catalog's order.
CREATE TABLE dossier_components (
    dossier_id  INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    form        TEXT    NOT NULL,
    copies      INTEGER NOT NULL,
    digitised   INTEGER NOT NULL,
    reused      INTEGER NOT NULL,
    file_id     INTEGER,
    CONSTRAINT dossier_components_pkey PRIMARY KEY (dossier_id, position),
    CONSTRAINT dossier_components_dossier_id_fkey
        FOREIGN KEY (dossier_id) REFERENCES dossiers (id),
    CONSTRAINT dossier_components_position_check CHECK (position >= 1),
    CONSTRAINT dossier_components_form_check
        CHECK (form IN ('original', 'copy', 'certified_copy', 'electronic')),
    CONSTRAINT dossier_components_copies_check CHECK (copies >= 0),
    CONSTRAINT dossier_components_digitised_check CHECK (digitised IN (0, 1)),
    CONSTRAINT dossier_components_reused_check CHECK (reused IN (0, 1))
);

-- Every transition, append-only: who, when, from, to, note, and the
-- action's own details as JSON.
CREATE TABLE dossier_events (
    id           INTEGER CONSTRAINT dossier_events_pkey PRIMARY KEY AUTOINCREMENT,
    dossier_id   INTEGER NOT NULL,
    at_ms        INTEGER NOT NULL,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    from_status  TEXT,
    to_status    TEXT    NOT NULL,
    note         TEXT    NOT NULL,
    detail       TEXT    NOT NULL,
    CONSTRAINT dossier_events_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id)
);
CREATE INDEX dossier_events_dossier_id_idx ON dossier_events (dossier_id, id);
CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;
CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;

-- Step instances of the internal process. A step sent back is a new
-- instance; the hand-over that opened it records sender and receiver.
CREATE TABLE dossier_steps (
    id               INTEGER CONSTRAINT dossier_steps_pkey PRIMARY KEY AUTOINCREMENT,
    dossier_id       INTEGER NOT NULL,
    step_no          INTEGER NOT NULL,
    name             TEXT    NOT NULL,
    unit_id          INTEGER NOT NULL,
    role             TEXT    NOT NULL,
    holder_user_id   INTEGER,
    external         INTEGER NOT NULL,
    sender_unit_id   INTEGER NOT NULL,
    sender           TEXT    NOT NULL,
    started_at_ms    INTEGER NOT NULL,
    due_ms           INTEGER,
    ended_at_ms      INTEGER,
    classification   TEXT,
    CONSTRAINT dossier_steps_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id),
    CONSTRAINT dossier_steps_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT dossier_steps_sender_unit_id_fkey
        FOREIGN KEY (sender_unit_id) REFERENCES units (id),
    CONSTRAINT dossier_steps_holder_user_id_fkey
        FOREIGN KEY (holder_user_id) REFERENCES users (id),
    CONSTRAINT dossier_steps_step_no_check CHECK (step_no >= 1),
    CONSTRAINT dossier_steps_external_check CHECK (external IN (0, 1)),
    CONSTRAINT dossier_steps_classification_check
        CHECK (classification IS NULL OR classification IN ('early', 'on_time', 'late'))
);
CREATE INDEX dossier_steps_dossier_id_idx ON dossier_steps (dossier_id, id);
CREATE INDEX dossier_steps_open_idx ON dossier_steps (unit_id, dossier_id)
    WHERE ended_at_ms IS NULL;

-- Files kept for dossiers (digitised components, results); the content is
-- in the file store under its SHA-256.
CREATE TABLE files (
    id             INTEGER CONSTRAINT files_pkey PRIMARY KEY AUTOINCREMENT,
    dossier_id     INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    content_type   TEXT    NOT NULL,
    size_bytes     INTEGER NOT NULL,
    sha256         TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    CONSTRAINT files_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id),
    CONSTRAINT files_kind_check CHECK (kind IN ('component', 'result')),
    CONSTRAINT files_size_bytes_check CHECK (size_bytes >= 0),
    CONSTRAINT files_sha256_check CHECK (length(sha256) = 64)
);
CREATE INDEX files_dossier_id_idx ON files (dossier_id, id);

-- Notifications written in the same transaction as the change they report;
-- a dispatcher delivers them with retries and backoff.
CREATE TABLE outbox (
    id               INTEGER CONSTRAINT outbox_pkey PRIMARY KEY AUTOINCREMENT,
    dossier_id       INTEGER,
    channel          TEXT    NOT NULL,
    recipient        TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_ms  INTEGER NOT NULL,
    last_error       TEXT,
    sent_at_ms       INTEGER,
    created_at_ms    INTEGER NOT NULL,
    CONSTRAINT outbox_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id),
    CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'sms', 'webhook', 'log')),
    CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed')),
    CONSTRAINT outbox_attempts_check CHECK (attempts >= 0)
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_ms, id) WHERE status = 'pending';
CREATE INDEX outbox_status_idx ON outbox (status, id);

-- Keys of API writes: the first request's fingerprint and answer, so a
-- retried request gets the same answer and never acts twice.
CREATE TABLE idempotency_keys (
    actor          TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    fingerprint    TEXT    NOT NULL,
    status_code    INTEGER,
    body           TEXT,
    created_at_ms  INTEGER NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (actor, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at_ms);
