//! SQL that both databases run unchanged. Dialect-specific statements live in
//! `sqlite/` and `postgres/`; the contract suite proves the two agree.

pub(crate) const INSERT_UNIT: &str = "INSERT INTO units \
     (code, name, kind, level, parent_id, valid_from, valid_to) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
pub(crate) const UNIT_BY_ID: &str = "SELECT id, code, name, kind, level, parent_id, \
     valid_from, valid_to FROM units WHERE id = $1";
pub(crate) const UNIT_BY_CODE: &str = "SELECT id, code, name, kind, level, parent_id, \
     valid_from, valid_to FROM units WHERE code = $1";
pub(crate) const LIST_UNITS: &str = "SELECT id, code, name, kind, level, parent_id, \
     valid_from, valid_to FROM units ORDER BY code";
pub(crate) const UNIT_CODE: &str = "SELECT code FROM units WHERE id = $1";
/// The edges a subtree follows today: from a parent to its children, and
/// from a unit to the units it succeeded (merged or split into it), so
/// that the successors of abolished units hold their history in every
/// list, dashboard and grant (issue 17, point 8). Ended units keep their
/// last parent, so an abolished district still holds its old communes. A
/// succession counts from its effective date (the database's date, UTC: a
/// merger shows at 07:00 Vietnam time on its first day, never before it),
/// so a merger recorded ahead of time grants nothing early.
macro_rules! tree_edges {
    () => {
        "edges (up, down) AS ( \
         SELECT parent_id, id FROM units WHERE parent_id IS NOT NULL \
         UNION ALL \
         SELECT successor_id, predecessor_id FROM unit_successions \
         WHERE effective <= CAST(CURRENT_DATE AS TEXT))"
    };
}

/// The root first, then each level below it, each unit once at its
/// nearest depth; the depth bound stops a cycle that bad data might hold
/// from running forever.
pub(crate) const SUBTREE_IDS: &str = concat!(
    "WITH RECURSIVE ",
    tree_edges!(),
    ", tree (id, depth) AS ( \
     SELECT id, 0 FROM units WHERE id = $1 \
     UNION \
     SELECT e.down, t.depth + 1 FROM edges e JOIN tree t ON e.up = t.id WHERE t.depth < 64 \
     ) SELECT id FROM tree GROUP BY id ORDER BY min(depth), id"
);

pub(crate) const INSERT_USER: &str = "INSERT INTO users \
     (username, full_name, email, password_hash, active, created_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
pub(crate) const USER_BY_USERNAME: &str = "SELECT id, username, full_name, email, \
     password_hash, active, created_at_ms FROM users WHERE username = $1";
pub(crate) const USERNAME: &str = "SELECT username FROM users WHERE id = $1";
pub(crate) const SET_PASSWORD_HASH: &str =
    "UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING username";

pub(crate) const INSERT_GRANT: &str = "INSERT INTO role_grants \
     (user_id, role, unit_id, granted_at_ms) VALUES ($1, $2, $3, $4) RETURNING id";
pub(crate) const DELETE_GRANT: &str =
    "DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND unit_id = $3";
pub(crate) const GRANTS_OF: &str = "SELECT id, user_id, role, unit_id, granted_at_ms \
     FROM role_grants WHERE user_id = $1 ORDER BY id";

/// [`GRANTS_OF`], each grant's row repeated for every unit it covers
/// (along `tree_edges!`), in [`SUBTREE_IDS`]'s order.
pub(crate) const GRANT_SCOPES: &str = concat!(
    "WITH RECURSIVE ",
    tree_edges!(),
    ", tree (grant_id, id, depth) AS ( \
     SELECT id, unit_id, 0 FROM role_grants WHERE user_id = $1 \
     UNION \
     SELECT t.grant_id, e.down, t.depth + 1 FROM edges e JOIN tree t ON e.up = t.id \
     WHERE t.depth < 64 \
     ), nearest (grant_id, id, depth) AS ( \
     SELECT grant_id, id, min(depth) FROM tree GROUP BY grant_id, id \
     ) SELECT g.id, g.user_id, g.role, g.unit_id, g.granted_at_ms, t.id \
     FROM role_grants g JOIN nearest t ON t.grant_id = g.id ORDER BY g.id, t.depth, t.id"
);

/// `unit_key` is 0 for a global override (see the migration).
pub(crate) const PUT_OVERRIDE: &str = "INSERT INTO calendar_overrides \
     (unit_key, unit_id, day, working, reason) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (unit_key, day) DO UPDATE SET working = excluded.working, reason = excluded.reason";
pub(crate) const DELETE_OVERRIDE: &str =
    "DELETE FROM calendar_overrides WHERE unit_key = $1 AND day = $2";
/// Global overrides (`unit_key` 0) and the unit's own; global first on a date.
pub(crate) const OVERRIDES: &str = "SELECT unit_id, day, working, reason \
     FROM calendar_overrides WHERE unit_key IN (0, $1) AND day >= $2 AND day <= $3 \
     ORDER BY day, unit_key";

pub(crate) const PUT_OFFICE_HOURS: &str = "INSERT INTO office_hours \
     (unit_id, valid_from, valid_to, sessions) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (unit_id, valid_from) DO UPDATE SET valid_to = excluded.valid_to, sessions = excluded.sessions";
pub(crate) const CALENDAR_REVISION: &str = "SELECT revision FROM calendar_revision WHERE id = 1";
pub(crate) const OFFICE_HOURS: &str = "SELECT unit_id, valid_from, valid_to, sessions \
     FROM office_hours WHERE unit_id = $1 ORDER BY valid_from";

pub(crate) const GET_SETTING: &str = "SELECT value FROM settings WHERE scope = $1 AND key = $2";
pub(crate) const PUT_SETTING: &str = "INSERT INTO settings (scope, key, value, updated_at_ms) \
     VALUES ($1, $2, $3, $4) \
     ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms";

pub(crate) const AUDIT_HEAD: &str = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
     (seq, at_ms, actor, action, subject, detail, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(crate) const AUDIT_AFTER: &str = "SELECT seq, at_ms, actor, action, subject, detail, \
     prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2";

/// Versions recorded as applied by sqlx's migrator.
pub(crate) const APPLIED_VERSIONS: &str = "SELECT version FROM _sqlx_migrations WHERE success";
