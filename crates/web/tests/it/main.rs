//! The HTTP application in process, over fresh databases of both kinds.

// A test binary: a failed unwrap is a failed test, with its cause shown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access_matrix;
mod access_reading;
mod api_auth;
mod api_bounds;
mod api_catalog;
mod api_docs;
mod api_dossiers;
mod api_signin;
mod api_units;
mod corrections;
mod counter_forms;
mod files_s3;
mod hardening;
mod payment_refunds;
mod portal;
mod portal_accounts;
mod portal_feedback;
mod portal_matrix;
mod portal_payment;
mod portal_ratings;
mod portal_submit;
mod portal_templates;
mod portal_vneid;
mod routing;
mod search;
mod stats_replay;
mod stats_snapshots;
mod tree_of_time;
mod two_nodes;
mod ui_admin;
mod ui_dashboard;
mod ui_desk;
mod ui_list;
mod ui_pages;
mod ui_queues;
mod ui_second_pass;
mod ui_uploads;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use motcua_testkit::{Backend, TestDb};
use motcua_web::{AppState, router};
use tower::ServiceExt;

async fn get(db: &TestDb, path: &str) -> (StatusCode, String, serde_json::Value) {
    let app = router(AppState::new(db.store()));
    let res = app
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = to_bytes(res.into_body(), 1 << 20).await.unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, ctype, json)
}

async fn readiness_follows_migrations(backend: Backend) {
    let db = TestDb::unmigrated(backend).await.unwrap();
    // Alive but not ready before migrations.
    assert_eq!(get(&db, "/healthz").await.0, StatusCode::OK);
    let (status, _, body) = get(&db, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "migrations pending");
    assert_eq!(body["applied_migrations"], 0);

    db.store().migrate().await.unwrap();
    let (status, _, body) = get(&db, "/readyz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["backend"], backend.name());
    db.close().await;
}

#[tokio::test]
async fn readiness_follows_migrations_on_sqlite() {
    readiness_follows_migrations(Backend::Sqlite).await;
}

#[tokio::test]
async fn readiness_follows_migrations_on_postgres() {
    readiness_follows_migrations(Backend::Postgres).await;
}

#[tokio::test]
async fn unknown_paths_are_problem_json_404() {
    let db = TestDb::sqlite().await.unwrap();
    let (status, ctype, body) = get(&db, "/api/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(body["status"], 404);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("/api/nothing-here")
    );
    db.close().await;
}

#[test]
fn service_errors_map_to_status_codes_and_name_the_field() {
    use axum::response::IntoResponse;
    use motcua_service::ServiceError;
    use motcua_web::WebError;
    let cases = [
        (
            ServiceError::not_found("unit", "000.00.00.H40"),
            StatusCode::NOT_FOUND,
        ),
        (ServiceError::Forbidden("x".into()), StatusCode::FORBIDDEN),
        (ServiceError::Conflict("x".into()), StatusCode::CONFLICT),
        (
            ServiceError::invalid("code", "bad"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            ServiceError::Unavailable("down".into()),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        (
            ServiceError::Internal("secret cause".into()),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    ];
    for (err, want) in cases {
        assert_eq!(WebError::from(err).status(), want);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let body = rt.block_on(async {
        let res = WebError::from(ServiceError::Internal("secret cause".into())).into_response();
        to_bytes(res.into_body(), 1 << 16).await.unwrap()
    });
    assert!(
        !String::from_utf8_lossy(&body).contains("secret cause"),
        "internal causes are not shown"
    );
    let res = WebError::from(ServiceError::invalid("applicant.phone", "bad")).into_response();
    let body = rt.block_on(to_bytes(res.into_body(), 1 << 16)).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["field"], "applicant.phone");
}
