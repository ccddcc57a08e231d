-- Feedback and complaints (phản ánh, kiến nghị; Decree 20/2008/NĐ-CP) sent
-- on the portal (issue 19, point 6). Paired with
-- migrations/postgres/0017_feedback.sql: same tables, columns and
-- constraint names.
--
-- due_ms is when the stage now open is due (none while the sender is asked
-- for more, or once handling has ended); late_at_ms is the first due that
-- was missed. A feedback is late as of a moment T when the earlier of the
-- two is at or before T, which lets a past period be judged as of its end.
-- repeat_of links a feedback to the sender's first one on the same matter.
-- code (PA-<year>-<id>) is set by the insert's own transaction, from the id.
CREATE TABLE feedback (
    id               INTEGER CONSTRAINT feedback_pkey PRIMARY KEY AUTOINCREMENT,
    code             TEXT,
    unit_id          INTEGER NOT NULL,
    account_id       INTEGER NOT NULL,
    dossier_id       INTEGER,
    category         TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    content          TEXT    NOT NULL,
    consent_publish  INTEGER NOT NULL,
    status           TEXT    NOT NULL,
    repeat_of        INTEGER,
    received_at_ms   INTEGER NOT NULL,
    due_ms           INTEGER,
    late_at_ms       INTEGER,
    decided_at_ms    INTEGER,
    answered_at_ms   INTEGER,
    published_at_ms  INTEGER,
    handler_user_id  INTEGER,
    note             TEXT,
    supplement       TEXT,
    answer           TEXT,
    revision         INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT feedback_code_key UNIQUE (code),
    CONSTRAINT feedback_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT feedback_account_id_fkey FOREIGN KEY (account_id) REFERENCES applicant_accounts (id),
    CONSTRAINT feedback_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id),
    CONSTRAINT feedback_repeat_of_fkey FOREIGN KEY (repeat_of) REFERENCES feedback (id),
    CONSTRAINT feedback_handler_user_id_fkey FOREIGN KEY (handler_user_id) REFERENCES users (id),
    CONSTRAINT feedback_category_check CHECK (category IN ('conduct', 'regulation', 'proposal', 'dossier_handling', 'other')),
    CONSTRAINT feedback_status_check CHECK (status IN ('received', 'awaiting_supplement', 'accepted', 'assigned', 'answered', 'published', 'refused')),
    CONSTRAINT feedback_consent_publish_check CHECK (consent_publish IN (0, 1)),
    CONSTRAINT feedback_text_check CHECK (length(title) <= 200 AND length(content) <= 4000
        AND (note IS NULL OR length(note) <= 2000) AND (supplement IS NULL OR length(supplement) <= 4000)
        AND (answer IS NULL OR length(answer) <= 8000))
);
CREATE INDEX feedback_unit_id_received_at_ms_idx ON feedback (unit_id, received_at_ms);
CREATE INDEX feedback_received_at_ms_idx ON feedback (received_at_ms);
CREATE INDEX feedback_account_id_idx ON feedback (account_id, id);
CREATE INDEX feedback_published_at_ms_idx ON feedback (published_at_ms);

-- Likes and dislikes of a published answer: one per account, changeable.
CREATE TABLE feedback_votes (
    feedback_id  INTEGER NOT NULL,
    account_id   INTEGER NOT NULL,
    liked        INTEGER NOT NULL,
    voted_at_ms  INTEGER NOT NULL,
    CONSTRAINT feedback_votes_pkey PRIMARY KEY (feedback_id, account_id),
    CONSTRAINT feedback_votes_feedback_id_fkey FOREIGN KEY (feedback_id) REFERENCES feedback (id),
    CONSTRAINT feedback_votes_account_id_fkey FOREIGN KEY (account_id) REFERENCES applicant_accounts (id),
    CONSTRAINT feedback_votes_liked_check CHECK (liked IN (0, 1))
);
