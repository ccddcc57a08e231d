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

/// Readiness: the database is reachable, has every migration this binary
/// knows, and this node can write to it (its disk is not full or read-only,
/// its writer is not stuck, its last write did not fail for the server's
/// fault); until then a load balancer sends no traffic here. Cheap: the
/// migration list, a `statvfs` and the writer's last outcome, plus one small
/// write only while the last one failed.
async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse, WebError> {
    let r = state.services.readiness().await?;
    let status = if r.applied_migrations < r.expected_migrations {
        "migrations pending"
    } else if r.write_problem.is_some() {
        "cannot write"
    } else {
        "ready"
    };
    let body = json!({
        "status": status,
        "backend": r.backend,
        "expected_migrations": r.expected_migrations,
        "applied_migrations": r.applied_migrations,
        "write_problem": r.write_problem,
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
