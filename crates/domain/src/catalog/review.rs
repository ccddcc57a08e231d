//! Procedure reviews (rà soát thủ tục hành chính) and the figures reports quote
//! from them: "55 procedures reviewed, 204 days cut" (domain.md §4).
//!
//! A review item records a procedure's time limit before and after the
//! review. The days cut are the sum of (before − after) over items whose two
//! limits are counted in the same kind of day; cuts in hours and in months are
//! reported apart and never converted, because a working hour, a day and a
//! month are not fixed multiples of one another once weekends and holidays
//! fall in between.

use serde::Serialize;

use crate::deadline::TimeLimit;

/// How much one review item shortened a procedure's time limit, in the unit
/// both its limits share. Positive is a cut; negative, a lengthening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", content = "cut", rename_all = "snake_case")]
pub enum Cut {
    /// Both limits in working days; `same_day` counts as 0 working days (the
    /// limit that a zero-day count would mean, see [`TimeLimit`]).
    WorkingDays(i64),
    /// Both limits in calendar days.
    CalendarDays(i64),
    /// Both limits in working hours.
    WorkingHours(i64),
    /// Both limits in months.
    Months(i64),
    /// The limits are in different units (working against calendar days,
    /// days against hours or months) or one has no limit: no honest
    /// difference exists without a receipt date, so the item is counted
    /// apart.
    NotComparable,
}

impl Cut {
    /// The days cut, if the item is day-valued (working or calendar days).
    pub fn days(&self) -> Option<i64> {
        match *self {
            Self::WorkingDays(n) | Self::CalendarDays(n) => Some(n),
            _ => None,
        }
    }
}

/// The cut of one review item: before − after when both limits are in the
/// same unit.
///
/// Working days and calendar days are **not** mixed: "30 calendar days" cut to
/// "20 working days" is about the same span (20 working days are four weeks),
/// and calling it "10 days cut" would overstate the reform; converting would
/// need the receipt date and the holidays. Such an item is
/// [`Cut::NotComparable`], as is any pair with hours, months or no limit on
/// one side only. `same_day` counts as 0 working days, so "3 working days" cut
/// to "same day" is 3 working days cut.
pub fn days_cut(before: TimeLimit, after: TimeLimit) -> Cut {
    use TimeLimit::*;
    let diff = |b: u32, a: u32| i64::from(b) - i64::from(a);
    let working = |t: TimeLimit| match t {
        WorkingDays(n) => Some(n),
        SameDay => Some(0),
        _ => None,
    };
    match (before, after) {
        (CalendarDays(b), CalendarDays(a)) => Cut::CalendarDays(diff(b, a)),
        (WorkingHours(b), WorkingHours(a)) => Cut::WorkingHours(diff(b, a)),
        (Months(b), Months(a)) => Cut::Months(diff(b, a)),
        _ => match (working(before), working(after)) {
            (Some(b), Some(a)) => Cut::WorkingDays(diff(b, a)),
            _ => Cut::NotComparable,
        },
    }
}

/// The days cut relative to the day-valued limits before the review, as an
/// exact fraction (domain.md §0: rates are exact, and a zero denominator is
/// "not applicable", never 0%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RelativeCut {
    /// Numerator: the days cut (the same as [`ReviewFigures::days_cut`]).
    pub days_cut: i64,
    /// Denominator: the sum of the 'before' limits of the day-valued items
    /// (those whose [`Cut::days`] is a number).
    pub days_before: i64,
}

impl RelativeCut {
    /// Whether the ratio exists (some day-valued item had a positive limit).
    pub fn is_applicable(&self) -> bool {
        self.days_before != 0
    }

    /// The ratio in hundredths of a percent, rounded half away from zero
    /// (2810 reads 28,10%); `None` when not applicable.
    pub fn hundredths_of_percent(&self) -> Option<i64> {
        if !self.is_applicable() {
            return None;
        }
        let num = i128::from(self.days_cut) * 10_000;
        let den = i128::from(self.days_before);
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        let rounded = if num >= 0 {
            (2 * num + den) / (2 * den)
        } else {
            -((-2 * num + den) / (2 * den))
        };
        i64::try_from(rounded).ok()
    }
}

