//! The storage contract: cases that any `Store` must pass, run by the
//! integration tests on SQLite and on PostgreSQL (the server in
//! `MOTCUA_TEST_DATABASE_URL`, else the run's throwaway cluster).
//!
//! Each case is an async function taking a fresh [`TestDb`] (migrated, except
//! for the cases in [`admin`] that say otherwise) and returning an error or a
//! failed assertion when the store breaks the contract. Expected values are
//! written out in the cases, never computed by the code under test.

pub mod access;
pub mod admin;
pub mod applicants;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod dashboard;
pub mod dossier_changes;
pub mod dossier_corrections;
pub mod dossier_import;
pub mod history;
pub mod outbox;
pub mod payments;
pub mod settings;
pub mod stats;
pub mod throttle;
pub mod units;
pub mod users;

use std::fmt::Debug;

use anyhow::{Context, anyhow};
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::audit::StoredEntry;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, NewUnit, NewUser, Store};

pub use crate::db::TestDb;

/// 1 September 2025 08:00 UTC, the moment the cases record their changes at.
pub const T0_MS: i64 = 1_756_713_600_000;

/// A change made by `actor` at [`T0_MS`] plus `offset_ms`.
pub fn ctx_at(actor: &str, offset_ms: i64) -> anyhow::Result<AuditContext> {
    Ok(AuditContext {
        actor: actor.to_owned(),
        at: Timestamp::from_millisecond(T0_MS + offset_ms)?,
    })
}

/// A change made by `admin` at [`T0_MS`].
pub fn ctx() -> anyhow::Result<AuditContext> {
    ctx_at("admin", 0)
}

/// A civil date.
pub fn date(y: i16, m: i8, d: i8) -> anyhow::Result<Date> {
    Ok(Date::new(y, m, d)?)
}

/// A unit to insert.
pub fn new_unit(
    code: &str,
    name: &str,
    kind: UnitKind,
    level: Level,
    parent_id: Option<i64>,
) -> anyhow::Result<NewUnit> {
    Ok(NewUnit {
        code: UnitCode::parse(code)?,
        name: name.to_owned(),
        kind,
        level,
        parent_id,
        valid_from: date(2025, 7, 1)?,
        valid_to: None,
    })
}

/// A user to insert, with a made-up password hash.
pub fn new_user(username: &str, full_name: &str) -> NewUser {
    NewUser {
        username: username.to_owned(),
        full_name: full_name.to_owned(),
        email: Some(format!("{username}@example.vn")),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${username}"),
    }
}

/// The error a call returned, or a failure naming what it returned instead.
pub fn expect_err<T: Debug>(r: ServiceResult<T>, doing: &str) -> anyhow::Result<ServiceError> {
    match r {
        Ok(v) => Err(anyhow!("{doing}: expected an error, got {v:?}")),
        Err(e) => Ok(e),
    }
}

/// Every audit entry, read in pages as `motcua audit verify` would.
pub async fn all_entries(store: &dyn Store) -> anyhow::Result<Vec<StoredEntry>> {
    let mut out: Vec<StoredEntry> = Vec::new();
    loop {
        let after = out.last().map_or(0, |e| e.seq);
        let page = store
            .audit_entries(after, 7)
            .await
            .context("reading audit entries")?;
        if page.is_empty() {
            return Ok(out);
        }
        out.extend(page);
    }
}

/// `(seq, actor, action, subject)` of every entry, for exact comparisons.
pub async fn entry_summary(
    store: &dyn Store,
) -> anyhow::Result<Vec<(i64, String, String, String)>> {
    Ok(all_entries(store)
        .await?
        .into_iter()
        .map(|e| (e.seq, e.actor, e.action, e.subject))
        .collect())
}

/// Owned strings for comparing summaries with literals.
pub fn summary(rows: &[(i64, &str, &str, &str)]) -> Vec<(i64, String, String, String)> {
    rows.iter()
        .map(|(s, a, b, c)| (*s, (*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

/// The number of audit entries.
pub async fn audit_count(store: &dyn Store) -> anyhow::Result<usize> {
    Ok(all_entries(store).await?.len())
}
