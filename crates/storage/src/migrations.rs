//! The embedded migrations and the runner that reports what it applied.
//!
//! Migrations are embedded with `include_str!` rather than `sqlx::migrate!`, so
//! sqlx's proc-macro crate (and its database drivers) need not be built. The
//! runner mirrors sqlx's `Migrator::run` (lock, ensure the table, refuse a
//! dirty or altered history, apply what is missing, unlock) but counts what it
//! applied under the lock, so that of several nodes starting together exactly
//! one reports the migrations as applied now. On PostgreSQL the lock is sqlx's
//! advisory lock; on SQLite the single writer connection serialises callers.
//!
//! On SQLite the whole run is one `BEGIN IMMEDIATE` transaction (see
//! `sqlite::SqliteStore::migrate`), so a migration there cannot change
//! `PRAGMA foreign_keys`; a future table rebuild should use
//! `PRAGMA defer_foreign_keys = ON` instead.

use std::borrow::Cow;
use std::collections::HashMap;

use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::Readiness;
use sqlx::SqlSafeStr;
use sqlx::migrate::{Migrate, MigrateError, Migration, MigrationType, Migrator};

/// sqlx's bookkeeping table.
pub(crate) const TABLE: &str = "_sqlx_migrations";

/// `(version, description, SQL)` for SQLite, in order.
const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
    ),
    (
        2,
        "access_history",
        include_str!("../migrations/sqlite/0002_access_history.sql"),
    ),
    (
        3,
        "catalog",
        include_str!("../migrations/sqlite/0003_catalog.sql"),
    ),
    (
        4,
        "dossiers",
        include_str!("../migrations/sqlite/0004_dossiers.sql"),
    ),
    (
        5,
        "dashboard",
        include_str!("../migrations/sqlite/0005_dashboard.sql"),
    ),
    (
        6,
        "list_order",
        include_str!("../migrations/sqlite/0006_list_order.sql"),
    ),
    (
        7,
        "auth_hardening",
        include_str!("../migrations/sqlite/0007_auth_hardening.sql"),
    ),
    (
        8,
        "write_probe",
        include_str!("../migrations/sqlite/0008_write_probe.sql"),
    ),
    (
        9,
        "statistics",
        include_str!("../migrations/sqlite/0009_statistics.sql"),
    ),
    (
        10,
        "processing_time",
        include_str!("../migrations/sqlite/0010_processing_time.sql"),
    ),
    (
        11,
        "stat_snapshots",
        include_str!("../migrations/sqlite/0011_stat_snapshots.sql"),
    ),
    (
        12,
        "dossier_search",
        include_str!("../migrations/sqlite/0012_dossier_search.sql"),
    ),
    (
        13,
        "dossier_messages",
        include_str!("../migrations/sqlite/0013_dossier_messages.sql"),
    ),
    (
        14,
        "access_revision",
        include_str!("../migrations/sqlite/0014_access_revision.sql"),
    ),
    (
        15,
        "calendar_revision",
        include_str!("../migrations/sqlite/0015_calendar_revision.sql"),
    ),
    (
        16,
        "applicant_accounts",
        include_str!("../migrations/sqlite/0016_applicant_accounts.sql"),
    ),
    (
        17,
        "feedback",
        include_str!("../migrations/sqlite/0017_feedback.sql"),
    ),
    (
        18,
        "payment_refunds",
        include_str!("../migrations/sqlite/0018_payment_refunds.sql"),
    ),
    (
        19,
        "catalog_templates",
        include_str!("../migrations/sqlite/0019_catalog_templates.sql"),
    ),
    (
        20,
        "stat_counts_fillfactor",
        include_str!("../migrations/sqlite/0020_stat_counts_fillfactor.sql"),
    ),
];

/// `(version, description, SQL)` for PostgreSQL, paired with [`SQLITE`].
const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "access_history",
        include_str!("../migrations/postgres/0002_access_history.sql"),
    ),
    (
        3,
        "catalog",
        include_str!("../migrations/postgres/0003_catalog.sql"),
    ),
    (
        4,
        "dossiers",
        include_str!("../migrations/postgres/0004_dossiers.sql"),
    ),
    (
        5,
        "dashboard",
        include_str!("../migrations/postgres/0005_dashboard.sql"),
    ),
    (
        6,
        "list_order",
        include_str!("../migrations/postgres/0006_list_order.sql"),
    ),
    (
        7,
        "auth_hardening",
        include_str!("../migrations/postgres/0007_auth_hardening.sql"),
    ),
    (
        8,
        "write_probe",
        include_str!("../migrations/postgres/0008_write_probe.sql"),
    ),
    (
        9,
        "statistics",
        include_str!("../migrations/postgres/0009_statistics.sql"),
    ),
    (
        10,
        "processing_time",
        include_str!("../migrations/postgres/0010_processing_time.sql"),
    ),
    (
        11,
        "stat_snapshots",
        include_str!("../migrations/postgres/0011_stat_snapshots.sql"),
    ),
    (
        12,
        "dossier_search",
        include_str!("../migrations/postgres/0012_dossier_search.sql"),
    ),
    (
        13,
        "dossier_messages",
        include_str!("../migrations/postgres/0013_dossier_messages.sql"),
    ),
    (
        14,
        "access_revision",
        include_str!("../migrations/postgres/0014_access_revision.sql"),
    ),
    (
        15,
        "calendar_revision",
        include_str!("../migrations/postgres/0015_calendar_revision.sql"),
    ),
    (
        16,
        "applicant_accounts",
        include_str!("../migrations/postgres/0016_applicant_accounts.sql"),
    ),
    (
        17,
        "feedback",
        include_str!("../migrations/postgres/0017_feedback.sql"),
    ),
    (
        18,
        "payment_refunds",
        include_str!("../migrations/postgres/0018_payment_refunds.sql"),
    ),
    (
        19,
        "catalog_templates",
        include_str!("../migrations/postgres/0019_catalog_templates.sql"),
    ),
    (
        20,
        "stat_counts_fillfactor",
        include_str!("../migrations/postgres/0020_stat_counts_fillfactor.sql"),
    ),
];

