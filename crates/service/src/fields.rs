//! Checks of the fields people type, each held to its bound in
//! `motcua_domain::bounds`, naming the field when refused. Every use case
//! that stores a person's text runs it through one of these.

use motcua_domain::bounds;

use crate::error::{ServiceError, ServiceResult};

/// Checks a free-text field (note, reason, address): at most
/// [`bounds::TEXT_CHARS`] characters, not blank when required, no control
/// characters.
pub fn text_field(field: &str, value: &str, required: bool) -> ServiceResult<()> {
    bounded_field(field, value, required, bounds::TEXT_CHARS)
}

/// Checks a name (of a person, a component): at most [`bounds::NAME_CHARS`].
pub fn name_field(field: &str, value: &str, required: bool) -> ServiceResult<()> {
    bounded_field(field, value, required, bounds::NAME_CHARS)
}

/// Checks an identifier typed by a person (identity number, shipment
/// code): at most [`bounds::CODE_CHARS`].
pub fn code_field(field: &str, value: &str, required: bool) -> ServiceResult<()> {
    bounded_field(field, value, required, bounds::CODE_CHARS)
}

/// Checks a phone number as typed (optional): digits, spaces, `+`, `.` or
/// `-`, at most 20 bytes.
pub fn phone_field(field: &str, value: &str) -> ServiceResult<()> {
    let phone = value.trim();
    if !phone.is_empty()
        && (phone.len() > 20
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-')))
    {
        return Err(ServiceError::invalid(
            field,
            "digits, spaces, '+', '.' or '-' only, at most 20",
        ));
    }
    Ok(())
}

fn bounded_field(field: &str, value: &str, required: bool, max: usize) -> ServiceResult<()> {
    if required && value.trim().is_empty() {
        return Err(ServiceError::invalid(field, "must not be empty"));
    }
    if bounds::exceeds_chars(value, max) {
        return Err(ServiceError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ServiceError::invalid(field, "contains control characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_refuse_blank_long_and_control_text() {
        assert!(text_field("f", " ", true).is_err());
        assert!(text_field("f", "", false).is_ok());
        assert!(text_field("f", "a\u{0}b", false).is_err());
        assert!(text_field("f", "dòng 1\ndòng 2", true).is_ok());
        assert!(text_field("f", &"a".repeat(bounds::TEXT_CHARS + 1), false).is_err());
        assert!(text_field("f", &"ệ".repeat(bounds::TEXT_CHARS), false).is_ok());
        let e = name_field("f", &"a".repeat(bounds::NAME_CHARS + 1), false).unwrap_err();
        assert!(e.to_string().contains("at most 500 characters"), "{e}");
        assert!(code_field("f", &"1".repeat(bounds::CODE_CHARS + 1), false).is_err());
        assert!(code_field("f", &"1".repeat(bounds::CODE_CHARS), true).is_ok());
    }
}
