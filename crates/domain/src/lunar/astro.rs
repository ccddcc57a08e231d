//! The astronomy behind the lunar calendar: day numbers, ΔT, new moons and
//! the Sun's apparent longitude.
//!
//! The formulas are those of Jean Meeus, *Astronomical Algorithms* (2nd ed.,
//! 1998): chapter 49 for the true new moon (mean phase plus the periodic and
//! planetary corrections), chapter 25 for the Sun's apparent longitude (the
//! "low accuracy" solution, good to about 0.01°), and the Espenak–Meeus
//! polynomials for ΔT = TT − UT. Over 1900–2100 the new-moon instants are good
//! to well under a minute and the solar-term instants to about a quarter of an
//! hour, which only matters when one falls within minutes of a local midnight.

use std::f64::consts::PI;

/// Vietnam's civil offset from UT, in days (UTC+7, Hà Nội's meridian zone).
pub(crate) const ZONE_DAYS: f64 = 7.0 / 24.0;

/// The mean length of a lunation (synodic month), in days.
pub(crate) const SYNODIC_MONTH: f64 = 29.530_588_861;

/// Julian Ephemeris Day of the mean new moon of 6 January 2000 (k = 0).
const NEW_MOON_EPOCH: f64 = 2_451_550.097_66;

/// Julian Day Number of a proleptic Gregorian date (the day that begins at
/// noon UT on that date, as astronomers count).
pub(crate) fn jdn(year: i32, month: i32, day: i32) -> i64 {
    let a = i64::from((14 - month) / 12);
    let y = i64::from(year) + 4800 - a;
    let m = i64::from(month) + 12 * a - 3;
    i64::from(day) + (153 * m + 2) / 5 + 365 * y + y.div_euclid(4) - y.div_euclid(100)
        + y.div_euclid(400)
        - 32_045
}

/// The proleptic Gregorian date `(year, month, day)` of a Julian Day Number.
pub(crate) fn civil(jdn: i64) -> (i64, i64, i64) {
    let a = jdn + 32_044;
    let b = (4 * a + 3).div_euclid(146_097);
    let c = a - (146_097 * b).div_euclid(4);
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = e - (153 * m + 2).div_euclid(5) + 1;
    let month = m + 3 - 12 * m.div_euclid(10);
    let year = 100 * b + d - 4800 + m.div_euclid(10);
    (year, month, day)
}

/// ΔT = TT − UT in seconds for a decimal year (Espenak and Meeus, NASA
/// eclipse pages, 2006). Outside 1860–2150 the long-term parabola is used.
fn delta_t_seconds(year: f64) -> f64 {
    if (1860.0..1900.0).contains(&year) {
        let t = year - 1860.0;
        7.62 + 0.5737 * t - 0.251_754 * t.powi(2) + 0.016_806_68 * t.powi(3)
            - 0.000_447_362_4 * t.powi(4)
            + t.powi(5) / 233_174.0
    } else if (1900.0..1920.0).contains(&year) {
        let t = year - 1900.0;
        -2.79 + 1.494_119 * t - 0.059_893_9 * t.powi(2) + 0.006_196_6 * t.powi(3)
            - 0.000_197 * t.powi(4)
    } else if (1920.0..1941.0).contains(&year) {
        let t = year - 1920.0;
        21.20 + 0.844_93 * t - 0.076_100 * t.powi(2) + 0.002_093_6 * t.powi(3)
    } else if (1941.0..1961.0).contains(&year) {
        let t = year - 1950.0;
        29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2547.0
    } else if (1961.0..1986.0).contains(&year) {
        let t = year - 1975.0;
        45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0
    } else if (1986.0..2005.0).contains(&year) {
        let t = year - 2000.0;
        63.86 + 0.3345 * t - 0.060_374 * t.powi(2)
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5)
    } else if (2005.0..2050.0).contains(&year) {
        let t = year - 2000.0;
        62.92 + 0.322_17 * t + 0.005_589 * t.powi(2)
    } else if (2050.0..2150.0).contains(&year) {
        let u = (year - 1820.0) / 100.0;
        -20.0 + 32.0 * u.powi(2) - 0.5628 * (2150.0 - year)
    } else {
        let u = (year - 1820.0) / 100.0;
        -20.0 + 32.0 * u.powi(2)
    }
}

/// ΔT in days at a Julian Day.
fn delta_t_days(jd: f64) -> f64 {
    let year = 2000.0 + (jd - 2_451_545.0) / 365.25;
    delta_t_seconds(year) / 86_400.0
}

fn sin_deg(deg: f64) -> f64 {
    (deg * PI / 180.0).sin()
}

