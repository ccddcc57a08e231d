//! What catalog changes record in the audit log (re-exported by
//! [`crate::audit`]).
//!
//! A procedure's entries use the subject `procedure:<code>`, so its trail is
//! found in one place whether it was changed by hand or by an import. An
//! import records each procedure it created or versioned under the same
//! actions as a change by hand (with `"import": true` in the detail), then one
//! [`PROCEDURE_IMPORT`] entry for the run with its counts. Changes that change
//! nothing (assigning twice, re-importing identical rows) record nothing.

use motcua_service::store::{ImportOutcome, NewReview, ProcedureVersion, Process};
use serde_json::{Value, json};

use crate::convert::day_text;

/// A procedure was added with its first version.
pub const PROCEDURE_CREATE: &str = "procedure.create";
/// A procedure got a new version; the previous one was closed.
pub const PROCEDURE_VERSION: &str = "procedure.version";
/// An import run changed the catalog (counts in the detail).
pub const PROCEDURE_IMPORT: &str = "procedure.import";
/// A procedure was assigned to a unit.
pub const PROCEDURE_ASSIGN: &str = "procedure.assign";
/// A procedure's assignment to a unit was removed.
pub const PROCEDURE_UNASSIGN: &str = "procedure.unassign";
/// An internal process version was added.
pub const PROCESS_CREATE: &str = "process.create";
/// A review item was added.
pub const REVIEW_CREATE: &str = "review.create";

/// The subject of an import run.
pub const IMPORT_SUBJECT: &str = "catalog:procedures";

/// `procedure:<code>`.
pub fn procedure_subject(code: &str) -> String {
    format!("procedure:{code}")
}

pub(crate) fn version_detail(v: &ProcedureVersion, imported: bool) -> Value {
    let d = &v.draft;
    json!({
        "id": v.procedure_id,
        "version_id": v.version_id,
        "version_no": v.version_no,
        "name": d.name,
        "effective_from": day_text(d.effective_from),
        "time_limit": d.time_limit.to_string(),
        "online_level": d.online_level.as_str(),
        "fee_dong": d.fee.get(),
        "components": d.components.len(),
        "import": imported,
    })
}

pub(crate) fn import_detail(rows: usize, o: &ImportOutcome) -> Value {
    json!({
        "rows": rows,
        "created": o.created,
        "versioned": o.versioned,
        "unchanged": o.unchanged,
    })
}

pub(crate) fn assignment_detail(unit_id: i64, unit_code: Option<&str>) -> Value {
    json!({ "unit_id": unit_id, "unit_code": unit_code })
}

pub(crate) fn process_detail(p: &Process) -> Value {
    json!({
        "id": p.id,
        "unit_id": p.unit_id,
        "version_no": p.version_no,
        "decision": p.decision,
        "effective_from": day_text(p.effective_from),
        "steps": p.steps.len(),
    })
}

pub(crate) fn review_detail(id: i64, r: &NewReview) -> Value {
    json!({
        "id": id,
        "unit_id": r.unit_id,
        "year": r.year,
        "limit_before": r.limit_before.to_string(),
        "limit_after": r.limit_after.to_string(),
        "components_removed": r.components_removed,
        "decision": r.decision,
        "effective": day_text(r.effective),
    })
}
