-- Form templates of the catalog (issue 19, point 1): the file behind a
-- component's form template (Component::form_template, e.g. "Tờ khai đăng
-- ký khai sinh"), one per procedure and template name, kept in the file
-- store under its SHA-256. Paired with
-- migrations/postgres/0019_catalog_templates.sql.
CREATE TABLE catalog_templates (
    procedure_code  TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    file_name       TEXT    NOT NULL,
    media_type      TEXT    NOT NULL,
    sha256          TEXT    NOT NULL,
    size_bytes      INTEGER NOT NULL,
    uploaded_at_ms  INTEGER NOT NULL,
    CONSTRAINT catalog_templates_pkey PRIMARY KEY (procedure_code, name),
    CONSTRAINT catalog_templates_sha256_check CHECK (length(sha256) = 64),
    CONSTRAINT catalog_templates_size_check CHECK (size_bytes > 0)
);
