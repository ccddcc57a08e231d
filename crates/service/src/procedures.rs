//! Procedure catalog use cases: creating and versioning procedures, reading
//! and searching them, assigning them to units, and catalog figures.
//!
//! The catalog is public information (procedures must be published), so
//! reading needs no sign-in; changing it needs `EditCatalog`, and creating or
//! versioning procedures needs it at province level, where the catalog is kept.

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::catalog::{ProcedureCode, ProcedureDraft};
use motcua_domain::role::Role;
use motcua_domain::search::SearchHit;
use motcua_domain::unit::Level;

use crate::access::{Actor, Permission, deny, require};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{
    CodePage, ImportOutcome, LevelCounts, ProcedureFilter, ProcedureVersion, Store,
};

/// Allows catalog keeping: system administrators, or `EditCatalog` granted on
/// a province-level unit (the office that controls procedures).
pub(crate) async fn require_catalog_keeper(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
) -> ServiceResult<()> {
    if actor.is_system() || actor.holds(Role::SystemAdmin) {
        return Ok(());
    }
    for g in &actor.grants {
        if crate::access::role_permits(g.role, Permission::EditCatalog) {
            let unit = store.unit_by_id(g.unit_id).await?;
            if matches!(unit.level, Level::Province | Level::Central) {
                return Ok(());
            }
        }
    }
    deny(store, actor, now, Permission::EditCatalog, "catalog").await
}

/// Parses a procedure code given as text, naming `field` when it is bad.
pub fn parse_code(field: &str, code: &str) -> ServiceResult<ProcedureCode> {
    ProcedureCode::parse(code).map_err(|e| match e {
        motcua_domain::DomainError::Invalid { reason, .. } => ServiceError::invalid(field, reason),
    })
}

/// Adds a procedure with its first version.
pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    draft: ProcedureDraft,
) -> ServiceResult<ProcedureVersion> {
    require_catalog_keeper(store, actor, now).await?;
    draft.validate()?;
    store.insert_procedure(&actor.context(now), &draft).await
}

/// Adds a new version of an existing procedure from its effective date.
pub async fn add_version(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    draft: ProcedureDraft,
) -> ServiceResult<ProcedureVersion> {
    require_catalog_keeper(store, actor, now).await?;
    draft.validate()?;
    store
        .add_procedure_version(&actor.context(now), &draft)
        .await
}

/// A procedure as in force on a date (default: its latest version).
pub async fn get(
    store: &dyn Store,
    code: &str,
    on: Option<Date>,
) -> ServiceResult<ProcedureVersion> {
    store.procedure(&parse_code("code", code)?, on).await
}

/// Every version of a procedure, oldest first.
pub async fn versions(store: &dyn Store, code: &str) -> ServiceResult<Vec<ProcedureVersion>> {
    store.procedure_versions(&parse_code("code", code)?).await
}

/// A page of procedures in code order.
pub async fn list(
    store: &dyn Store,
    filter: &ProcedureFilter,
    after: Option<String>,
    limit: u32,
) -> ServiceResult<Vec<ProcedureVersion>> {
    if let Some(a) = &after {
        parse_code("cursor", a)?;
    }
    store
        .list_procedures(
            filter,
            &CodePage {
                after,
                limit: limit.clamp(1, 500),
            },
        )
        .await
}

/// Ranked Vietnamese search (diacritics, case and small typos forgiven).
pub async fn search(
    store: &dyn Store,
    query: &str,
    filter: &ProcedureFilter,
    limit: u32,
) -> ServiceResult<Vec<SearchHit>> {
    if query.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "q",
            "a search of at most 200 characters",
        ));
    }
    store
        .search_procedures(query, filter, limit.clamp(1, 100))
        .await
}

/// Assigns procedures to a unit that handles them.
pub async fn assign(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    code: &str,
    unit_id: i64,
) -> ServiceResult<()> {
    let code = parse_code("code", code)?;
    store.unit_by_id(unit_id).await?;
    require(store, actor, now, Permission::EditCatalog, unit_id).await?;
    store
        .assign_procedure(&actor.context(now), &code, unit_id)
        .await
}

/// Removes an assignment.
pub async fn unassign(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    code: &str,
    unit_id: i64,
) -> ServiceResult<()> {
    let code = parse_code("code", code)?;
    store.unit_by_id(unit_id).await?;
    require(store, actor, now, Permission::EditCatalog, unit_id).await?;
    store
        .unassign_procedure(&actor.context(now), &code, unit_id)
        .await
}

