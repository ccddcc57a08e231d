//! Reading one cell of a dossier history file: moments, intervals,
//! extensions, labels in Vietnamese or English, counts and amounts. Each
//! function returns the reason a cell is refused, which the caller reports
//! with the row and column.

use jiff::civil::{Date, DateTime, Time};
use motcua_domain::catalog::text::{normalize, parse_money, parse_yes_no};
use motcua_domain::dossier::{Channel, Outcome, ReturnMethod, Status};
use motcua_domain::error::shorten;
use motcua_domain::search::fold_vi;
use motcua_domain::time::parse_moment;

use super::file::{Cell, excel_moment};
use crate::store::ApplicantType;

/// A supplement wait: requested at `.0`, supplied at `.1` (none while the
/// dossier still waits).
pub type Interval = (DateTime, Option<DateTime>);

/// An apology letter: issued at `.0` with the new appointment `.1`.
pub type Extension = (DateTime, DateTime);

/// The cell as trimmed NFC text; a spreadsheet error is refused.
pub fn text(cell: &Cell) -> Result<String, String> {
    match cell {
        Cell::Text(s) => Ok(unguard(&normalize(s)).to_owned()),
        Cell::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(format!("{}", *f as i64)),
        Cell::Number(f) => Ok(format!("{f}")),
        Cell::Moment(dt) => Ok(dt.to_string()),
        Cell::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        Cell::Error(e) => Err(e.clone()),
    }
}

/// Removes the apostrophe CSV exports put before text starting with `=`,
/// `+`, `-` or `@` so spreadsheets do not run it as a formula.
fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}

/// A moment: a date-time cell, an Excel serial, or text as
/// `2024-03-04T09:00`, `2024-03-04 09:00`, `04/03/2024 09:00` (seconds
/// optional; Vietnam time), RFC 3339 with an offset, or a date alone
/// (`04/03/2024`, `2024-03-04`), which means 00:00 of that day.
pub fn moment(cell: &Cell) -> Result<DateTime, String> {
    match cell {
        Cell::Moment(dt) => Ok(*dt),
        Cell::Number(f) => {
            excel_moment(*f).ok_or_else(|| format!("{f} is not a date-time serial number"))
        }
        other => moment_text(&text(other)?),
    }
}

/// A moment written as text (see [`moment`]).
pub fn moment_text(input: &str) -> Result<DateTime, String> {
    let s = input.trim();
    let bad = || {
        format!(
            "'{}' is not a date-time; write 2024-03-04T09:00 or 04/03/2024 09:00 (Vietnam time)",
            shorten(s)
        )
    };
    if s.contains('/') {
        let (day, time) = match s.split_once([' ', 'T']) {
            Some((d, t)) => (d, Some(t.trim())),
            None => (s, None),
        };
        let date = slash_date(day).ok_or_else(bad)?;
        let time = match time {
            Some(t) => t.parse::<Time>().map_err(|_| bad())?,
            None => Time::midnight(),
        };
        return Ok(date.to_datetime(time));
    }
    if let Ok(d) = s.parse::<Date>()
        && s.len() == 10
    {
        return Ok(d.to_datetime(Time::midnight()));
    }
    parse_moment("moment", s).map_err(|_| bad())
}

