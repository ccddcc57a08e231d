//! Reporting periods and breakdowns (domain.md §9 "Period", "Breakdowns").

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use crate::error::DomainError;

/// The longest period a report covers: ten years of days.
pub const MAX_DAYS: i32 = 3_700;

/// A period of local dates, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
}

impl Period {
    /// Checks a period: `from` not after `to`, at most [`MAX_DAYS`] long,
    /// within the years motcua can count (2000 to 2100). Errors name the
    /// field at fault.
    pub fn new(from: Date, to: Date) -> Result<Period, DomainError> {
        for (field, d) in [("from", from), ("to", to)] {
            if !(2000..=2100).contains(&d.year()) {
                return Err(DomainError::invalid(
                    field,
                    format!("{d} is outside the years 2000 to 2100"),
                ));
            }
        }
        if from > to {
            return Err(DomainError::invalid(
                "to",
                format!("the period ends ({to}) before it starts ({from})"),
            ));
        }
        let days = (to - from).get_days();
        if days >= MAX_DAYS {
            return Err(DomainError::invalid(
                "to",
                format!(
                    "a report covers at most {MAX_DAYS} days; this period has {}",
                    days + 1
                ),
            ));
        }
        Ok(Period { from, to })
    }

    /// The day before the period (carried-over dossiers are those open at
    /// its end).
    pub fn day_before(&self) -> Date {
        self.from.yesterday().unwrap_or(self.from)
    }

    /// The calendar months the period touches, each cut to the period, in
    /// order (the `month` breakdown).
    pub fn months(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut start = self.from;
        while start <= self.to {
            let end = start.last_of_month().min(self.to);
            out.push(Period {
                from: start,
                to: end,
            });
            match end.tomorrow() {
                Ok(next) => start = next,
                Err(_) => break,
            }
        }
        out
    }

    /// A calendar month.
    pub fn month(year: i16, month: i8) -> Result<Period, DomainError> {
        let from =
            Date::new(year, month, 1).map_err(|e| DomainError::invalid("month", e.to_string()))?;
        Period::new(from, from.last_of_month())
    }

    /// A quarter (1–4).
    pub fn quarter(year: i16, q: i8) -> Result<Period, DomainError> {
        if !(1..=4).contains(&q) {
            return Err(DomainError::invalid(
                "quarter",
                format!("{q} is not 1 to 4"),
            ));
        }
        let from = Date::new(year, (q - 1) * 3 + 1, 1)
            .map_err(|e| DomainError::invalid("quarter", e.to_string()))?;
        let to = from
            .checked_add(2.months())
            .map_err(|e| DomainError::invalid("quarter", e.to_string()))?
            .last_of_month();
        Period::new(from, to)
    }

    /// The Decree 09/2019/NĐ-CP cut-off month: from the 15th of the month
    /// before to the 14th of `month`.
    pub fn cutoff_month(year: i16, month: i8) -> Result<Period, DomainError> {
        let to =
            Date::new(year, month, 14).map_err(|e| DomainError::invalid("month", e.to_string()))?;
        let from = to
            .checked_sub(1.month())
            .and_then(|d| d.checked_add(1.day()))
            .map_err(|e| DomainError::invalid("month", e.to_string()))?;
        Period::new(from, to)
    }
}

/// How a report's rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// By the report unit's child units (each with its subtree).
    Unit,
    /// By the procedures' sector (lĩnh vực).
    Sector,
    /// By the procedures' level (province, commune…), sectors within.
    Level,
    /// By procedure.
    Procedure,
    /// By channel.
    Channel,
    /// By calendar month.
    Month,
}

impl Breakdown {
    /// Every breakdown.
    pub const ALL: [Breakdown; 6] = [
        Breakdown::Unit,
        Breakdown::Sector,
        Breakdown::Level,
        Breakdown::Procedure,
        Breakdown::Channel,
        Breakdown::Month,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Breakdown::Unit => "unit",
            Breakdown::Sector => "sector",
            Breakdown::Level => "level",
            Breakdown::Procedure => "procedure",
            Breakdown::Channel => "channel",
            Breakdown::Month => "month",
        }
    }

    /// Parses a name; the error names `by` and the allowed values.
    pub fn parse(s: &str) -> Result<Breakdown, DomainError> {
        Breakdown::ALL
            .into_iter()
            .find(|b| b.as_str() == s.trim())
            .ok_or_else(|| {
                DomainError::invalid(
                    "by",
                    format!(
                        "unknown breakdown '{}'; allowed: unit, sector, level, procedure, channel, month",
                        crate::error::shorten(s)
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn periods_are_checked_and_name_the_field() {
        assert!(Period::new(date(2025, 1, 1), date(2025, 3, 31)).is_ok());
        let e = Period::new(date(2025, 4, 1), date(2025, 3, 31)).unwrap_err();
        assert!(e.to_string().contains("to"), "{e}");
        let e = Period::new(date(1990, 1, 1), date(2025, 3, 31)).unwrap_err();
        assert!(e.to_string().contains("from"), "{e}");
        assert!(Period::new(date(2000, 1, 1), date(2020, 1, 1)).is_err());
    }

    #[test]
    fn presets_cover_the_right_days() {
        let q = Period::quarter(2025, 3).unwrap();
        assert_eq!((q.from, q.to), (date(2025, 7, 1), date(2025, 9, 30)));
        let m = Period::month(2024, 2).unwrap();
        assert_eq!(m.to, date(2024, 2, 29));
        let c = Period::cutoff_month(2025, 3).unwrap();
        assert_eq!((c.from, c.to), (date(2025, 2, 15), date(2025, 3, 14)));
        assert_eq!(q.day_before(), date(2025, 6, 30));
        assert!(Period::quarter(2025, 5).is_err());
    }

    #[test]
    fn months_cut_the_period() {
        let p = Period::new(date(2025, 6, 15), date(2025, 8, 10)).unwrap();
        let m = p.months();
        assert_eq!(m.len(), 3);
        assert_eq!((m[0].from, m[0].to), (date(2025, 6, 15), date(2025, 6, 30)));
        assert_eq!((m[2].from, m[2].to), (date(2025, 8, 1), date(2025, 8, 10)));
    }

    #[test]
    fn breakdowns_parse_by_name() {
        for b in Breakdown::ALL {
            assert_eq!(Breakdown::parse(b.as_str()).unwrap(), b);
        }
        let e = Breakdown::parse("district").unwrap_err();
        assert!(e.to_string().contains("by"), "{e}");
    }
}
