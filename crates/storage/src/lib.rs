//! The `Store` port of `motcua-service`, implemented for SQLite (`sqlite/`) and
//! PostgreSQL (`postgres/`) with runtime sqlx queries and paired migrations
//! (`migrations/sqlite`, `migrations/postgres`).
//!
//! Database errors are mapped to `ServiceError` here and nowhere else; no sqlx
//! type crosses the port. Every change appends its hash-chained audit entry in
//! the same transaction ([`audit`] lists what each change records).

mod access_cache;
mod access_sql;
pub mod audit;
mod catalog;
mod conn;
mod convert;
mod copy;
mod error;
mod files;
mod health;
mod history_rules;
mod migrations;
mod ports;
mod postgres;
mod sql;
mod sqlite;

pub use files::{LocalFileStore, S3FileStore, S3Settings, S3UrlStyle};

use std::path::Path;
use std::sync::Arc;

use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, NewUnit, NewUser, Store, Unit, User};

/// Opens the database a URL names: `sqlite:<path>` (created if missing),
/// `sqlite::memory:`, or `postgres://…` / `postgresql://…`.
///
/// It connects but does not migrate: the server calls
/// [`AdminStore::migrate`](motcua_service::store::AdminStore::migrate) on
/// start, and `/readyz` reports not ready until it has. An unknown scheme is
/// `Invalid` on `database_url`; a server that cannot be reached is `Unavailable`.
pub async fn open(url: &str) -> ServiceResult<Arc<dyn Store>> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => Ok(Arc::new(sqlite::SqliteStore::open_url(url).await?)),
        Some("postgres" | "postgresql") => open_postgres(url).await,
        _ => Err(ServiceError::invalid(
            "database_url",
            format!(
                "'{}' is not a database URL: use sqlite:<path> or postgres://user@host/db",
                shorten(url)
            ),
        )),
    }
}

/// Opens (creating if missing, with its directory) the SQLite file at `path`.
pub async fn open_sqlite(path: impl AsRef<Path>) -> ServiceResult<Arc<dyn Store>> {
    Ok(Arc::new(
        sqlite::SqliteStore::open_path(path.as_ref()).await?,
    ))
}

/// Connects a pool to the PostgreSQL database a `postgres://` URL names.
pub async fn open_postgres(url: &str) -> ServiceResult<Arc<dyn Store>> {
    Ok(Arc::new(postgres::PgStore::open(url).await?))
}

/// The start of a URL for an error message, without a password that may
/// follow the scheme.
fn shorten(url: &str) -> String {
    let visible = url.split('@').next_back().unwrap_or(url);
    let mut s: String = visible.chars().take(60).collect();
    if visible.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// User names are stored lower-case (the service folds what people type), so
/// lookups can be exact on both databases.
fn check_username(username: &str) -> ServiceResult<()> {
    if username.trim().is_empty() {
        return Err(ServiceError::invalid("username", "must not be empty"));
    }
    if username != username.to_lowercase() {
        return Err(ServiceError::invalid(
            "username",
            format!("'{username}' must be lower-case"),
        ));
    }
    Ok(())
}

/// Settings are addressed by scope and key; neither may be blank.
fn check_setting_key(scope: &str, key: &str) -> ServiceResult<()> {
    for (field, v) in [("scope", scope), ("key", key)] {
        if v.trim().is_empty() {
            return Err(ServiceError::invalid(field, "must not be empty"));
        }
    }
    Ok(())
}

fn unit_from_new(id: i64, u: &NewUnit) -> Unit {
    Unit {
        id,
        code: u.code.clone(),
        name: u.name.clone(),
        kind: u.kind,
        level: u.level,
        parent_id: u.parent_id,
        valid_from: u.valid_from,
        valid_to: u.valid_to,
    }
}

fn user_from_new(id: i64, u: &NewUser, ctx: &AuditContext) -> User {
    User {
        id,
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        email: u.email.clone(),
        password_hash: u.password_hash.clone(),
        active: true,
        created_at: convert::stored_instant(ctx.at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unknown_scheme_is_invalid_on_database_url_without_the_password() {
        let Err(err) = open("mysql://root:secret@db/x").await else {
            panic!("mysql accepted");
        };
        let ServiceError::Invalid { field, reason } = err else {
            panic!("not Invalid: {err}");
        };
        assert_eq!(field, "database_url");
        assert!(
            !reason.contains("secret") && !reason.contains('\n'),
            "{reason}"
        );
    }

    #[test]
    fn user_names_must_be_lower_case_and_present() {
        assert!(check_username("lan.nguyen").is_ok());
        assert!(check_username("Lan").is_err());
        assert!(check_username(" ").is_err());
    }
}
