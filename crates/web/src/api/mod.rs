//! The JSON API under `/api/`, described by an OpenAPI 3.1 document at
//! `/api/openapi.json`. Errors are `application/problem+json`; validation
//! errors name the field at fault.

mod auth;
mod catalog_files;
mod docs;
pub(crate) mod dossiers;
mod forms;
mod outbox;
mod params;
mod procedures;
mod processes;
mod units;
mod users;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;

/// The OpenAPI description of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "motcua API", description = "Một cửa và cải cách hành chính: đơn vị, người dùng, danh mục thủ tục hành chính, hồ sơ."),
    paths(
        auth::login, auth::logout, auth::me, auth::change_password, auth::create_token, auth::list_tokens, auth::revoke_token,
        units::list_units, units::get_unit, units::create_unit, units::change_unit,
        users::list_users, users::create_user, users::grant, users::revoke, users::reset_password,
        procedures::list, procedures::search, procedures::get_one, procedures::versions, procedures::create,
        procedures::add_version, procedures::assign, procedures::unassign, catalog_files::import, catalog_files::export,
        processes::create_process, processes::list_processes, processes::create_review, processes::list_reviews, processes::catalog_stats,
        dossiers::list, dossiers::receive, dossiers::get_one, dossiers::act, dossiers::public_status, dossiers::attach, dossiers::download, forms::form, forms::register, outbox::list, outbox::retry,
    ),
    components(schemas(crate::error::Problem)),
    tags((name = "auth"), (name = "units"), (name = "users"), (name = "procedures"), (name = "catalog"), (name = "dossiers"), (name = "public"), (name = "notifications")),
)]
pub struct ApiDoc;

/// Routes of the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .merge(auth::routes())
        .merge(units::routes())
        .merge(users::routes())
        .merge(catalog_files::routes())
        .merge(procedures::routes())
        .merge(processes::routes())
        .merge(dossiers::routes())
        .merge(forms::routes())
        .merge(outbox::routes())
        .merge(docs::routes())
}

async fn openapi() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}
