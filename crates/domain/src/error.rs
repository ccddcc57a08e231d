//! Errors raised when a value or a rule refuses its input.

/// A rule refused its input. The message names the field or value at fault and,
/// where there is one, the allowed range, so it can be shown to a user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A value failed to parse or lies outside its allowed range.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field (or CLI flag, or column) whose value was refused.
        field: &'static str,
        /// What was wrong, with the offending value shortened.
        reason: String,
    },
}

impl DomainError {
    /// Shorthand for [`DomainError::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

/// Shortens an offending value for an error message, so a megabyte of bad input
/// never ends up in a log line or a response body.
pub fn shorten(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}…")
    }
}
