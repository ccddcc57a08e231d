//! The procedure catalog: procedures and their versions, imports, lists and
//! search, assignments, internal processes, reviews and counts by level.

mod lists;
mod procedures;
mod search;
mod work;

use motcua_domain::catalog::{
    ApplicantKind, Component, ComponentForm, Money, OnlineLevel, ProcedureCode, ProcedureDraft,
    Requirement, ResultType,
};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::unit::Level;
use motcua_service::ServiceError;
use motcua_service::store::{CodePage, ProcedureFilter, ProcedureVersion};

pub use lists::*;
pub use procedures::*;
pub use search::*;
pub use work::*;

use super::date;

/// A procedure code from a literal.
pub(crate) fn code(s: &str) -> anyhow::Result<ProcedureCode> {
    Ok(ProcedureCode::parse(s)?)
}

/// A plain draft: one level, the field given, free, not online, one
/// component, in force from 1 January 2024.
pub(crate) fn draft(c: &str, name: &str, field: &str) -> anyhow::Result<ProcedureDraft> {
    Ok(ProcedureDraft {
        code: code(c)?,
        name: name.to_owned(),
        field: field.to_owned(),
        levels: vec![Level::Commune],
        agency: "UBND cấp xã".to_owned(),
        time_limit: TimeLimit::working_days(5)?,
        online_time_limit: None,
        online_level: OnlineLevel::None,
        fee: Money::dong(0)?,
        fee_note: String::new(),
        result_type: ResultType::Certificate,
        legal_basis: "Luật Hộ tịch 2014".to_owned(),
        applicant: ApplicantKind::Citizen,
        effective_from: date(2024, 1, 1)?,
        components: vec![component("Tờ khai", Requirement::Mandatory)],
    })
}

pub(crate) fn component(name: &str, requirement: Requirement) -> Component {
    Component {
        name: name.to_owned(),
        form: ComponentForm::Original,
        copies: 1,
        requirement,
        must_digitise: false,
        form_template: None,
    }
}

fn codes(list: &[ProcedureVersion]) -> Vec<String> {
    list.iter().map(|v| v.draft.code.to_string()).collect()
}

pub(crate) fn latest() -> ProcedureFilter {
    ProcedureFilter::default()
}

pub(crate) fn page(after: Option<&str>, limit: u32) -> CodePage {
    CodePage {
        after: after.map(str::to_owned),
        limit,
    }
}

pub(crate) fn is_invalid_on(e: &ServiceError, expected: &str) -> bool {
    matches!(e, ServiceError::Invalid { field, .. } if field == expected)
}
