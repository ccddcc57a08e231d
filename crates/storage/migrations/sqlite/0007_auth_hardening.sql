-- Sign-in hardening (issue 16). Paired with
-- migrations/postgres/0007_auth_hardening.sql: same tables, columns and
-- constraint names.
--
-- API tokens end: expires_at_ms is set when a token is made (the server's
-- default or the lifetime asked for, within its maximum). Tokens made before
-- this migration get the default lifetime, 90 days from their creation.
-- last_used_at_ms is when the token last signed a request, written at most
-- once a minute per token so that the request path does not write each time.
ALTER TABLE api_tokens ADD COLUMN expires_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN last_used_at_ms INTEGER;
UPDATE api_tokens SET expires_at_ms = created_at_ms + 7776000000;

-- Sign-in attempts per key ('pair:<name>@<address>', 'ip:<address>',
-- 'user:<name>'), one counter row each. An attempt is reserved with one
-- guarded upsert before the password is checked, so concurrent attempts
-- cannot all pass a count read before any of them was written. A window
-- starts with its first attempt; `attempts` counts the attempts in it;
-- `delay_ms` and `not_before_ms` hold a key's backoff (the next attempt may
-- not come before not_before_ms; 0 when the key has none).
CREATE TABLE login_attempts (
    key              TEXT    NOT NULL,
    window_start_ms  INTEGER NOT NULL,
    attempts         INTEGER NOT NULL,
    delay_ms         INTEGER NOT NULL,
    not_before_ms    INTEGER NOT NULL,
    CONSTRAINT login_attempts_pkey PRIMARY KEY (key),
    CONSTRAINT login_attempts_key_check CHECK (length(key) <= 200)
);
CREATE INDEX login_attempts_window_start_ms_idx ON login_attempts (window_start_ms);

-- The failures counted one row each, which a flood of attempts could pass
-- before any was written, and which held whatever name was typed.
DROP TABLE login_failures;
