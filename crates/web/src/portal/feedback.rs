//! Feedback and complaints on the portal (phản ánh, kiến nghị; Decree
//! 20/2008/NĐ-CP):
//!
//! - `/cong-dan/phan-anh`: published answers, for everyone;
//! - `/cong-dan/phan-anh/gui`: the form (signed in), optionally about one
//!   of the sender's dossiers (`?ho-so=`);
//! - `/cong-dan/phan-anh/{code}`: one feedback, to its sender or, once its
//!   answer is published, to everyone; the sender answers a request for
//!   more there (`/bo-sung`), and a signed-in visitor likes or dislikes a
//!   published answer (`/binh-chon`).

use crate::auth::constant_time_eq;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use motcua_domain::feedback::{Category, Status};
use motcua_service::ServiceError;
use motcua_service::applicants::Applicant;
use motcua_service::feedback::FeedbackInput;
use motcua_service::store::FeedbackRecord;
use serde::Deserialize;

use super::account::{SESSION_COOKIE, SignedApplicant};
use super::{PortalLayout, PortalState};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::format;
use crate::ui::render;

/// The published answers.
pub const LIST: &str = "/cong-dan/phan-anh";
/// The form.
pub const SEND: &str = "/cong-dan/phan-anh/gui";

/// The largest feedback form read: 4,000 characters of Vietnamese take up
/// to 9 bytes each once a browser has percent-encoded them.
pub const MAX_FEEDBACK_FORM_BYTES: usize = 64 << 10;

pub fn routes() -> axum::Router<PortalState> {
    axum::Router::new()
        .route(LIST, get(published))
        .route(SEND, get(show_form).post(send))
        .route("/cong-dan/phan-anh/{code}", get(one))
        .route("/cong-dan/phan-anh/{code}/bo-sung", post(supply))
        .route("/cong-dan/phan-anh/{code}/binh-chon", post(vote))
        .layer(axum::extract::DefaultBodyLimit::max(
            MAX_FEEDBACK_FORM_BYTES,
        ))
}

/// The routes that show or change one feedback, for the two-account test.
pub const OWNED_ROUTES: [(&str, &str); 3] = [
    ("GET", "/cong-dan/phan-anh/{code}"),
    ("POST", "/cong-dan/phan-anh/{code}/bo-sung"),
    ("POST", "/cong-dan/phan-anh/{code}/binh-chon"),
];

/// The signed-in applicant if there is one, without sending anyone to the
/// sign-in page (published answers are public).
async fn maybe_applicant(parts: &Parts, st: &PortalState) -> Option<(Applicant, String)> {
    let secret = crate::auth::cookie(parts, SESSION_COOKIE)?;
    st.services
        .applicants()
        .session(&secret)
        .await
        .ok()
        .flatten()
}

/// A feedback as a list shows it.
pub struct Line {
    code: String,
    title: String,
    unit: String,
    category: String,
    status: String,
    received: String,
    answer_excerpt: String,
}

fn line(t: &Texts, lang: Lang, f: &FeedbackRecord) -> Line {
    let answer = f.answer.as_deref().unwrap_or("");
    let mut excerpt: String = answer.chars().take(240).collect();
    if excerpt.len() < answer.len() {
        excerpt.push('…');
    }
    Line {
        code: f.code.clone(),
        title: f.title.clone(),
        unit: f.unit_name.clone(),
        category: category_label(t, f.category),
        status: status_label(t, f.status),
        received: format::moment(lang, f.received_at),
        answer_excerpt: excerpt,
    }
}

/// The label of a category.
pub fn category_label(t: &Texts, c: Category) -> String {
    t.get(&format!("feedback.category.{}", c.as_str()))
        .to_owned()
}

/// The label of a status.
pub fn status_label(t: &Texts, s: Status) -> String {
    t.get(&format!("feedback.status.{}", s.as_str())).to_owned()
}

#[derive(Template)]
#[template(path = "portal_feedback_list.html")]
struct ListPage {
    t: Texts,
    layout: PortalLayout,
    lines: Vec<Line>,
    next: Option<i64>,
}

#[derive(Deserialize, Default)]
struct Paging {
    #[serde(default)]
    truoc: Option<i64>,
}

