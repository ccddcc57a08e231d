//! Dossier codes (mã hồ sơ), domain.md §5.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, shorten};
use crate::unit::UnitCode;

/// The legal regime a dossier is received under; each has its own code
/// format (a template, so that the 2025 format can be swapped in once it is
/// confirmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Decree 61/2018/NĐ-CP with Circular 01/2018/TT-VPCP.
    Decree61_2018,
    /// Decree 118/2025/NĐ-CP with Circular 03/2025/TT-VPCP.
    #[default]
    Decree118_2025,
}

impl Regime {
    /// The default code format of the regime. Circular 01/2018 fixes
    /// `<agency code>-<YYMMDD>-<NNNN>`; the 2025 format is not confirmed, so
    /// it defaults to the 2018 one (domain.md Appendix A).
    pub fn default_format(self) -> CodeFormat {
        match self {
            Self::Decree61_2018 | Self::Decree118_2025 => CodeFormat::DECREE_61_2018,
        }
    }
}

/// The one-stop forms, which the two regimes number differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfficialForm {
    /// Receipt and appointment slip.
    Receipt,
    /// Supplement request.
    Supplement,
    /// Refusal to receive or to resolve.
    Refusal,
    /// Apology and new appointment (2025: apology and request to extend).
    Apology,
    /// Stop-processing notice (2025 only).
    StopNotice,
    /// Process-control slip.
    ControlSlip,
    /// Dossier register.
    Register,
}

impl Regime {
    /// The day Decree 118/2025/NĐ-CP and Circular 03/2025/TT-VPCP took
    /// effect, replacing Decree 61/2018 and Circular 01/2018.
    pub const DECREE_118_IN_FORCE: Date = Date::constant(2025, 7, 1);

    /// The regime in force on `day` (a dossier's receipt date, or the day a
    /// form is printed for a counter outcome without a dossier).
    pub fn in_force_on(day: Date) -> Self {
        if day < Self::DECREE_118_IN_FORCE {
            Self::Decree61_2018
        } else {
            Self::Decree118_2025
        }
    }

    /// The number a form carries under this regime ("Mẫu số …"); `None`
    /// for a form the regime does not have (no stop notice before 2025).
    /// Every form of one dossier follows the regime of its receipt date, so
    /// one dossier's papers never mix the two numberings.
    pub fn form_number(self, form: OfficialForm) -> Option<&'static str> {
        use OfficialForm as F;
        match (self, form) {
            (_, F::Receipt) => Some("01"),
            (_, F::Supplement) => Some("02"),
            (_, F::Refusal) => Some("03"),
            (_, F::Apology) => Some("04"),
            (Self::Decree61_2018, F::StopNotice) => None,
            (Self::Decree118_2025, F::StopNotice) => Some("05"),
            (Self::Decree61_2018, F::ControlSlip) => Some("05"),
            (Self::Decree118_2025, F::ControlSlip) => Some("06"),
            (Self::Decree61_2018, F::Register) => Some("06"),
            (Self::Decree118_2025, F::Register) => Some("07"),
        }
    }
}

/// How a dossier code is laid out: `<unit code><sep><date><sep><sequence>`,
/// the date as `YYMMDD` (years 2000–2099) or `YYYYMMDD`, the sequence
/// zero-padded to a fixed number of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeFormat {
    separator: char,
    full_year: bool,
    sequence_digits: u8,
}

impl CodeFormat {
    /// `000.21.30.H99-250415-0007` (Circular 01/2018/TT-VPCP).
    pub const DECREE_61_2018: CodeFormat = CodeFormat {
        separator: '-',
        full_year: false,
        sequence_digits: 4,
    };

    /// A custom format. The separator must not be a character of a unit
    /// code (a digit, an ASCII letter or `.`) and the sequence has 1 to 9
    /// digits.
    pub fn new(separator: char, full_year: bool, sequence_digits: u8) -> Result<Self, DomainError> {
        if separator.is_ascii_alphanumeric() || separator == '.' || separator.is_whitespace() {
            return Err(DomainError::invalid(
                "code_format",
                format!("'{separator}' cannot separate the parts of a dossier code"),
            ));
        }
        if !(1..=9).contains(&sequence_digits) {
            return Err(DomainError::invalid(
                "code_format",
                format!("a sequence of {sequence_digits} digits is outside 1..=9"),
            ));
        }
        Ok(Self {
            separator,
            full_year,
            sequence_digits,
        })
    }