/// `dd/mm/yyyy` (or `d/m/yyyy`).
fn slash_date(s: &str) -> Option<Date> {
    let mut parts = s.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || d.is_empty() || m.is_empty() {
        return None;
    }
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(d) && all_digits(m) && all_digits(y)) {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

/// Items of a list cell, separated by `;` or line breaks, blanks dropped.
fn items(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// Supplement intervals: `start/end; start/end; …`; the last may be open
/// (`start/`) for a dossier still waiting. The `/` between the moments is
/// found where both sides read as moments, so `04/03/2024 09:00/06/03/2024
/// 14:00` works as well as the ISO form.
pub fn intervals(cell: &Cell) -> Result<Vec<Interval>, String> {
    let s = text(cell)?;
    let mut out = Vec::new();
    for item in items(&s) {
        if let Some(start) = item.strip_suffix('/')
            && let Ok(start) = moment_text(start)
        {
            out.push((start, None));
            continue;
        }
        let splits: Vec<Interval> = item
            .match_indices('/')
            .filter_map(|(i, _)| {
                let (a, b) = (item.get(..i)?, item.get(i + 1..)?);
                Some((moment_text(a).ok()?, Some(moment_text(b).ok()?)))
            })
            .collect();
        match splits.as_slice() {
            [one] => out.push(*one),
            _ => {
                return Err(format!(
                    "'{}' is not an interval; write start/end such as \
                     2024-03-05T09:00/2024-03-07T14:00, or start/ while still waiting",
                    shorten(item)
                ));
            }
        }
    }
    Ok(out)
}

/// Extensions: `issued>new appointment; …`.
pub fn extensions(cell: &Cell) -> Result<Vec<Extension>, String> {
    let s = text(cell)?;
    items(&s)
        .map(|item| {
            let (a, b) = item.split_once('>').ok_or_else(|| {
                format!(
                    "'{}' is not an extension; write issued>new appointment such as \
                     2024-03-12T10:00>2024-03-19T16:00",
                    shorten(item)
                )
            })?;
            Ok((moment_text(a)?, moment_text(b)?))
        })
        .collect()
}

/// Finds a value by its folded labels.
fn label<T: Copy>(input: &str, table: &[(T, &[&str])], what: &str) -> Result<T, String> {
    let folded = fold_vi(input);
    table
        .iter()
        .find(|(_, names)| names.iter().any(|n| fold_vi(n) == folded))
        .map(|(v, _)| *v)
        .ok_or_else(|| {
            let allowed: Vec<&str> = table
                .iter()
                .filter_map(|(_, n)| n.first().copied())
                .collect();
            format!(
                "'{}' is not a {what}; write one of {}",
                shorten(input),
                allowed.join(", ")
            )
        })
}

/// A channel: `Trực tiếp`, `Trực tuyến`, `Bưu chính` or the stored names.
pub fn channel(cell: &Cell) -> Result<Channel, String> {
    label(
        &text(cell)?,
        &[
            (Channel::InPerson, &["Trực tiếp", "in_person"]),
            (Channel::Online, &["Trực tuyến", "online"]),
            (
                Channel::Postal,
                &["Bưu chính", "Bưu chính công ích", "BCCI", "postal"],
            ),
        ],
        "channel",
    )
}

/// A return method, with the same words as channels.
pub fn return_method(cell: &Cell) -> Result<ReturnMethod, String> {
    label(
        &text(cell)?,
        &[
            (ReturnMethod::InPerson, &["Trực tiếp", "in_person"]),
            (ReturnMethod::Online, &["Trực tuyến", "online"]),
            (
                ReturnMethod::Postal,
                &["Bưu chính", "Bưu chính công ích", "BCCI", "postal"],
            ),
        ],
        "return method",
    )
}

/// `Công dân` or `Tổ chức`.
pub fn applicant_kind(cell: &Cell) -> Result<ApplicantType, String> {
    label(
        &text(cell)?,
        &[
            (ApplicantType::Citizen, &["Công dân", "Cá nhân", "citizen"]),
            (
                ApplicantType::Organisation,
                &["Tổ chức", "Doanh nghiệp", "organisation", "organization"],
            ),
        ],
        "kind of applicant",
    )
}

/// How processing ended.
pub fn outcome(cell: &Cell) -> Result<Outcome, String> {
    label(
        &text(cell)?,
        &[
            (
                Outcome::Result,
                &[
                    "Có kết quả",
                    "Đã xử lý xong",
                    "Hoàn thành",
                    "done",
                    "result",
                ],
            ),
            (Outcome::Refused, &["Từ chối", "refused"]),
            (
                Outcome::Stopped,
                &["Dừng giải quyết", "Dừng xử lý", "stopped"],
            ),
            (
                Outcome::Withdrawn,
                &[
                    "Rút hồ sơ",
                    "Đã rút",
                    "Công dân yêu cầu rút hồ sơ",
                    "withdrawn",
                ],
            ),
        ],
        "outcome",
    )
}

/// A status: the stored name, the label motcua shows or the national
/// portal's.
pub fn status(cell: &Cell) -> Result<Status, String> {
    let s = text(cell)?;
    let folded = fold_vi(&s);
    Status::ALL
        .iter()
        .copied()
        .find(|st| {
            st.as_str() == s
                || fold_vi(st.label_vi()) == folded
                || st.portal_label().is_some_and(|p| fold_vi(p) == folded)
        })
        .ok_or_else(|| {
            format!(
                "'{}' is not a status; write one of Mới tiếp nhận, Đang xử lý, Chờ bổ sung, \
                 Đã xử lý xong, Đã trả kết quả, Từ chối, Dừng giải quyết, Đã rút (or leave it \
                 blank to derive it)",
                shorten(&s)
            )
        })
}

/// `Có` or `Không` (and the other forms the catalog accepts).
pub fn yes_no(cell: &Cell) -> Result<bool, String> {
    if let Cell::Bool(b) = cell {
        return Ok(*b);
    }
    parse_yes_no("cell", &text(cell)?).map_err(|e| reason(&e))
}

/// An amount in whole đồng.
pub fn money(cell: &Cell) -> Result<i64, String> {
    parse_money(&text(cell)?)
        .map(|m| m.get())
        .map_err(|e| reason(&e))
}

/// A whole number in `range`.
pub fn count(cell: &Cell, range: std::ops::RangeInclusive<u32>) -> Result<u32, String> {
    let s = text(cell)?;
    s.parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            format!(
                "'{}' is not a whole number from {} to {}",
                shorten(&s),
                range.start(),
                range.end()
            )
        })
}

