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

impl ProcedureDraft {
    /// Checks what a procedure must have, naming the field at fault: a name,
    /// field and agency; at least one level, without repeats; a valid limit
    /// and a shorter-or-equal online limit of the same unit; components with a
    /// name and 1 to 20 copies; an effective date inside the calendar's years.
    pub fn validate(&self) -> Result<(), DomainError> {
        let text = |field: &'static str, v: &str, max: usize| {
            let n = v.trim().chars().count();
            if n == 0 || n > max {
                Err(DomainError::invalid(
                    field,
                    format!("must have 1 to {max} characters"),
                ))
            } else {
                Ok(())
            }
        };
        text("name", &self.name, 500)?;
        text("field", &self.field, 200)?;
        text("agency", &self.agency, 300)?;
        if self.levels.is_empty() {
            return Err(DomainError::invalid("levels", "name at least one level"));
        }
        for (i, l) in self.levels.iter().enumerate() {
            if self.levels[..i].contains(l) {
                return Err(DomainError::invalid(
                    "levels",
                    format!("{} is listed twice", l.as_str()),
                ));
            }
        }
        self.time_limit
            .validate()
            .map_err(|e| rename(e, "time_limit"))?;
        if let Some(online) = self.online_time_limit {
            online
                .validate()
                .map_err(|e| rename(e, "online_time_limit"))?;
            if !shorter_or_equal(online, self.time_limit) {
                return Err(DomainError::invalid(
                    "online_time_limit",
                    format!(
                        "{online} is not a shorter limit of the same kind as {}",
                        self.time_limit
                    ),
                ));
            }
        }
        if self.fee_note.chars().count() > 2000 || self.legal_basis.chars().count() > 4000 {
            return Err(DomainError::invalid(
                "legal_basis",
                "fee note or legal basis is too long",
            ));
        }
        let year = self.effective_from.year();
        if !(crate::calendar::FIRST_YEAR..=crate::calendar::LAST_YEAR).contains(&year) {
            return Err(DomainError::invalid(
                "effective_from",
                format!("{} is outside 1900–2100", self.effective_from),
            ));
        }
        if self.components.len() > 100 {
            return Err(DomainError::invalid("components", "at most 100 components"));
        }
        for c in &self.components {
            if c.name.trim().is_empty() || c.name.chars().count() > 500 {
                return Err(DomainError::invalid(
                    "components.name",
                    "each component needs a name of 1 to 500 characters",
                ));
            }
            if !(1..=20).contains(&c.copies) {
                return Err(DomainError::invalid(
                    "components.copies",
                    format!("{} copies is outside 1 to 20", c.copies),
                ));
            }
        }
        Ok(())
    }
}

fn rename(e: DomainError, field: &'static str) -> DomainError {
    match e {
        DomainError::Invalid { reason, .. } => DomainError::Invalid { field, reason },
    }
}

/// Whether `a` is a limit of the same kind as `b` and no longer.
fn shorter_or_equal(a: TimeLimit, b: TimeLimit) -> bool {
    use TimeLimit as T;
    match (a, b) {
        (T::WorkingDays(x), T::WorkingDays(y))
        | (T::CalendarDays(x), T::CalendarDays(y))
        | (T::WorkingHours(x), T::WorkingHours(y))
        | (T::Months(x), T::Months(y)) => x <= y,
        (T::WorkingHours(_) | T::SameDay, T::WorkingDays(_) | T::SameDay) => true,
        (_, T::NoLimit) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ProcedureDraft {
        ProcedureDraft {
            code: ProcedureCode::parse("1.001193").unwrap(),
            name: "Đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            levels: vec![Level::Commune],
            agency: "UBND cấp xã".into(),
            time_limit: TimeLimit::SameDay,
            online_time_limit: None,
            online_level: OnlineLevel::FullProcess,
            fee: Money::dong(0).unwrap(),
            fee_note: String::new(),
            result_type: ResultType::Certificate,
            legal_basis: "Luật Hộ tịch 2014".into(),
            applicant: ApplicantKind::Citizen,
            effective_from: jiff::civil::date(2024, 1, 1),
            components: vec![Component {
                name: "Tờ khai đăng ký khai sinh".into(),
                form: ComponentForm::Original,
                copies: 1,
                requirement: Requirement::Mandatory,
                must_digitise: true,
                form_template: None,
            }],
        }
    }

    #[test]
    fn a_complete_draft_validates_and_each_gap_names_its_field() {
        assert_eq!(draft().validate(), Ok(()));
        let field = |d: ProcedureDraft| match d.validate() {
            Err(DomainError::Invalid { field, .. }) => field,
            Ok(()) => "ok",
        };
        assert_eq!(
            field(ProcedureDraft {
                name: "  ".into(),
                ..draft()
            }),
            "name"
        );
        assert_eq!(
            field(ProcedureDraft {
                levels: vec![],
                ..draft()
            }),
            "levels"
        );
        assert_eq!(
            field(ProcedureDraft {
                levels: vec![Level::Commune, Level::Commune],
                ..draft()
            }),
            "levels"
        );
        let mut d = draft();
        d.components[0].copies = 0;
        assert_eq!(field(d), "components.copies");
        let d = ProcedureDraft {
            time_limit: TimeLimit::WorkingDays(5),
            online_time_limit: Some(TimeLimit::WorkingDays(6)),
            ..draft()
        };
        assert_eq!(field(d), "online_time_limit");
        let d = ProcedureDraft {
            time_limit: TimeLimit::WorkingDays(5),
            online_time_limit: Some(TimeLimit::WorkingDays(3)),
            ..draft()
        };
        assert_eq!(field(d), "ok");
        let d = ProcedureDraft {
            effective_from: jiff::civil::date(1800, 1, 1),
            ..draft()
        };
        assert_eq!(field(d), "effective_from");
    }

    #[test]
    fn money_formats_with_dots_and_refuses_negatives() {
        assert_eq!(Money::dong(1_234_567).unwrap().format_vi(), "1.234.567 đ");
        assert_eq!(Money::dong(500).unwrap().format_vi(), "500 đ");
        assert_eq!(Money::dong(0).unwrap().format_vi(), "0 đ");
        assert_eq!(Money::dong(100_000).unwrap().format_vi(), "100.000 đ");
        assert!(Money::dong(-1).is_err());
    }
}