/// What a set of review items adds up to, per unit and year in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReviewFigures {
    /// Items reviewed ("55 procedures reviewed").
    pub reviewed: u32,
    /// Days cut over day-valued items, working and calendar days together
    /// ("204 days cut"); lengthened limits count negatively.
    pub days_cut: i64,
    /// The part of [`ReviewFigures::days_cut`] in working days.
    pub working_days_cut: i64,
    /// The part of [`ReviewFigures::days_cut`] in calendar days.
    pub calendar_days_cut: i64,
    /// Working hours cut, shown apart.
    pub hours_cut: i64,
    /// Months cut, shown apart.
    pub months_cut: i64,
    /// Items whose before and after limits are in different units.
    pub not_comparable: u32,
    /// Days cut over the day-valued limits before.
    pub relative_cut: RelativeCut,
}

/// Adds up review items given as (limit before, limit after).
pub fn review_figures(items: impl IntoIterator<Item = (TimeLimit, TimeLimit)>) -> ReviewFigures {
    let mut f = ReviewFigures::default();
    for (before, after) in items {
        f.reviewed = f.reviewed.saturating_add(1);
        let cut = days_cut(before, after);
        match cut {
            Cut::WorkingDays(n) => f.working_days_cut += n,
            Cut::CalendarDays(n) => f.calendar_days_cut += n,
            Cut::WorkingHours(n) => f.hours_cut += n,
            Cut::Months(n) => f.months_cut += n,
            Cut::NotComparable => f.not_comparable = f.not_comparable.saturating_add(1),
        }
        if cut.days().is_some() {
            f.relative_cut.days_before += day_count(before);
        }
    }
    f.days_cut = f.working_days_cut + f.calendar_days_cut;
    f.relative_cut.days_cut = f.days_cut;
    f
}

