//! `/api/procedures/import` and `/api/procedures/export`: the catalog as a
//! file in the import template (docs/import/procedures.md).

use crate::query::ApiQuery;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_service::catalog::FileFormat;
use motcua_service::procedures::ImportFailure;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;

/// Largest file accepted (the importer's own limit is 20 MB).
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route(
            "/api/procedures/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(
                MAX_IMPORT_BYTES + 1024,
            )),
        )
        .route("/api/procedures/export", get(export))
}

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    /// Procedures read from the file.
    pub procedures: usize,
    /// New codes.
    pub created: u32,
    /// Codes that got a new version.
    pub versioned: u32,
    /// Codes identical to their latest version.
    pub unchanged: u32,
    /// Things to confirm, one line each (`row 5, column F (…): …`).
    pub warnings: Vec<String>,
}

/// Imports a procedure file all-or-nothing. Send the file as the body: CSV
/// (`text/csv`) or XLSX (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
/// A rejected file answers 422 with `errors`: every problem with its row and column.
#[utoipa::path(post, path = "/api/procedures/import", tag = "procedures",
    request_body(content = String, description = "the file", content_type = "text/csv"),
    responses((status = 200, body = ImportOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn import(
    State(st): State<ApiState>,
    a: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportOut>, WebError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = if ct.contains("spreadsheetml") {
        FileFormat::Xlsx
    } else if ct.starts_with("text/csv")
        || ct.is_empty()
        || ct.starts_with("application/octet-stream")
    {
        FileFormat::detect(None, &body)
    } else {
        return Err(WebError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "media-type",
            "Sai định dạng",
            "send the file as text/csv or as an XLSX workbook",
        ));
    };
    match st
        .services
        .procedures()
        .import_file(&a.actor, &body, format)
        .await
    {
        Ok(r) => Ok(Json(ImportOut {
            procedures: r.procedures,
            created: r.outcome.created,
            versioned: r.outcome.versioned,
            unchanged: r.outcome.unchanged,
            warnings: r.warnings.iter().map(ToString::to_string).collect(),
        })),
        Err(ImportFailure::Rejected(errors)) => {
            Err(WebError::invalid("file", errors.to_string()).with_errors(errors.lines()))
        }
        Err(ImportFailure::Service(e)) => Err(e.into()),
    }
}

/// Export format.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

/// The whole catalog (latest versions, with unit assignments) in the import
/// template, so an export can be edited and imported back.
#[utoipa::path(get, path = "/api/procedures/export", tag = "procedures", params(ExportQuery),
    responses((status = 200, description = "the file"), (status = 422, body = crate::error::Problem)))]
pub async fn export(
    State(st): State<ApiState>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, WebError> {
    let rows = st.services.procedures().export_rows().await?;
    match q.format.as_deref().unwrap_or("csv") {
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"thu-tuc-hanh-chinh.csv\"",
                ),
            ],
            motcua_service::catalog::procedures_csv(&rows),
        )
            .into_response()),
        "xlsx" => {
            let bytes = motcua_render::procedures_xlsx(&rows).map_err(|e| {
                WebError::from(motcua_service::ServiceError::Internal(e.to_string()))
            })?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"thu-tuc-hanh-chinh.xlsx\"",
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        other => Err(WebError::invalid(
            "format",
            format!("'{other}' is not csv or xlsx"),
        )),
    }
}