fn migrator(list: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        list.iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    (*sql).into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// The SQLite migrations.
pub(crate) fn sqlite() -> Migrator {
    migrator(SQLITE)
}

/// The PostgreSQL migrations.
pub(crate) fn postgres() -> Migrator {
    migrator(POSTGRES)
}

/// Versions this binary knows.
pub(crate) fn expected(m: &Migrator) -> Vec<i64> {
    m.iter()
        .filter(|x| !x.migration_type.is_down_migration())
        .map(|x| x.version)
        .collect()
}

/// The readiness report from the versions the database records as applied.
pub(crate) fn readiness(backend: &'static str, m: &Migrator, applied: &[i64]) -> Readiness {
    let expected = expected(m);
    Readiness {
        backend,
        expected_migrations: count(expected.len()),
        applied_migrations: count(applied.iter().filter(|v| expected.contains(v)).count()),
        write_problem: None,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Applies what is missing and returns how many this call applied.
pub(crate) async fn run<C: Migrate>(m: &Migrator, conn: &mut C) -> ServiceResult<u32> {
    conn.lock().await.map_err(migrate_error)?;
    let outcome = apply_missing(m, conn).await;
    // Unlock even after a failure, so a pooled PostgreSQL connection does not
    // keep the advisory lock and block every later caller.
    let unlocked = conn.unlock().await.map_err(migrate_error);
    let applied = outcome?;
    unlocked?;
    Ok(applied)
}

async fn apply_missing<C: Migrate>(m: &Migrator, conn: &mut C) -> ServiceResult<u32> {
    conn.ensure_migrations_table(TABLE)
        .await
        .map_err(migrate_error)?;
    if let Some(v) = conn.dirty_version(TABLE).await.map_err(migrate_error)? {
        return Err(migrate_error(MigrateError::Dirty(v)));
    }
    let applied: HashMap<i64, Vec<u8>> = conn
        .list_applied_migrations(TABLE)
        .await
        .map_err(migrate_error)?
        .into_iter()
        .map(|a| (a.version, a.checksum.into_owned()))
        .collect();
    let known = expected(m);
    if let Some(unknown) = applied.keys().find(|v| !known.contains(v)) {
        return Err(ServiceError::Conflict(format!(
            "the database has migration {unknown}, which this binary does not know; run a newer motcua"
        )));
    }
    let mut count = 0;
    for migration in m.iter() {
        if migration.migration_type.is_down_migration() {
            continue;
        }
        match applied.get(&migration.version) {
            Some(sum) if *sum != *migration.checksum => {
                return Err(migrate_error(MigrateError::VersionMismatch(
                    migration.version,
                )));
            }
            Some(_) => {}
            None => {
                conn.apply(TABLE, migration).await.map_err(migrate_error)?;
                count += 1;
            }
        }
    }
    Ok(count)
}

fn migrate_error(e: MigrateError) -> ServiceError {
    match e {
        MigrateError::Execute(e) => crate::error::db(e),
        MigrateError::ExecuteMigration(e, v) => match crate::error::db(e) {
            ServiceError::Unavailable(m) => ServiceError::Unavailable(m),
            other => ServiceError::Internal(format!("migration {v} failed: {other}")),
        },
        other => ServiceError::Internal(format!("migrations: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every migration exists in both folders with the same number and name,
    /// and every file in the folders is embedded.
    #[test]
    fn migrations_come_in_embedded_pairs() {
        let dir = |d: &str| {
            let mut names: Vec<String> =
                std::fs::read_dir(format!("{}/migrations/{d}", env!("CARGO_MANIFEST_DIR")))
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect();
            names.sort();
            names
        };
        let embedded = |list: &[(i64, &str, &str)]| -> Vec<String> {
            list.iter()
                .map(|(v, d, _)| format!("{v:04}_{d}.sql"))
                .collect()
        };
        assert_eq!(dir("sqlite"), dir("postgres"));
        assert_eq!(dir("sqlite"), embedded(SQLITE));
        assert_eq!(dir("postgres"), embedded(POSTGRES));
    }
}
