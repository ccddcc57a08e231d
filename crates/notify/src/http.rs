//! What an HTTP answer means for a delivery, shared by the SMS and webhook
//! adapters.

use std::time::Duration;

use motcua_service::error::{ServiceError, ServiceResult};
use motcua_service::notify::DeliveryError;
use reqwest::{StatusCode, Url};

/// A client that gives up after `timeout_secs`.
pub(crate) fn client(field: &str, timeout_secs: u64) -> ServiceResult<reqwest::Client> {
    if timeout_secs == 0 {
        return Err(ServiceError::invalid(field, "must be at least 1"));
    }
    reqwest::Client::builder()
        .timeout(Duration::from_secs(timeout_secs))
        .build()
        .map_err(|e| ServiceError::Internal(format!("building the HTTP client: {e}")))
}

/// Parses an endpoint URL. Only `http` is accepted: the HTTP client is built
/// without TLS, so an `https` URL would fail on every attempt; use a
/// TLS-terminating proxy on the node until the client gains TLS.
pub(crate) fn url(field: &str, s: &str) -> ServiceResult<Url> {
    let u = Url::parse(s).map_err(|e| ServiceError::invalid(field, format!("{s:?}: {e}")))?;
    match u.scheme() {
        "http" => Ok(u),
        "https" => Err(ServiceError::invalid(
            field,
            "https is not supported by this build; point it at a local TLS-terminating proxy",
        )),
        other => Err(ServiceError::invalid(
            field,
            format!("scheme {other:?} is not http"),
        )),
    }
}

/// 2xx is delivered; 408, 429 and 5xx are worth another try; any other
/// answer (4xx, a redirect not followed) will not change by retrying.
pub(crate) fn outcome(who: &str, status: StatusCode, body: &str) -> Result<(), DeliveryError> {
    if status.is_success() {
        return Ok(());
    }
    let msg = format!("{who} answered {status}: {}", shorten(body));
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        Err(DeliveryError::Temporary(msg))
    } else {
        Err(DeliveryError::Permanent(msg))
    }
}

/// A request that got no answer (refused, reset, timed out) may get one
/// later. The URL is left out: it is configuration, and could carry a token.
pub(crate) fn send_error(who: &str, e: reqwest::Error) -> DeliveryError {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    DeliveryError::Temporary(format!("{who}: {kind}: {}", e.without_url()))
}

/// At most 200 characters of an answer, enough to read the reason.
fn shorten(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}
