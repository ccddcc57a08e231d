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

/// The buckets that exactly cover the days `from` to `to` (inclusive), as
/// inclusive ranges of bucket days per grain: whole years, quarters and
/// months where they fit, days at the edges. Their sum is the change over
/// the period, so a period's end level is the level the day before it plus
/// this cover: a quarter is one row per group, a year one.
pub fn cover_ranges(from: Date, to: Date) -> Vec<(Grain, Date, Date)> {
    let mut out: Vec<(Grain, Date, Date)> = Vec::new();
    let mut day = from;
    while day <= to {
        // The coarsest bucket starting at `day` that ends by `to`.
        let grain = [Grain::Year, Grain::Quarter, Grain::Month]
            .into_iter()
            .find(|g| g.bucket(day) == day && g.last_day(day).is_some_and(|end| end <= to))
            .unwrap_or(Grain::Day);
        match out.last_mut() {
            Some((g, _, hi)) if *g == grain => *hi = day,
            _ => out.push((grain, day, day)),
        }
        let Some(next) = grain.last_day(day).and_then(|end| end.tomorrow().ok()) else {
            break;
        };
        day = next;
    }
    out
}

/// Days a month must have been over before its end's levels are kept as a
/// snapshot: live changes are dated on the day they happen, so a month
/// that ended two days ago no longer moves (one day of margin for a write
/// dated just before midnight and committed after it). Only writes dated in
/// the past (an import, a void, a rebuild) change it, and they delete it.
pub const SNAPSHOT_MARGIN_DAYS: i32 = 2;

/// The newest month end on or before `day` whose levels may be kept as a
/// snapshot, given `today` (see [`SNAPSHOT_MARGIN_DAYS`]); `None` when
/// there is none (the calendar's start).
pub fn snapshot_day(day: Date, today: Date) -> Option<Date> {
    let latest = today
        .checked_sub(jiff::Span::new().days(SNAPSHOT_MARGIN_DAYS))
        .ok()?
        .min(day);
    if latest == latest.last_of_month() {
        return Some(latest);
    }
    latest.first_of_month().yesterday().ok()
}

/// Where the level at the end of `day` comes from when the snapshot of
/// `snapshot` (a month end on or before `day`) is kept: the snapshot, plus
/// the buckets covering the days after it.
pub fn after_snapshot(snapshot: Date, day: Date) -> Vec<(Grain, Date, Date)> {
    match snapshot.tomorrow() {
        Ok(next) if next <= day => cover_ranges(next, day),
        _ => Vec::new(),
    }
}

impl Grain {
    /// The last day of the bucket starting on `first` (a bucket's first
    /// day); `None` past the calendar's end.
    pub fn last_day(self, first: Date) -> Option<Date> {
        let months = match self {
            Grain::Day => return Some(first),
            Grain::Month => 1,
            Grain::Quarter => 3,
            Grain::Year => 12,
        };
        first
            .checked_add(jiff::Span::new().months(months))
            .ok()?
            .yesterday()
            .ok()
    }
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

    /// Changes on scattered days over three years, at most `gap` days apart.
    fn scattered(gap: i64) -> Vec<DayChange> {
        let mut changes = Vec::new();
        let mut d = date(2023, 11, 28);
        let mut n = 1i64;
        while d < date(2026, 2, 5) {
            let mut c = Counts::default();
            c.add(Measure::Received, n % 5 + 1);
            c.add(Measure::Open, (n % 3) - 1);
            changes.push(DayChange { day: d, counts: c });
            d = d.checked_add((n % gap + 1).days()).unwrap();
            n += 1;
        }
        changes
    }

    #[test]
    fn snapshots_are_month_ends_two_days_old_at_least() {
        let today = date(2026, 12, 6);
        // A day late in a closed month: the month before it ended.
        assert_eq!(
            snapshot_day(date(2026, 9, 15), today),
            Some(date(2026, 8, 31))
        );
        // A month end itself.
        assert_eq!(
            snapshot_day(date(2026, 9, 30), today),
            Some(date(2026, 9, 30))
        );
        // Today and the future: the last month that ended two days ago.
        assert_eq!(
            snapshot_day(date(2027, 3, 31), today),
            Some(date(2026, 11, 30))
        );
        // A month that ended yesterday is not closed yet.
        assert_eq!(
            snapshot_day(date(2026, 11, 30), date(2026, 12, 1)),
            Some(date(2026, 10, 31))
        );
        assert_eq!(
            snapshot_day(date(2026, 11, 30), date(2026, 12, 2)),
            Some(date(2026, 11, 30))
        );
        assert_eq!(snapshot_day(Date::MIN, today), None);
    }

