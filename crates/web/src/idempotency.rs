//! `Idempotency-Key` on API writes: a retried request with the same key and
//! body gets the first answer again and never acts twice.
//!
//! The key is claimed in the database before the write (so two nodes or two
//! concurrent retries cannot both act), the answer stored after it. A write
//! that fails releases the key: nothing changed, so a retry may act.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_service::store::IdempotencyClaim;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::api::ApiState;
use crate::error::WebError;

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// The answer header saying the response is a replay.
pub const REPLAYED: &str = "idempotent-replayed";

/// The key of a request, if it has one: 1–128 visible ASCII characters.
fn key(headers: &HeaderMap) -> Result<Option<String>, WebError> {
    let Some(v) = headers.get(HEADER) else {
        return Ok(None);
    };
    let s = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| WebError::invalid("Idempotency-Key", "1 to 128 visible ASCII characters"))?;
    Ok(Some(s.to_owned()))
}

/// Runs `write` once per key: the first time it runs and its answer is kept;
/// later requests with the same key and body get that answer; the same key
/// with another body is refused.
pub async fn once<T, F>(
    state: &ApiState,
    actor: &str,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    status: StatusCode,
    write: F,
) -> Result<Response, WebError>
where
    T: Serialize,
    F: Future<Output = Result<T, WebError>>,
{
    let Some(key) = key(headers)? else {
        let value = write.await?;
        return Ok((status, axum::Json(value)).into_response());
    };
    let mut h = Sha256::new();
    h.update(route.as_bytes());
    h.update([0]);
    h.update(body);
    let fingerprint = hex::encode(h.finalize());
    match state
        .services
        .idempotency()
        .claim(actor, &key, &fingerprint)
        .await?
    {
        IdempotencyClaim::Claimed => {}
        IdempotencyClaim::Done(code, body) => {
            let mut r = Response::new(Body::from(body));
            *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r.headers_mut()
                .insert(REPLAYED, HeaderValue::from_static("true"));
            return Ok(r);
        }
        IdempotencyClaim::InProgress => {
            return Err(WebError::new(
                StatusCode::CONFLICT,
                "in-progress",
                "Yêu cầu đang được xử lý",
                "a request with this Idempotency-Key is still being processed",
            ));
        }
        IdempotencyClaim::Mismatch => {
            return Err(WebError::invalid(
                "Idempotency-Key",
                "this key was used for a different request",
            ));
        }
    }
    match write.await {
        Ok(value) => {
            let text = serde_json::to_string(&value).map_err(|e| {
                WebError::from(motcua_service::ServiceError::Internal(e.to_string()))
            })?;
            state
                .services
                .idempotency()
                .complete(actor, &key, status.as_u16(), &text)
                .await?;
            let mut r = Response::new(Body::from(text));
            *r.status_mut() = status;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(r)
        }
        Err(e) => {
            state.services.idempotency().release(actor, &key).await?;
            Err(e)
        }
    }
}
