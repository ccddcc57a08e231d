//! The catalog's SQL, portable to both databases. Statements whose shape
//! depends on the filters given are assembled in the operations from these
//! pieces; values are always bound.

/// The columns of a version, in [`super::rows::VersionRow`] order, over
/// `procedures pr JOIN procedure_versions v`.
macro_rules! version_select {
    () => {
        "SELECT pr.id, v.id, v.version_no, pr.code, v.name, v.field, v.levels, v.agency, \
         v.time_limit, v.online_time_limit, v.online_level, v.fee_dong, v.fee_note, \
         v.result_type, v.legal_basis, v.applicant, v.effective_from, v.effective_to, \
         v.components, v.created_at_ms \
         FROM procedures pr JOIN procedure_versions v ON v.procedure_id = pr.id"
    };
}

/// The columns of a process, in [`super::rows::ProcessRow`] order.
macro_rules! process_select {
    () => {
        "SELECT p.id, p.procedure_id, pr.code, p.unit_id, p.version_no, p.decision, \
         p.effective_from FROM processes p JOIN procedures pr ON pr.id = p.procedure_id"
    };
}

pub(crate) const VERSION_SELECT: &str = version_select!();
/// A version in force on a date: the ranges of one procedure never overlap.
pub(crate) const IN_FORCE: &str =
    "v.effective_from <= $d AND (v.effective_to IS NULL OR v.effective_to >= $d)";

pub(crate) const CURRENT_BY_CODE: &str = concat!(
    version_select!(),
    " WHERE pr.code = $1 AND v.effective_to IS NULL"
);
pub(crate) const IN_FORCE_BY_CODE: &str = concat!(
    version_select!(),
    " WHERE pr.code = $1 AND v.effective_from <= $2 \
     AND (v.effective_to IS NULL OR v.effective_to >= $2)"
);
pub(crate) const VERSIONS_BY_CODE: &str = concat!(
    version_select!(),
    " WHERE pr.code = $1 ORDER BY v.version_no"
);

pub(crate) const PROCEDURE_ID: &str = "SELECT id FROM procedures WHERE code = $1";
pub(crate) const INSERT_PROCEDURE: &str =
    "INSERT INTO procedures (code, created_at_ms) VALUES ($1, $2) RETURNING id";
pub(crate) const INSERT_VERSION: &str = "INSERT INTO procedure_versions \
     (procedure_id, version_no, effective_from, effective_to, name, name_folded, field, levels, \
     agency, time_limit, online_time_limit, online_level, fee_dong, fee_note, result_type, \
     legal_basis, applicant, components, created_at_ms) \
     VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
     RETURNING id";
pub(crate) const CLOSE_VERSION: &str = "UPDATE procedure_versions SET effective_to = $2 \
     WHERE id = $1 AND effective_to IS NULL";

pub(crate) const REVISION: &str = "SELECT revision FROM catalog_revision WHERE id = 1";
pub(crate) const BUMP_REVISION: &str =
    "UPDATE catalog_revision SET revision = revision + 1 WHERE id = 1";

/// What the search index holds: each procedure's latest version, and the
/// first day any version of it applied.
pub(crate) const SEARCH_DOCS: &str = "SELECT pr.id, pr.code, v.name, v.field, v.levels, \
     v.online_level, (SELECT min(f.effective_from) FROM procedure_versions f \
     WHERE f.procedure_id = pr.id) \
     FROM procedures pr JOIN procedure_versions v ON v.procedure_id = pr.id \
     WHERE v.effective_to IS NULL ORDER BY pr.code";
pub(crate) const ALL_ASSIGNMENTS: &str =
    "SELECT procedure_id, unit_id FROM procedure_units ORDER BY procedure_id, unit_id";

pub(crate) const UNIT_CODE: &str = "SELECT code FROM units WHERE id = $1";
pub(crate) const ASSIGN: &str = "INSERT INTO procedure_units \
     (procedure_id, unit_id, assigned_at_ms) VALUES ($1, $2, $3) \
     ON CONFLICT (procedure_id, unit_id) DO NOTHING";
pub(crate) const UNASSIGN: &str =
    "DELETE FROM procedure_units WHERE procedure_id = $1 AND unit_id = $2";
pub(crate) const UNITS_OF: &str =
    "SELECT unit_id FROM procedure_units WHERE procedure_id = $1 ORDER BY unit_id";

pub(crate) const LATEST_PROCESS: &str = "SELECT version_no, effective_from FROM processes \
     WHERE procedure_id = $1 AND unit_id = $2 ORDER BY version_no DESC LIMIT 1";
pub(crate) const INSERT_PROCESS: &str = "INSERT INTO processes \
     (procedure_id, unit_id, version_no, decision, effective_from, created_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
pub(crate) const INSERT_STEP: &str = "INSERT INTO process_steps \
     (process_id, position, name, unit_id, role, allotted, external) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// Processes in force on `$d`: for each (procedure, unit) the highest version