async fn published(
    State(st): State<PortalState>,
    lang: Lang,
    Query(p): Query<Paging>,
) -> Result<Response, WebError> {
    let t = lang.texts();
    let found = st.services.portal().published_feedback(p.truoc).await?;
    let next = (found.len() == 20)
        .then(|| found.last().map(|f| f.id))
        .flatten();
    let page = ListPage {
        layout: PortalLayout::new(lang, t.get("feedback.list.title"), LIST),
        lines: found.iter().map(|f| line(&t, lang, f)).collect(),
        next,
        t,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A choice of a select.
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "portal_feedback_form.html")]
struct FormPage {
    t: Texts,
    layout: PortalLayout,
    csrf: String,
    units: Vec<Choice>,
    categories: Vec<Choice>,
    title: String,
    content: String,
    dossier: String,
    consent: bool,
    error: Option<String>,
    field: String,
}

#[derive(Deserialize, Default)]
struct SendForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    dossier: String,
    #[serde(default)]
    consent: Option<String>,
}

async fn form_page(
    st: &PortalState,
    lang: Lang,
    csrf: String,
    f: &SendForm,
    error: Option<&ServiceError>,
) -> Result<FormPage, WebError> {
    let t = lang.texts();
    let mut units: Vec<Choice> = st
        .services
        .all_units()
        .await?
        .into_iter()
        .filter(|u| u.valid_to.is_none())
        .map(|u| Choice {
            selected: u.code.as_str() == f.unit.trim(),
            label: format!("{} ({})", u.name, u.code),
            value: u.code.to_string(),
        })
        .collect();
    units.sort_by(|a, b| a.label.cmp(&b.label));
    let categories = Category::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str().to_owned(),
            label: category_label(&t, *c),
            selected: c.as_str() == f.category.trim(),
        })
        .collect();
    let (message, field) = match error {
        Some(ServiceError::Invalid { field, .. }) => (
            Some(t.get(&format!("feedback.form.err_{field}")).to_owned()),
            field.clone(),
        ),
        Some(ServiceError::RateLimited { .. }) => (
            Some(t.get("feedback.form.err_limit").to_owned()),
            String::new(),
        ),
        Some(_) => (Some(t.get("error.internal").to_owned()), String::new()),
        None => (None, String::new()),
    };
    Ok(FormPage {
        layout: PortalLayout::new(lang, t.get("feedback.form.title"), SEND),
        csrf,
        units,
        categories,
        title: f.title.clone(),
        content: f.content.clone(),
        dossier: f.dossier.clone(),
        consent: f.consent.is_some(),
        error: message,
        field,
        t,
    })
}

#[derive(Deserialize, Default)]
struct Prefill {
    #[serde(default, rename = "ho-so")]
    ho_so: Option<String>,
}

