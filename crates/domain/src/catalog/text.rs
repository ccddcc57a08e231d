//! Vietnamese text forms of catalog values, as people write them in the
//! procedure import template (docs/import/procedures.md) and as exports write
//! them back.
//!
//! Each `parse_*` reads what a catalog keeper types: diacritics and case are
//! forgiven where a label is expected (matching goes through
//! [`fold_vi`](crate::search::fold_vi)), numbers are whole and checked, and a
//! refusal says what was read and what is accepted. Each `format_*` writes
//! the form its parser reads back to the same value, so an export imports
//! without change.

pub mod template;

use jiff::civil::Date;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::{ApplicantKind, ComponentForm, Money, OnlineLevel, Requirement, ResultType};
use crate::deadline::TimeLimit;
use crate::error::{DomainError, shorten};
use crate::search::fold_vi;
use crate::unit::Level;

/// Trims text and puts it in Unicode NFC, the form motcua stores
/// (architecture.md §4), so "Hộ tịch" typed with combining marks and with
/// precomposed letters is one value.
pub fn normalize(input: &str) -> String {
    let s = input.trim();
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s.to_owned(),
        _ => s.nfc().collect(),
    }
}

/// A time limit read from text, with whether it was a bare "ngày".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedLimit {
    /// The limit.
    pub limit: TimeLimit,
    /// The text said "N ngày" without "làm việc" or "lịch". Such limits are
    /// read as calendar days and flagged for a person to confirm (domain.md
    /// §4 and Appendix A: "Bare 'ngày' on import: calendar days, flagged").
    pub bare_days: bool,
}

/// Parses a legal time limit: `5 ngày làm việc` (leading zeros allowed),
/// `8 giờ làm việc`, `15 ngày lịch` (or `ngày theo lịch`), `15 ngày`
/// (calendar days, flagged as [`ParsedLimit::bare_days`]), `3 tháng`,
/// `Trong ngày`, `Không quy định`, or the machine forms [`TimeLimit::parse`]
/// reads (`5 working_days`, `same_day`, `none`). Diacritics and case do not
/// matter. A bare "giờ" is refused: the catalog counts hours of office time
/// only, and "24 giờ" usually means a clock day.
pub fn parse_time_limit(input: &str) -> Result<ParsedLimit, DomainError> {
    let plain = |limit| ParsedLimit {
        limit,
        bare_days: false,
    };
    if let Ok(limit) = TimeLimit::parse(input) {
        return Ok(plain(limit));
    }
    let bad = |why: &str| {
        DomainError::invalid(
            "time_limit",
            format!(
                "'{}' is not a time limit{why}; write e.g. '5 ngày làm việc', '8 giờ làm việc', \
                 '15 ngày lịch', '3 tháng', 'Trong ngày' or 'Không quy định'",
                shorten(input)
            ),
        )
    };
    if input.trim().is_empty() {
        return Err(DomainError::invalid("time_limit", "is empty"));
    }
    if input.contains('-') {
        return Err(bad(" (a limit cannot be negative)"));
    }
    let folded = fold_vi(input);
    match folded.as_str() {
        "trong ngay" | "trong ngay lam viec" => return Ok(plain(TimeLimit::SameDay)),
        "khong quy dinh" => return Ok(plain(TimeLimit::NoLimit)),
        _ => {}
    }
    let digits = folded.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(bad(""));
    }
    let (count, unit) = folded.split_at(digits);
    let n: u32 = count
        .parse()
        .map_err(|_| bad(" (the number is too large)"))?;
    let (limit, bare_days) = match unit.trim() {
        "ngay lam viec" => (TimeLimit::WorkingDays(n), false),
        "ngay lich" | "ngay theo lich" | "ngay duong lich" => (TimeLimit::CalendarDays(n), false),
        "ngay" => (TimeLimit::CalendarDays(n), true),
        "gio lam viec" => (TimeLimit::WorkingHours(n), false),
        "thang" => (TimeLimit::Months(n), false),
        "gio" => return Err(bad(" (say 'giờ làm việc': only office hours are counted)")),
        _ => return Err(bad("")),
    };
    Ok(ParsedLimit {
        limit: limit.validate()?,
        bare_days,
    })
}

/// Writes a limit the way the template shows it; calendar days are written
/// `N ngày lịch`, so reading them back raises no bare-"ngày" flag.
pub fn format_time_limit(limit: TimeLimit) -> String {
    match limit {
        TimeLimit::WorkingDays(n) => format!("{n} ngày làm việc"),
        TimeLimit::CalendarDays(n) => format!("{n} ngày lịch"),
        TimeLimit::WorkingHours(n) => format!("{n} giờ làm việc"),
        TimeLimit::Months(n) => format!("{n} tháng"),
        TimeLimit::SameDay => "Trong ngày".to_owned(),
        TimeLimit::NoLimit => "Không quy định".to_owned(),
    }
}

/// The Vietnamese name of a level: `Cấp tỉnh`.
pub fn level_label(level: Level) -> &'static str {
    match level {
        Level::Central => "Cấp trung ương",
        Level::Province => "Cấp tỉnh",
        Level::District => "Cấp huyện",
        Level::Commune => "Cấp xã",
    }
}

