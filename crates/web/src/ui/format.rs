//! Numbers, money, rates and moments as staff read them.
//!
//! Vietnamese writes `1.234.567`, `1.234.567 đ`, `95,2 %` and `24/11/2025
//! 09:00` (Asia/Ho_Chi_Minh); English writes `1,234,567`, `1,234,567 VND`,
//! `95.2%` and `24 Nov 2025 09:00`, a day-month order no reader can take for
//! a US date. Machines get ISO formats from the API, never these.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::i18n::Lang;

/// A whole number with thousands grouped: `1.234.567` / `1,234,567`.
pub fn number(lang: Lang, n: i64) -> String {
    let sep = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A count (never negative) with thousands grouped.
pub fn count(lang: Lang, n: u64) -> String {
    number(lang, i64::try_from(n).unwrap_or(i64::MAX))
}

/// An amount in đồng: `1.234.567 đ` / `1,234,567 VND`.
pub fn money(lang: Lang, dong: i64) -> String {
    match lang {
        Lang::Vi => format!("{} đ", number(lang, dong)),
        Lang::En => format!("{} VND", number(lang, dong)),
    }
}

/// `part` of `whole` as a percentage with one decimal, rounded half up:
/// `95,2 %` / `95.2%`; `None` when `whole` is 0 (no rate without a base).
pub fn percent(lang: Lang, part: u64, whole: u64) -> Option<String> {
    if whole == 0 {
        return None;
    }
    let (part, whole) = (u128::from(part), u128::from(whole));
    let tenths = (part * 2000 + whole) / (2 * whole);
    let (int, dec) = (tenths / 10, tenths % 10);
    Some(match lang {
        Lang::Vi => format!("{int},{dec} %"),
        Lang::En => format!("{int}.{dec}%"),
    })
}

/// A rate with its base, as every percentage is shown (conventions §7):
/// `95,2 % (15.600/16.390)`; `None` when there is no base.
pub fn rate(lang: Lang, part: u64, whole: u64) -> Option<String> {
    percent(lang, part, whole)
        .map(|p| format!("{p} ({}/{})", count(lang, part), count(lang, whole)))
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const MONTHS_EN_LONG: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_index(d: Date) -> usize {
    usize::try_from(d.month() - 1).unwrap_or(0).min(11)
}

/// A civil date: `24/11/2025` / `24 Nov 2025`.
pub fn date(lang: Lang, d: Date) -> String {
    match lang {
        Lang::Vi => format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year()),
        Lang::En => format!("{} {} {:04}", d.day(), MONTHS_EN[month_index(d)], d.year()),
    }
}

/// A day and month for chart axes: `24/11` / `24 Nov`.
pub fn day_month(lang: Lang, d: Date) -> String {
    match lang {
        Lang::Vi => format!("{:02}/{:02}", d.day(), d.month()),
        Lang::En => format!("{} {}", d.day(), MONTHS_EN[month_index(d)]),
    }
}

/// A month of a year: `tháng 11/2025` / `November 2025`.
pub fn month(lang: Lang, d: Date) -> String {
    match lang {
        Lang::Vi => format!("tháng {:02}/{:04}", d.month(), d.year()),
        Lang::En => format!("{} {:04}", MONTHS_EN_LONG[month_index(d)], d.year()),
    }
}

/// An instant in Vietnam time: `24/11/2025 09:00` / `24 Nov 2025 09:00`.
pub fn moment(lang: Lang, t: Timestamp) -> String {
    let local = motcua_domain::time::to_local(t);
    format!(
        "{} {:02}:{:02}",
        date(lang, local.date()),
        local.hour(),
        local.minute()
    )
}

/// A date as the API and list links take it: `2025-11-24`.
pub fn iso_date(d: Date) -> String {
    d.to_string()
}

/// A person as a choice shows them: the full name, with the login only
/// when another choice has the same name or the name is missing.
pub fn person_label(full_name: &str, username: &str, all_names: &[String]) -> String {
    let name = full_name.trim();
    if name.is_empty() {
        return username.to_owned();
    }
    if all_names.iter().filter(|n| n.trim() == name).count() > 1 {
        format!("{name} ({username})")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date as d;

    use super::*;

    #[test]
    fn people_are_shown_by_name_and_told_apart_by_login_only_when_needed() {
        let names = vec![
            "Vũ Quốc Bảo".to_owned(),
            "Lê Văn An".to_owned(),
            "Lê Văn An".to_owned(),
        ];
        assert_eq!(
            person_label("Vũ Quốc Bảo", "chuyenvien.dl", &names),
            "Vũ Quốc Bảo"
        );
        assert_eq!(person_label("Lê Văn An", "an1", &names), "Lê Văn An (an1)");
        assert_eq!(person_label("  ", "an2", &names), "an2");
    }

    #[test]
    fn numbers_group_thousands_with_a_dot_in_vietnamese_and_a_comma_in_english() {
        assert_eq!(number(Lang::Vi, 0), "0");
        assert_eq!(number(Lang::Vi, 999), "999");
        assert_eq!(number(Lang::Vi, 1000), "1.000");
        assert_eq!(number(Lang::Vi, 1_234_567), "1.234.567");
        assert_eq!(number(Lang::Vi, -1_234_567), "-1.234.567");
        assert_eq!(number(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(number(Lang::Vi, i64::MIN), "-9.223.372.036.854.775.808");
        assert_eq!(count(Lang::Vi, 16_333), "16.333");
        assert_eq!(count(Lang::Vi, u64::MAX), "9.223.372.036.854.775.807");
    }

    #[test]
    fn money_is_in_dong_after_the_number() {
        assert_eq!(money(Lang::Vi, 1_234_567), "1.234.567 đ");
        assert_eq!(money(Lang::Vi, 50_000), "50.000 đ");
        assert_eq!(money(Lang::Vi, 0), "0 đ");
        assert_eq!(money(Lang::En, 1_234_567), "1,234,567 VND");
    }

    #[test]
    fn percentages_have_one_decimal_rounded_half_up_and_show_their_base() {
        // 15.600 of 16.333 is 95.512…% (the seeds' nine-month figure).
        assert_eq!(percent(Lang::Vi, 15_600, 16_333).unwrap(), "95,5 %");
        assert_eq!(percent(Lang::En, 15_600, 16_333).unwrap(), "95.5%");
        // 2 of 3 = 66.666…% rounds up; 1 of 8 = 12.5% exactly.
        assert_eq!(percent(Lang::Vi, 2, 3).unwrap(), "66,7 %");
        assert_eq!(percent(Lang::Vi, 1, 8).unwrap(), "12,5 %");
        // 1 of 16 = 6.25% is a tie at one decimal: half up gives 6.3.
        assert_eq!(percent(Lang::Vi, 1, 16).unwrap(), "6,3 %");
        assert_eq!(percent(Lang::Vi, 3, 3).unwrap(), "100,0 %");
        assert_eq!(percent(Lang::Vi, 0, 7).unwrap(), "0,0 %");
        assert_eq!(percent(Lang::Vi, 5, 0), None);
        assert_eq!(
            percent(Lang::Vi, u64::MAX, u64::MAX).unwrap(),
            "100,0 %",
            "no overflow on huge bases"
        );
        assert_eq!(
            rate(Lang::Vi, 15_600, 16_333).unwrap(),
            "95,5 % (15.600/16.333)"
        );
        assert_eq!(
            rate(Lang::En, 15_600, 16_333).unwrap(),
            "95.5% (15,600/16,333)"
        );
        assert_eq!(rate(Lang::En, 0, 0), None);
    }

    #[test]
    fn dates_are_day_first_with_the_month_in_digits_or_words() {
        assert_eq!(date(Lang::Vi, d(2025, 4, 5)), "05/04/2025");
        assert_eq!(date(Lang::En, d(2025, 4, 5)), "5 Apr 2025");
        assert_eq!(day_month(Lang::Vi, d(2025, 11, 24)), "24/11");
        assert_eq!(day_month(Lang::En, d(2025, 11, 24)), "24 Nov");
        assert_eq!(month(Lang::Vi, d(2025, 11, 24)), "tháng 11/2025");
        assert_eq!(month(Lang::En, d(2025, 12, 1)), "December 2025");
        assert_eq!(iso_date(d(2025, 1, 9)), "2025-01-09");
    }

    #[test]
    fn moments_are_shown_in_vietnam_time_whatever_the_instant_zone() {
        // 2025-11-24T02:00:00Z is 09:00 in Hà Nội (UTC+7).
        let t: Timestamp = "2025-11-24T02:00:00Z".parse().unwrap();
        assert_eq!(moment(Lang::Vi, t), "24/11/2025 09:00");
        assert_eq!(moment(Lang::En, t), "24 Nov 2025 09:00");
        // 17:30 UTC on the 30th is already 00:30 on 1 December locally.
        let t: Timestamp = "2025-11-30T17:30:00Z".parse().unwrap();
        assert_eq!(moment(Lang::Vi, t), "01/12/2025 00:30");
    }
}
