//! Liveness, readiness and metrics for operators and load balancers.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;

use crate::error::WebError;
use crate::{AppState, telemetry};

/// `/healthz`, `/readyz` and `/metrics`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Liveness: the process answers. It does not touch the database, so a slow
/// database never gets a healthy node restarted.
async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database is reachable and has every migration this binary
/// knows; until then a load balancer sends no traffic here.
async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse, WebError> {
    let r = state.store.readiness().await?;
    let body = json!({
        "status": if r.is_ready() { "ready" } else { "migrations pending" },
        "backend": r.backend,
        "expected_migrations": r.expected_migrations,
        "applied_migrations": r.applied_migrations,
    });
    let status = if r.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((status, Json(body)))
}

/// Prometheus text exposition of everything recorded through `metrics`.
async fn metrics() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        telemetry::render(),
    )
}
