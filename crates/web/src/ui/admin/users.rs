//! `/quan-tri/nguoi-dung`: accounts with their role grants; create an
//! account with its first role, activate or deactivate it, grant or revoke
//! a role on a unit (a grant covers the unit's subtree).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_domain::role::Role;
use motcua_service::ServiceError;
use serde::Deserialize;

use super::units::Opt;
use super::{FieldError, Section, SectionLink, done, field, field_error, notice};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;
use crate::ui::layout::Layout;
use crate::ui::{Staff, format, render};

/// The users page.
pub const PATH: &str = "/quan-tri/nguoi-dung";

/// Accounts a page shows.
const PAGE: u32 = 100;

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(show).post(create))
        .route("/quan-tri/nguoi-dung/{username}/kich-hoat", post(activate))
        .route("/quan-tri/nguoi-dung/{username}/quyen", post(grant))
        .route("/quan-tri/nguoi-dung/{username}/thu-hoi", post(revoke))
}

#[derive(Deserialize, Default)]
struct UsersQuery {
    after: Option<String>,
    ok: Option<String>,
}

/// The catalog key of a role's name.
pub fn role_key(r: Role) -> &'static str {
    match r {
        Role::DeskOfficer => "admin.roles.desk_officer",
        Role::Specialist => "admin.roles.specialist",
        Role::Leader => "admin.roles.leader",
        Role::UnitAdmin => "admin.roles.unit_admin",
        Role::ReformEvaluator => "admin.roles.reform_evaluator",
        Role::Viewer => "admin.roles.viewer",
        Role::SystemAdmin => "admin.roles.system_admin",
    }
}

struct GrantRow {
    role: String,
    role_code: &'static str,
    unit: String,
    unit_code: String,
}

struct UserRow {
    username: String,
    full_name: String,
    email: String,
    active: bool,
    created: String,
    grants: Vec<GrantRow>,
}

/// What the forms held when refused (which form, its fields).
#[derive(Default)]
struct Typed {
    /// `create`, or the user name of the grant form.
    form: String,
    username: String,
    full_name: String,
    email: String,
    role: String,
    unit: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
    rows: Vec<UserRow>,
    next_href: Option<String>,
    notice: Option<String>,
    roles: Vec<Opt>,
    units: Vec<Opt>,
    typed: Typed,
    error: FieldError,
}