/// Imports parsed drafts all-or-nothing, then assigns each to the unit codes
/// given with it (column U of the template). Unknown unit codes are refused
/// before anything is written.
pub async fn import(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    drafts: Vec<(ProcedureDraft, Vec<String>)>,
) -> ServiceResult<ImportOutcome> {
    require_catalog_keeper(store, actor, now).await?;
    let mut assignments = Vec::new();
    for (i, (draft, units)) in drafts.iter().enumerate() {
        draft.validate().map_err(|e| match e {
            motcua_domain::DomainError::Invalid { field, reason } => {
                ServiceError::invalid(format!("rows[{i}].{field}"), reason)
            }
        })?;
        for code in units {
            let unit = crate::units::find_unit(store, "units", code)
                .await
                .map_err(|e| match e {
                    ServiceError::NotFound { .. } => ServiceError::invalid(
                        format!("rows[{i}].units"),
                        format!("no unit with code {code}"),
                    ),
                    ServiceError::Invalid { reason, .. } => {
                        ServiceError::invalid(format!("rows[{i}].units"), reason)
                    }
                    other => other,
                })?;
            require(store, actor, now, Permission::EditCatalog, unit.id).await?;
            assignments.push((i, unit.id));
        }
    }
    let only: Vec<ProcedureDraft> = drafts.into_iter().map(|(d, _)| d).collect();
    store
        .import_procedures(&actor.context(now), &only, &assignments)
        .await
}

/// Catalog figures by level for a unit's subtree on a date: procedures by
/// online level and processes (the Đô Lương article's "261 district
/// procedures, 111 full-process and 150 partial").
pub async fn catalog_stats(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit_id: i64,
    on: Date,
) -> ServiceResult<Vec<LevelCounts>> {
    store.unit_by_id(unit_id).await?;
    require(store, actor, now, Permission::ViewStatistics, unit_id).await?;
    let ids = store.subtree_ids_on(unit_id, on).await?;
    if ids.is_empty() {
        return Err(ServiceError::invalid(
            "on",
            format!("the unit did not exist on {on}"),
        ));
    }
    store.catalog_counts(&ids, on).await
}

/// What an import of a file did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Procedures read from the file.
    pub procedures: usize,
    /// Created, versioned, unchanged.
    pub outcome: ImportOutcome,
    /// Things to confirm (a bare "ngày" read as calendar days).
    pub warnings: Vec<crate::catalog::ImportIssue>,
}

/// Why an import changed nothing.
#[derive(Debug)]
pub enum ImportFailure {
    /// Problems in the file, each with its row and column.
    Rejected(crate::catalog::ImportErrors),
    /// Anything else (forbidden, database unavailable).
    Service(ServiceError),
}

impl From<ServiceError> for ImportFailure {
    fn from(e: ServiceError) -> Self {
        Self::Service(e)
    }
}

/// Reads a procedure file (CSV or XLSX, the template of
/// docs/import/procedures.md) and imports it all-or-nothing. Problems found
/// after parsing (an existing code's earlier date, an unknown unit code) are
/// reported against the file row they came from.
pub async fn import_file(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    bytes: &[u8],
    format: crate::catalog::FileFormat,
) -> Result<ImportReport, ImportFailure> {
    require_catalog_keeper(store, actor, now).await?;
    let parsed =
        crate::catalog::parse_procedures(bytes, format).map_err(ImportFailure::Rejected)?;
    let rows: Vec<usize> = parsed.procedures.iter().map(|p| p.row).collect();
    let warnings = parsed.warnings.clone();
    let count = parsed.procedures.len();
    match import(store, actor, now, parsed.into_drafts()).await {
        Ok(outcome) => Ok(ImportReport {
            procedures: count,
            outcome,
            warnings,
        }),
        Err(ServiceError::Invalid { field, reason }) => {
            Err(ImportFailure::Rejected(crate::catalog::ImportErrors(vec![
                row_issue(&rows, &field, reason),
            ])))
        }
        Err(e) => Err(ImportFailure::Service(e)),
    }
}

/// Turns `rows[3].effective_from` into an issue at the file row of draft 3,
/// concerning the template column of that field when there is one.
fn row_issue(rows: &[usize], field: &str, reason: String) -> crate::catalog::ImportIssue {
    use crate::catalog::{ImportIssue, IssueCode, Reason};
    use motcua_domain::catalog::text::template::Column;
    let parsed = field
        .strip_prefix("rows[")
        .and_then(|r| r.split_once(']'))
        .and_then(|(i, rest)| Some((i.parse::<usize>().ok()?, rest.trim_start_matches('.'))));
    let reason = Reason::new(IssueCode::RuleBroken, reason);
    match parsed {
        Some((i, name)) => ImportIssue::new(
            rows.get(i).copied().unwrap_or(0),
            None,
            Some(name.to_owned()),
            reason,
        )
        .of(Column::find(name)),
        None => ImportIssue::new(0, None, Some(field.to_owned()), reason),
    }
}

