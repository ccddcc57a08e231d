//! Mapping database errors to [`ServiceError`], so no sqlx type crosses the port.
//!
//! Constraints are named in the migrations (`units_code_key`, …). PostgreSQL
//! reports the name; SQLite reports the columns of a unique violation and the
//! name of a CHECK, and nothing for a foreign key. [`Broken`] gives call sites one
//! vocabulary for both, so each can say what a violation means to the caller.

use motcua_service::ServiceError;
use sqlx::error::ErrorKind;

/// A constraint a statement violated, named as in the migrations where the
/// database tells which one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Broken {
    /// A unique or primary key.
    Unique(String),
    /// A foreign key; SQLite does not say which.
    ForeignKey(Option<String>),
    /// A CHECK constraint.
    Check(String),
}

/// SQLite's "UNIQUE constraint failed: <columns>" text for each named unique
/// constraint, so both databases report the same name.
const SQLITE_UNIQUE_COLUMNS: &[(&str, &str)] = &[
    ("units.code", "units_code_key"),
    ("users.username", "users_username_key"),
    (
        "role_grants.user_id, role_grants.role, role_grants.unit_id",
        "role_grants_user_role_unit_key",
    ),
    ("audit_log.seq", "audit_log_pkey"),
];

/// Maps an error; `explain` turns a violated constraint into the error the
/// caller should see, and returns `None` for one it did not expect.
pub(crate) fn map_db(
    e: sqlx::Error,
    explain: impl FnOnce(&Broken) -> Option<ServiceError>,
) -> ServiceError {
    if let Some(broken) = broken(&e)
        && let Some(mapped) = explain(&broken)
    {
        return mapped;
    }
    db(e)
}

/// Maps an error where no constraint is expected to be violated.
pub(crate) fn db(e: sqlx::Error) -> ServiceError {
    if let Some(broken) = broken(&e) {
        return match broken {
            Broken::Unique(name) => ServiceError::Conflict(format!("duplicate value ({name})")),
            Broken::ForeignKey(name) => ServiceError::invalid(
                name.unwrap_or_else(|| "reference".to_owned()),
                "refers to a row that does not exist",
            ),
            Broken::Check(name) => ServiceError::invalid(name, "value not allowed"),
        };
    }
    match &e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => ServiceError::Unavailable(e.to_string()),
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            // SQLite's primary code is the low byte of its extended code;
            // PostgreSQL's SQLSTATEs may be digits too, so ask which it is.
            let sqlite_primary = d
                .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                .and_then(|_| code.parse::<i32>().ok())
                .map(|c| c & 0xff);
            // What the server or its disk cannot do now, not what the
            // request asked wrong: answered 503 so that clients retry.
            // SQLite: 5 busy, 6 locked, 8 read-only, 10 I/O error, 13 disk
            // full, 14 cannot open. PostgreSQL: class 08 connection
            // exceptions, class 53 insufficient resources (53100 disk full,
            // 53200 out of memory, 53300 too many connections), 57P0x
            // shutdown, 58030 I/O error, 25006 a read-only transaction (a
            // standby, or the disk-full guard of `default_transaction_read_only`).
            let busy = matches!(sqlite_primary, Some(5 | 6 | 8 | 10 | 13 | 14))
                || matches!(&*code, "57P01" | "57P02" | "57P03" | "58030" | "25006")
                || code.starts_with("08")
                || code.starts_with("53");
            // A missing table means the schema was never migrated, which is
            // the operator's to fix, not a bug: PostgreSQL 42P01, SQLite's text.
            let unmigrated = code == "42P01" || d.message().starts_with("no such table");
            // PostgreSQL: serialization failure and deadlock, safe to retry.
            let retry = matches!(&*code, "40001" | "40P01");
            if busy {
                ServiceError::Unavailable(d.message().to_owned())
            } else if unmigrated {
                ServiceError::Unavailable(format!(
                    "{}; the database is not migrated (run `motcua migrate`)",
                    d.message()
                ))
            } else if retry {
                ServiceError::Conflict(format!("concurrent change, try again ({})", d.message()))
            } else {
                ServiceError::Internal(format!("database error {code}: {}", d.message()))
            }
        }
        _ => ServiceError::Internal(e.to_string()),
    }
}