    #[test]
    fn a_snapshot_plus_the_days_after_it_is_the_level() {
        let changes = scattered(5);
        let rows = buckets(&changes);
        let today = date(2026, 1, 20);
        let mut day = date(2024, 1, 1);
        while day < date(2026, 3, 1) {
            let Some(snap) = snapshot_day(day, today) else {
                panic!("no snapshot day for {day}");
            };
            assert!(snap <= day && snap == snap.last_of_month());
            let mut c = level_on(&changes, snap);
            for (g, lo, hi) in after_snapshot(snap, day) {
                for (rg, b, counts) in &rows {
                    if *rg == g && *b >= lo && *b <= hi {
                        c.add_all(counts);
                    }
                }
            }
            assert_eq!(c, level_on(&changes, day), "level at the end of {day}");
            day = day.checked_add(3.days()).unwrap();
        }
    }

    #[test]
    fn the_ranges_sum_to_the_level_on_every_day() {
        let changes = scattered(17);
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
    fn a_cover_sums_to_the_change_over_any_period() {
        let changes = scattered(13);
        let rows = buckets(&changes);
        let sum = |ranges: Vec<(Grain, Date, Date)>| {
            let mut c = Counts::default();
            for (g, lo, hi) in ranges {
                for (rg, b, counts) in &rows {
                    if *rg == g && *b >= lo && *b <= hi {
                        c.add_all(counts);
                    }
                }
            }
            c
        };
        let mut from = date(2023, 11, 1);
        let mut k = 0i64;
        while from < date(2026, 3, 1) {
            for len in [0i64, 1, 29, 30, 89, 91, 200, 365, 400, 700] {
                let to = from.checked_add((len + k % 3).days()).unwrap();
                let want =
                    level_on(&changes, to).minus(&level_on(&changes, from.yesterday().unwrap()));
                assert_eq!(sum(cover_ranges(from, to)), want, "{from}..{to}");
            }
            from = from.checked_add((k % 17 + 5).days()).unwrap();
            k += 1;
        }
    }

    #[test]
    fn a_quarter_or_a_year_is_one_bucket() {
        assert_eq!(
            cover_ranges(date(2026, 7, 1), date(2026, 9, 30)),
            vec![(Grain::Quarter, date(2026, 7, 1), date(2026, 7, 1))]
        );
        assert_eq!(
            cover_ranges(date(2025, 1, 1), date(2025, 12, 31)),
            vec![(Grain::Year, date(2025, 1, 1), date(2025, 1, 1))]
        );
        // 15 Oct – 14 Nov (the Decree 09 month): days, then days.
        let c = cover_ranges(date(2025, 10, 15), date(2025, 11, 14));
        assert_eq!(
            c,
            vec![
                (Grain::Day, date(2025, 10, 15), date(2025, 10, 31)),
                (Grain::Day, date(2025, 11, 1), date(2025, 11, 14)),
            ]
            .into_iter()
            .fold(Vec::new(), |mut v: Vec<(Grain, Date, Date)>, r| {
                match v.last_mut() {
                    Some(last) if last.0 == r.0 => last.2 = r.2,
                    _ => v.push(r),
                }
                v
            })
        );
        assert_eq!(
            cover_ranges(date(2025, 2, 10), date(2025, 8, 20)),
            vec![
                (Grain::Day, date(2025, 2, 10), date(2025, 2, 28)),
                (Grain::Month, date(2025, 3, 1), date(2025, 3, 1)),
                (Grain::Quarter, date(2025, 4, 1), date(2025, 4, 1)),
                (Grain::Month, date(2025, 7, 1), date(2025, 7, 1)),
                (Grain::Day, date(2025, 8, 1), date(2025, 8, 20)),
            ]
        );
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
