//! The four grains the counters are kept at, and which buckets sum to a
//! level: whole years before the day's year, whole quarters before its
//! quarter, whole months before its month, then days. A level costs at most
//! a few dozen rows per group however long the history, and a level at a
//! quarter's or a year's end (the periods reports are mostly asked for) a
//! handful.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::measure::Counts;
use super::track::DayChange;

/// How long a bucket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    /// One day.
    Day,
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
}

impl Grain {
    /// Every grain.
    pub const ALL: [Grain; 4] = [Grain::Day, Grain::Month, Grain::Quarter, Grain::Year];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "d",
            Grain::Month => "m",
            Grain::Quarter => "q",
            Grain::Year => "y",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The first day of the bucket holding `day`.
    pub fn bucket(self, day: Date) -> Date {
        match self {
            Grain::Day => day,
            Grain::Month => day.first_of_month(),
            Grain::Quarter => {
                let m = (day.month() - 1) / 3 * 3 + 1;
                Date::new(day.year(), m, 1).unwrap_or(day)
            }
            Grain::Year => day.first_of_year(),
        }
    }
}

/// Changes summed into their buckets at every grain: what storage adds.
pub fn buckets(changes: &[DayChange]) -> Vec<(Grain, Date, Counts)> {
    let mut out: BTreeMap<(Grain, Date), Counts> = BTreeMap::new();
    for ch in changes {
        for g in Grain::ALL {
            out.entry((g, g.bucket(ch.day)))
                .or_default()
                .add_all(&ch.counts);
        }
    }
    out.into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((g, b), c)| (g, b, c))
        .collect()
}

/// The buckets whose sum is the level at the end of `day`, as inclusive
/// ranges of bucket days per grain (a grain may be absent).
pub fn prefix_ranges(day: Date) -> Vec<(Grain, Date, Date)> {
    let year = day.first_of_year();
    let quarter = Grain::Quarter.bucket(day);
    let month = day.first_of_month();
    let mut out = Vec::with_capacity(4);
    let before = |d: Date| d.yesterday().unwrap_or(d);
    let last_of_month = day == day.last_of_month();
    let last_of_quarter = last_of_month && day.month() % 3 == 0;
    if day == day.last_of_year() {
        out.push((Grain::Year, Date::MIN, year));
        return out;
    }
    if year > Date::MIN {
        out.push((Grain::Year, Date::MIN, before(year)));
    }
    if last_of_quarter {
        out.push((Grain::Quarter, year, quarter));
        return out;
    }
    if quarter > year {
        out.push((Grain::Quarter, year, before(quarter)));
    }
    if last_of_month {
        out.push((Grain::Month, quarter, month));
        return out;
    }
    if month > quarter {
        out.push((Grain::Month, quarter, before(month)));
    }
    out.push((Grain::Day, month, day));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::measure::Measure;
    use crate::stats::track::level_on;
    use jiff::ToSpan;
    use jiff::civil::date;

    fn sum_by_ranges(rows: &[(Grain, Date, Counts)], day: Date) -> Counts {
        let mut c = Counts::default();
        for (g, lo, hi) in prefix_ranges(day) {
            for (rg, b, counts) in rows {
                if *rg == g && *b >= lo && *b <= hi {
                    c.add_all(counts);
                }
            }
        }
        c
    }

    #[test]
    fn the_ranges_sum_to_the_level_on_every_day() {
        // Changes on scattered days over three years.
        let mut changes = Vec::new();
        let mut d = date(2023, 11, 28);
        let mut n = 1i64;
        while d < date(2026, 2, 5) {
            let mut c = Counts::default();
            c.add(Measure::Received, n % 5 + 1);
            c.add(Measure::Open, (n % 3) - 1);
            changes.push(DayChange { day: d, counts: c });
            d = d.checked_add((n % 17 + 1).days()).unwrap();
            n += 1;
        }
        let rows = buckets(&changes);
        let mut day = date(2023, 11, 1);
        while day < date(2026, 3, 1) {
            assert_eq!(
                sum_by_ranges(&rows, day),
                level_on(&changes, day),
                "level at the end of {day}"
            );
            day = day.tomorrow().unwrap();
        }
    }

    #[test]
    fn a_quarter_end_reads_years_and_quarters_only() {
        let r = prefix_ranges(date(2025, 9, 30));
        assert_eq!(
            r,
            vec![
                (Grain::Year, Date::MIN, date(2024, 12, 31)),
                (Grain::Quarter, date(2025, 1, 1), date(2025, 7, 1)),
            ]
        );
        let r = prefix_ranges(date(2024, 12, 31));
        assert_eq!(r, vec![(Grain::Year, Date::MIN, date(2024, 1, 1))]);
        let r = prefix_ranges(date(2025, 1, 1));
        assert_eq!(
            r.last().unwrap(),
            &(Grain::Day, date(2025, 1, 1), date(2025, 1, 1))
        );
    }
}
