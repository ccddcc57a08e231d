//! The error every use case and port returns.

use motcua_domain::DomainError;

/// What went wrong in a use case, in terms the web layer can map to a status
/// code and the CLI to a one-line message. Database errors never leak through:
/// storage maps them to one of these.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing asked for does not exist.
    #[error("{what} not found: {key}")]
    NotFound {
        /// The kind of thing (`unit`, `user`).
        what: &'static str,
        /// How it was asked for (a code, a name).
        key: String,
    },
    /// The actor may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The change collides with the current state (a duplicate key, a stale
    /// version, a transition not allowed now).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The input was refused; `field` names the part at fault.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field, flag or column at fault.
        field: String,
        /// What was wrong.
        reason: String,
    },
    /// The input is larger than allowed (an upload past the file limit).
    #[error("{field}: larger than {limit_bytes} bytes")]
    TooLarge {
        /// The input at fault.
        field: String,
        /// The most accepted.
        limit_bytes: u64,
    },
    /// Too many attempts (failed logins, lookups); try again after the wait.
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a new attempt may succeed.
        retry_after_secs: u64,
    },
    /// Not signed in, or the credentials were wrong. The message is the same
    /// for an unknown user and a wrong password, so neither can be probed.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// The database cannot be reached or is not ready.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else; the cause is logged, users see a plain message.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// Shorthand for [`ServiceError::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`ServiceError::NotFound`].
    pub fn not_found(what: &'static str, key: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            key: key.into(),
        }
    }
}

impl From<DomainError> for ServiceError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { field, reason } => Self::Invalid {
                field: field.to_owned(),
                reason,
            },
        }
    }
}

/// Result of a use case or port call.
pub type ServiceResult<T> = Result<T, ServiceError>;
