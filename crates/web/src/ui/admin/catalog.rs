//! `/quan-tri/thu-tuc`: the procedure catalog. The list (code order, or a
//! Vietnamese search), a procedure's versions with a form that edits it by
//! adding a version from a date, and the import of a file in the template
//! of docs/import/procedures.md, all-or-nothing: a refused file shows every
//! problem as "dòng R, cột C (tiêu đề): …" and imports nothing.
//!
//! The import form uploads the file (`multipart/form-data`, read by
//! [`upload`], which checks the CSRF token before the file): CSV or XLSX,
//! told apart by the content as `motcua import procedures` does. The CSV
//! text may instead be pasted into the form's text box (also accepted as a
//! url-encoded form).

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_domain::catalog::{Money, OnlineLevel};
use motcua_service::admin::CatalogRows;
use motcua_service::catalog::FileFormat;
use motcua_service::procedures::ImportFailure;
use motcua_service::{ServiceError, store::ProcedureVersion};
use serde::Deserialize;

use super::{FieldError, Section, SectionLink, done, field, field_error, form_date, notice};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;
use crate::ui::dossier::limit_label;
use crate::ui::dossier::upload::{self, Unread};
use crate::ui::layout::Layout;
use crate::ui::{Staff, format, render};

/// The catalog page.
pub const PATH: &str = "/quan-tri/thu-tuc";
/// Where files are imported.
pub const IMPORT_PATH: &str = "/quan-tri/thu-tuc/nhap";

/// Procedures a page lists.
const PAGE: u32 = 50;

/// The largest file imported from the page: the importer's own limit.
const MAX_IMPORT: usize = 20 << 20;

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(show))
        .route(
            IMPORT_PATH,
            post(import).layer(DefaultBodyLimit::max(upload::BODY_LIMIT)),
        )
        .route("/quan-tri/thu-tuc/{code}", get(show_one).post(new_version))
}

#[derive(Deserialize, Default)]
struct CatalogQuery {
    q: Option<String>,
    after: Option<String>,
    ok: Option<String>,
}

struct Row {
    code: String,
    href: String,
    name: String,
    field: String,
    limit: String,
    version: String,
}

/// A problem of an imported file, as shown.
struct Problem {
    place: String,
    reason: String,
}

/// What an import came to.
#[derive(Default)]
struct ImportView {
    /// The text as sent, re-shown when refused.
    content: String,
    /// "File sent: …", when a refused file was uploaded (a file input
    /// cannot be filled again).
    file_sent: Option<String>,
    /// Why nothing was read (no file, an empty or too large one).
    error: Option<String>,
    problems: Vec<Problem>,
    /// "N procedures: created, new versions, unchanged".
    summary: Option<String>,
    warnings: Vec<Problem>,
}

#[derive(Template)]
#[template(path = "admin_catalog.html")]
struct CatalogPage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
    q: String,
    rows: Vec<Row>,
    next_href: Option<String>,
    notice: Option<String>,
    import: ImportView,
}

fn online_key(l: OnlineLevel) -> &'static str {
    match l {
        OnlineLevel::None => "admin.catalog.online_none",
        OnlineLevel::Partial => "admin.catalog.online_partial",
        OnlineLevel::FullProcess => "admin.catalog.online_full",
    }
}