/// that has started.
pub(crate) const PROCESSES_IN_FORCE: &str = concat!(
    process_select!(),
    " WHERE p.effective_from <= $d AND NOT EXISTS (SELECT 1 FROM processes q \
     WHERE q.procedure_id = p.procedure_id AND q.unit_id = p.unit_id \
     AND q.effective_from <= $d AND q.version_no > p.version_no)"
);
pub(crate) const STEPS: &str = "SELECT process_id, position, name, unit_id, role, allotted, \
     external FROM process_steps";

pub(crate) const INSERT_REVIEW: &str = "INSERT INTO reviews \
     (unit_id, procedure_id, year, limit_before, limit_after, components_removed, decision, \
     effective, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
pub(crate) const REVIEW_SELECT: &str = "SELECT r.id, r.unit_id, pr.code, r.year, \
     r.limit_before, r.limit_after, r.components_removed, r.decision, r.effective \
     FROM reviews r JOIN procedures pr ON pr.id = r.procedure_id";

/// Distinct procedures in force on `$d` by the level of the units they are
/// assigned to, split by online level and fee.
pub(crate) const PROCEDURE_COUNTS: &str = "SELECT u.level, count(DISTINCT v.procedure_id), \
     count(DISTINCT CASE WHEN v.online_level = 'full_process' THEN v.procedure_id END), \
     count(DISTINCT CASE WHEN v.online_level = 'partial' THEN v.procedure_id END), \
     count(DISTINCT CASE WHEN v.online_level = 'none' THEN v.procedure_id END), \
     count(DISTINCT CASE WHEN v.fee_dong > 0 THEN v.procedure_id END) \
     FROM procedure_units pu JOIN units u ON u.id = pu.unit_id \
     JOIN procedure_versions v ON v.procedure_id = pu.procedure_id \
     AND v.effective_from <= $d AND (v.effective_to IS NULL OR v.effective_to >= $d)";
/// Processes in force on `$d` by the level of their unit.
pub(crate) const PROCESS_COUNTS: &str = "SELECT u.level, count(*) FROM processes p \
     JOIN units u ON u.id = p.unit_id \
     WHERE p.effective_from <= $d AND NOT EXISTS (SELECT 1 FROM processes q \
     WHERE q.procedure_id = p.procedure_id AND q.unit_id = p.unit_id \
     AND q.effective_from <= $d AND q.version_no > p.version_no)";

/// Ids as the JSON array [`super::Dialect::id_set`] reads.
pub(crate) fn id_json(ids: &[i64]) -> String {
    serde_json::Value::from(ids).to_string()
}

/// A statement assembled from a fixed base and the filters a call gives.
pub(crate) struct Assemble {
    text: String,
    args: Vec<super::Arg>,
    has_where: bool,
}

impl Assemble {
    /// Starts from `base`; `has_where` says whether it already filters.
    pub(crate) fn new(base: &str, has_where: bool) -> Self {
        Self {
            text: base.to_owned(),
            args: Vec::new(),
            has_where,
        }
    }

    /// Binds a value and returns its placeholder.
    pub(crate) fn arg(&mut self, a: super::Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// Binds ids as one JSON array and returns the subquery that yields them.
    pub(crate) fn id_set(&mut self, dialect: super::Dialect, ids: &[i64]) -> String {
        self.args.push(super::Arg::Text(id_json(ids)));
        dialect.id_set(self.args.len())
    }

    /// Binds a value and puts its placeholder wherever `token` (`$d`) stands
    /// in the text so far.
    pub(crate) fn bind_token(&mut self, token: &str, a: super::Arg) {
        let p = self.arg(a);
        self.text = self.text.replace(token, &p);
    }

    /// Adds a condition with `WHERE` or `AND`.
    pub(crate) fn and(&mut self, condition: &str) {
        self.text
            .push_str(if self.has_where { " AND " } else { " WHERE " });
        self.has_where = true;
        self.text.push_str(condition);
    }

    /// Puts the statement so far between `before` and `after` (a derived
    /// table); its placeholders keep their numbers.
    pub(crate) fn wrap(&mut self, before: &str, after: &str) {
        self.text = format!("{before}{}{after}", self.text);
    }

    /// Appends text as is (ordering, grouping, limits).
    pub(crate) fn push(&mut self, text: &str) {
        self.text.push(' ');
        self.text.push_str(text);
    }

    pub(crate) fn finish(self) -> super::Sql {
        super::Sql::assembled(self.text, self.args)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Arg, Dialect};
    use super::*;

    #[test]
    fn tokens_become_numbered_placeholders_in_binding_order() {
        let mut a = Assemble::new(concat!(version_select!(), " JOIN x ON x.d = $d"), false);
        a.bind_token("$d", Arg::Text("2025-01-01".into()));
        a.and("v.field = $f");
        a.bind_token("$f", Arg::Text("Hộ tịch".into()));
        let set = a.id_set(Dialect::Sqlite, &[1, 2]);
        a.and(&format!("pr.id IN {set}"));
        let sql = a.finish();
        assert!(sql.text.ends_with(
            "JOIN x ON x.d = $1 WHERE v.field = $2 AND pr.id IN (SELECT value FROM json_each($3))"
        ));
        assert_eq!(sql.args[2], Arg::Text("[1,2]".into()));
    }
}
