//! The applicant's identity number as the desk reads it off a card
//! (issue 18, point 5): checked at reception so a slip of the finger is
//! caught at the counter, not when the result is signed.
//!
//! - A citizen: the 12-digit personal identification number printed on the
//!   citizen identity card (căn cước công dân, căn cước) since 2016, whose
//!   first three digits are the province of birth registration (001–096,
//!   Circular 59/2021/TT-BCA); or a passport number (a letter, then 7 or 8
//!   characters), for foreigners and Vietnamese abroad. The 9-digit identity
//!   card (chứng minh nhân dân) has not been valid since 1 January 2025
//!   (Law on Identification 2023, art. 46) and is refused with that reason.
//! - An organisation: the enterprise code (mã số doanh nghiệp, the tax
//!   code), 10 digits, or 10 digits, a dash and 3 for a branch.
//!
//! Spaces and dots between groups of digits are allowed and ignored.
//! Historical imports are not checked: old dossiers hold old cards.

use crate::error::DomainError;

/// Who the applicant is, for the identity rule that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    /// A person.
    Citizen,
    /// A business or other organisation.
    Organisation,
}

/// Checks `text` (empty is allowed: the identity is optional) on field
/// `applicant.identity`.
pub fn check_identity(kind: IdentityKind, text: &str) -> Result<(), DomainError> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if compact.is_empty() {
        return Ok(());
    }
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let bad = |why: &str| Err(DomainError::invalid("applicant.identity", why.to_owned()));
    match kind {
        IdentityKind::Citizen => {
            if digits(&compact, 12) {
                let province: u32 = compact[..3].parse().unwrap_or(0);
                if (1..=96).contains(&province) {
                    return Ok(());
                }
                return bad("the first three digits are not a province code (001–096)");
            }
            if digits(&compact, 9) {
                return bad(
                    "a 9-digit identity card is no longer valid; type the 12-digit number of the citizen identity card",
                );
            }
            let mut chars = compact.chars();
            let passport = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && (8..=9).contains(&compact.len())
                && chars.all(|c| c.is_ascii_alphanumeric());
            if passport {
                return Ok(());
            }
            bad("not a 12-digit citizen identity number or a passport number")
        }
        IdentityKind::Organisation => {
            let ok = match compact.split_once('-') {
                None => digits(&compact, 10),
                Some((main, branch)) => digits(main, 10) && digits(branch, 3),
            };
            if ok {
                Ok(())
            } else {
                bad("not an enterprise code (10 digits, or 10 digits, '-' and 3 for a branch)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(kind: IdentityKind, text: &str) -> String {
        match check_identity(kind, text) {
            Err(DomainError::Invalid { field, reason }) => {
                assert_eq!(field, "applicant.identity");
                reason
            }
            Ok(()) => panic!("{text:?} was accepted"),
        }
    }

    #[test]
    fn citizens_give_twelve_digits_or_a_passport() {
        use IdentityKind::Citizen as C;
        for ok in [
            "040095000123",
            "001 203 004 567",
            "096.099.000.001",
            "",
            "  ",
            "C1234567",
            "B12345678",
        ] {
            assert_eq!(check_identity(C, ok), Ok(()), "{ok:?}");
        }
        assert!(refused(C, "186123456").contains("no longer valid"));
        assert!(refused(C, "000095000123").contains("province"));
        assert!(refused(C, "097095000123").contains("province"));
        for bad in [
            "04009500012",
            "0400950001234",
            "04009500012x",
            "12345678",
            "C123",
            "ÁB1234567",
            "0400-95000123",
        ] {
            refused(C, bad);
        }
    }

    #[test]
    fn organisations_give_an_enterprise_code() {
        use IdentityKind::Organisation as O;
        for ok in ["2900123456", "2900123456-001", "29 0012 3456", ""] {
            assert_eq!(check_identity(O, ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "290012345",
            "29001234567",
            "2900123456-01",
            "2900123456-0011",
            "-001",
            "040095000123",
        ] {
            assert!(refused(O, bad).contains("enterprise code"), "{bad:?}");
        }
    }
}