    /// The largest daily sequence number the format can hold (9999 for the
    /// 2018 format).
    pub fn max_sequence(&self) -> u32 {
        10u32
            .saturating_pow(u32::from(self.sequence_digits))
            .saturating_sub(1)
    }

    fn date_text(&self, day: Date) -> Result<String, DomainError> {
        if self.full_year {
            if !(1000..=9999).contains(&day.year()) {
                return Err(DomainError::invalid(
                    "receipt_date",
                    format!("{day} cannot be written with a four-digit year"),
                ));
            }
            return Ok(format!(
                "{:04}{:02}{:02}",
                day.year(),
                day.month(),
                day.day()
            ));
        }
        if !(2000..=2099).contains(&day.year()) {
            return Err(DomainError::invalid(
                "receipt_date",
                format!("{day} is outside 2000–2099, which a YYMMDD code can hold"),
            ));
        }
        Ok(format!(
            "{:02}{:02}{:02}",
            day.year() - 2000,
            day.month(),
            day.day()
        ))
    }

    fn parse_date(&self, text: &str, input: &str) -> Result<Date, DomainError> {
        let width = if self.full_year { 8 } else { 6 };
        let bad = |why: String| {
            DomainError::invalid(
                "dossier_code",
                format!("'{}': the receipt date {why}", shorten(input)),
            )
        };
        if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
            let shape = if self.full_year { "YYYYMMDD" } else { "YYMMDD" };
            return Err(bad(format!("'{}' is not {shape}", shorten(text))));
        }
        let number = |range: std::ops::Range<usize>| -> i16 {
            text.get(range)
                .and_then(|s| s.parse().ok())
                .unwrap_or_default()
        };
        let (year, rest) = if self.full_year {
            (number(0..4), 4)
        } else {
            (2000 + number(0..2), 2)
        };
        let (month, day) = (number(rest..rest + 2), number(rest + 2..rest + 4));
        let (Ok(month), Ok(day)) = (i8::try_from(month), i8::try_from(day)) else {
            return Err(bad(format!("'{text}' is not a calendar date")));
        };
        Date::new(year, month, day).map_err(|_| bad(format!("'{text}' is not a calendar date")))
    }
}

impl Default for CodeFormat {
    fn default() -> Self {
        Self::DECREE_61_2018
    }
}

/// A dossier's code: the receiving unit's code, the receipt date and that
/// unit's sequence number for the day, e.g. `000.21.30.H99-250415-0007`
/// (domain.md §5). Unique and never reused, even when the dossier is voided;
/// the sequence itself is allocated by storage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DossierCode {
    text: String,
    unit: UnitCode,
    receipt_date: Date,
    sequence: u32,
}

impl DossierCode {
    /// The code of the 2018 format for a unit, a receipt date and a daily
    /// sequence number in `1..=9999`.
    pub fn new(unit: &UnitCode, receipt_date: Date, sequence: u32) -> Result<Self, DomainError> {
        Self::with_format(&CodeFormat::DECREE_61_2018, unit, receipt_date, sequence)
    }

    /// The code in a given format; the sequence must lie in
    /// `1..=format.max_sequence()`.
    pub fn with_format(
        format: &CodeFormat,
        unit: &UnitCode,
        receipt_date: Date,
        sequence: u32,
    ) -> Result<Self, DomainError> {
        let max = format.max_sequence();
        if !(1..=max).contains(&sequence) {
            return Err(DomainError::invalid(
                "sequence",
                format!("daily sequence {sequence} is outside 1..={max}"),
            ));
        }
        let sep = format.separator;
        let width = usize::from(format.sequence_digits);
        let text = format!(
            "{unit}{sep}{}{sep}{sequence:0width$}",
            format.date_text(receipt_date)?
        );
        Ok(Self {
            text,
            unit: unit.clone(),
            receipt_date,
            sequence,
        })
    }

