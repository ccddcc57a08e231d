use super::*;
use jiff::civil::date;
use proptest::prelude::*;

/// Tết (1/1 lunar) by the Vietnamese calendar. 1968 and 1985 are years where
/// the UTC+7 calendar differs from the Chinese one (North Vietnam's Tết 1968
/// on 29 January against 30 January in the South and in China; 1985 on
/// 21 January against 20 February), 2007 another (17 February against 18),
/// and 2030 the next (2 February against 3).
const TET: &[(i16, i8, i8)] = &[
    (1968, 1, 29),
    (1975, 2, 11),
    (1976, 1, 31),
    (1979, 1, 28),
    (1984, 2, 2),
    (1985, 1, 21),
    (1986, 2, 9),
    (1990, 1, 27),
    (1995, 1, 31),
    (2000, 2, 5),
    (2001, 1, 24),
    (2004, 1, 22),
    (2005, 2, 9),
    (2006, 1, 29),
    (2007, 2, 17),
    (2008, 2, 7),
    (2009, 1, 26),
    (2010, 2, 14),
    (2011, 2, 3),
    (2012, 1, 23),
    (2013, 2, 10),
    (2014, 1, 31),
    (2015, 2, 19),
    (2016, 2, 8),
    (2017, 1, 28),
    (2018, 2, 16),
    (2019, 2, 5),
    (2020, 1, 25),
    (2021, 2, 12),
    (2022, 2, 1),
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    // The new moon of 2 February 2030 falls at about 16:07 UT: 23:07 in
    // Hà Nội but 00:07 on the 3rd in Beijing, so Vietnam's Tết is a day
    // ahead of China's.
    (2030, 2, 2),
];

#[test]
fn tet_matches_the_vietnamese_calendar() {
    for &(year, month, day) in TET {
        assert_eq!(tet(year).unwrap(), date(year, month, day), "Tết {year}");
        let lunar = solar_to_lunar(date(year, month, day)).unwrap();
        assert_eq!(lunar, LunarDate::new(year, 1, 1), "Tết {year}");
    }
}

#[test]
fn the_day_before_tet_ends_the_old_year() {
    // 28 January 2025 is 29 tháng Chạp of Giáp Thìn (a 29-day month);
    // 16 February 2026 is the 29th of Ất Tỵ's Chạp.
    assert_eq!(
        solar_to_lunar(date(2025, 1, 28)).unwrap(),
        LunarDate::new(2024, 12, 29)
    );
    assert_eq!(
        solar_to_lunar(date(2026, 2, 16)).unwrap(),
        LunarDate::new(2025, 12, 29)
    );
    // 1 January 1900 was in the 12th month of lunar 1899.
    assert_eq!(solar_to_lunar(date(1900, 1, 1)).unwrap().year, 1899);
}

#[test]
fn hung_kings_day_is_the_tenth_of_the_third_month() {
    // Dates from the yearly holiday notices (Giỗ Tổ Hùng Vương).
    let days = [
        (2020, 4, 2),
        (2021, 4, 21),
        (2022, 4, 10),
        (2023, 4, 29),
        (2024, 4, 18),
        (2025, 4, 7),
        (2026, 4, 26),
    ];
    for (year, month, day) in days {
        let solar = lunar_to_solar(LunarDate::new(year, 3, 10)).unwrap();
        assert_eq!(solar, date(year, month, day), "Hùng Kings {year}");
    }
}

#[test]
fn leap_months_fall_where_the_calendar_puts_them() {
    let known = [
        (2001, Some(4)),
        (2004, Some(2)),
        (2006, Some(7)),
        (2009, Some(5)),
        (2012, Some(4)),
        (2014, Some(9)),
        (2017, Some(6)),
        (2020, Some(4)),
        (2021, None),
        (2022, None),
        (2023, Some(2)),
        (2024, None),
        (2025, Some(6)),
        (2026, None),
        (2028, Some(5)),
        // The "2033 problem": the first month without a major term after
        // the 11th of 2033 is the next one, a leap 11th month.
        (2033, Some(11)),
    ];
    for (year, leap) in known {
        assert_eq!(leap_month(year).unwrap(), leap, "leap month of {year}");
    }
    // The leap 6th month of 2025 began on 25 July 2025.
    let leap6 = LunarDate {
        year: 2025,
        month: 6,
        day: 1,
        leap: true,
    };
    assert_eq!(lunar_to_solar(leap6).unwrap(), date(2025, 7, 25));
    assert_eq!(solar_to_lunar(date(2025, 7, 25)).unwrap(), leap6);
}

#[test]
fn impossible_lunar_dates_are_refused() {
    let not_leap = LunarDate {
        year: 2024,
        month: 6,
        day: 1,
        leap: true,
    };
    assert!(lunar_to_solar(not_leap).is_err());
    // Chạp of Giáp Thìn (2024) has 29 days.
    assert!(lunar_to_solar(LunarDate::new(2024, 12, 30)).is_err());
    assert!(lunar_to_solar(LunarDate::new(2024, 13, 1)).is_err());
    assert!(lunar_to_solar(LunarDate::new(2024, 0, 1)).is_err());
    assert!(lunar_to_solar(LunarDate::new(2024, 1, 0)).is_err());
    assert!(lunar_to_solar(LunarDate::new(2101, 1, 1)).is_err());
    assert!(lunar_to_solar(LunarDate::new(1898, 1, 1)).is_err());
    // The end of lunar 2100's 12th month falls in 2101, outside the range.
    assert!(lunar_to_solar(LunarDate::new(2100, 12, 20)).is_err());
    assert!(solar_to_lunar(date(1899, 12, 31)).is_err());
    assert!(solar_to_lunar(date(2101, 1, 1)).is_err());
}

#[test]
fn every_year_has_consistent_months() {
    // Walk each year from 1900 to 2100 month by month: days run 1..=29 or
    // 1..=30 and months follow each other, with at most one leap month.
    for year in FIRST_YEAR..=LAST_YEAR {
        let months = Months::between_solstices(i32::from(year)).unwrap();
        for i in 0..months.len() {
            let length = months.starts[i + 1] - months.starts[i];
            assert!(
                length == 29 || length == 30,
                "{year}: month {i} has {length} days"
            );
        }
        let tet = tet(year).unwrap();
        assert!(
            (date(year, 1, 21)..=date(year, 2, 20)).contains(&tet),
            "Tết {year} on {tet}"
        );
    }
}

proptest! {
    #[test]
    fn solar_to_lunar_to_solar_round_trips(offset in 0i32..73_414) {
        let day = date(1900, 1, 1).checked_add(jiff::Span::new().days(offset)).unwrap();
        prop_assume!(day.year() <= LAST_YEAR);
        let lunar = solar_to_lunar(day).unwrap();
        prop_assert_eq!(lunar_to_solar(lunar).unwrap(), day);
        // The next day is either the next lunar day or the first of a month.
        if let Ok(next) = day.tomorrow()
            && next.year() <= LAST_YEAR
        {
            let following = solar_to_lunar(next).unwrap();
            if following.day == 1 {
                prop_assert!(lunar.day == 29 || lunar.day == 30);
            } else {
                prop_assert_eq!(following.day, lunar.day + 1);
                prop_assert_eq!((following.month, following.leap), (lunar.month, lunar.leap));
            }
        }
    }
}
