//! Catalog rows as both databases return them, and their conversion to the
//! port's records: levels as `district;commune`, limits as their text
//! (`5 working_days`), components as JSON text, dates as `YYYY-MM-DD`.

use std::str::FromStr;

use motcua_domain::catalog::{
    ApplicantKind, Component, Money, OnlineLevel, ProcedureCode, ProcedureDraft, ResultType,
};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::role::Role;
use motcua_domain::unit::Level;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{ProcedureVersion, Process, ProcessStep, Review};
use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};

use crate::convert::{day, instant};
use crate::error::corrupt;

/// A procedure version: the 20 columns of `sql::VERSION_SELECT`.
pub(crate) struct VersionRow {
    procedure_id: i64,
    version_id: i64,
    version_no: i64,
    code: String,
    name: String,
    field: String,
    levels: String,
    agency: String,
    time_limit: String,
    online_time_limit: Option<String>,
    online_level: String,
    fee_dong: i64,
    fee_note: String,
    result_type: String,
    legal_basis: String,
    applicant: String,
    effective_from: String,
    effective_to: Option<String>,
    components: String,
    created_at_ms: i64,
}

impl<'r, R> FromRow<'r, R> for VersionRow
where
    R: Row,
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(r: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Self {
            procedure_id: r.try_get(0)?,
            version_id: r.try_get(1)?,
            version_no: r.try_get(2)?,
            code: r.try_get(3)?,
            name: r.try_get(4)?,
            field: r.try_get(5)?,
            levels: r.try_get(6)?,
            agency: r.try_get(7)?,
            time_limit: r.try_get(8)?,
            online_time_limit: r.try_get(9)?,
            online_level: r.try_get(10)?,
            fee_dong: r.try_get(11)?,
            fee_note: r.try_get(12)?,
            result_type: r.try_get(13)?,
            legal_basis: r.try_get(14)?,
            applicant: r.try_get(15)?,
            effective_from: r.try_get(16)?,
            effective_to: r.try_get(17)?,
            components: r.try_get(18)?,
            created_at_ms: r.try_get(19)?,
        })
    }
}

/// Reads a stored value with its parser, naming the column when it fails.
fn parsed<T, E: std::fmt::Display>(
    column: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> ServiceResult<T> {
    parse(text).map_err(|e| corrupt(column, text, e))
}

fn time_limit(column: &str, text: &str) -> ServiceResult<TimeLimit> {
    parsed(column, text, TimeLimit::from_str)
}

fn count(column: &str, v: i64) -> ServiceResult<u32> {
    u32::try_from(v).map_err(|e| corrupt(column, &v.to_string(), e))
}

/// `district;commune`, in the draft's order.
pub(crate) fn levels_text(levels: &[Level]) -> String {
    levels
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

pub(crate) fn levels(text: &str) -> ServiceResult<Vec<Level>> {
    text.split(';')
        .map(|l| parsed("procedure_versions.levels", l, Level::parse))
        .collect()
}

pub(crate) fn components_text(components: &[Component]) -> ServiceResult<String> {
    serde_json::to_string(components)
        .map_err(|e| ServiceError::Internal(format!("components cannot be stored: {e}")))
}

impl VersionRow {
    pub(crate) fn into_version(self) -> ServiceResult<ProcedureVersion> {
        let components: Vec<Component> = serde_json::from_str(&self.components)
            .map_err(|e| corrupt("procedure_versions.components", &self.components, e))?;
        let draft = ProcedureDraft {
            code: parsed("procedures.code", &self.code, ProcedureCode::parse)?,
            name: self.name,
            field: self.field,
            levels: levels(&self.levels)?,
            agency: self.agency,
            time_limit: time_limit("procedure_versions.time_limit", &self.time_limit)?,
            online_time_limit: self
                .online_time_limit
                .as_deref()
                .map(|t| time_limit("procedure_versions.online_time_limit", t))
                .transpose()?,
            online_level: parsed(
                "procedure_versions.online_level",
                &self.online_level,
                OnlineLevel::parse,
            )?,
            fee: Money::dong(self.fee_dong).map_err(|e| {
                corrupt("procedure_versions.fee_dong", &self.fee_dong.to_string(), e)
            })?,
            fee_note: self.fee_note,
            result_type: parsed(
                "procedure_versions.result_type",
                &self.result_type,
                ResultType::parse,
            )?,
            legal_basis: self.legal_basis,
            applicant: parsed(
                "procedure_versions.applicant",
                &self.applicant,
                ApplicantKind::parse,
            )?,
            effective_from: day(&self.effective_from, "procedure_versions.effective_from")?,
            components,
        };
        Ok(ProcedureVersion {
            procedure_id: self.procedure_id,
            version_id: self.version_id,
            version_no: count("procedure_versions.version_no", self.version_no)?,
            draft,
            effective_to: self
                .effective_to
                .as_deref()
                .map(|d| day(d, "procedure_versions.effective_to"))
                .transpose()?,
            created_at: instant(self.created_at_ms, "procedure_versions.created_at_ms")?,
        })
    }
}

pub(crate) fn versions(rows: Vec<VersionRow>) -> ServiceResult<Vec<ProcedureVersion>> {
    rows.into_iter().map(VersionRow::into_version).collect()
}

/// `id, procedure_id, code, unit_id, version_no, decision, effective_from`.
pub(crate) type ProcessRow = (i64, i64, String, i64, i64, String, String);

/// `process_id, position, name, unit_id, role, allotted, external`.
pub(crate) type StepRow = (i64, i64, String, i64, String, String, bool);

pub(crate) fn step(r: &StepRow) -> ServiceResult<ProcessStep> {
    let (_, _, name, unit_id, role, allotted, external) = r;
    Ok(ProcessStep {
        name: name.clone(),
        unit_id: *unit_id,
        role: parsed("process_steps.role", role, Role::parse)?,
        allotted: time_limit("process_steps.allotted", allotted)?,
        external: *external,
    })
}

pub(crate) fn process(r: ProcessRow, steps: Vec<ProcessStep>) -> ServiceResult<Process> {
    let (id, procedure_id, code, unit_id, version_no, decision, effective_from) = r;
    Ok(Process {
        id,
        procedure_id,
        procedure_code: parsed("procedures.code", &code, ProcedureCode::parse)?,
        unit_id,
        version_no: count("processes.version_no", version_no)?,
        decision,
        effective_from: day(&effective_from, "processes.effective_from")?,
        steps,
    })
}

/// `id, unit_id, code, year, limit_before, limit_after, components_removed,
/// decision, effective`.
pub(crate) type ReviewRow = (i64, i64, String, i64, String, String, i64, String, String);

pub(crate) fn review(r: ReviewRow) -> ServiceResult<Review> {
    let (id, unit_id, code, year, before, after, removed, decision, effective) = r;
    Ok(Review {
        id,
        unit_id,
        procedure_code: parsed("procedures.code", &code, ProcedureCode::parse)?,
        year: i16::try_from(year).map_err(|e| corrupt("reviews.year", &year.to_string(), e))?,
        limit_before: time_limit("reviews.limit_before", &before)?,
        limit_after: time_limit("reviews.limit_after", &after)?,
        components_removed: count("reviews.components_removed", removed)?,
        decision,
        effective: day(&effective, "reviews.effective")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_keep_their_order_through_the_stored_text() {
        let l = vec![Level::District, Level::Commune, Level::Province];
        let text = levels_text(&l);
        assert_eq!(text, "district;commune;province");
        assert_eq!(levels(&text).unwrap(), l);
        assert!(levels("district;;commune").is_err());
    }
}
