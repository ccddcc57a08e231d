//! Errors as `application/problem+json` (RFC 9457).

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_service::ServiceError;
use serde::Serialize;

/// A problem document. `field` names the input at fault for 422 answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary, the same for every occurrence of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened this time, in words a user can act on.
    pub detail: String,
    /// The field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found, for imports (row, column, reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
    /// Seconds to wait, for 429 and 503 answers.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

/// Seconds a client is asked to wait after a 503 for an unavailable
/// database: long enough for a pool or a disk to recover, short enough
/// that a desk clerk's retry is not a wait.
pub const UNAVAILABLE_RETRY_SECS: u64 = 5;

/// The only type that turns errors into HTTP status codes.
#[derive(Debug)]
pub struct WebError {
    status: StatusCode,
    /// Boxed: errors travel through every `?`, so the `Err` side stays small.
    problem: Box<Problem>,
}

impl WebError {
    /// An error with a status, a kind slug and a detail.
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            status,
            problem: Box::new(Problem {
                kind: format!("https://motcua.invalid/problems/{kind}"),
                title: title.to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                field: None,
                errors: None,
                retry_after: None,
            }),
        }
    }

    /// The field a 422 names, if any.
    pub fn field(&self) -> Option<&str> {
        self.problem.field.as_deref()
    }

    /// A 422 naming the field at fault.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut w = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "Dữ liệu không hợp lệ",
            detail,
        );
        w.problem.field = Some(field.into());
        w
    }

    /// A 413: the body is larger than the route accepts.
    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "Dữ liệu quá lớn",
            detail,
        )
    }

    /// A 503 asking to come back after `secs` seconds (a full queue).
    pub fn busy(detail: impl Into<String>, secs: u64) -> Self {
        let mut w = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "Hệ thống đang bận",
            detail,
        );
        w.problem.retry_after = Some(secs);
        w
    }

    /// Sets the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.problem.field = Some(field.into());
        self
    }

    /// Attaches a list of problems (import rows) to the document.
    pub fn with_errors(mut self, errors: Vec<String>) -> Self {
        self.problem.errors = Some(errors);
        self
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// The status a service error answers with, for pages that show the error
/// in the form again rather than as a problem document: the same status
/// [`WebError::from`] gives.
pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::NotFound { .. } => StatusCode::NOT_FOUND,
        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ServiceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound { .. } => Self::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Không tìm thấy",
                e.to_string(),
            ),
            ServiceError::Forbidden(_) => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Không có quyền",
                e.to_string(),
            ),
            ServiceError::Conflict(_) => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                "Xung đột trạng thái",
                e.to_string(),
            ),
            ServiceError::Invalid {
                ref field,
                ref reason,
            } => {
                let mut w = Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "Dữ liệu không hợp lệ",
                    reason.clone(),
                );
                w.problem.field = Some(field.clone());
                w
            }
            ServiceError::TooLarge {
                ref field,
                limit_bytes,
            } => {
                let mut w = Self::too_large(format!("at most {limit_bytes} bytes"));
                w.problem.field = Some(field.clone());
                w
            }
            ServiceError::RateLimited { retry_after_secs } => {
                let mut w = Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Quá nhiều lần thử",
                    e.to_string(),
                );
                w.problem.retry_after = Some(retry_after_secs);
                w
            }
            ServiceError::Unauthenticated(_) => Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Chưa đăng nhập",
                e.to_string(),
            ),
            // The server's fault, not the request's (disk full, I/O error,
            // database down, no connection in time): the same request may
            // succeed later, which Retry-After tells clients and proxies.
            ServiceError::Unavailable(ref cause) => {
                tracing::error!(%cause, "database unavailable");
                let mut w = Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Hệ thống tạm thời không sẵn sàng",
                    "the server cannot read or store data now; try again shortly",
                );
                w.problem.retry_after = Some(UNAVAILABLE_RETRY_SECS);
                w
            }
            ServiceError::Internal(ref cause) => {
                tracing::error!(%cause, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Lỗi hệ thống",
                    "an internal error occurred; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let retry = self.problem.retry_after;
        let mut res = (self.status, Json(self.problem)).into_response();
        if let Some(secs) = retry {
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

/// The answer for a path nothing serves.
pub async fn not_found(uri: axum::http::Uri) -> WebError {
    WebError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Không tìm thấy",
        format!("no resource at {}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_fault_is_a_503_to_retry_not_a_500() {
        let res = WebError::from(ServiceError::Unavailable("database or disk is full".into()))
            .into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            res.headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
        assert_eq!(
            res.headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
    }

    /// A form page shows an error with the status the API would answer it
    /// with, for every kind of service error.
    #[test]
    fn pages_and_the_api_answer_one_status_per_error() {
        let all = [
            ServiceError::not_found("dossier", "x"),
            ServiceError::Forbidden("x".into()),
            ServiceError::Conflict("x".into()),
            ServiceError::invalid("field", "x"),
            ServiceError::TooLarge {
                field: "body".into(),
                limit_bytes: 1,
            },
            ServiceError::RateLimited {
                retry_after_secs: 1,
            },
            ServiceError::Unauthenticated("x".into()),
            ServiceError::Unavailable("x".into()),
            ServiceError::Internal("x".into()),
        ];
        for e in all {
            let page = status_of(&e);
            assert_eq!(page, WebError::from(e).status(), "{page}");
        }
    }
}
