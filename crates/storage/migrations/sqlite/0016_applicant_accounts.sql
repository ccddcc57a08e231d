-- Accounts of citizens and businesses on the portal (issue 19, point 2).
-- Paired with migrations/postgres/0016_applicant_accounts.sql: same tables,
-- columns and constraint names.
--
-- An account is reached by an e-mail address or a phone number (at least
-- one), kept in their normal form (service: motcua_domain::contact): lower
-- case for e-mail, 0xxxxxxxxx for a phone. verified_at_ms is when the owner
-- proved the contact with a one-time code; an account is not signed in to
-- before that. identity_* hold what an identity provider (VNeID) vouched
-- for: its subject, the level of assurance and when.
CREATE TABLE applicant_accounts (
    id                     INTEGER CONSTRAINT applicant_accounts_pkey PRIMARY KEY AUTOINCREMENT,
    kind                   TEXT    NOT NULL,
    full_name              TEXT    NOT NULL,
    email                  TEXT,
    phone                  TEXT,
    password_hash          TEXT    NOT NULL,
    verified_at_ms         INTEGER,
    identity_subject       TEXT,
    identity_level         INTEGER,
    identity_verified_at_ms INTEGER,
    active                 INTEGER NOT NULL DEFAULT 1,
    created_at_ms          INTEGER NOT NULL,
    CONSTRAINT applicant_accounts_email_key UNIQUE (email),
    CONSTRAINT applicant_accounts_phone_key UNIQUE (phone),
    CONSTRAINT applicant_accounts_identity_subject_key UNIQUE (identity_subject),
    CONSTRAINT applicant_accounts_kind_check CHECK (kind IN ('citizen', 'organisation')),
    CONSTRAINT applicant_accounts_contact_check CHECK (email IS NOT NULL OR phone IS NOT NULL),
    CONSTRAINT applicant_accounts_email_check CHECK (email IS NULL OR email = lower(email)),
    CONSTRAINT applicant_accounts_active_check CHECK (active IN (0, 1))
);

-- Portal sessions, apart from staff sessions: a citizen's cookie never
-- opens a staff page, and a staff cookie never a citizen's.
CREATE TABLE applicant_sessions (
    id_hash        TEXT    NOT NULL,
    account_id     INTEGER NOT NULL,
    csrf_token     TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    CONSTRAINT applicant_sessions_pkey PRIMARY KEY (id_hash),
    CONSTRAINT applicant_sessions_account_id_fkey FOREIGN KEY (account_id) REFERENCES applicant_accounts (id) ON DELETE CASCADE
);
CREATE INDEX applicant_sessions_account_id_idx ON applicant_sessions (account_id);

-- One-time codes sent to a contact: to prove it after registering, to reset
-- a password. Only a hash of the code is kept; a new code for the same
-- contact and purpose replaces the old; `attempts` counts wrong tries, and
-- a code is dead after the limit, its expiry or its use.
CREATE TABLE one_time_codes (
    id             INTEGER CONSTRAINT one_time_codes_pkey PRIMARY KEY AUTOINCREMENT,
    contact        TEXT    NOT NULL,
    purpose        TEXT    NOT NULL,
    code_hash      TEXT    NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    expires_at_ms  INTEGER NOT NULL,
    used_at_ms     INTEGER,
    created_at_ms  INTEGER NOT NULL,
    CONSTRAINT one_time_codes_contact_purpose_key UNIQUE (contact, purpose),
    CONSTRAINT one_time_codes_purpose_check CHECK (purpose IN ('verify', 'reset')),
    CONSTRAINT one_time_codes_attempts_check CHECK (attempts >= 0)
);

-- The account that submitted a dossier through the portal (none for a
-- dossier received at the desk, by post or imported): its owner sees it,
-- and nobody else's, on the portal. A table of its own rather than a
-- column of dossiers, written in the dossier's insert transaction.
CREATE TABLE applicant_dossiers (
    dossier_id  INTEGER NOT NULL,
    account_id  INTEGER NOT NULL,
    -- Submitted by an account whose owner VNeID vouched for (766 §4.5).
    identity_verified INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT applicant_dossiers_pkey PRIMARY KEY (dossier_id),
    CONSTRAINT applicant_dossiers_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id),
    CONSTRAINT applicant_dossiers_account_id_fkey FOREIGN KEY (account_id) REFERENCES applicant_accounts (id)
);
CREATE INDEX applicant_dossiers_account_id_idx ON applicant_dossiers (account_id, dossier_id);

-- Ratings given after a result was returned (domain.md §8, §12): the
-- overall score and, optionally, each SIPAS aspect, on the 5-point scale;
-- one per dossier, given by its owner on the portal or by whoever holds
-- the receipt (its QR code opens the status page).
CREATE TABLE dossier_ratings (
    dossier_id     INTEGER NOT NULL,
    overall        INTEGER NOT NULL,
    access         INTEGER,
    procedure      INTEGER,
    civil_servant  INTEGER,
    result         INTEGER,
    feedback       INTEGER,
    comment        TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    rated_at_ms    INTEGER NOT NULL,
    CONSTRAINT dossier_ratings_pkey PRIMARY KEY (dossier_id),
    CONSTRAINT dossier_ratings_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id),
    CONSTRAINT dossier_ratings_overall_check CHECK (overall BETWEEN 1 AND 5),
    CONSTRAINT dossier_ratings_aspects_check CHECK (
        (access IS NULL OR access BETWEEN 1 AND 5) AND (procedure IS NULL OR procedure BETWEEN 1 AND 5)
        AND (civil_servant IS NULL OR civil_servant BETWEEN 1 AND 5)
        AND (result IS NULL OR result BETWEEN 1 AND 5) AND (feedback IS NULL OR feedback BETWEEN 1 AND 5)),
    CONSTRAINT dossier_ratings_channel_check CHECK (channel IN ('portal', 'receipt', 'kiosk')),
    CONSTRAINT dossier_ratings_comment_check CHECK (length(comment) <= 2000)
);
CREATE INDEX dossier_ratings_rated_at_ms_idx ON dossier_ratings (rated_at_ms);

-- Fees paid online through the payment gateway (domain.md §8): one row per
-- attempt under our unique reference; the gateway's signed answer settles
-- it once (paid or failed). A dossier with a paid row was paid online.
CREATE TABLE payments (
    id              INTEGER CONSTRAINT payments_pkey PRIMARY KEY AUTOINCREMENT,
    dossier_id      INTEGER NOT NULL,
    reference       TEXT    NOT NULL,
    amount_dong     INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    transaction_no  TEXT,
    created_at_ms   INTEGER NOT NULL,
    settled_at_ms   INTEGER,
    CONSTRAINT payments_reference_key UNIQUE (reference),
    CONSTRAINT payments_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id),
    CONSTRAINT payments_status_check CHECK (status IN ('pending', 'paid', 'failed')),
    CONSTRAINT payments_amount_dong_check CHECK (amount_dong > 0)
);
CREATE INDEX payments_dossier_id_idx ON payments (dossier_id);

-- An online application kept unfinished (its fields and the files already
-- attached, as JSON), one per account and procedure, until it is submitted.
CREATE TABLE portal_drafts (
    account_id      INTEGER NOT NULL,
    procedure_code  TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    updated_at_ms   INTEGER NOT NULL,
    CONSTRAINT portal_drafts_pkey PRIMARY KEY (account_id, procedure_code),
    CONSTRAINT portal_drafts_account_id_fkey FOREIGN KEY (account_id) REFERENCES applicant_accounts (id) ON DELETE CASCADE,
    CONSTRAINT portal_drafts_body_check CHECK (length(body) <= 65536)
);