async fn page(
    st: &StaffState,
    staff: &Staff,
    q: &CatalogQuery,
    import: ImportView,
    status: StatusCode,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let query = q.q.clone().unwrap_or_default();
    let rows_of = st
        .services
        .admin()
        .catalog(
            &staff.actor,
            &query,
            q.after.clone().filter(|a| !a.is_empty()),
            PAGE,
        )
        .await;
    let rows = match rows_of {
        Ok(r) => r,
        Err(ServiceError::Invalid { .. }) => CatalogRows::Listed(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let (rows, next_href) = match rows {
        CatalogRows::Listed(v) => {
            let next = (v.len() == PAGE as usize)
                .then(|| v.last().map(|p| format!("{PATH}?after={}", p.draft.code)))
                .flatten();
            (v.iter().map(|p| row(&t, p)).collect(), next)
        }
        CatalogRows::Found(v) => (v.iter().map(|p| row(&t, p)).collect(), None),
    };
    let layout = super::layout(st, staff, Section::Catalog, PATH).await?;
    Ok(render(
        status,
        &CatalogPage {
            sections: super::sections(&t, staff, Some(Section::Catalog)),
            q: query,
            rows,
            next_href,
            notice: notice(&t, q.ok.as_deref()),
            import,
            t,
            layout,
        },
    ))
}

fn row(t: &Texts, p: &ProcedureVersion) -> Row {
    Row {
        code: p.draft.code.to_string(),
        href: format!("{PATH}/{}", p.draft.code),
        name: p.draft.name.clone(),
        field: p.draft.field.clone(),
        limit: limit_label(t, p.draft.time_limit),
        version: t.fill(
            "admin.catalog.version_no",
            &[("n", p.version_no.to_string())],
        ),
    }
}

/// `GET /quan-tri/thu-tuc?q=…`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<CatalogQuery>,
) -> Result<Response, WebError> {
    page(&st, &staff, &q, ImportView::default(), StatusCode::OK).await
}

/// What was sent to import: a file, or pasted CSV text.
struct Sent {
    bytes: Vec<u8>,
    format: FileFormat,
    /// The uploaded file's name (none for pasted text).
    name: Option<String>,
}

/// The file of the import form, or the message saying why there is none.
fn sent(t: &Texts, form: Result<upload::UploadForm, Unread>) -> Result<Sent, String> {
    let mb = (MAX_IMPORT >> 20).to_string();
    let mut form = match form {
        Ok(f) => f,
        Err(Unread::TooLarge) => return Err(t.fill("admin.catalog.file_too_large", &[("mb", mb)])),
        Err(Unread::Malformed) => return Err(t.get("admin.catalog.file_unreadable").to_owned()),
    };
    if let Some(f) = form.take_file("file") {
        let name = [("name", f.name.as_str())];
        if f.bytes.is_empty() {
            return Err(t.fill("admin.catalog.file_empty", &name));
        }
        // An Excel 97-2003 workbook (OLE2) is neither CSV nor XLSX.
        if f.bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(t.fill("admin.catalog.file_xls", &name));
        }
        return Ok(Sent {
            format: FileFormat::detect(Some(&f.name), &f.bytes),
            bytes: f.bytes,
            name: Some(f.name),
        });
    }
    let content = form.field("content");
    if content.trim().is_empty() {
        return Err(t.get("admin.catalog.no_file").to_owned());
    }
    Ok(Sent {
        bytes: content.into_bytes(),
        format: FileFormat::Csv,
        name: None,
    })
}

