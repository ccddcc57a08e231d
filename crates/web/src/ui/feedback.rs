//! `/phan-anh`: feedback and complaints (phản ánh, kiến nghị) sent to the
//! person's units, by status, and one feedback with the actions its status
//! allows: accept or refuse, ask the sender for more, assign, answer,
//! publish. The service checks `HandleFeedback` on the feedback's unit; a
//! feedback of another unit answers as a missing one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use motcua_domain::feedback::{Action, Status};
use motcua_service::ServiceError;
use motcua_service::feedback::StaffAction;
use motcua_service::store::FeedbackRecord;
use serde::Deserialize;

use super::layout::{Area, Layout};
use super::{Staff, format, render};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::portal::feedback::{category_label, status_label};
use crate::ui::StaffState;

/// Where the list lives.
pub const PATH: &str = "/phan-anh";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(list))
        .route("/phan-anh/{code}", get(one).post(act))
}

/// A row of the list.
struct Row {
    code: String,
    title: String,
    unit: String,
    category: String,
    status: String,
    received: String,
    due: String,
    late: bool,
}

fn row(t: &Texts, staff: &Staff, f: &FeedbackRecord, now: jiff::Timestamp) -> Row {
    Row {
        code: f.code.clone(),
        title: f.title.clone(),
        unit: f.unit_name.clone(),
        category: category_label(t, f.category),
        status: status_label(t, f.status),
        received: format::moment(staff.lang, f.received_at),
        due: f
            .due
            .map(|d| format::moment(staff.lang, d))
            .unwrap_or_default(),
        late: f.late_at.is_some() || f.due.is_some_and(|d| d < now),
    }
}

/// A status tab.
struct Tab {
    label: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "feedback_list.html")]
struct ListPage {
    t: Texts,
    layout: Layout,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    before: Option<i64>,
}

async fn list(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let status = q.status.trim();
    let found = st
        .services
        .feedback()
        .list(&staff.actor, Some(status), q.before)
        .await?;
    let now = st.now();
    let mut tabs = vec![Tab {
        label: t.get("feedback.staff.all").to_owned(),
        href: PATH.to_owned(),
        current: status.is_empty(),
    }];
    for s in Status::ALL {
        tabs.push(Tab {
            label: status_label(&t, s),
            href: format!("{PATH}?status={}", s.as_str()),
            current: status == s.as_str(),
        });
    }
    let next = (found.len() as u32 == motcua_service::feedback::PAGE)
        .then(|| found.last())
        .flatten()
        .map(|f| {
            serde_urlencoded::to_string([("status", status), ("before", &f.id.to_string())])
                .unwrap_or_default()
        });
    let here = match status {
        "" => PATH.to_owned(),
        s => format!("{PATH}?status={s}"),
    };
    let page = ListPage {
        layout: Layout::staff(
            &st,
            &staff,
            Area::Feedback,
            t.get("feedback.staff.title"),
            None,
            &here,
        )
        .await?,
        tabs,
        rows: found.iter().map(|f| row(&t, &staff, f, now)).collect(),
        next,
        t,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "feedback_one.html")]
struct OnePage {
    t: Texts,
    layout: Layout,
    r: Row,
    content: String,
    dossier: Option<String>,
    consent: bool,
    repeat: bool,
    note: Option<String>,
    supplement: Option<String>,
    answer: Option<String>,
    likes: i64,
    dislikes: i64,
    actions: Vec<&'static str>,
    error: Option<String>,
}

/// The actions a feedback in `s` takes from staff, in the order the page
/// offers them.
fn actions_for(s: Status, consent: bool) -> Vec<&'static str> {
    [
        Action::Accept,
        Action::RequestSupplement,
        Action::Refuse,
        Action::Assign,
        Action::Answer,
        Action::Publish,
    ]
    .into_iter()
    .filter(|a| motcua_domain::feedback::next(s, *a, consent).is_ok())
    .map(Action::as_str)
    .collect()
}

async fn page(
    st: &StaffState,
    staff: &Staff,
    rec: &FeedbackRecord,
    error: Option<String>,
) -> Result<OnePage, WebError> {
    let t = staff.lang.texts();
    let here = format!("{PATH}/{}", rec.code);
    Ok(OnePage {
        layout: Layout::staff(st, staff, Area::Feedback, &rec.title, None, &here).await?,
        r: row(&t, staff, rec, st.now()),
        content: rec.content.clone(),
        dossier: rec.dossier.as_ref().map(|d| d.1.clone()),
        consent: rec.consent_publish,
        repeat: rec.repeat_of.is_some(),
        note: rec.note.clone(),
        supplement: rec.supplement.clone(),
        answer: rec.answer.clone(),
        likes: rec.likes,
        dislikes: rec.dislikes,
        actions: actions_for(rec.status, rec.consent_publish),
        error,
        t,
    })
}

async fn one(
    State(st): State<StaffState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let rec = st.services.feedback().view(&staff.actor, &code).await?;
    let p = page(&st, &staff, &rec, None).await?;
    Ok(render(StatusCode::OK, &p))
}

#[derive(Deserialize, Default)]
struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    handler: String,
}

async fn act(
    State(st): State<StaffState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(f): Form<ActForm>,
) -> Result<Response, WebError> {
    let input = StaffAction {
        action: f.action,
        note: f.note,
        answer: f.answer,
        handler: f.handler,
    };
    match st
        .services
        .feedback()
        .act(&staff.actor, &code, &input)
        .await
    {
        Ok(rec) => Ok(Redirect::to(&format!("{PATH}/{}", rec.code)).into_response()),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            let status = crate::error::status_of(&e);
            let rec = st.services.feedback().view(&staff.actor, &code).await?;
            let t = staff.lang.texts();
            let message = t
                .get(match &e {
                    ServiceError::Invalid { field, .. } => match field.as_str() {
                        "note" => "feedback.staff.err_note",
                        "answer" => "feedback.staff.err_answer",
                        "handler" => "feedback.staff.err_handler",
                        _ => "feedback.staff.err_action",
                    },
                    _ => "feedback.staff.err_changed",
                })
                .to_owned();
            let p = page(&st, &staff, &rec, Some(message)).await?;
            Ok(render(status, &p))
        }
        Err(e) => Err(e.into()),
    }
}
