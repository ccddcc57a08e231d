//! The portal's home and the public catalog: search, list, one procedure.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use motcua_domain::catalog::{ApplicantKind, OnlineLevel, ProcedureDraft, Requirement, ResultType};
use motcua_domain::unit::Level;
use motcua_service::ServiceError;
use motcua_service::portal::{Found, MAX_QUERY_CHARS};
use serde::Deserialize;

use super::{HOME, PortalLayout, PortalState, here};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::dossier::limit_label;
use crate::ui::{format, render};

/// The catalog's list and search.
pub const LIST: &str = "/cong-dan/thu-tuc";
/// Procedures shown on one page.
const PAGE: u32 = 20;

/// Routes of this module.
pub fn routes() -> Router<PortalState> {
    Router::new()
        .route(HOME, get(home))
        .route("/cong-dan/", get(|| async { Redirect::permanent(HOME) }))
        .route(LIST, get(list))
        .route("/cong-dan/thu-tuc/{code}", get(procedure))
        .route("/cong-dan/thu-tuc/{code}/mau/{name}", get(template))
}

/// A form template's file, for anyone (the blank form to fill in).
async fn template(
    State(st): State<PortalState>,
    Path((code, name)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (t, content) = st.services.portal().template(&code, &name).await?;
    Ok(crate::api::dossiers::named_download(
        &t.file_name,
        &t.media_type,
        content,
    ))
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    t: Texts,
    layout: PortalLayout,
    /// The lookup form's code field (empty here).
    code: String,
}

/// `GET /cong-dan`: find a procedure or look up a dossier.
async fn home(lang: Lang) -> Response {
    let t = lang.texts();
    render(
        StatusCode::OK,
        &HomePage {
            layout: PortalLayout::new(lang, t.get("portal.home.title"), HOME),
            code: String::new(),
            t,
        },
    )
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    after: Option<String>,
}

/// One procedure in a list.
struct Row {
    href: String,
    code: String,
    name: String,
    field: String,
    /// Time limit and online level, when the list has them.
    detail: String,
}

#[derive(Template)]
#[template(path = "portal_procedures.html")]
struct ListPage {
    t: Texts,
    layout: PortalLayout,
    q: String,
    rows: Vec<Row>,
    /// Why there is no list (a search too long).
    error: Option<String>,
    /// Whether a search found nothing.
    none: bool,
    next_href: Option<String>,
    max_q: usize,
}

fn online_label(t: &Texts, l: OnlineLevel) -> String {
    t.get(match l {
        OnlineLevel::None => "portal.online.none",
        OnlineLevel::Partial => "portal.online.partial",
        OnlineLevel::FullProcess => "portal.online.full",
    })
    .to_owned()
}

fn href(code: &str) -> String {
    format!("{LIST}/{code}")
}

/// `GET /cong-dan/thu-tuc?q=&after=`: ranked hits for a search, else the
/// catalog in code order, a page at a time.
async fn list(
    State(st): State<PortalState>,
    lang: Lang,
    Query(p): Query<ListQuery>,
) -> Result<Response, WebError> {
    let t = lang.texts();
    let q = p.q.unwrap_or_default();
    let found = st
        .services
        .portal()
        .find_procedures(&q, p.after.as_deref(), PAGE)
        .await;
    let title = if q.trim().is_empty() {
        t.get("portal.list.title").to_owned()
    } else {
        t.fill("portal.list.title_search", &[("q", q.trim())])
    };
    let layout = PortalLayout::new(lang, &title, &here(LIST, &[("q", q.as_str())]));
    let (rows, next_href, status, error) = match found {
        Ok(Found::Hits(hits)) => (
            hits.into_iter()
                .map(|h| Row {
                    href: href(&h.code),
                    code: h.code,
                    name: h.name,
                    field: h.field,
                    detail: String::new(),
                })
                .collect::<Vec<_>>(),
            None,
            StatusCode::OK,
            None,
        ),
        Ok(Found::Listed { items, next_after }) => (
            items
                .iter()
                .map(|v| Row {
                    href: href(&v.draft.code.to_string()),
                    code: v.draft.code.to_string(),
                    name: v.draft.name.clone(),
                    field: v.draft.field.clone(),
                    detail: format!(
                        "{} · {}",
                        limit_label(&t, v.draft.time_limit),
                        online_label(&t, v.draft.online_level)
                    ),
                })
                .collect(),
            next_after.map(|a| {
                format!(
                    "{LIST}?{}",
                    serde_urlencoded::to_string([("after", a)]).unwrap_or_default()
                )
            }),
            StatusCode::OK,
            None,
        ),
        Err(ServiceError::Invalid { .. }) => (
            Vec::new(),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(t.fill(
                "portal.list.too_long",
                &[("max", &MAX_QUERY_CHARS.to_string())],
            )),
        ),
        Err(e) => return Err(e.into()),
    };
    let none = rows.is_empty() && error.is_none() && !q.trim().is_empty();
    Ok(render(
        status,
        &ListPage {
            q: q.chars().take(MAX_QUERY_CHARS).collect(),
            rows,
            error,
            none,
            next_href,
            max_q: MAX_QUERY_CHARS,
            t,
            layout,
        },
    ))
}

/// A component as the page lists it.
struct ComponentRow {
    name: String,
    form: String,
    copies: u8,
    requirement: String,
    template: Option<String>,
    /// Where the template's file is downloaded, when the catalog has it.
    template_href: Option<String>,
}

/// One line of the procedure's summary.
struct Fact {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "portal_procedure.html")]
struct ProcedurePage {
    t: Texts,
    layout: PortalLayout,
    code: String,
    name: String,
    field: String,
    facts: Vec<Fact>,
    components: Vec<ComponentRow>,
    places: Vec<String>,
    legal_basis: String,
    /// Offered online: the page offers to submit.
    online: bool,
}