/// Parses one level: `Cấp tỉnh`, `tỉnh`, `Cấp Bộ` (central), or the stored
/// text (`province`).
pub fn parse_level(input: &str) -> Result<Level, DomainError> {
    let folded = fold_vi(input);
    let bare = folded.strip_prefix("cap ").unwrap_or(&folded);
    let level = match bare {
        "trung uong" | "bo" | "central" => Some(Level::Central),
        "tinh" | "province" => Some(Level::Province),
        "huyen" | "district" => Some(Level::District),
        "xa" | "commune" => Some(Level::Commune),
        _ => None,
    };
    level.ok_or_else(|| {
        DomainError::invalid(
            "levels",
            format!(
                "'{}' is not a level; write 'Cấp trung ương', 'Cấp tỉnh', 'Cấp huyện' or 'Cấp xã'",
                shorten(input.trim())
            ),
        )
    })
}

/// Parses levels separated by `;` (or `,`): `Cấp huyện; Cấp xã`. At least
/// one level, none twice; the order is kept.
pub fn parse_levels(input: &str) -> Result<Vec<Level>, DomainError> {
    let mut levels = Vec::new();
    for part in input.split([';', ',']).filter(|p| !p.trim().is_empty()) {
        let level = parse_level(part)?;
        if levels.contains(&level) {
            return Err(DomainError::invalid(
                "levels",
                format!("{} is listed twice", level_label(level)),
            ));
        }
        levels.push(level);
    }
    if levels.is_empty() {
        return Err(DomainError::invalid("levels", "name at least one level"));
    }
    Ok(levels)
}

/// Writes levels as the template shows them: `Cấp huyện; Cấp xã`.
pub fn format_levels(levels: &[Level]) -> String {
    levels
        .iter()
        .map(|l| level_label(*l))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Parses a yes/no cell: `Có`, `x`, `1`, `yes`, `true` are yes; `Không`,
/// `0`, `no`, `false` are no. `field` names the value in the error.
pub fn parse_yes_no(field: &'static str, input: &str) -> Result<bool, DomainError> {
    match fold_vi(input).as_str() {
        "co" | "x" | "1" | "yes" | "y" | "true" => Ok(true),
        "khong" | "0" | "no" | "n" | "false" => Ok(false),
        _ => Err(DomainError::invalid(
            field,
            format!(
                "'{}' is not yes or no; write 'Có' or 'Không'",
                shorten(input.trim())
            ),
        )),
    }
}

/// Writes a yes/no value: `Có` or `Không`.
pub fn format_yes_no(value: bool) -> &'static str {
    if value { "Có" } else { "Không" }
}

/// Parses an amount in whole đồng: `50000`, `50.000` or `50 000` (groups of
/// three digits), optionally followed by `đ`, `đồng` or `VNĐ`. Negative
/// amounts, decimals (in Vietnamese the comma is the decimal mark) and text
/// are refused.
pub fn parse_money(input: &str) -> Result<Money, DomainError> {
    let bad = |why: &str| DomainError::invalid("fee", format!("'{}' {why}", shorten(input.trim())));
    let lower = input.trim().to_lowercase();
    let mut s = lower.as_str();
    for suffix in ["đồng", "vnđ", "vnd", "đ"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim_end();
            break;
        }
    }
    if s.is_empty() {
        return Err(bad(
            "is not an amount; write whole đồng such as 50000 or 50.000",
        ));
    }
    if s.starts_with('-') {
        return Err(bad("is negative; a fee is 0 or more đồng"));
    }
    if s.contains(',') {
        return Err(bad(
            "has a comma (the decimal mark): fees are whole đồng, written 50000 or 50.000",
        ));
    }
    let groups: Vec<&str> = s.split(['.', ' ', '\u{a0}']).collect();
    let all_digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !groups.iter().all(|g| all_digits(g)) {
        return Err(bad(
            "is not an amount; write whole đồng such as 50000 or 50.000",
        ));
    }
    if let [first, rest @ ..] = groups.as_slice()
        && !rest.is_empty()
        && (first.len() > 3 || rest.iter().any(|g| g.len() != 3))
    {
        return Err(bad(
            "is not whole đồng: dots group thousands (50.000), decimals are not allowed",
        ));
    }
    let amount: i64 = groups.concat().parse().map_err(|_| bad("is too large"))?;
    Money::dong(amount)
}

/// Writes an amount as plain digits (`50000`): spreadsheets in any locale
/// read it as the same whole number.
pub fn format_money(amount: Money) -> String {
    amount.get().to_string()
}

