//! A procedure as it stands in one version.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{ApplicantKind, ComponentForm, OnlineLevel, ProcedureCode, Requirement, ResultType};
use crate::deadline::TimeLimit;
use crate::error::DomainError;
use crate::unit::Level;

/// An amount in whole đồng. Fees are integers by law; negative amounts do
/// not exist.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Money(i64);

impl Money {
    /// The largest amount accepted (one trillion đồng): anything above is a typo.
    pub const MAX: i64 = 1_000_000_000_000;

    /// An amount in đồng.
    pub fn dong(amount: i64) -> Result<Self, DomainError> {
        if (0..=Self::MAX).contains(&amount) {
            Ok(Self(amount))
        } else {
            Err(DomainError::invalid(
                "fee",
                format!("{amount} đồng is outside 0 to {}", Self::MAX),
            ))
        }
    }

    /// The amount in đồng.
    pub fn get(self) -> i64 {
        self.0
    }

    /// Vietnamese display: `1.234.567 đ`.
    pub fn format_vi(self) -> String {
        let digits = self.0.to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(ch);
        }
        out.push_str(" đ");
        out
    }
}

impl TryFrom<i64> for Money {
    type Error = DomainError;
    fn try_from(v: i64) -> Result<Self, Self::Error> {
        Self::dong(v)
    }
}

impl From<Money> for i64 {
    fn from(m: Money) -> i64 {
        m.0
    }
}

/// One item of the dossier a procedure requires (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// Name as published, e.g. "Tờ khai đăng ký khai sinh".
    pub name: String,
    /// Original, copy, certified copy.
    pub form: ComponentForm,
    /// Number of copies (1 to 20).
    pub copies: u8,
    /// Mandatory, optional, conditional.
    pub requirement: Requirement,
    /// Must be digitised at reception (Circular 01/2023/TT-VPCP).
    pub must_digitise: bool,
    /// Name or path of the form template to download, if the procedure has one.
    pub form_template: Option<String>,
}

/// Everything that defines a procedure in one version, as imported or edited.
/// Storage gives it an id and a version number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureDraft {
    /// National (or local) code.
    pub code: ProcedureCode,
    /// Official name, NFC.
    pub name: String,
    /// Field (lĩnh vực), e.g. "Hộ tịch".
    pub field: String,
    /// Levels that handle it.
    pub levels: Vec<Level>,
    /// Implementing agency as published ("UBND cấp xã").
    pub agency: String,
    /// Legal time limit.
    pub time_limit: TimeLimit,
    /// Shorter limit for online submissions, if any.
    pub online_time_limit: Option<TimeLimit>,
    /// Online service level.
    pub online_level: OnlineLevel,
    /// Fee in đồng (0 when free).
    pub fee: Money,
    /// Fee details as published (brackets, exemptions).
    pub fee_note: String,
    /// What the procedure produces.
    pub result_type: ResultType,
    /// Legal basis as published.
    pub legal_basis: String,
    /// Who may apply.
    pub applicant: ApplicantKind,
    /// First day this version applies.
    pub effective_from: Date,
    /// Required components, in order.
    pub components: Vec<Component>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats_with_dots_and_refuses_negatives() {
        assert_eq!(Money::dong(1_234_567).unwrap().format_vi(), "1.234.567 đ");
        assert_eq!(Money::dong(500).unwrap().format_vi(), "500 đ");
        assert_eq!(Money::dong(0).unwrap().format_vi(), "0 đ");
        assert_eq!(Money::dong(100_000).unwrap().format_vi(), "100.000 đ");
        assert!(Money::dong(-1).is_err());
    }
}
