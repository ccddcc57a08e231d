//! Vietnam time: converting instants to local civil time and parsing moments.
//!
//! Rules work on local civil date-times in Asia/Ho_Chi_Minh (UTC+7 without
//! daylight saving since 1975); storage keeps UTC instants. The time-zone
//! database is bundled into the binary, so no system files are needed.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::error::{DomainError, shorten};

/// The IANA name of Vietnam's zone.
pub const ZONE: &str = "Asia/Ho_Chi_Minh";

/// Vietnam's zone. Falls back to a fixed UTC+7 if the bundled database lacks
/// the name, which cannot change a result for any date since 1975.
pub fn zone() -> TimeZone {
    TimeZone::get(ZONE).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(7)))
}

/// The local civil date-time of an instant.
pub fn to_local(ts: Timestamp) -> DateTime {
    ts.to_zoned_datetime(zone()).datetime()
}

/// The instant of a local civil date-time.
pub fn from_local(dt: DateTime) -> Result<Timestamp, DomainError> {
    dt.to_zoned_datetime(zone())
        .map(|z| z.timestamp())
        .map_err(|e| {
            DomainError::invalid(
                "moment",
                format!("{dt} has no instant in Vietnam time: {e}"),
            )
        })
}

/// Formats a local moment as RFC 3339 with Vietnam's offset, e.g.
/// `2025-05-06T09:00:00+07:00`: the form the CLI prints for other tools.
pub fn format_rfc3339(dt: DateTime) -> Result<String, DomainError> {
    let z = dt
        .to_zoned_datetime(zone())
        .map_err(|e| DomainError::invalid("moment", format!("{dt}: {e}")))?;
    Ok(z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

/// Parses a moment given either as a local date-time (`2025-04-25T09:00`,
/// `2025-04-25 09:00`, seconds optional; taken as Vietnam time) or as RFC 3339
/// with an offset (`2025-04-25T02:00:00Z`), returning Vietnam local time.
pub fn parse_moment(field: &'static str, input: &str) -> Result<DateTime, DomainError> {
    let s = input.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(to_local(ts));
    }
    s.parse::<DateTime>().map_err(|_| {
        DomainError::invalid(
            field,
            format!(
                "'{}' is not a date-time; use 2025-04-25T09:00 (Vietnam time) or RFC 3339 such as 2025-04-25T09:00:00+07:00",
                shorten(input)
            ),
        )
    })
}

/// Parses a civil date `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, input: &str) -> Result<jiff::civil::Date, DomainError> {
    input.trim().parse().map_err(|_| {
        DomainError::invalid(
            field,
            format!("'{}' is not a date of the form YYYY-MM-DD", shorten(input)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn local_and_offset_inputs_land_on_the_same_local_moment() {
        let want = date(2025, 4, 25).at(9, 0, 0, 0);
        assert_eq!(parse_moment("from", "2025-04-25T09:00").unwrap(), want);
        assert_eq!(parse_moment("from", "2025-04-25 09:00:00").unwrap(), want);
        assert_eq!(parse_moment("from", "2025-04-25T02:00:00Z").unwrap(), want);
        assert_eq!(
            parse_moment("from", "2025-04-25T09:00:00+07:00").unwrap(),
            want
        );
    }

    #[test]
    fn bad_moments_name_the_field() {
        let e = parse_moment("from", "25/04/2025").unwrap_err().to_string();
        assert!(e.starts_with("from:") && e.contains("25/04/2025"), "{e}");
        assert!(parse_moment("from", "2025-02-30T09:00").is_err());
    }

    #[test]
    fn rfc3339_output_carries_the_vietnam_offset() {
        let s = format_rfc3339(date(2025, 5, 6).at(9, 0, 0, 0)).unwrap();
        assert_eq!(s, "2025-05-06T09:00:00+07:00");
        let ts = from_local(date(2025, 5, 6).at(9, 0, 0, 0)).unwrap();
        assert_eq!(ts.to_string(), "2025-05-06T02:00:00Z");
    }
}
