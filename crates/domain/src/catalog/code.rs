//! Procedure codes of the national procedure database.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, shorten};

/// A procedure's code in the national database (CSDLQG về TTHC): `1.` or `2.`
/// followed by six digits (`1.001193`, `2.000884`), sometimes with a
/// locality suffix of dot-separated upper-case letters and digits
/// (`2.000884.000.00.00.H40`). Local procedures not yet published nationally
/// may use a local code of the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcedureCode(String);

impl ProcedureCode {
    /// Parses a code, trimming white space and upper-casing letters.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim().to_ascii_uppercase();
        let mut parts = s.split('.');
        let head = parts.next().unwrap_or("");
        let body = parts.next().unwrap_or("");
        let suffix_ok = parts.all(|p| {
            !p.is_empty()
                && p.len() <= 8
                && p.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        });
        let ok = matches!(head, "1" | "2")
            && body.len() == 6
            && body.bytes().all(|b| b.is_ascii_digit())
            && suffix_ok
            && s.len() <= 40;
        if ok {
            Ok(Self(s))
        } else {
            Err(DomainError::invalid(
                "code",
                format!(
                    "'{}' is not a procedure code such as 1.001193 or 2.000884.000.00.00.H40",
                    shorten(input)
                ),
            ))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ProcedureCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ProcedureCode> for String {
    fn from(c: ProcedureCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_codes_with_and_without_locality_suffix() {
        assert_eq!(
            ProcedureCode::parse(" 1.001193 ").unwrap().as_str(),
            "1.001193"
        );
        assert_eq!(
            ProcedureCode::parse("2.000884.000.00.00.h40")
                .unwrap()
                .as_str(),
            "2.000884.000.00.00.H40"
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "3.001193",
            "1.00119",
            "1.0011934",
            "1.001193.",
            "1.001193..H40",
            "1,001193",
            "abc",
        ] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad}");
        }
    }
}