/// The constraint an error reports, if it is a constraint violation.
fn broken(e: &sqlx::Error) -> Option<Broken> {
    let sqlx::Error::Database(d) = e else {
        return None;
    };
    let named = d.constraint().map(str::to_owned);
    // SQLite puts the detail after the colon: columns for a unique key, the
    // constraint's name for a CHECK.
    let detail = d
        .message()
        .split_once("constraint failed: ")
        .map(|(_, rest)| rest.trim().to_owned());
    match d.kind() {
        ErrorKind::UniqueViolation => {
            let name = named.or_else(|| {
                let cols = detail.as_deref()?;
                SQLITE_UNIQUE_COLUMNS
                    .iter()
                    .find(|(c, _)| *c == cols)
                    .map(|(_, n)| (*n).to_owned())
                    .or_else(|| Some(cols.to_owned()))
            });
            Some(Broken::Unique(name.unwrap_or_default()))
        }
        ErrorKind::ForeignKeyViolation => Some(Broken::ForeignKey(named)),
        ErrorKind::CheckViolation => Some(Broken::Check(named.or(detail).unwrap_or_default())),
        _ => None,
    }
}

/// An error for a stored value this binary cannot read back.
pub(crate) fn corrupt(column: &str, value: &str, why: impl std::fmt::Display) -> ServiceError {
    let shown: String = value.chars().take(40).collect();
    ServiceError::Internal(format!("stored {column} '{shown}' cannot be read: {why}"))
}

/// What a failed unit insert means: a taken code or a missing parent.
pub(crate) fn explain_unit_insert(b: &Broken, code: &str) -> Option<ServiceError> {
    match b {
        Broken::Unique(n) if n == "units_code_key" => Some(ServiceError::Conflict(format!(
            "a unit with code {code} already exists"
        ))),
        Broken::ForeignKey(_) => Some(ServiceError::invalid(
            "parent_id",
            "the parent unit does not exist",
        )),
        Broken::Check(n) if n == "units_valid_to_check" => Some(ServiceError::invalid(
            "valid_to",
            "must not be before valid_from",
        )),
        _ => None,
    }
}

/// What a failed user insert means: a taken user name.
pub(crate) fn explain_user_insert(b: &Broken, username: &str) -> Option<ServiceError> {
    match b {
        Broken::Unique(n) if n == "users_username_key" => Some(ServiceError::Conflict(format!(
            "a user named {username} already exists"
        ))),
        _ => None,
    }
}

/// What a failed grant means: the same grant exists (user and unit were
/// checked inside the transaction, so a foreign key cannot fail here unless a
/// row vanished concurrently, which is reported as not found).
pub(crate) fn explain_grant(
    b: &Broken,
    username: &str,
    role: &str,
    unit_code: &str,
) -> Option<ServiceError> {
    match b {
        Broken::Unique(n) if n == "role_grants_user_role_unit_key" => Some(ServiceError::Conflict(
            format!("{username} already holds role {role} on unit {unit_code}"),
        )),
        Broken::ForeignKey(_) => Some(ServiceError::not_found(
            "user or unit",
            format!("{username} / {unit_code}"),
        )),
        _ => None,
    }
}

/// A unit referred to by a calendar override or office hours row is missing.
pub(crate) fn explain_unit_reference(b: &Broken, unit_id: i64) -> Option<ServiceError> {
    match b {
        Broken::ForeignKey(_) => Some(ServiceError::not_found("unit", unit_id.to_string())),
        Broken::Check(n) if n.ends_with("valid_to_check") => Some(ServiceError::invalid(
            "valid_to",
            "must not be before valid_from",
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What SQLite answers on a full disk, a read-only file and an I/O
    /// error, from a real connection: all of them the server's fault.
    #[tokio::test]
    async fn disk_faults_of_sqlite_are_unavailable() {
        use sqlx::Connection;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.db");
        let mut c = sqlx::sqlite::SqliteConnection::connect_with(
            &sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true),
        )
        .await
        .expect("connect");
        sqlx::raw_sql("CREATE TABLE t (b BLOB); PRAGMA max_page_count = 3")
            .execute(&mut c)
            .await
            .expect("schema");
        // SQLITE_FULL: more pages than the database may have.
        let full = sqlx::query("INSERT INTO t VALUES (zeroblob(100000))")
            .execute(&mut c)
            .await
            .expect_err("full");
        assert!(matches!(db(full), ServiceError::Unavailable(_)));
        c.close().await.expect("close");
        // SQLITE_READONLY: a connection that may not write.
        let mut ro = sqlx::sqlite::SqliteConnection::connect_with(
            &sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .read_only(true),
        )
        .await
        .expect("connect read-only");
        let readonly = sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut ro)
            .await
            .expect_err("read-only");
        assert!(matches!(db(readonly), ServiceError::Unavailable(_)));
    }
}