    /// Parses a code of the 2018 format, strictly: no surrounding spaces, an
    /// upper-case unit code, exactly six date digits forming a real date and
    /// four sequence digits other than `0000`.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        Self::parse_with(&CodeFormat::DECREE_61_2018, input)
    }

    /// Parses a code of a given format, strictly (see [`Self::parse`]).
    pub fn parse_with(format: &CodeFormat, input: &str) -> Result<Self, DomainError> {
        let bad = |why: &str| {
            DomainError::invalid("dossier_code", format!("'{}': {why}", shorten(input)))
        };
        let parts: Vec<&str> = input.split(format.separator).collect();
        let &[unit_text, date_text, sequence_text] = parts.as_slice() else {
            return Err(bad(&format!(
                "expected three parts <unit code>{0}<date>{0}<sequence>, as in 000.21.30.H99-250415-0007",
                format.separator
            )));
        };
        let unit = UnitCode::parse(unit_text)
            .map_err(|e| bad(&format!("the unit code is invalid ({e})")))?;
        if unit.as_str() != unit_text {
            return Err(bad(&format!(
                "the unit code must be written exactly as {unit}"
            )));
        }
        let receipt_date = format.parse_date(date_text, input)?;
        let width = usize::from(format.sequence_digits);
        if sequence_text.len() != width || !sequence_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(&format!("the sequence must be exactly {width} digits")));
        }
        let sequence: u32 = sequence_text
            .parse()
            .map_err(|_| bad("the sequence is not a number"))?;
        Self::with_format(format, &unit, receipt_date, sequence).map_err(|e| bad(&format!("{e}")))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The receiving unit's code.
    pub fn unit(&self) -> &UnitCode {
        &self.unit
    }

    /// The receipt date.
    pub fn receipt_date(&self) -> Date {
        self.receipt_date
    }

    /// The unit's sequence number for the day.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for DossierCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for DossierCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for DossierCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    /// The first date a `YYMMDD` code can hold.
    const FIRST_YYMMDD: Date = date(2000, 1, 1);

    fn unit() -> UnitCode {
        UnitCode::parse("000.21.30.H99").unwrap()
    }

    #[test]
    fn formats_the_example_of_domain_md() {
        let code = DossierCode::new(&unit(), date(2025, 4, 15), 7).unwrap();
        assert_eq!(code.as_str(), "000.21.30.H99-250415-0007");
        assert_eq!(code.to_string(), "000.21.30.H99-250415-0007");
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"000.21.30.H99-250415-0007\"");
        assert_eq!(serde_json::from_str::<DossierCode>(&json).unwrap(), code);
    }

    #[test]
    fn parses_the_parts_back() {
        let code = DossierCode::parse("000.21.30.H99-250415-0007").unwrap();
        assert_eq!(code.unit().as_str(), "000.21.30.H99");
        assert_eq!(code.receipt_date(), date(2025, 4, 15));
        assert_eq!(code.sequence(), 7);
        let last = DossierCode::parse("123.45.67.G01-991231-9999").unwrap();
        assert_eq!(last.receipt_date(), date(2099, 12, 31));
        assert_eq!(last.sequence(), 9999);
    }

    #[test]
    fn sequence_zero_or_above_9999_is_refused() {
        for seq in [0, 10_000] {
            let e = DossierCode::new(&unit(), date(2025, 4, 15), seq)
                .unwrap_err()
                .to_string();
            assert!(e.contains("1..=9999"), "{e}");
        }
        assert!(DossierCode::new(&unit(), date(2025, 4, 15), 9999).is_ok());
    }

    #[test]
    fn dates_outside_the_century_are_refused() {
        let e = DossierCode::new(&unit(), date(1999, 12, 31), 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("2000–2099"), "{e}");
        assert!(DossierCode::new(&unit(), FIRST_YYMMDD, 1).is_ok());
    }

    #[test]
    fn parse_is_strict_and_says_what_is_wrong() {
        for (input, needle) in [
            (" 000.21.30.H99-250415-0007", "unit code"),
            ("000.21.30.h99-250415-0007", "exactly as 000.21.30.H99"),
            ("000.21.30.H99-250415-007", "exactly 4 digits"),
            ("000.21.30.H99-250415-00007", "exactly 4 digits"),
            ("000.21.30.H99-250415-0000", "1..=9999"),
            ("000.21.30.H99-250231-0001", "not a calendar date"),
            ("000.21.30.H99-20250415-0001", "not YYMMDD"),
            ("000.21.30.H99-25O415-0001", "not YYMMDD"),
            ("000.21.30.H99-250415-+001", "exactly 4 digits"),
            ("000.21.30.H99-250415", "three parts"),
            ("000.21.30.H99-250415-0001-1", "three parts"),
            ("", "three parts"),
        ] {
            let e = DossierCode::parse(input).unwrap_err().to_string();
            assert!(e.starts_with("dossier_code:"), "{input}: {e}");
            assert!(e.contains(needle), "{input}: {e}");
        }
    }

    #[test]
    fn forms_are_numbered_by_the_regime_of_the_day() {
        use jiff::civil::date;
        let old = Regime::in_force_on(date(2025, 6, 30));
        let new = Regime::in_force_on(date(2025, 7, 1));
        assert_eq!((old, new), (Regime::Decree61_2018, Regime::Decree118_2025));
        // Circular 01/2018: 05 control slip, 06 register, no stop notice;
        // Circular 03/2025 inserts the stop notice as 05 and moves them on.
        assert_eq!(old.form_number(OfficialForm::ControlSlip), Some("05"));
        assert_eq!(old.form_number(OfficialForm::Register), Some("06"));
        assert_eq!(old.form_number(OfficialForm::StopNotice), None);
        assert_eq!(new.form_number(OfficialForm::StopNotice), Some("05"));
        assert_eq!(new.form_number(OfficialForm::ControlSlip), Some("06"));
        assert_eq!(new.form_number(OfficialForm::Register), Some("07"));
        // Within one regime no two forms share a number.
        for r in [old, new] {
            let all = [
                OfficialForm::Receipt,
                OfficialForm::Supplement,
                OfficialForm::Refusal,
                OfficialForm::Apology,
                OfficialForm::StopNotice,
                OfficialForm::ControlSlip,
                OfficialForm::Register,
            ];
            let mut numbers: Vec<&str> = all.iter().filter_map(|f| r.form_number(*f)).collect();
            let n = numbers.len();
            numbers.sort_unstable();
            numbers.dedup();
            assert_eq!(numbers.len(), n, "{r:?}");
        }
    }

    #[test]
    fn the_2025_regime_defaults_to_the_2018_format_and_formats_can_be_swapped() {
        assert_eq!(
            Regime::Decree118_2025.default_format(),
            Regime::Decree61_2018.default_format()
        );
        let other = CodeFormat::new('/', true, 5).unwrap();
        let code = DossierCode::with_format(&other, &unit(), date(2025, 4, 15), 7).unwrap();
        assert_eq!(code.as_str(), "000.21.30.H99/20250415/00007");
        assert_eq!(
            DossierCode::parse_with(&other, code.as_str()).unwrap(),
            code
        );
        assert_eq!(other.max_sequence(), 99_999);
        assert!(CodeFormat::new('.', false, 4).is_err());
        assert!(CodeFormat::new('-', false, 0).is_err());
    }

    proptest! {
        #[test]
        fn format_then_parse_gives_the_same_code(
            parts in (0u32..1000, 0u32..100, 0u32..100, b'A'..=b'Z', 0u32..100),
            days in 0i32..36_524,
            sequence in 1u32..=9999,
        ) {
            let (a, b, c, letter, d) = parts;
            let unit = UnitCode::parse(&format!("{a:03}.{b:02}.{c:02}.{}{d:02}", letter as char)).unwrap();
            let day = FIRST_YYMMDD.checked_add(jiff::Span::new().days(days)).unwrap();
            let code = DossierCode::new(&unit, day, sequence).unwrap();
            let back = DossierCode::parse(code.as_str()).unwrap();
            prop_assert_eq!(back.unit(), &unit);
            prop_assert_eq!(back.receipt_date(), day);
            prop_assert_eq!(back.sequence(), sequence);
            prop_assert_eq!(back, code);
        }
    }
}