/// Every procedure (latest version) with the codes of the units it is
/// assigned to, in code order, for export.
pub async fn export_rows(store: &dyn Store) -> ServiceResult<Vec<(ProcedureDraft, Vec<String>)>> {
    // Unit codes once, rather than one query per assignment.
    let codes: std::collections::HashMap<i64, String> = store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.code.to_string()))
        .collect();
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_procedures(
                &ProcedureFilter::default(),
                &CodePage {
                    after: after.clone(),
                    limit: 500,
                },
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.draft.code.to_string());
        for v in page {
            let mut units = Vec::new();
            for id in store.procedure_units(&v.draft.code).await? {
                let code = codes
                    .get(&id)
                    .ok_or_else(|| ServiceError::not_found("unit", id.to_string()))?;
                units.push(code.clone());
            }
            units.sort();
            out.push((v.draft, units));
        }
    }
    Ok(out)
}

impl crate::services::Procedures<'_> {
    /// Adds a procedure with its first version.
    pub async fn create(
        &self,
        actor: &Actor,
        draft: ProcedureDraft,
    ) -> ServiceResult<ProcedureVersion> {
        self::create(self.store(), actor, self.now(), draft).await
    }

    /// Adds a new version of an existing procedure from its effective date.
    pub async fn add_version(
        &self,
        actor: &Actor,
        draft: ProcedureDraft,
    ) -> ServiceResult<ProcedureVersion> {
        self::add_version(self.store(), actor, self.now(), draft).await
    }

    /// A procedure as in force on a date (default: its latest version).
    pub async fn get(&self, code: &str, on: Option<Date>) -> ServiceResult<ProcedureVersion> {
        self::get(self.store(), code, on).await
    }

    /// Every version of a procedure, oldest first.
    pub async fn versions(&self, code: &str) -> ServiceResult<Vec<ProcedureVersion>> {
        self::versions(self.store(), code).await
    }

    /// A page of procedures in code order.
    pub async fn list(
        &self,
        filter: &ProcedureFilter,
        after: Option<String>,
        limit: u32,
    ) -> ServiceResult<Vec<ProcedureVersion>> {
        self::list(self.store(), filter, after, limit).await
    }

    /// Ranked Vietnamese search (diacritics, case and small typos forgiven).
    pub async fn search(
        &self,
        query: &str,
        filter: &ProcedureFilter,
        limit: u32,
    ) -> ServiceResult<Vec<SearchHit>> {
        self::search(self.store(), query, filter, limit).await
    }

    /// Assigns procedures to a unit that handles them.
    pub async fn assign(&self, actor: &Actor, code: &str, unit_id: i64) -> ServiceResult<()> {
        self::assign(self.store(), actor, self.now(), code, unit_id).await
    }

    /// Removes an assignment.
    pub async fn unassign(&self, actor: &Actor, code: &str, unit_id: i64) -> ServiceResult<()> {
        self::unassign(self.store(), actor, self.now(), code, unit_id).await
    }

    /// Imports parsed drafts all-or-nothing, then assigns each to the unit codes
    /// given with it (column U of the template). Unknown unit codes are refused
    /// before anything is written.
    pub async fn import(
        &self,
        actor: &Actor,
        drafts: Vec<(ProcedureDraft, Vec<String>)>,
    ) -> ServiceResult<ImportOutcome> {
        self::import(self.store(), actor, self.now(), drafts).await
    }

    /// Catalog figures by level for a unit's subtree on a date: procedures by
    /// online level and processes (the Đô Lương article's "261 district
    /// procedures, 111 full-process and 150 partial").
    pub async fn catalog_stats(
        &self,
        actor: &Actor,
        unit_id: i64,
        on: Date,
    ) -> ServiceResult<Vec<LevelCounts>> {
        self::catalog_stats(self.store(), actor, self.now(), unit_id, on).await
    }

    /// Reads a procedure file (CSV or XLSX, the template of
    /// docs/import/procedures.md) and imports it all-or-nothing. Problems found
    /// after parsing (an existing code's earlier date, an unknown unit code) are
    /// reported against the file row they came from.
    pub async fn import_file(
        &self,
        actor: &Actor,
        bytes: &[u8],
        format: crate::catalog::FileFormat,
    ) -> Result<ImportReport, ImportFailure> {
        self::import_file(self.store(), actor, self.now(), bytes, format).await
    }

    /// Every procedure (latest version) with the codes of the units it is
    /// assigned to, in code order, for export.
    pub async fn export_rows(&self) -> ServiceResult<Vec<(ProcedureDraft, Vec<String>)>> {
        self::export_rows(self.store()).await
    }
}
