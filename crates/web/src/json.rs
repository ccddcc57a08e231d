//! JSON bodies whose errors name the field at fault, held to the edge
//! bounds of `motcua_domain::bounds` before they are parsed into a command.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::WebError;

/// Largest JSON body accepted (imports have their own route and limit).
const MAX_JSON: usize = 1 << 20;

/// Like `axum::Json`, but a bad body is a 422 problem naming the field path
/// (`components[0].copies`) rather than a plain-text 400.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !is_json {
            return Err(WebError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "media-type",
                "Sai định dạng",
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            WebError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Dữ liệu quá lớn",
                e.body_text(),
            )
        })?;
        if bytes.len() > MAX_JSON {
            return Err(WebError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Dữ liệu quá lớn",
                "at most 1 MiB of JSON",
            ));
        }
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body, naming the field path at fault (`components[0].copies`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    if bytes.len() > MAX_JSON {
        return Err(WebError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "Dữ liệu quá lớn",
            "at most 1 MiB of JSON",
        ));
    }
    // Read the whole document first and hold it to the edge bounds, so that
    // no string, list or nesting of unbounded size reaches a command (and
    // from there a log line or the append-only audit log).
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| WebError::invalid("body", e.to_string()))?;
    if let Err(v) = motcua_domain::bounds::check_edge_json(&value) {
        return Err(WebError::invalid(v.path, v.reason));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        WebError::invalid(field, e.inner().to_string())
    })
}

/// Refuses a body that is not declared as JSON.
pub fn require_json(headers: &axum::http::HeaderMap) -> Result<(), WebError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(WebError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "media-type",
            "Sai định dạng",
            "send the body as application/json",
        ))
    }
}
