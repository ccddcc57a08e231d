//! The government's yearly holiday schedules for public offices, as data.
//!
//! Each year the Prime Minister settles the exact Tết days, the National Day
//! adjacent day and any day swaps (Labour Code 2019, Art. 112(3)); the
//! ministry in charge (Labour, War Invalids and Social Affairs until 2025,
//! Home Affairs since) announces them to public offices. The rows shipped in
//! `data/calendar/official.csv` record those notices date by date; see the
//! README next to it for what each year's rows rest on.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use jiff::civil::Date;

use crate::error::{DomainError, shorten};
use crate::lunar::{FIRST_YEAR, LAST_YEAR};

/// The shipped schedule file, embedded so the binary needs no data files.
pub const OFFICIAL_CSV: &str = include_str!("../../data/calendar/official.csv");

/// One date fixed by an official notice: off (a holiday, a compensatory day
/// or the day off of a swap) or working (a Saturday worked in exchange, or a
/// day the rules would give off that the notice keeps working).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OfficialDay {
    /// The local date.
    pub date: Date,
    /// Whether public offices work that day.
    pub working: bool,
    /// Why, in Vietnamese, e.g. `Tết Nguyên đán` or
    /// `Hoán đổi ngày làm việc (làm bù thứ Bảy 26/04/2025)`.
    pub reason: String,
    /// The notice that fixes it, with its number and date.
    pub source: String,
}

/// The rows of the shipped file, parsed once per process.
pub fn official_days() -> Result<Vec<OfficialDay>, DomainError> {
    static PARSED: OnceLock<Result<Vec<OfficialDay>, DomainError>> = OnceLock::new();
    PARSED
        .get_or_init(|| parse_official_csv(OFFICIAL_CSV))
        .clone()
}

/// Parses a schedule in the shipped format: a header `date,status,reason,source`,
/// then one row per date with status `off` or `working`; lines starting with
/// `#` are comments. Refuses unknown statuses, empty reasons or sources,
/// dates outside 1900–2100 and a date listed twice, naming the line.
pub fn parse_official_csv(text: &str) -> Result<Vec<OfficialDay>, DomainError> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| invalid(0, format!("cannot read the header: {e}")))?
        .clone();
    let expected = ["date", "status", "reason", "source"];
    if headers.iter().ne(expected) {
        return Err(invalid(
            1,
            format!(
                "the header must be '{}', not '{}'",
                expected.join(","),
                shorten(&headers.iter().collect::<Vec<_>>().join(","))
            ),
        ));
    }
    let mut days = Vec::new();
    let mut seen = BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            invalid(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let date: Date = field(0).parse().map_err(|_| {
            invalid(
                line,
                format!("'{}' is not a date YYYY-MM-DD", shorten(field(0))),
            )
        })?;
        if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
            return Err(invalid(
                line,
                format!("{date} is outside {FIRST_YEAR}..={LAST_YEAR}"),
            ));
        }
        let working = match field(1) {
            "off" => false,
            "working" => true,
            other => {
                return Err(invalid(
                    line,
                    format!("status '{}' is neither 'off' nor 'working'", shorten(other)),
                ));
            }
        };
        if field(2).is_empty() || field(3).is_empty() {
            return Err(invalid(line, format!("{date} needs a reason and a source")));
        }
        if !seen.insert(date) {
            return Err(invalid(line, format!("{date} is listed twice")));
        }
        days.push(OfficialDay {
            date,
            working,
            reason: field(2).to_owned(),
            source: field(3).to_owned(),
        });
    }
    days.sort_by_key(|d| d.date);
    Ok(days)
}

fn invalid(line: u64, reason: String) -> DomainError {
    DomainError::invalid("official_calendar", format!("line {line}: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn shipped_file_parses() {
        let days = official_days().unwrap();
        let swap = days.iter().find(|d| d.date == date(2025, 4, 26)).unwrap();
        assert!(swap.working);
        let off = days.iter().find(|d| d.date == date(2025, 5, 2)).unwrap();
        assert!(!off.working);
        assert!(off.reason.starts_with("Hoán đổi ngày làm việc"));
        assert!(days.iter().all(|d| !d.source.is_empty()));
    }

    #[test]
    fn bad_rows_are_refused_with_their_line() {
        let header = "date,status,reason,source\n";
        let cases = [
            ("2025-02-30,off,x,y\n", "not a date"),
            ("2025-05-02,closed,x,y\n", "neither 'off' nor 'working'"),
            ("2025-05-02,off,,y\n", "needs a reason"),
            ("2101-01-01,off,x,y\n", "outside"),
            (
                "2025-05-02,off,x,y\n2025-05-02,working,x,y\n",
                "listed twice",
            ),
            ("2025-05-02,off,x\n", "line"),
        ];
        for (rows, want) in cases {
            let e = parse_official_csv(&format!("{header}# a comment\n{rows}"))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("official_calendar: line "), "{e}");
            assert!(e.contains(want), "{e} should mention {want}");
        }
        let e = parse_official_csv("day,status\n").unwrap_err().to_string();
        assert!(e.contains("header"), "{e}");
    }
}
