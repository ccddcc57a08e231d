//! Request bodies and multipart parts as [`ByteSource`]s, so uploads go to
//! the file store piece by piece instead of being held whole in memory.

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::multipart::Field;
use axum::http::StatusCode;
use bytes::Bytes;
use http_body_util::BodyExt;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::files::ByteSource;

/// A raw request body.
pub struct BodySource(pub Body);

#[async_trait]
impl ByteSource for BodySource {
    async fn next_chunk(&mut self) -> ServiceResult<Option<Bytes>> {
        loop {
            match self.0.frame().await {
                None => return Ok(None),
                Some(Err(e)) => return Err(cut_off(&e.to_string())),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Ok(Some(data));
                    }
                    // Trailers carry no content.
                }
            }
        }
    }
}

/// One part of a multipart form, counting what it gave.
pub struct FieldSource<'a> {
    field: Field<'a>,
    /// Bytes given so far.
    pub seen: u64,
}

impl<'a> FieldSource<'a> {
    /// The part's content.
    pub fn new(field: Field<'a>) -> Self {
        Self { field, seen: 0 }
    }
}

#[async_trait]
impl ByteSource for FieldSource<'_> {
    async fn next_chunk(&mut self) -> ServiceResult<Option<Bytes>> {
        match self.field.chunk().await {
            Ok(c) => {
                if let Some(c) = &c {
                    self.seen += c.len() as u64;
                }
                Ok(c)
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ServiceError::TooLarge {
                field: "file".to_owned(),
                limit_bytes: 0,
            }),
            Err(e) => Err(cut_off(&e.body_text())),
        }
    }
}

/// A body that broke off (the client went away, stalled past the body
/// read timeout, or sent a malformed part).
fn cut_off(why: &str) -> ServiceError {
    ServiceError::invalid("body", format!("the upload was not received whole: {why}"))
}
