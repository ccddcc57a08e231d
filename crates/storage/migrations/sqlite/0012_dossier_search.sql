-- The staff search box (issue 18, point 1): the terms a dossier is found
-- by, one row each. Paired with migrations/postgres/0012_dossier_search.sql.
--
-- A term is the applicant's folded name (no diacritics, lower case) from
-- each of its first twelve words, cut to 60 characters, so that a prefix
-- range finds "nguyen van a", "van an" or a word inside a business's name
-- on one index; or '#' and an identity or phone number with its
-- separators dropped and +84 written as 0. Codes need no row: the unique
-- index on dossiers.code answers their prefixes. The terms are written with
-- the dossier (motcua_domain::search::dossier_terms); this migration fills
-- them for the dossiers already there, with the same rules in SQL (an
-- identity holding punctuation other than spaces, dots, dashes, slashes or
-- '+' keeps it here, and is then found by its exact text only).
CREATE TABLE dossier_search (
    term        TEXT    NOT NULL,
    dossier_id  INTEGER NOT NULL,
    CONSTRAINT dossier_search_pkey PRIMARY KEY (term, dossier_id)
) WITHOUT ROWID;

-- backfill
WITH RECURSIVE words (dossier_id, rest, n) AS (
    SELECT id, applicant_folded, 1 FROM dossiers WHERE applicant_folded <> ''
    UNION ALL
    SELECT dossier_id, substr(rest, instr(rest, ' ') + 1), n + 1 FROM words
    WHERE instr(rest, ' ') > 0 AND n < 12
),
numbers (dossier_id, raw, k) AS (
    SELECT id, applicant_identity, upper(replace(replace(replace(replace(replace(
        applicant_identity, ' ', ''), '.', ''), '-', ''), '/', ''), '+', ''))
    FROM dossiers
    UNION ALL
    SELECT id, applicant_phone, upper(replace(replace(replace(replace(replace(
        applicant_phone, ' ', ''), '.', ''), '-', ''), '/', ''), '+', ''))
    FROM dossiers
)
INSERT INTO dossier_search (term, dossier_id)
SELECT substr(rest, 1, 60), dossier_id FROM words
UNION
SELECT '#' || substr(CASE WHEN ltrim(raw) LIKE '+84%' THEN '0' || substr(k, 3) ELSE k END, 1, 60),
    dossier_id
FROM numbers WHERE k <> '';
