//! How the forms write moments, dates and money: the Vietnamese
//! administrative way (Decree 30/2020/NĐ-CP on official correspondence), so
//! that every form prints "ngày 03 tháng 02 năm 2025" and "1.250.000 đồng"
//! alike. Values arrive already checked; these only spell them out.

use jiff::civil::{Date, DateTime};

/// Day and month the way Decree 30/2020 writes them: a leading zero for days
/// below 10 and for months 1 and 2.
fn day_month(day: Date) -> (String, String) {
    let month = if day.month() <= 2 {
        format!("{:02}", day.month())
    } else {
        day.month().to_string()
    };
    (format!("{:02}", day.day()), month)
}

/// A procedure's name for a line that already says "thủ tục": without a
/// leading "Thủ tục " (some catalogs name procedures "Thủ tục đăng ký …"),
/// its first letter in capitals as catalog names are, so that no form
/// reads "thủ tục Thủ tục đăng ký …".
pub(crate) fn procedure_title(name: &str) -> String {
    let name = name.trim();
    let rest = ["Thủ tục ", "thủ tục ", "THỦ TỤC "]
        .iter()
        .find_map(|w| name.strip_prefix(w))
        .map(str::trim_start);
    match rest {
        Some(r) if !r.is_empty() => {
            let mut chars = r.chars();
            let first: String = chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .collect();
            format!("{first}{}", chars.as_str())
        }
        _ => name.to_owned(),
    }
}

/// "ngày 25 tháng 4 năm 2025".
pub(crate) fn date_long(day: Date) -> String {
    let (d, m) = day_month(day);
    format!("ngày {d} tháng {m} năm {}", day.year())
}

/// "25/04/2025", for tables and periods.
pub(crate) fn date_short(day: Date) -> String {
    format!("{:02}/{:02}/{:04}", day.day(), day.month(), day.year())
}

/// "09 giờ 00 phút, ngày 25 tháng 4 năm 2025".
pub(crate) fn moment_long(at: DateTime) -> String {
    format!(
        "{:02} giờ {:02} phút, {}",
        at.hour(),
        at.minute(),
        date_long(at.date())
    )
}

/// "25/04/2025 09:00".
pub(crate) fn moment_short(at: DateTime) -> String {
    format!(
        "{} {:02}:{:02}",
        date_short(at.date()),
        at.hour(),
        at.minute()
    )
}

/// "Bắc Ninh, ngày 25 tháng 4 năm 2025".
pub(crate) fn date_line(place: &str, at: DateTime) -> String {
    let date = date_long(at.date());
    if place.is_empty() {
        capitalise_first(&date)
    } else {
        format!("{place}, {date}")
    }
}

fn capitalise_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "1.250.000 đồng", or the no-fee wording for 0.
pub(crate) fn fee_text(dong: u64) -> String {
    if dong == 0 {
        return "Không thu phí, lệ phí".to_owned();
    }
    let digits = dong.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{grouped} đồng")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_procedure_name_never_says_thu_tuc_twice() {
        assert_eq!(
            procedure_title("Thủ tục đăng ký khai sinh"),
            "Đăng ký khai sinh"
        );
        assert_eq!(procedure_title("  thủ tục   cấp phép"), "Cấp phép");
        assert_eq!(procedure_title("Đăng ký khai sinh"), "Đăng ký khai sinh");
        assert_eq!(procedure_title("Thủ tục"), "Thủ tục");
    }
    use jiff::civil::date;

    #[test]
    fn moments_read_the_administrative_way() {
        let at = date(2025, 4, 25).at(9, 0, 0, 0);
        assert_eq!(moment_long(at), "09 giờ 00 phút, ngày 25 tháng 4 năm 2025");
        assert_eq!(moment_short(at), "25/04/2025 09:00");
        let feb = date(2025, 2, 3).at(14, 5, 0, 0);
        assert_eq!(
            moment_long(feb),
            "14 giờ 05 phút, ngày 03 tháng 02 năm 2025"
        );
        assert_eq!(
            date_line("Bắc Ninh", feb),
            "Bắc Ninh, ngày 03 tháng 02 năm 2025"
        );
        assert_eq!(date_line("", at), "Ngày 25 tháng 4 năm 2025");
        assert_eq!(date_short(date(2025, 1, 2)), "02/01/2025");
        assert_eq!(date_long(date(2025, 12, 31)), "ngày 31 tháng 12 năm 2025");
    }

    #[test]
    fn fees_group_thousands_with_dots() {
        assert_eq!(fee_text(0), "Không thu phí, lệ phí");
        assert_eq!(fee_text(500), "500 đồng");
        assert_eq!(fee_text(50_000), "50.000 đồng");
        assert_eq!(fee_text(1_250_000), "1.250.000 đồng");
    }
}