fn level_label(t: &Texts, l: Level) -> &str {
    t.get(match l {
        Level::Central => "portal.level.central",
        Level::Province => "admin.levels.province",
        Level::District => "admin.levels.district",
        Level::Commune => "admin.levels.commune",
    })
}

fn facts(t: &Texts, lang: Lang, d: &ProcedureDraft) -> Vec<Fact> {
    let fact = |key: &str, value: String| Fact {
        label: t.get(key).to_owned(),
        value,
    };
    let mut out = vec![fact("portal.procedure.limit", limit_label(t, d.time_limit))];
    if let Some(l) = d.online_time_limit.filter(|l| *l != d.time_limit) {
        out.push(fact("portal.procedure.online_limit", limit_label(t, l)));
    }
    let fee = if d.fee.get() == 0 {
        t.get("portal.procedure.free").to_owned()
    } else {
        format::money(lang, d.fee.get())
    };
    let fee = if d.fee_note.trim().is_empty() {
        fee
    } else {
        format!("{fee} ({})", d.fee_note.trim())
    };
    out.push(fact("portal.procedure.fee", fee));
    out.push(fact(
        "portal.procedure.online",
        online_label(t, d.online_level),
    ));
    out.push(fact("portal.procedure.agency", d.agency.clone()));
    out.push(fact(
        "portal.procedure.levels",
        d.levels
            .iter()
            .map(|l| level_label(t, *l))
            .collect::<Vec<_>>()
            .join(", "),
    ));
    out.push(fact(
        "portal.procedure.applicant",
        t.get(match d.applicant {
            ApplicantKind::Citizen => "portal.applicant.citizen",
            ApplicantKind::Organisation => "portal.applicant.organisation",
            ApplicantKind::Both => "portal.applicant.both",
        })
        .to_owned(),
    ));
    out.push(fact(
        "portal.procedure.result",
        t.get(match d.result_type {
            ResultType::Decision => "portal.result.decision",
            ResultType::Certificate => "portal.result.certificate",
            ResultType::Licence => "portal.result.licence",
            ResultType::Reply => "portal.result.reply",
            ResultType::CertifiedCopy => "portal.result.certified_copy",
            ResultType::Other => "portal.result.other",
        })
        .to_owned(),
    ));
    out.push(fact(
        "portal.procedure.effective",
        format::date(lang, d.effective_from),
    ));
    out
}

/// `GET /cong-dan/thu-tuc/{code}`: the procedure as in force today.
async fn procedure(
    State(st): State<PortalState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let t = lang.texts();
    let p = match st.services.portal().procedure(&code).await {
        Ok(p) => p,
        // A malformed code is no procedure either: the same page.
        Err(ServiceError::Invalid { .. } | ServiceError::NotFound { .. }) => {
            return Ok(super::error_page(lang, StatusCode::NOT_FOUND));
        }
        Err(e) => return Err(e.into()),
    };
    let d = &p.version.draft;
    let files = st.services.portal().templates(d.code.as_str()).await?;
    let components = d
        .components
        .iter()
        .map(|c| ComponentRow {
            name: c.name.clone(),
            form: crate::ui::desk::component_form_label(&t, c.form),
            copies: c.copies,
            requirement: t
                .get(match c.requirement {
                    Requirement::Mandatory => "desk.mandatory",
                    Requirement::Optional => "desk.optional",
                    Requirement::Conditional => "desk.conditional",
                })
                .to_owned(),
            template: c.form_template.clone().filter(|s| !s.trim().is_empty()),
            template_href: c
                .form_template
                .as_deref()
                .map(str::trim)
                .filter(|name| files.iter().any(|f| f.name == *name))
                .map(|name| {
                    format!(
                        "/cong-dan/thu-tuc/{}/mau/{}",
                        d.code,
                        utf8_percent_encode(name)
                    )
                }),
        })
        .collect();
    let places = p.places.iter().map(|u| u.name.clone()).collect();
    let code = d.code.to_string();
    let page = ProcedurePage {
        layout: PortalLayout::new(lang, &d.name, &href(&code)),
        facts: facts(&t, lang, d),
        code,
        name: d.name.clone(),
        field: d.field.clone(),
        components,
        places,
        legal_basis: d.legal_basis.trim().to_owned(),
        online: d.online_level != OnlineLevel::None,
        t,
    };
    Ok(render(StatusCode::OK, &page).into_response())
}

/// A path segment with everything but unreserved ASCII percent-encoded
/// (template names are Vietnamese with spaces).
fn utf8_percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