async fn show_form(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Query(q): Query<Prefill>,
) -> Result<Response, WebError> {
    let mut f = SendForm {
        consent: Some("on".into()),
        ..SendForm::default()
    };
    if let Some(code) = q.ho_so.as_deref().map(str::trim).filter(|c| !c.is_empty())
        && let Ok((dossier, unit)) = st
            .services
            .applicants()
            .feedback_about(&who.applicant, code)
            .await
    {
        f.dossier = dossier;
        f.unit = unit;
        f.category = Category::DossierHandling.as_str().to_owned();
    }
    let page = form_page(&st, lang, who.csrf, &f, None).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn send(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    axum::Form(f): axum::Form<SendForm>,
) -> Result<Response, WebError> {
    if !constant_time_eq(f.csrf_token.as_bytes(), who.csrf.as_bytes()) {
        return Ok(super::error_page(lang, StatusCode::FORBIDDEN));
    }
    let input = FeedbackInput {
        unit: f.unit.clone(),
        category: f.category.clone(),
        title: f.title.clone(),
        content: f.content.clone(),
        dossier: f.dossier.clone(),
        consent_publish: f.consent.is_some(),
    };
    match st
        .services
        .applicants()
        .send_feedback(&who.applicant, &input)
        .await
    {
        Ok(rec) => Ok(Redirect::to(&format!("{LIST}/{}?moi=1", rec.code)).into_response()),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::RateLimited { .. })) => {
            let status = crate::error::status_of(&e);
            let page = form_page(&st, lang, who.csrf.clone(), &f, Some(&e)).await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal_feedback.html")]
struct OnePage {
    t: Texts,
    layout: PortalLayout,
    fresh: bool,
    own: bool,
    signed_in: bool,
    csrf: String,
    f: Line,
    facts: Vec<(String, String)>,
    content: String,
    note: Option<String>,
    supplement: Option<String>,
    answer: Option<String>,
    awaiting: bool,
    published: bool,
    likes: i64,
    dislikes: i64,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct Fresh {
    #[serde(default)]
    moi: Option<String>,
}

async fn one_page(
    st: &PortalState,
    lang: Lang,
    who: Option<(Applicant, String)>,
    code: &str,
    fresh: bool,
    error: Option<String>,
) -> Result<(OnePage, bool), WebError> {
    let t = lang.texts();
    let rec = st
        .services
        .applicants()
        .feedback(who.as_ref().map(|w| &w.0), code)
        .await?;
    let own = who
        .as_ref()
        .is_some_and(|w| w.0.account_id == rec.account_id);
    let mut facts = vec![
        (t.get("feedback.one.code").to_owned(), rec.code.clone()),
        (t.get("feedback.one.unit").to_owned(), rec.unit_name.clone()),
        (
            t.get("feedback.one.category").to_owned(),
            category_label(&t, rec.category),
        ),
        (
            t.get("feedback.one.received").to_owned(),
            format::moment(lang, rec.received_at),
        ),
    ];
    if own {
        if let Some((_, d)) = &rec.dossier {
            facts.push((t.get("feedback.one.dossier").to_owned(), d.clone()));
        }
        if let Some(due) = rec.due {
            facts.push((
                t.get("feedback.one.due").to_owned(),
                format::moment(lang, due),
            ));
        }
    }
    if let Some(a) = rec.answered_at {
        facts.push((
            t.get("feedback.one.answered").to_owned(),
            format::moment(lang, a),
        ));
    }
    let page = OnePage {
        layout: PortalLayout::new(lang, &rec.title, &format!("{LIST}/{}", rec.code)),
        fresh: fresh && own,
        own,
        signed_in: who.is_some(),
        csrf: who.as_ref().map(|w| w.1.clone()).unwrap_or_default(),
        f: line(&t, lang, &rec),
        facts,
        content: rec.content.clone(),
        note: rec.note.clone().filter(|_| own),
        supplement: rec.supplement.clone().filter(|_| own),
        answer: rec
            .answer
            .clone()
            .filter(|_| own || rec.status == Status::Published),
        awaiting: own && rec.status == Status::AwaitingSupplement,
        published: rec.status == Status::Published,
        likes: rec.likes,
        dislikes: rec.dislikes,
        error,
        t,
    };
    Ok((page, own))
}

async fn one(
    State(st): State<PortalState>,
    lang: Lang,
    parts: Parts,
    Path(code): Path<String>,
    Query(q): Query<Fresh>,
) -> Result<Response, WebError> {
    let who = maybe_applicant(&parts, &st).await;
    let (page, own) = one_page(&st, lang, who, &code, q.moi.is_some(), None).await?;
    let mut res = render(StatusCode::OK, &page);
    if own {
        // A sender's own page holds what they wrote: not for shared caches.
        res.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
struct SupplyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    supplement: String,
}

async fn supply(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Path(code): Path<String>,
    axum::Form(f): axum::Form<SupplyForm>,
) -> Result<Response, WebError> {
    if !constant_time_eq(f.csrf_token.as_bytes(), who.csrf.as_bytes()) {
        return Ok(super::error_page(lang, StatusCode::FORBIDDEN));
    }
    match st
        .services
        .applicants()
        .supply_feedback(&who.applicant, &code, &f.supplement)
        .await
    {
        Ok(rec) => Ok(Redirect::to(&format!("{LIST}/{}", rec.code)).into_response()),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            let t = lang.texts();
            let status = crate::error::status_of(&e);
            let msg = t.get("feedback.one.err_supply").to_owned();
            let who = Some((who.applicant.clone(), who.csrf.clone()));
            let (page, _) = one_page(&st, lang, who, &code, false, Some(msg)).await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct VoteForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    liked: String,
}

async fn vote(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Path(code): Path<String>,
    axum::Form(f): axum::Form<VoteForm>,
) -> Result<Response, WebError> {
    if !constant_time_eq(f.csrf_token.as_bytes(), who.csrf.as_bytes()) {
        return Ok(super::error_page(lang, StatusCode::FORBIDDEN));
    }
    let liked = match f.liked.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(WebError::invalid("liked", "1 (like) or 0 (dislike)")),
    };
    let rec = st
        .services
        .applicants()
        .vote_feedback(&who.applicant, &code, liked)
        .await?;
    Ok(Redirect::to(&format!("{LIST}/{}", rec.code)).into_response())
}
