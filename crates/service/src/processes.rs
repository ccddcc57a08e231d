//! Internal processes (quy trình nội bộ) and procedure reviews (rà soát).

use jiff::Timestamp;
use motcua_domain::catalog::process::check_allotted;
use motcua_domain::catalog::review::{ReviewFigures, review_figures};

use crate::access::{Actor, Permission, require};
use crate::error::{ServiceError, ServiceResult};
use crate::fields::name_field;
use crate::store::{NewProcess, NewReview, Process, Review, Store};

/// Records an approved process after checking that its steps' allotted times
/// fit within the procedure's legal limit and that every step's unit exists.
pub async fn add_process(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    p: NewProcess,
) -> ServiceResult<Process> {
    store.unit_by_id(p.unit_id).await?;
    require(store, actor, now, Permission::ManageProcesses, p.unit_id).await?;
    if p.decision.trim().is_empty() {
        return Err(ServiceError::invalid(
            "decision",
            "name the approving decision",
        ));
    }
    let procedure = store
        .procedure(&p.procedure_code, Some(p.effective_from))
        .await?;
    name_field("decision", &p.decision, true)?;
    let allotted: Vec<_> = p.steps.iter().map(|s| s.allotted).collect();
    check_allotted(procedure.draft.time_limit, &allotted)?;
    for (i, s) in p.steps.iter().enumerate() {
        if s.name.trim().is_empty() {
            return Err(ServiceError::invalid(
                format!("steps[{i}].name"),
                "each step needs a name",
            ));
        }
        name_field(&format!("steps[{i}].name"), &s.name, true)?;
        store.unit_by_id(s.unit_id).await.map_err(|e| match e {
            ServiceError::NotFound { .. } => ServiceError::invalid(
                format!("steps[{i}].unit"),
                format!("no unit with id {}", s.unit_id),
            ),
            other => other,
        })?;
    }
    store.insert_process(&actor.context(now), &p).await
}

/// Processes in force on a date in a unit's subtree.
pub async fn processes(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit_id: i64,
    on: jiff::civil::Date,
) -> ServiceResult<Vec<Process>> {
    store.unit_by_id(unit_id).await?;
    require(store, actor, now, Permission::ViewCatalog, unit_id).await?;
    let ids = store.subtree_ids_on(unit_id, on).await?;
    store.processes(&ids, on).await
}

/// Records a review item.
pub async fn add_review(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    r: NewReview,
) -> ServiceResult<Review> {
    store.unit_by_id(r.unit_id).await?;
    require(store, actor, now, Permission::ManageReviews, r.unit_id).await?;
    if !(2000..=2100).contains(&r.year) {
        return Err(ServiceError::invalid(
            "year",
            format!("{} is not a review year", r.year),
        ));
    }
    if r.decision.trim().is_empty() {
        return Err(ServiceError::invalid(
            "decision",
            "name the approving decision",
        ));
    }
    name_field("decision", &r.decision, true)?;
    r.limit_before
        .validate()
        .map_err(|e| ServiceError::invalid("limit_before", e.to_string()))?;
    r.limit_after
        .validate()
        .map_err(|e| ServiceError::invalid("limit_after", e.to_string()))?;
    store.procedure(&r.procedure_code, None).await?;
    store.insert_review(&actor.context(now), &r).await
}

/// Review items and their figures ("55 reviewed, 204 days cut") for a unit's
/// subtree and a year.
pub async fn review_report(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit_id: i64,
    year: i16,
) -> ServiceResult<(Vec<Review>, ReviewFigures)> {
    store.unit_by_id(unit_id).await?;
    require(store, actor, now, Permission::ViewStatistics, unit_id).await?;
    // Roll up along the tree as it stood at the end of the year (a district
    // abolished in 2025 still has its 2024 communes under it).
    let year_end = jiff::civil::Date::new(year, 12, 31)
        .map_err(|_| ServiceError::invalid("year", format!("{year} is not a year")))?;
    let mut ids = store.subtree_ids_on(unit_id, year_end).await?;
    if ids.is_empty() {
        ids = store.subtree_ids(unit_id).await?;
    }
    let items = store.reviews(&ids, Some(year)).await?;
    let figures = review_figures(items.iter().map(|r| (r.limit_before, r.limit_after)));
    Ok((items, figures))
}

impl crate::services::Processes<'_> {
    /// Records an approved process after checking that its steps' allotted times
    /// fit within the procedure's legal limit and that every step's unit exists.
    pub async fn add_process(&self, actor: &Actor, p: NewProcess) -> ServiceResult<Process> {
        self::add_process(self.store(), actor, self.now(), p).await
    }

    /// Processes in force on a date in a unit's subtree.
    pub async fn processes(
        &self,
        actor: &Actor,
        unit_id: i64,
        on: jiff::civil::Date,
    ) -> ServiceResult<Vec<Process>> {
        self::processes(self.store(), actor, self.now(), unit_id, on).await
    }

    /// Records a review item.
    pub async fn add_review(&self, actor: &Actor, r: NewReview) -> ServiceResult<Review> {
        self::add_review(self.store(), actor, self.now(), r).await
    }

    /// Review items and their figures ("55 reviewed, 204 days cut") for a unit's
    /// subtree and a year.
    pub async fn review_report(
        &self,
        actor: &Actor,
        unit_id: i64,
        year: i16,
    ) -> ServiceResult<(Vec<Review>, ReviewFigures)> {
        self::review_report(self.store(), actor, self.now(), unit_id, year).await
    }
}