async fn page(
    st: &StaffState,
    staff: &Staff,
    q: &UsersQuery,
    typed: Typed,
    error: FieldError,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let now = st.services.now();
    let services = &st.services;
    let accounts = services
        .admin()
        .accounts(&staff.actor, q.after.as_deref(), PAGE)
        .await?;
    let today = motcua_domain::time::to_local(now).date();
    let tree = services.admin().unit_tree(&staff.actor, today).await?;
    let names: HashMap<i64, (String, String)> = tree
        .iter()
        .map(|u| (u.unit_id, (u.name.clone(), u.code.to_string())))
        .collect();
    let next_href = (accounts.len() == PAGE as usize)
        .then(|| {
            accounts
                .last()
                .map(|(u, _)| format!("{PATH}?after={}", u.username))
        })
        .flatten();
    let rows = accounts
        .into_iter()
        .map(|(u, grants)| UserRow {
            grants: grants
                .iter()
                .map(|g| {
                    let (unit, unit_code) = names
                        .get(&g.unit_id)
                        .cloned()
                        .unwrap_or_else(|| (g.unit_id.to_string(), String::new()));
                    GrantRow {
                        role: t.get(role_key(g.role)).to_owned(),
                        role_code: g.role.as_str(),
                        unit,
                        unit_code,
                    }
                })
                .collect(),
            username: u.username,
            full_name: u.full_name,
            email: u.email.unwrap_or_default(),
            active: u.active,
            created: format::moment(staff.lang, u.created_at),
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .map(|r| Opt {
            value: r.as_str().to_owned(),
            label: t.get(role_key(r)).to_owned(),
            selected: typed.role == r.as_str(),
        })
        .collect();
    let units = tree
        .iter()
        .map(|u| Opt {
            value: u.code.to_string(),
            label: format!("{} ({})", u.name, u.code),
            selected: typed.unit == u.code.as_str(),
        })
        .collect();
    let status = if error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let layout = super::layout(st, staff, Section::Users, PATH).await?;
    Ok(render(
        status,
        &UsersPage {
            sections: super::sections(&t, staff, Some(Section::Users)),
            rows,
            next_href,
            notice: notice(&t, q.ok.as_deref()),
            roles,
            units,
            typed,
            error,
            t,
            layout,
        },
    ))
}

/// `GET /quan-tri/nguoi-dung`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<UsersQuery>,
) -> Result<Response, WebError> {
    page(&st, &staff, &q, Typed::default(), FieldError::default()).await
}

const USER_FIELDS: &[(&str, &str, &str)] = &[
    ("username", "username", "admin.users.err_username"),
    ("full_name", "full_name", "admin.users.err_full_name"),
    ("email", "email", "admin.users.err_email"),
    ("password", "password", "admin.users.err_password"),
    ("new_password", "password", "admin.users.err_password"),
    ("role", "role", "admin.users.err_role"),
    ("unit", "unit", "admin.users.err_unit"),
];

fn parse_role(s: &str) -> Result<Role, ServiceError> {
    Role::parse(s).map_err(|e| ServiceError::invalid("role", e.to_string()))
}

/// `POST /quan-tri/nguoi-dung`: an account with its first role.
async fn create(
    State(st): State<StaffState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let typed = Typed {
        form: "create".to_owned(),
        username: field(&fields, "username"),
        full_name: field(&fields, "full_name"),
        email: field(&fields, "email"),
        role: field(&fields, "role"),
        unit: field(&fields, "unit"),
    };
    let password = field(&fields, "password");
    let result = async {
        let role = parse_role(&typed.role)?;
        let unit = st.services.units().find_unit("unit", &typed.unit).await?;
        st.services
            .users()
            .add_user_as(
                &staff.actor,
                &typed.username,
                &typed.full_name,
                Some(typed.email.as_str()),
                &password,
                role,
                unit.id,
            )
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(done(PATH, "created")),
        Err(e) => {
            let error = match e {
                ServiceError::Conflict(_) => FieldError {
                    field: "username".to_owned(),
                    message: t.get("admin.users.err_taken").to_owned(),
                },
                ServiceError::NotFound { .. } => FieldError {
                    field: "unit".to_owned(),
                    message: t.get("admin.users.err_unit").to_owned(),
                },
                e => field_error(&t, e, USER_FIELDS)?,
            };
            page(&st, &staff, &UsersQuery::default(), typed, error).await
        }
    }
}

/// `POST /quan-tri/nguoi-dung/{username}/kich-hoat` with `active=true|false`.
async fn activate(
    State(st): State<StaffState>,
    staff: Staff,
    Path(username): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let active = field(&fields, "active") == "true";
    match st
        .services
        .admin()
        .set_active_as(&staff.actor, &username, active)
        .await
    {
        Ok(()) => Ok(done(PATH, if active { "activated" } else { "deactivated" })),
        Err(e) => {
            let error = field_error(&t, e, &[("active", "active", "admin.users.err_self")])?;
            page(&st, &staff, &UsersQuery::default(), Typed::default(), error).await
        }
    }
}

/// `POST /quan-tri/nguoi-dung/{username}/quyen`: grants `role` on `unit`.
async fn grant(
    State(st): State<StaffState>,
    staff: Staff,
    Path(username): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let typed = Typed {
        form: username.clone(),
        role: field(&fields, "role"),
        unit: field(&fields, "unit"),
        ..Typed::default()
    };
    let result = async {
        let role = parse_role(&typed.role)?;
        let unit = st.services.units().find_unit("unit", &typed.unit).await?;
        st.services
            .users()
            .grant_as(&staff.actor, &username, role, unit.id)
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(done(PATH, "granted")),
        Err(e) => {
            let error = match e {
                ServiceError::Conflict(_) => FieldError {
                    field: "role".to_owned(),
                    message: t.get("admin.users.err_granted").to_owned(),
                },
                ServiceError::NotFound { .. } => FieldError {
                    field: "unit".to_owned(),
                    message: t.get("admin.users.err_unit").to_owned(),
                },
                e => field_error(&t, e, USER_FIELDS)?,
            };
            page(&st, &staff, &UsersQuery::default(), typed, error).await
        }
    }
}

/// `POST /quan-tri/nguoi-dung/{username}/thu-hoi`: revokes `role` on `unit`.
async fn revoke(
    State(st): State<StaffState>,
    staff: Staff,
    Path(username): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let result = async {
        let role = parse_role(&field(&fields, "role"))?;
        let unit = st
            .services
            .units()
            .find_unit("unit", &field(&fields, "unit"))
            .await?;
        st.services
            .users()
            .revoke_as(&staff.actor, &username, role, unit.id)
            .await
    }
    .await;
    match result {
        Ok(()) => Ok(done(PATH, "revoked")),
        Err(e) => {
            let error = field_error(&t, e, USER_FIELDS)?;
            page(&st, &staff, &UsersQuery::default(), Typed::default(), error).await
        }
    }
}
