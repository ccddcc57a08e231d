//! `/quan-tri/…`: administration pages, one module per area: units
//! ([`units`]), users and role grants ([`users`]), the procedure catalog with
//! file import ([`catalog`]), internal processes ([`processes`]), the
//! calendar and office hours ([`calendar`]), settings ([`settings`]).
//!
//! Every list is a page; every change is a POST form with the session's
//! `csrf_token`. A refused change re-shows the page with the form as typed
//! and the message next to the field at fault (status 422), and changes
//! nothing: each change is one service call that checks everything before
//! writing. Access is the service's: a page reads through an access-checked
//! service function, so someone without the role gets a 403 page, and the
//! navigation (and the section links here) only hide what would be refused.

pub mod calendar;
pub mod catalog;
mod import_issue;
pub mod processes;
pub mod settings;
pub mod units;
pub mod users;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::civil::Date;
use motcua_service::ServiceError;
use motcua_service::access::Permission;

use super::layout::{Area, Layout};
use super::{Staff, render};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;

/// Where administration starts.
pub const PATH: &str = "/quan-tri";

/// Routes of the administration pages.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(index))
        .merge(units::routes())
        .merge(users::routes())
        .merge(catalog::routes())
        .merge(processes::routes())
        .merge(calendar::routes())
        .merge(settings::routes())
}

/// An area of administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Units.
    Units,
    /// Users and grants.
    Users,
    /// Procedure catalog.
    Catalog,
    /// Internal processes.
    Processes,
    /// Calendar corrections.
    Calendar,
    /// Office hours.
    Hours,
    /// Settings.
    Settings,
}

impl Section {
    const ALL: [Section; 7] = [
        Section::Units,
        Section::Users,
        Section::Catalog,
        Section::Processes,
        Section::Calendar,
        Section::Hours,
        Section::Settings,
    ];

    /// Its page.
    pub fn href(self) -> &'static str {
        match self {
            Self::Units => units::PATH,
            Self::Users => users::PATH,
            Self::Catalog => catalog::PATH,
            Self::Processes => processes::PATH,
            Self::Calendar => calendar::PATH,
            Self::Hours => calendar::HOURS_PATH,
            Self::Settings => settings::PATH,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Units => "admin.units.title",
            Self::Users => "admin.users.title",
            Self::Catalog => "admin.catalog.title",
            Self::Processes => "admin.processes.title",
            Self::Calendar => "admin.calendar.title",
            Self::Hours => "admin.hours.title",
            Self::Settings => "admin.settings.title",
        }
    }

    /// The permission its changes need (settings: any of the others, the
    /// service decides per scope).
    fn permission(self) -> Permission {
        match self {
            Self::Units => Permission::ManageUnits,
            Self::Users | Self::Settings => Permission::ManageUsers,
            Self::Catalog => Permission::EditCatalog,
            Self::Processes => Permission::ManageProcesses,
            Self::Calendar | Self::Hours => Permission::ManageCalendar,
        }
    }
}

/// A link of the administration's own navigation.
pub struct SectionLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The sections the person's roles open.
pub fn sections(t: &Texts, staff: &Staff, current: Option<Section>) -> Vec<SectionLink> {
    Section::ALL
        .into_iter()
        .filter(|s| staff.actor.may_somewhere(s.permission()))
        .map(|s| SectionLink {
            href: s.href(),
            label: t.get(s.key()).to_owned(),
            current: Some(s) == current,
        })
        .collect()
}

/// The frame of an administration page.
pub async fn layout(
    st: &StaffState,
    staff: &Staff,
    section: Section,
    here: &str,
) -> Result<Layout, WebError> {
    let t = staff.lang.texts();
    Layout::staff(st, staff, Area::Admin, t.get(section.key()), None, here).await
}

/// A message shown next to a form field (or above the form when `field` is
/// empty).
#[derive(Default, Clone)]
pub struct FieldError {
    /// The form field at fault.
    pub field: String,
    /// What to fix, in the reader's language.
    pub message: String,
}

impl FieldError {
    /// The message for `name` if it is the field at fault.
    pub fn on(&self, name: &str) -> &str {
        if self.field == name {
            &self.message
        } else {
            ""
        }
    }
}

/// Turns a refusal of a change into a field message, or passes on what is
/// not the form's fault (refusals, missing records, internal errors).
/// `fields` maps the service's field names to the form's and to catalog
/// keys of their messages.
pub fn field_error(
    t: &Texts,
    e: ServiceError,
    fields: &[(&str, &str, &str)],
) -> Result<FieldError, WebError> {
    let (field, reason) = match e {
        ServiceError::Invalid { field, reason } => (field, reason),
        ServiceError::Conflict(reason) => (String::new(), reason),
        other => return Err(other.into()),
    };
    for (svc_field, form_field, key) in fields {
        if field == *svc_field || field.starts_with(&format!("{svc_field}.")) {
            return Ok(FieldError {
                field: (*form_field).to_owned(),
                message: t.get(key).to_owned(),
            });
        }
    }
    Ok(FieldError {
        field: String::new(),
        message: t.fill("admin.invalid", &[("reason", reason.as_str())]),
    })
}

/// A date typed in a form: `2025-11-24` (what date inputs send) or
/// `24/11/2025`.
pub fn form_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    let mut parts = s.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Date::new(
        y.trim().parse().ok()?,
        m.trim().parse().ok()?,
        d.trim().parse().ok()?,
    )
    .ok()
}

/// The value of a form field, trimmed (empty when absent).
pub fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// After a change: back to the page with a notice key (`?ok=…`), so a reload
/// does not post again.
pub fn done(path: &str, notice: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}ok={notice}")).into_response()
}

/// The notice a page shows after a change, from `?ok=`; only known keys.
pub fn notice(t: &Texts, ok: Option<&str>) -> Option<String> {
    let key = match ok? {
        "created" => "admin.notice.created",
        "saved" => "admin.notice.saved",
        "removed" => "admin.notice.removed",
        "granted" => "admin.notice.granted",
        "revoked" => "admin.notice.revoked",
        "activated" => "admin.notice.activated",
        "deactivated" => "admin.notice.deactivated",
        _ => return None,
    };
    Some(t.get(key).to_owned())
}

#[derive(Template)]
#[template(path = "admin_index.html")]
struct IndexPage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
}

/// `GET /quan-tri`: the sections the person may open.
async fn index(State(st): State<StaffState>, staff: Staff) -> Result<Response, WebError> {
    st.services.admin().require_admin(&staff.actor).await?;
    let t = staff.lang.texts();
    let layout = Layout::staff(&st, &staff, Area::Admin, t.get("admin.title"), None, PATH).await?;
    Ok(render(
        StatusCode::OK,
        &IndexPage {
            sections: sections(&t, &staff, None),
            t,
            layout,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_dates_take_iso_or_day_first_and_refuse_the_rest() {
        assert_eq!(
            form_date("2025-11-24"),
            Some(jiff::civil::date(2025, 11, 24))
        );
        assert_eq!(
            form_date(" 02/09/2026 "),
            Some(jiff::civil::date(2026, 9, 2))
        );
        for bad in ["", "31/02/2025", "2025-13-01", "1/2/3/4", "hôm nay"] {
            assert_eq!(form_date(bad), None, "{bad}");
        }
    }
}