/// Parses a date: `dd/mm/yyyy` (`d/m/yyyy` too) or `yyyy-mm-dd`.
pub fn parse_date(input: &str) -> Result<Date, DomainError> {
    let s = input.trim();
    let bad = || {
        DomainError::invalid(
            "effective_from",
            format!(
                "'{}' is not a date; write dd/mm/yyyy or yyyy-mm-dd",
                shorten(s)
            ),
        )
    };
    let num = |p: &str, min: usize, max: usize| -> Result<i16, DomainError> {
        if (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let parts: Vec<&str> = s.split(['/', '-']).collect();
    let (y, m, d) = match parts.as_slice() {
        [d, m, y] if s.contains('/') && !s.contains('-') => {
            (num(y, 4, 4)?, num(m, 1, 2)?, num(d, 1, 2)?)
        }
        [y, m, d] if s.contains('-') && !s.contains('/') => {
            (num(y, 4, 4)?, num(m, 2, 2)?, num(d, 2, 2)?)
        }
        _ => return Err(bad()),
    };
    let (Ok(m8), Ok(d8)) = (i8::try_from(m), i8::try_from(d)) else {
        return Err(bad());
    };
    Date::new(y, m8, d8).map_err(|_| {
        DomainError::invalid(
            "effective_from",
            format!("'{}' is not a day of the calendar", shorten(s)),
        )
    })
}

/// Writes a date as `dd/mm/yyyy`.
pub fn format_date(date: Date) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

/// Parses a number of copies, 1 to 20.
pub fn parse_copies(input: &str) -> Result<u8, DomainError> {
    let s = input.trim();
    let n: Option<u8> = if s.bytes().all(|b| b.is_ascii_digit()) && s.len() <= 3 {
        s.parse().ok()
    } else {
        None
    };
    match n {
        Some(n) if (1..=20).contains(&n) => Ok(n),
        _ => Err(DomainError::invalid(
            "copies",
            format!("'{}' is not a number of copies from 1 to 20", shorten(s)),
        )),
    }
}

/// Finds the choice whose names match `input` loosely (case, diacritics,
/// punctuation and spacing ignored, as [`fold_vi`] does). The error lists
/// the first name of each choice.
pub fn match_label<T: Copy>(
    field: &'static str,
    input: &str,
    choices: &[(T, &[&str])],
) -> Result<T, DomainError> {
    let folded = fold_vi(input);
    if !folded.is_empty() {
        for (value, names) in choices {
            if names.iter().any(|n| fold_vi(n) == folded) {
                return Ok(*value);
            }
        }
    }
    let allowed: Vec<String> = choices
        .iter()
        .filter_map(|(_, names)| names.first().map(|n| format!("'{n}'")))
        .collect();
    Err(DomainError::invalid(
        field,
        format!(
            "'{}' is not one of {}",
            shorten(input.trim()),
            allowed.join(", ")
        ),
    ))
}

macro_rules! label_parser {
    ($(#[$m:meta])* $fn:ident, $ty:ty, $field:literal) => {
        $(#[$m])*
        pub fn $fn(input: &str) -> Result<$ty, DomainError> {
            let choices: Vec<($ty, [&str; 2])> =
                <$ty>::ALL.iter().map(|v| (*v, [v.label_vi(), v.as_str()])).collect();
            let refs: Vec<($ty, &[&str])> =
                choices.iter().map(|(v, names)| (*v, names.as_slice())).collect();
            match_label($field, input, &refs)
        }
    };
}

label_parser!(
    /// Parses a component form: `Bản chính`, `Bản sao`, `Bản sao có chứng
    /// thực`, `Bản chính hoặc bản sao` (or the stored text).
    parse_component_form, ComponentForm, "form"
);
label_parser!(
    /// Parses a requirement: `Bắt buộc`, `Không bắt buộc`, `Có điều kiện`.
    parse_requirement, Requirement, "requirement"
);
label_parser!(
    /// Parses a result type: `Quyết định`, `Giấy chứng nhận`, `Giấy phép`,
    /// `Văn bản trả lời`, `Bản sao, trích lục`, `Khác`.
    parse_result_type, ResultType, "result_type"
);
label_parser!(
    /// Parses who may apply: `Công dân`, `Tổ chức`, `Công dân, tổ chức`.
    parse_applicant, ApplicantKind, "applicant"
);

/// Parses an online level: `Toàn trình`, `Một phần`, `Không`, the stored
/// text, or a legacy level `1`–`4` (also `Mức độ 4`), mapped by
/// [`OnlineLevel::from_legacy`].
pub fn parse_online_level(input: &str) -> Result<OnlineLevel, DomainError> {
    let folded = fold_vi(input);
    let legacy = folded
        .strip_prefix("muc do ")
        .or_else(|| folded.strip_prefix("muc "))
        .unwrap_or(&folded);
    if legacy.len() == 1
        && let Ok(n) = legacy.parse::<u8>()
    {
        return OnlineLevel::from_legacy(n);
    }
    let choices: Vec<(OnlineLevel, [&str; 2])> = OnlineLevel::ALL
        .iter()
        .map(|v| (*v, [v.label_vi(), v.as_str()]))
        .collect();
    let refs: Vec<(OnlineLevel, &[&str])> = choices
        .iter()
        .map(|(v, names)| (*v, names.as_slice()))
        .collect();
    match_label("online_level", input, &refs)
}

#[cfg(test)]
mod tests;
