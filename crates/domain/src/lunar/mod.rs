//! The Vietnamese lunar calendar (âm lịch), computed astronomically at UTC+7.
//!
//! Two holidays of the Labour Code 2019 (Art. 112) are lunar: Tết Nguyên đán
//! and the Hùng Kings' Commemoration (10th day of the 3rd month). The
//! Vietnamese calendar follows the same rules as the Chinese one but at
//! Vietnam's time, UTC+7, rather than UTC+8; when a new moon or a solar term
//! falls between 23:00 and midnight Vietnam time the two calendars part, and
//! a month or a whole new year moves (Vietnam's Tết 1985 was 21 January,
//! China's 20 February). So no Chinese-calendar crate is used; the rules are
//! applied here directly:
//!
//! 1. a month begins on the civil day (UTC+7) of a new moon;
//! 2. the month containing the December solstice is the 11th month;
//! 3. when thirteen months lie between two 11th months, the first of them
//!    after the 11th that contains no major solar term (trung khí) is a leap
//!    month and repeats the number of the month before it.
//!
//! Supported solar dates are 1 January 1900 to 31 December 2100.

mod astro;

use std::fmt;

use jiff::civil::Date;

use crate::error::DomainError;

/// The first solar year this module converts.
pub const FIRST_YEAR: i16 = 1900;
/// The last solar year this module converts.
pub const LAST_YEAR: i16 = 2100;

/// A date of the Vietnamese lunar calendar.
///
/// `year` is the lunar year in which month 1 begins with Tết: the 12th month
/// of lunar year 2024 (Giáp Thìn) lies in January 2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LunarDate {
    /// Lunar year, numbered like the solar year in which it begins.
    pub year: i16,
    /// Month, 1–12 (the 12th is tháng Chạp, the 1st tháng Giêng).
    pub month: u8,
    /// Day of the month, 1–30.
    pub day: u8,
    /// Whether this is the leap (nhuận) month repeating `month`.
    pub leap: bool,
}

impl LunarDate {
    /// A non-leap lunar date; whether it exists is checked on conversion.
    pub fn new(year: i16, month: u8, day: u8) -> Self {
        Self {
            year,
            month,
            day,
            leap: false,
        }
    }
}

impl fmt::Display for LunarDate {
    /// `10/3/2025` or, for a leap month, `1/6n/2025` (âm lịch order).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leap = if self.leap { "n" } else { "" };
        write!(f, "{}/{}{}/{}", self.day, self.month, leap, self.year)
    }
}

/// The lunar date of a solar (Gregorian) date.
pub fn solar_to_lunar(date: Date) -> Result<LunarDate, DomainError> {
    check_solar_year(date.year())?;
    let day = astro::jdn(
        i32::from(date.year()),
        i32::from(date.month()),
        i32::from(date.day()),
    );
    let year = i32::from(date.year());
    // The months from this year's 11th month on belong to next year's table.
    let next = Months::between_solstices(year + 1)?;
    let months = if day >= next.starts[0] {
        next
    } else {
        Months::between_solstices(year)?
    };
    months.lunar_date(day)
}

/// The solar date of a lunar date; refuses a leap flag on a month that is not
/// leap that year, a 30th day in a 29-day month, and dates whose solar day
/// falls outside 1900–2100.
pub fn lunar_to_solar(lunar: LunarDate) -> Result<Date, DomainError> {
    if !(FIRST_YEAR - 1..=LAST_YEAR).contains(&lunar.year) {
        return Err(DomainError::invalid(
            "lunar_date",
            format!(
                "lunar year {} is outside {}..={}",
                lunar.year,
                FIRST_YEAR - 1,
                LAST_YEAR
            ),
        ));
    }
    if !(1..=12).contains(&lunar.month) || !(1..=30).contains(&lunar.day) {
        return Err(DomainError::invalid(
            "lunar_date",
            format!("{lunar} has no such month or day (months 1–12, days 1–30)"),
        ));
    }
    // Months 11 and 12 of lunar year Y follow the December solstice of Y.
    let table_year = i32::from(lunar.year) + i32::from(lunar.month >= 11);
    let months = Months::between_solstices(table_year)?;
    let day = months.solar_day(lunar)?;
    to_date(day)
}

/// Tết Nguyên đán, the first day of lunar year `year`.
pub fn tet(year: i16) -> Result<Date, DomainError> {
    lunar_to_solar(LunarDate::new(year, 1, 1))
}

/// The leap month of lunar year `year` (the month number it repeats), if any,
/// counting only leap months that fall between that year's Tết and the next.
pub fn leap_month(year: i16) -> Result<Option<u8>, DomainError> {
    let mut found = None;
    for table_year in [i32::from(year), i32::from(year) + 1] {
        let months = Months::between_solstices(table_year)?;
        for i in 0..months.len() {
            let (month, leap, lunar_year) = months.label(i);
            if leap && lunar_year == i32::from(year) {
                found = Some(month);
            }
        }
    }
    Ok(found)
}

fn check_solar_year(year: i16) -> Result<(), DomainError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "date",
            format!("year {year} is outside the lunar calendar's range {FIRST_YEAR}..={LAST_YEAR}"),
        ))
    }
}

