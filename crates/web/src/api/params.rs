//! Parsing of path and query values shared by the API modules.

use jiff::civil::Date;
use motcua_domain::time::parse_date;

use crate::error::WebError;

/// A date from a query or body field, `YYYY-MM-DD`.
pub fn date(field: &'static str, v: &str) -> Result<Date, WebError> {
    parse_date(field, v).map_err(|e| WebError::invalid(field, e.to_string()))
}

/// An optional date.
pub fn opt_date(field: &'static str, v: Option<&str>) -> Result<Option<Date>, WebError> {
    v.map(|s| date(field, s)).transpose()
}