/// A domain error's reason without its field name.
fn reason(e: &motcua_domain::DomainError) -> String {
    match e {
        motcua_domain::DomainError::Invalid { reason, .. } => reason.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    #[test]
    fn moments_read_in_iso_vietnamese_and_date_only_forms() {
        let want = date(2024, 3, 4).at(9, 0, 0, 0);
        assert_eq!(moment(&t("2024-03-04T09:00")), Ok(want));
        assert_eq!(moment(&t("2024-03-04 09:00:00")), Ok(want));
        assert_eq!(moment(&t("04/03/2024 09:00")), Ok(want));
        assert_eq!(moment(&t("4/3/2024 09:00")), Ok(want));
        assert_eq!(moment(&t("2024-03-04T02:00:00Z")), Ok(want));
        assert_eq!(
            moment(&t("04/03/2024")),
            Ok(date(2024, 3, 4).at(0, 0, 0, 0))
        );
        assert!(moment(&t("31/02/2024 09:00")).is_err());
        assert!(moment(&t("hôm qua")).unwrap_err().contains("hôm qua"));
    }

    #[test]
    fn intervals_split_where_both_sides_are_moments() {
        let a = date(2024, 3, 5).at(9, 0, 0, 0);
        let b = date(2024, 3, 7).at(14, 0, 0, 0);
        assert_eq!(
            intervals(&t("2024-03-05T09:00/2024-03-07T14:00")),
            Ok(vec![(a, Some(b))])
        );
        assert_eq!(
            intervals(&t("05/03/2024 09:00/07/03/2024 14:00; 2024-03-05T09:00/")),
            Ok(vec![(a, Some(b)), (a, None)])
        );
        assert!(intervals(&t("2024-03-05T09:00-2024-03-07")).is_err());
    }

    #[test]
    fn extensions_and_labels_read() {
        let e = extensions(&t("2024-03-12T10:00>2024-03-19T16:00")).unwrap();
        assert_eq!(
            e,
            vec![(
                date(2024, 3, 12).at(10, 0, 0, 0),
                date(2024, 3, 19).at(16, 0, 0, 0)
            )]
        );
        assert!(extensions(&t("2024-03-12T10:00")).is_err());
        assert_eq!(channel(&t("truc tuyen")), Ok(Channel::Online));
        assert_eq!(outcome(&t("Từ chối")), Ok(Outcome::Refused));
        assert_eq!(status(&t("Đã trả kết quả")), Ok(Status::Returned));
        assert_eq!(status(&t("processing")), Ok(Status::Processing));
        assert!(outcome(&t("xong")).unwrap_err().contains("Có kết quả"));
    }
}
