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

/// Names up to this many characters stay on one heading line.
const HEADING_LINE: usize = 30;

/// Words that begin the place part of an agency's name ("… XÃ ĐÔ LƯƠNG"),
/// longest first so that "THỊ XÃ" is taken whole.
const PLACE_WORDS: &[&str] = &[
    "THÀNH PHỐ",
    "THỊ TRẤN",
    "THỊ XÃ",
    "ĐẶC KHU",
    "PHƯỜNG",
    "HUYỆN",
    "QUẬN",
    "TỈNH",
    "XÃ",
];

/// An agency's name for a form's heading, as lines joined by `\n`: a short
/// name stays whole; a long one breaks once, before its place part ("TRUNG
/// TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" / "XÃ ĐÔ LƯƠNG"), else at the space nearest
/// its middle. The template shrinks each line to fit its column, so a name
/// never breaks inside a word or in the middle of "HÀNH CHÍNH".
pub(crate) fn heading_break(name: &str) -> String {
    let name = name.trim();
    if name.contains('\n') || name.chars().count() <= HEADING_LINE {
        return name.to_owned();
    }
    let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 2 {
        // One long word: nowhere to break; the template shrinks it.
        return name.to_owned();
    }
    // The last place word that is not the name's first word and whose
    // phrase ends at a word boundary; "ĐÔ THỊ" is a noun, not a place.
    let mut split = None;
    for i in 1..words.len() {
        for place in PLACE_WORDS {
            let n = place.split(' ').count();
            let phrase = words.get(i..i + n).map(|w| w.join(" "));
            // "ĐÔ THỊ" (urban) and "CẤP TỈNH" (provincial) are not places.
            // "XÃ" after such a "THỊ" belongs to "THỊ XÃ", taken already.
            let do_thi = |k: usize| k >= 1 && words[k - 1] == "ĐÔ";
            let not_place = (place.starts_with("THỊ") && do_thi(i))
                || words[i - 1] == "CẤP"
                || (*place == "XÃ" && words[i - 1] == "THỊ" && !do_thi(i - 1));
            if phrase.as_deref() == Some(place) && i + n < words.len() && !not_place {
                split = Some(i);
                break;
            }
        }
    }
    let i = split.unwrap_or_else(|| {
        // The word boundary nearest the middle of the name.
        let half = name.chars().count() / 2;
        let mut best = (usize::MAX, 1);
        let mut at = 0;
        for k in 1..words.len() {
            at += words[k - 1].chars().count() + 1;
            best = best.min((at.abs_diff(half), k));
        }
        best.1
    });
    format!("{}\n{}", words[..i].join(" "), words[i..].join(" "))
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

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// The names of groups of three digits, from the ones upwards.
const GROUPS: [&str; 7] = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ", "tỷ tỷ"];

/// A group of three digits read aloud; `inner` when a higher group was
/// read, so that leading zeros are said ("không trăm linh năm").
fn group_words(n: u64, inner: bool, out: &mut Vec<&'static str>) {
    let (h, t, u) = (
        (n / 100) as usize,
        ((n / 10) % 10) as usize,
        (n % 10) as usize,
    );
    if h > 0 || inner {
        out.extend([DIGITS[h], "trăm"]);
    }
    match t {
        0 if u > 0 && (h > 0 || inner) => out.push("linh"),
        0 => {}
        1 => out.push("mười"),
        _ => out.extend([DIGITS[t], "mươi"]),
    }
    match (t, u) {
        (_, 0) => {}
        (1, 5) | (2.., 5) => out.push("lăm"),
        (2.., 1) => out.push("mốt"),
        (2.., 4) => out.push("tư"),
        _ => out.push(DIGITS[u]),
    }
}

/// An amount of money in words, as receipts write it below the figures
/// ("Số tiền bằng chữ"): "Một trăm linh năm nghìn đồng".
pub(crate) fn dong_in_words(dong: u64) -> String {
    if dong == 0 {
        return "Không đồng".to_owned();
    }
    let mut groups = Vec::new();
    let mut rest = dong;
    while rest > 0 {
        groups.push(rest % 1000);
        rest /= 1000;
    }
    let mut words: Vec<&'static str> = Vec::new();
    for (i, g) in groups.iter().enumerate().rev() {
        if *g == 0 {
            continue;
        }
        let inner = !words.is_empty();
        group_words(*g, inner, &mut words);
        if !GROUPS[i].is_empty() {
            words.push(GROUPS[i]);
        }
    }
    words.push("đồng");
    capitalise_first(&words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read by hand, the way receipts and invoices write amounts.
    #[test]
    fn amounts_read_in_words_as_receipts_write_them() {
        for (n, words) in [
            (0, "Không đồng"),
            (5, "Năm đồng"),
            (10, "Mười đồng"),
            (15, "Mười lăm đồng"),
            (21, "Hai mươi mốt đồng"),
            (24, "Hai mươi tư đồng"),
            (55, "Năm mươi lăm đồng"),
            (101, "Một trăm linh một đồng"),
            (110, "Một trăm mười đồng"),
            (1_000, "Một nghìn đồng"),
            (20_000, "Hai mươi nghìn đồng"),
            (50_000, "Năm mươi nghìn đồng"),
            (105_000, "Một trăm linh năm nghìn đồng"),
            (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
            (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
            (2_000_015, "Hai triệu không trăm mười lăm đồng"),
            (1_000_000_000, "Một tỷ đồng"),
            (3_000_041_000, "Ba tỷ không trăm bốn mươi mốt nghìn đồng"),
        ] {
            assert_eq!(dong_in_words(n), words, "{n}");
        }
    }

    #[test]
    fn long_agency_names_break_before_their_place_never_inside_a_word() {
        assert_eq!(heading_break("UBND TỈNH NGHỆ AN"), "UBND TỈNH NGHỆ AN");
        assert_eq!(
            heading_break("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ ĐÔ LƯƠNG"),
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG\nXÃ ĐÔ LƯƠNG"
        );
        assert_eq!(
            heading_break("VĂN PHÒNG HĐND VÀ UBND XÃ ĐÔ LƯƠNG"),
            "VĂN PHÒNG HĐND VÀ UBND\nXÃ ĐÔ LƯƠNG"
        );
        assert_eq!(
            heading_break("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG THỊ XÃ HOÀNG MAI"),
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG\nTHỊ XÃ HOÀNG MAI"
        );
        assert_eq!(
            heading_break("PHÒNG KINH TẾ, HẠ TẦNG VÀ ĐÔ THỊ XÃ ĐÔ LƯƠNG"),
            "PHÒNG KINH TẾ, HẠ TẦNG VÀ ĐÔ THỊ\nXÃ ĐÔ LƯƠNG"
        );
        // No place word: the space nearest the middle.
        let b = heading_break("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG CẤP TỈNH MỚI");
        assert_eq!(
            b.replace('\n', " "),
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG CẤP TỈNH MỚI"
        );
        let one = "TRUNGTÂMPHỤCVỤHÀNHCHÍNHCÔNGXÃĐÔLƯƠNG";
        assert_eq!(heading_break(one), one, "one word is never split");
        let b = heading_break("BAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP VÀ KHU KINH TẾ");
        let (a, c) = b.split_once('\n').unwrap();
        assert!(a.chars().count().abs_diff(c.chars().count()) <= 10, "{b}");
    }

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