/// `POST /quan-tri/thu-tuc/nhap`: the uploaded `file` (CSV or XLSX), or
/// the CSV text in `content`.
async fn import(State(st): State<StaffState>, req: Request) -> Result<Response, WebError> {
    let (staff, form) = match upload::read(&st, req, MAX_IMPORT).await {
        Ok(read) => read,
        Err(refused) => return Ok(refused),
    };
    let t = staff.lang.texts();
    let sent = match sent(&t, form) {
        Ok(s) => s,
        Err(error) => {
            let view = ImportView {
                error: Some(error),
                ..ImportView::default()
            };
            return page(
                &st,
                &staff,
                &CatalogQuery::default(),
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let place = |row: usize, column: &Option<String>, header: &Option<String>| {
        let mut p = if row == 0 {
            t.get("admin.catalog.whole_file").to_owned()
        } else {
            t.fill("admin.catalog.row", &[("row", row.to_string())])
        };
        if let Some(c) = column {
            p.push_str(&t.fill("admin.catalog.column", &[("column", c.as_str())]));
        }
        if let Some(h) = header {
            p.push_str(&format!(" ({h})"));
        }
        p
    };
    let result = st
        .services
        .procedures()
        .import_file(&staff.actor, &sent.bytes, sent.format)
        .await;
    let (view, status) = match result {
        Ok(r) => (
            ImportView {
                summary: Some(t.fill(
                    "admin.catalog.imported",
                    &[
                        ("n", format::count(staff.lang, r.procedures as u64)),
                        ("created", r.outcome.created.to_string()),
                        ("versioned", r.outcome.versioned.to_string()),
                        ("unchanged", r.outcome.unchanged.to_string()),
                    ],
                )),
                warnings: r
                    .warnings
                    .iter()
                    .map(|w| Problem {
                        place: place(w.row, &w.column, &w.header),
                        reason: super::import_issue::wording(t, w),
                    })
                    .collect(),
                ..ImportView::default()
            },
            StatusCode::OK,
        ),
        Err(ImportFailure::Rejected(errors)) => (
            ImportView {
                problems: errors
                    .issues()
                    .iter()
                    .map(|i| Problem {
                        place: place(i.row, &i.column, &i.header),
                        reason: super::import_issue::wording(t, i),
                    })
                    .collect(),
                file_sent: sent
                    .name
                    .as_deref()
                    .map(|n| t.fill("admin.catalog.file_sent", &[("name", n)])),
                // Pasted text is shown again to be corrected; a file is not.
                content: match sent.name {
                    Some(_) => String::new(),
                    None => String::from_utf8(sent.bytes).unwrap_or_default(),
                },
                ..ImportView::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(ImportFailure::Service(e)) => return Err(e.into()),
    };
    page(&st, &staff, &CatalogQuery::default(), view, status).await
}

struct VersionRow {
    no: u32,
    name: String,
    validity: String,
    limit: String,
    fee: String,
    online: String,
}

/// The edit form as typed.
struct EditForm {
    name: String,
    time_limit: String,
    fee: String,
    effective_from: String,
}

#[derive(Template)]
#[template(path = "admin_procedure.html")]
struct ProcedurePage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
    code: String,
    name: String,
    field: String,
    versions: Vec<VersionRow>,
    notice: Option<String>,
    form: EditForm,
    error: FieldError,
}

async fn procedure_page(
    st: &StaffState,
    staff: &Staff,
    code: &str,
    ok: Option<&str>,
    typed: Option<EditForm>,
    error: FieldError,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let lang = staff.lang;
    let versions = st
        .services
        .admin()
        .procedure_versions(&staff.actor, code)
        .await
        .map_err(|e| match e {
            ServiceError::Invalid { .. } => ServiceError::not_found("procedure", code),
            other => other,
        })?;
    let Some(latest) = versions.last() else {
        return Err(ServiceError::not_found("procedure", code).into());
    };
    let rows = versions
        .iter()
        .rev()
        .map(|v| VersionRow {
            no: v.version_no,
            name: v.draft.name.clone(),
            validity: match v.effective_to {
                Some(to) => t.fill(
                    "admin.units.valid_range",
                    &[
                        ("from", format::date(lang, v.draft.effective_from)),
                        ("to", format::date(lang, to)),
                    ],
                ),
                None => t.fill(
                    "admin.units.valid_from",
                    &[("from", format::date(lang, v.draft.effective_from))],
                ),
            },
            limit: limit_label(&t, v.draft.time_limit),
            fee: format::money(lang, v.draft.fee.get()),
            online: t.get(online_key(v.draft.online_level)).to_owned(),
        })
        .collect();
    let form = typed.unwrap_or_else(|| EditForm {
        name: latest.draft.name.clone(),
        time_limit: motcua_domain::catalog::text::format_time_limit(latest.draft.time_limit),
        fee: latest.draft.fee.get().to_string(),
        effective_from: String::new(),
    });
    let here = format!("{PATH}/{}", latest.draft.code);
    let layout = super::layout(st, staff, Section::Catalog, &here).await?;
    let status = if error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &ProcedurePage {
            sections: super::sections(&t, staff, Some(Section::Catalog)),
            code: latest.draft.code.to_string(),
            name: latest.draft.name.clone(),
            field: latest.draft.field.clone(),
            versions: rows,
            notice: notice(&t, ok),
            form,
            error,
            t,
            layout,
        },
    ))
}

#[derive(Deserialize, Default)]
struct OkQuery {
    ok: Option<String>,
}

/// `GET /quan-tri/thu-tuc/{code}`.
async fn show_one(
    State(st): State<StaffState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<OkQuery>,
) -> Result<Response, WebError> {
    procedure_page(
        &st,
        &staff,
        &code,
        q.ok.as_deref(),
        None,
        FieldError::default(),
    )
    .await
}

/// `POST /quan-tri/thu-tuc/{code}`: the latest version with a new name,
/// time limit or fee, in force from a date (a new version).
async fn new_version(
    State(st): State<StaffState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let form = EditForm {
        name: field(&fields, "name"),
        time_limit: field(&fields, "time_limit"),
        fee: field(&fields, "fee"),
        effective_from: field(&fields, "effective_from"),
    };
    let result = async {
        let versions = st
            .services
            .admin()
            .procedure_versions(&staff.actor, &code)
            .await?;
        let latest = versions
            .last()
            .ok_or_else(|| ServiceError::not_found("procedure", &code))?;
        let mut draft = latest.draft.clone();
        draft.name = form.name.clone();
        // Written as the legal texts write it ("5 ngày làm việc"); a bare
        // "ngày" is refused here rather than guessed, as it is flagged on
        // import.
        let parsed = motcua_domain::catalog::text::parse_time_limit(&form.time_limit)
            .map_err(|e| ServiceError::invalid("time_limit", e.to_string()))?;
        if parsed.bare_days {
            return Err(ServiceError::invalid(
                "time_limit",
                "say 'ngày làm việc' or 'ngày lịch'",
            ));
        }
        draft.time_limit = parsed.limit;
        let dong: i64 = form
            .fee
            .replace(['.', ' ', ','], "")
            .parse()
            .map_err(|_| ServiceError::invalid("fee", "not a whole number of đồng"))?;
        draft.fee = Money::dong(dong).map_err(|e| ServiceError::invalid("fee", e.to_string()))?;
        draft.effective_from = form_date(&form.effective_from)
            .ok_or_else(|| ServiceError::invalid("effective_from", "not a date"))?;
        st.services
            .procedures()
            .add_version(&staff.actor, draft)
            .await
    }
    .await;
    match result {
        Ok(v) => Ok(done(&format!("{PATH}/{}", v.draft.code), "saved")),
        Err(e) => {
            let error = field_error(
                &t,
                e,
                &[
                    ("name", "name", "admin.catalog.err_name"),
                    ("time_limit", "time_limit", "admin.catalog.err_time_limit"),
                    ("fee", "fee", "admin.catalog.err_fee"),
                    (
                        "effective_from",
                        "effective_from",
                        "admin.catalog.err_effective",
                    ),
                ],
            )?;
            procedure_page(&st, &staff, &code, None, Some(form), error).await
        }
    }
}