fn to_date(day: i64) -> Result<Date, DomainError> {
    let (y, m, d) = astro::civil(day);
    let in_range = (i64::from(FIRST_YEAR)..=i64::from(LAST_YEAR)).contains(&y);
    let date = in_range
        .then(|| Date::new(y as i16, m as i8, d as i8).ok())
        .flatten();
    date.ok_or_else(|| {
        DomainError::invalid(
            "lunar_date",
            format!("the solar date {y}-{m:02}-{d:02} is outside {FIRST_YEAR}..={LAST_YEAR}"),
        )
    })
}

/// The lunation number of the 11th month of the lunar year that contains
/// the December solstice of solar year `year`.
fn month11(year: i32) -> Result<i64, DomainError> {
    let solstice_guess = astro::jdn(year, 12, 21) as f64;
    let mut k = astro::lunation_before(solstice_guess);
    // The month of new moon k contains the solstice (270°) when the Sun is
    // short of 270° as the month begins and past it as the next one begins.
    // December longitudes lie far from the 0°/360° seam, so they compare
    // directly. The guess is at most one lunation off.
    for _ in 0..4 {
        let starts_before = astro::sun_longitude_at_day_start(astro::new_moon_day(k)) < 270.0;
        let next_starts_after =
            astro::sun_longitude_at_day_start(astro::new_moon_day(k + 1)) >= 270.0;
        match (starts_before, next_starts_after) {
            (true, true) => return Ok(k),
            (false, _) => k -= 1,
            (true, false) => k += 1,
        }
    }
    Err(DomainError::invalid(
        "lunar_date",
        format!("could not place the 11th lunar month of {year}"),
    ))
}

/// The months from the 11th month of lunar year `year - 1` (containing the
/// December solstice of `year - 1`) up to, not including, the 11th month of
/// lunar year `year`: months 11 and 12 of `year - 1`, then 1 to 10 of `year`,
/// and a leap month when there are thirteen.
struct Months {
    year: i32,
    /// Julian Day Numbers of each month's first day, plus the first day of
    /// the next 11th month, so month `i` is `starts[i]..starts[i + 1]`.
    starts: Vec<i64>,
    /// Index of the leap month, if there is one.
    leap: Option<usize>,
}

impl Months {
    fn between_solstices(year: i32) -> Result<Self, DomainError> {
        let first = month11(year - 1)?;
        let last = month11(year)?;
        let starts: Vec<i64> = (first..=last).map(astro::new_moon_day).collect();
        let count = starts.len().saturating_sub(1);
        let leap = match count {
            12 => None,
            13 => {
                // The first month after the 11th with no major solar term:
                // the same term index at its start and at the next month's.
                let no_term = |i: &usize| {
                    astro::major_term_at_day_start(starts[*i])
                        == astro::major_term_at_day_start(starts[*i + 1])
                };
                let leap = (1..count).find(no_term);
                if leap.is_none() {
                    return Err(DomainError::invalid(
                        "lunar_date",
                        format!(
                            "no month without a major solar term before the 11th month of {year}"
                        ),
                    ));
                }
                leap
            }
            _ => {
                return Err(DomainError::invalid(
                    "lunar_date",
                    format!(
                        "{count} lunar months between the solstices of {} and {year}",
                        year - 1
                    ),
                ));
            }
        };
        Ok(Self { year, starts, leap })
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// `(month, leap, lunar year)` of month index `i`.
    fn label(&self, i: usize) -> (u8, bool, i32) {
        let shift = usize::from(self.leap.is_some_and(|l| i >= l));
        // Index 0 is the 11th month; numbers wrap from 12 to 1.
        let month = ((10 + i - shift) % 12 + 1) as u8;
        let leap = self.leap == Some(i);
        // Months 11 and 12 (and a leap 11 or 12) precede Tết.
        let before_tet = i - shift < 2;
        let lunar_year = if before_tet { self.year - 1 } else { self.year };
        (month, leap, lunar_year)
    }

    fn lunar_date(&self, day: i64) -> Result<LunarDate, DomainError> {
        let i = (0..self.len())
            .find(|&i| self.starts[i] <= day && day < self.starts[i + 1])
            .ok_or_else(|| {
                DomainError::invalid("date", format!("day {day} lies outside its lunar year"))
            })?;
        let (month, leap, year) = self.label(i);
        Ok(LunarDate {
            year: year as i16,
            month,
            day: (day - self.starts[i] + 1) as u8,
            leap,
        })
    }

    fn solar_day(&self, lunar: LunarDate) -> Result<i64, DomainError> {
        let i = (0..self.len())
            .find(|&i| {
                let (month, leap, year) = self.label(i);
                month == lunar.month && leap == lunar.leap && year == i32::from(lunar.year)
            })
            .ok_or_else(|| {
                DomainError::invalid(
                    "lunar_date",
                    format!(
                        "lunar year {} has no {}month {}",
                        lunar.year,
                        if lunar.leap { "leap " } else { "" },
                        lunar.month
                    ),
                )
            })?;
        let length = self.starts[i + 1] - self.starts[i];
        if i64::from(lunar.day) > length {
            return Err(DomainError::invalid(
                "lunar_date",
                format!("{lunar}: that month has {length} days"),
            ));
        }
        Ok(self.starts[i] + i64::from(lunar.day) - 1)
    }
}

#[cfg(test)]
mod tests;
