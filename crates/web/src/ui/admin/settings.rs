//! `/quan-tri/cai-dat`: settings by scope (every unit, one unit, one
//! procedure): the settings motcua reads at the chosen scope with their
//! values, and a form to set any key. Who may change which scope is the
//! service's rule ([`motcua_service::admin`]).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use motcua_service::ServiceError;
use motcua_service::admin::{KNOWN_SETTINGS, Scope};
use serde::Deserialize;

use super::units::Opt;
use super::{FieldError, Section, SectionLink, done, field, field_error, notice};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;
use crate::ui::layout::Layout;
use crate::ui::{Staff, render};

/// The settings page.
pub const PATH: &str = "/quan-tri/cai-dat";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new().route(PATH, get(show).post(save))
}

#[derive(Deserialize, Default)]
struct SettingsQuery {
    kind: Option<String>,
    code: Option<String>,
    ok: Option<String>,
}

struct SettingRow {
    key: String,
    meaning: String,
    value: String,
}

#[derive(Default)]
struct Typed {
    key: String,
    value: String,
}

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
    kinds: Vec<Opt>,
    code: String,
    rows: Vec<SettingRow>,
    notice: Option<String>,
    typed: Typed,
    error: FieldError,
    /// The settings one may set, by their meaning.
    keys: Vec<Opt>,
}

/// The scope named by a kind (`global`, `unit`, `procedure`) and a code.
async fn scope(st: &StaffState, kind: &str, code: &str) -> Result<Scope, ServiceError> {
    match kind {
        "" | "global" => Ok(Scope::Global),
        "unit" => Ok(Scope::Unit(
            st.services.units().find_unit("code", code).await?.id,
        )),
        "procedure" => Ok(Scope::Procedure(
            st.services.procedures().get(code, None).await?.procedure_id,
        )),
        _ => Err(ServiceError::invalid("kind", "global, unit or procedure")),
    }
}

fn meaning_key(key: &str) -> &'static str {
    match key {
        "calendar.culture_day_from" => "admin.settings.culture_day",
        _ => "admin.settings.suspension",
    }
}

async fn page(
    st: &StaffState,
    staff: &Staff,
    q: &SettingsQuery,
    typed: Typed,
    error: FieldError,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let kind = q.kind.clone().unwrap_or_else(|| "global".to_owned());
    let code = q.code.clone().unwrap_or_default();
    let sc = match scope(st, &kind, &code).await {
        Ok(s) => s,
        Err(ServiceError::NotFound { .. } | ServiceError::Invalid { .. })
            if error.message.is_empty() =>
        {
            let e = FieldError {
                field: "code".to_owned(),
                message: t.get("admin.settings.err_scope").to_owned(),
            };
            return Box::pin(page(st, staff, &SettingsQuery::default(), typed, e)).await;
        }
        Err(_) => Scope::Global,
    };
    let scope_kind = match sc {
        Scope::Global => "global",
        Scope::Unit(_) => "unit",
        Scope::Procedure(_) => "procedure",
    };
    let mut rows = Vec::new();
    for (key, at) in KNOWN_SETTINGS {
        if at != scope_kind {
            continue;
        }
        let value = st.services.admin().setting(&staff.actor, sc, key).await?;
        rows.push(SettingRow {
            key: key.to_owned(),
            meaning: t.get(meaning_key(key)).to_owned(),
            value: value
                .map(|v| match v {
                    serde_json::Value::String(s) => value_label(&t, &s),
                    other => other.to_string(),
                })
                .unwrap_or_else(|| t.get("admin.settings.unset").to_owned()),
        });
    }
    if rows.is_empty() {
        // Reading the scope is the access check even when no known key is there.
        st.services.admin().setting(&staff.actor, sc, "x").await?;
    }
    let kinds = [
        ("global", "admin.settings.global"),
        ("unit", "admin.settings.unit"),
        ("procedure", "admin.settings.procedure"),
    ]
    .into_iter()
    .map(|(v, k)| Opt {
        value: v.to_owned(),
        label: t.get(k).to_owned(),
        selected: v == scope_kind,
    })
    .collect();
    let status = if error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let layout = super::layout(st, staff, Section::Settings, PATH).await?;
    Ok(render(
        status,
        &SettingsPage {
            sections: super::sections(&t, staff, Some(Section::Settings)),
            kinds,
            code: if scope_kind == "global" {
                String::new()
            } else {
                code
            },
            rows,
            notice: notice(&t, q.ok.as_deref()),
            typed,
            error,
            keys: KNOWN_SETTINGS
                .iter()
                .map(|(key, _)| Opt {
                    value: (*key).to_owned(),
                    label: t.get(meaning_key(key)).to_owned(),
                    selected: false,
                })
                .collect(),
            t,
            layout,
        },
    ))
}

/// A stored value in the reader's words where it is one of a few words.
fn value_label(t: &Texts, v: &str) -> String {
    match v {
        "pause" => t.get("admin.settings.pause").to_owned(),
        "restart" => t.get("admin.settings.restart").to_owned(),
        other => other.to_owned(),
    }
}

/// `GET /quan-tri/cai-dat?kind=unit&code=…`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<SettingsQuery>,
) -> Result<Response, WebError> {
    page(&st, &staff, &q, Typed::default(), FieldError::default()).await
}

/// `POST /quan-tri/cai-dat`: sets `key` to `value` at the scope.
async fn save(
    State(st): State<StaffState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let kind = field(&fields, "kind");
    let code = field(&fields, "code");
    let typed = Typed {
        key: field(&fields, "key"),
        value: field(&fields, "value"),
    };
    let result = async {
        let sc = scope(&st, &kind, &code).await?;
        st.services
            .admin()
            .put_setting(&staff.actor, sc, &typed.key, &typed.value)
            .await
    }
    .await;
    let q = SettingsQuery {
        kind: Some(kind.clone()),
        code: Some(code.clone()),
        ok: None,
    };
    match result {
        Ok(_) => {
            let back =
                serde_urlencoded::to_string([("kind", kind.as_str()), ("code", code.as_str())])
                    .unwrap_or_default();
            Ok(done(&format!("{PATH}?{back}"), "saved"))
        }
        Err(ServiceError::NotFound { .. }) => {
            let error = FieldError {
                field: "code".to_owned(),
                message: t.get("admin.settings.err_scope").to_owned(),
            };
            page(&st, &staff, &SettingsQuery::default(), typed, error).await
        }
        Err(e) => {
            let error = field_error(
                &t,
                e,
                &[
                    ("key", "key", "admin.settings.err_key"),
                    ("value", "value", "admin.settings.err_value"),
                    ("kind", "code", "admin.settings.err_scope"),
                    ("code", "code", "admin.settings.err_scope"),
                    ("scope", "code", "admin.settings.err_scope"),
                ],
            )?;
            page(&st, &staff, &q, typed, error).await
        }
    }
}