/// The instant (Julian Ephemeris Day, TT) of the true new moon number `k`,
/// counted from the new moon of 6 January 2000 (Meeus, ch. 49).
pub(crate) fn new_moon_jde(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let (t2, t3, t4) = (t * t, t * t * t, t * t * t * t);
    let mean = NEW_MOON_EPOCH + SYNODIC_MONTH * k + 0.000_154_37 * t2 - 0.000_000_150 * t3
        + 0.000_000_000_73 * t4;
    // Eccentricity of the Earth's orbit, and the Sun's and Moon's mean
    // anomalies, the Moon's argument of latitude and its ascending node.
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let m = 2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3;
    let mp =
        201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4;
    let f =
        160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4;
    let om = 124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3;

    let periodic = [
        (-0.407_20, 1.0, mp),
        (0.172_41, e, m),
        (0.016_08, 1.0, 2.0 * mp),
        (0.010_39, 1.0, 2.0 * f),
        (0.007_39, e, mp - m),
        (-0.005_14, e, mp + m),
        (0.002_08, e * e, 2.0 * m),
        (-0.001_11, 1.0, mp - 2.0 * f),
        (-0.000_57, 1.0, mp + 2.0 * f),
        (0.000_56, e, 2.0 * mp + m),
        (-0.000_42, 1.0, 3.0 * mp),
        (0.000_42, e, m + 2.0 * f),
        (0.000_38, e, m - 2.0 * f),
        (-0.000_24, e, 2.0 * mp - m),
        (-0.000_17, 1.0, om),
        (-0.000_07, 1.0, mp + 2.0 * m),
        (0.000_04, 1.0, 2.0 * mp - 2.0 * f),
        (0.000_04, 1.0, 3.0 * m),
        (0.000_03, 1.0, mp + m - 2.0 * f),
        (0.000_03, 1.0, 2.0 * mp + 2.0 * f),
        (-0.000_03, 1.0, mp + m + 2.0 * f),
        (0.000_03, 1.0, mp - m + 2.0 * f),
        (-0.000_02, 1.0, mp - m - 2.0 * f),
        (-0.000_02, 1.0, 3.0 * mp + m),
        (0.000_02, 1.0, 4.0 * mp),
    ]
    .iter()
    .map(|&(coef, factor, arg)| coef * factor * sin_deg(arg))
    .sum::<f64>();

    let planetary = [
        (0.000_325, 299.77 + 0.107_408 * k - 0.009_173 * t2),
        (0.000_165, 251.88 + 0.016_321 * k),
        (0.000_164, 251.83 + 26.651_886 * k),
        (0.000_126, 349.42 + 36.412_478 * k),
        (0.000_110, 84.66 + 18.206_239 * k),
        (0.000_062, 141.74 + 53.303_771 * k),
        (0.000_060, 207.14 + 2.453_732 * k),
        (0.000_056, 154.84 + 7.306_860 * k),
        (0.000_047, 34.52 + 27.261_239 * k),
        (0.000_042, 207.19 + 0.121_824 * k),
        (0.000_040, 291.34 + 1.844_379 * k),
        (0.000_037, 161.72 + 24.198_154 * k),
        (0.000_035, 239.56 + 25.513_099 * k),
        (0.000_023, 331.55 + 3.592_518 * k),
    ]
    .iter()
    .map(|&(coef, arg)| coef * sin_deg(arg))
    .sum::<f64>();

    mean + periodic + planetary
}

/// The Julian Day Number of the Vietnamese civil day (UTC+7) on which new
/// moon number `k` falls: the first day of a lunar month.
pub(crate) fn new_moon_day(k: i64) -> i64 {
    let jde = new_moon_jde(k);
    let ut = jde - delta_t_days(jde);
    (ut + ZONE_DAYS + 0.5).floor() as i64
}

/// The Sun's apparent geocentric longitude in degrees, in [0, 360), at a
/// Julian Ephemeris Day (Meeus, ch. 25, low accuracy).
pub(crate) fn sun_longitude(jde: f64) -> f64 {
    let t = (jde - 2_451_545.0) / 36_525.0;
    let l0 = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t * t;
    let m = 357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t * t;
    let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t * t) * sin_deg(m)
        + (0.019_993 - 0.000_101 * t) * sin_deg(2.0 * m)
        + 0.000_289 * sin_deg(3.0 * m);
    let omega = 125.04 - 1934.136 * t;
    let apparent = l0 + c - 0.005_69 - 0.004_78 * sin_deg(omega);
    apparent.rem_euclid(360.0)
}

/// The Sun's apparent longitude at the local midnight (UTC+7) that begins
/// the civil day `jdn`.
pub(crate) fn sun_longitude_at_day_start(jdn: i64) -> f64 {
    let ut = jdn as f64 - 0.5 - ZONE_DAYS;
    sun_longitude(ut + delta_t_days(ut))
}

/// The index (0–11) of the major solar term (trung khí, a multiple of 30° of
/// solar longitude) most recently passed at the start of civil day `jdn`.
pub(crate) fn major_term_at_day_start(jdn: i64) -> i64 {
    (sun_longitude_at_day_start(jdn) / 30.0).floor() as i64
}

/// The number of the new moon on or just before a Julian Day (approximate:
/// callers adjust by one either way using the true new-moon days).
pub(crate) fn lunation_before(jd: f64) -> i64 {
    ((jd - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_and_match_known_values() {
        // J2000.0 is noon on 1 January 2000, JD 2451545.
        assert_eq!(jdn(2000, 1, 1), 2_451_545);
        // Meeus example 7.a: 4 October 1957 is JD 2436116 (at noon).
        assert_eq!(jdn(1957, 10, 4), 2_436_116);
        for day in (jdn(1899, 1, 1)..jdn(2102, 1, 1)).step_by(17) {
            let (y, m, d) = civil(day);
            assert_eq!(jdn(y as i32, m as i32, d as i32), day);
        }
    }

    #[test]
    fn new_moon_matches_meeus_example_49a() {
        // The new moon of February 1977 (k = -283): JDE 2443192.65118.
        assert!((new_moon_jde(-283) - 2_443_192.651_18).abs() < 0.000_01);
    }

    #[test]
    fn sun_longitude_matches_meeus_example_25a() {
        // 13 October 1992 at 0h TD (JDE 2448908.5): apparent λ = 199.90895°
        // by the low-accuracy method (199.90988° by the full theory).
        assert!((sun_longitude(2_448_908.5) - 199.909).abs() < 0.002);
    }
}