/// The day count of a day-valued limit (`same_day` is 0 working days).
fn day_count(limit: TimeLimit) -> i64 {
    match limit {
        TimeLimit::WorkingDays(n) | TimeLimit::CalendarDays(n) => i64::from(n),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TimeLimit::*;

    #[test]
    fn cuts_are_taken_within_one_unit() {
        let cases = [
            (WorkingDays(20), WorkingDays(15), Cut::WorkingDays(5)),
            (WorkingDays(3), SameDay, Cut::WorkingDays(3)),
            (SameDay, SameDay, Cut::WorkingDays(0)),
            (CalendarDays(30), CalendarDays(20), Cut::CalendarDays(10)),
            (WorkingHours(8), WorkingHours(4), Cut::WorkingHours(4)),
            (Months(3), Months(2), Cut::Months(1)),
            (WorkingDays(5), WorkingDays(7), Cut::WorkingDays(-2)),
            (CalendarDays(30), WorkingDays(20), Cut::NotComparable),
            (WorkingDays(1), WorkingHours(4), Cut::NotComparable),
            (CalendarDays(60), Months(1), Cut::NotComparable),
            (SameDay, CalendarDays(1), Cut::NotComparable),
            (NoLimit, WorkingDays(10), Cut::NotComparable),
            (NoLimit, NoLimit, Cut::NotComparable),
        ];
        for (before, after, cut) in cases {
            assert_eq!(days_cut(before, after), cut, "{before} → {after}");
        }
        assert_eq!(Cut::CalendarDays(4).days(), Some(4));
        assert_eq!(Cut::WorkingHours(4).days(), None);
    }

    /// The Thanh Oai report: "55 procedures reviewed, 204 days cut".
    #[test]
    fn thanh_oai_seed_55_reviewed_204_days_cut() {
        // (items, before, after): days cut per item × items.
        let groups = [
            (12, WorkingDays(20), WorkingDays(15)),  // 12 × 5  =  60
            (10, WorkingDays(10), WorkingDays(7)),   // 10 × 3  =  30
            (8, CalendarDays(30), CalendarDays(20)), //  8 × 10 =  80
            (6, WorkingDays(5), WorkingDays(3)),     //  6 × 2  =  12
            (5, WorkingDays(3), SameDay),            //  5 × 3  =  15
            (4, WorkingDays(15), WorkingDays(15)),   //  4 × 0  =   0
            (3, WorkingDays(12), WorkingDays(9)),    //  3 × 3  =   9
            (1, WorkingDays(5), WorkingDays(7)),     //  1 × −2 =  −2
            (2, WorkingHours(8), WorkingHours(4)),   // 8 hours, apart
            (2, Months(3), Months(2)),               // 2 months, apart
            (2, CalendarDays(10), WorkingDays(7)),   // not comparable
        ];
        let items: Vec<_> = groups
            .iter()
            .flat_map(|&(n, b, a)| std::iter::repeat_n((b, a), n))
            .collect();
        assert_eq!(items.len(), 55);
        let f = review_figures(items);
        // Days: 60 + 30 + 80 + 12 + 15 + 0 + 9 − 2 = 204, of which calendar 80.
        // Days before, day-valued items only: 12×20 + 10×10 + 8×30 + 6×5
        // + 5×3 + 4×15 + 3×12 + 1×5 = 240 + 100 + 240 + 30 + 15 + 60 + 36 + 5
        // = 726.
        assert_eq!(
            f,
            ReviewFigures {
                reviewed: 55,
                days_cut: 204,
                working_days_cut: 124,
                calendar_days_cut: 80,
                hours_cut: 8,
                months_cut: 2,
                not_comparable: 2,
                relative_cut: RelativeCut {
                    days_cut: 204,
                    days_before: 726
                },
            }
        );
        // 204 / 726 = 28.0991…% → 28,10%.
        assert_eq!(f.relative_cut.hundredths_of_percent(), Some(2810));
    }

    #[test]
    fn relative_cut_without_day_valued_items_is_not_applicable() {
        let f = review_figures([(WorkingHours(8), WorkingHours(4)), (Months(2), Months(1))]);
        assert_eq!(
            (f.reviewed, f.days_cut, f.hours_cut, f.months_cut),
            (2, 0, 4, 1)
        );
        assert!(!f.relative_cut.is_applicable());
        assert_eq!(f.relative_cut.hundredths_of_percent(), None);
        let none = review_figures([]);
        assert_eq!(none, ReviewFigures::default());
        assert!(!none.relative_cut.is_applicable());
        // Same day to same day is day-valued but has no days before.
        assert_eq!(
            review_figures([(SameDay, SameDay)])
                .relative_cut
                .hundredths_of_percent(),
            None
        );
    }

    #[test]
    fn lengthened_limits_count_negatively_and_round_away_from_zero() {
        // One limit lengthened from 3 to 5 working days: −2 / 3 = −66.666…%
        // → −66,67%.
        let f = review_figures([(WorkingDays(3), WorkingDays(5))]);
        assert_eq!(f.days_cut, -2);
        assert_eq!(f.relative_cut.hundredths_of_percent(), Some(-6667));
        // 1 / 8 = 12.5% exactly → 1250; 1 / 3 = 33.333…% → 3333.
        let eighth = RelativeCut {
            days_cut: 1,
            days_before: 8,
        };
        assert_eq!(eighth.hundredths_of_percent(), Some(1250));
        let third = RelativeCut {
            days_cut: 1,
            days_before: 3,
        };
        assert_eq!(third.hundredths_of_percent(), Some(3333));
        // 1 / 16000 = 0.00625% → 0.01% (half rounds up).
        let tiny = RelativeCut {
            days_cut: 1,
            days_before: 16_000,
        };
        assert_eq!(tiny.hundredths_of_percent(), Some(1));
    }
}
