//! What `base.html` shows around every page: the header (unit, user,
//! language switch, sign-out) and the navigation, with only the areas the
//! person's roles open.
//!
//! The navigation only hides what would be refused anyway: access is
//! checked again by the service on every page and action.

use motcua_domain::role::Role;
use motcua_service::access::{Actor, Permission};
use motcua_service::store::Unit;

use super::Staff;
use super::assets::{HTMX, KEYS, STYLE};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::StaffState;

/// An area of the staff interface: one entry of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `/`: the home dashboard (Bàn làm việc).
    Dashboard,
    /// `/tiep-nhan`: reception at the desk (Tiếp nhận).
    Desk,
    /// `/ho-so`: dossier lists and pages (Hồ sơ).
    Dossiers,
    /// `/hang-doi`: work queues (Hàng đợi).
    Queues,
    /// `/phan-anh`: feedback sent to the person's units (Phản ánh, kiến nghị).
    Feedback,
    /// `/bao-cao`: periodic reports (Báo cáo).
    Reports,
    /// `/quan-tri`: units, users, catalog, calendar, settings (Quản trị).
    Admin,
}

impl Area {
    /// Every area in navigation order.
    pub const ALL: [Area; 7] = [
        Area::Dashboard,
        Area::Desk,
        Area::Dossiers,
        Area::Queues,
        Area::Feedback,
        Area::Reports,
        Area::Admin,
    ];

    /// Where the area starts.
    pub fn href(self) -> &'static str {
        match self {
            Area::Dashboard => "/",
            Area::Desk => "/tiep-nhan",
            Area::Dossiers => "/ho-so",
            Area::Queues => "/hang-doi",
            Area::Feedback => "/phan-anh",
            Area::Reports => "/bao-cao",
            Area::Admin => "/quan-tri",
        }
    }

    /// Its keyboard shortcut, listed in the help overlay (`?`).
    pub fn key(self) -> &'static str {
        match self {
            Area::Dashboard => "h",
            Area::Desk => "n",
            Area::Dossiers => "l",
            Area::Queues | Area::Feedback | Area::Reports | Area::Admin => "",
        }
    }

    /// Its name in the navigation.
    pub fn label(self, t: &Texts) -> String {
        match self {
            Area::Dashboard => t.get("nav.dashboard"),
            Area::Desk => t.get("nav.desk"),
            Area::Dossiers => t.get("nav.dossiers"),
            Area::Queues => t.get("nav.queues"),
            Area::Feedback => t.get("nav.feedback"),
            Area::Reports => t.get("nav.reports"),
            Area::Admin => t.get("nav.admin"),
        }
        .to_owned()
    }

    /// Whether the person's roles open the area: reception for desk
    /// officers, queues for those who take steps or approve, administration
    /// for whoever may change units, users, the catalog, processes, the
    /// calendar or the outbox somewhere.
    pub fn open_to(self, actor: &Actor) -> bool {
        match self {
            Area::Dashboard => true,
            Area::Desk => actor.holds(Role::DeskOfficer),
            Area::Dossiers => actor.may_somewhere(Permission::ViewDossiers),
            Area::Queues => {
                actor.holds(Role::Specialist)
                    || actor.holds(Role::Leader)
                    || actor.holds(Role::DeskOfficer)
            }
            Area::Feedback => actor.may_somewhere(Permission::HandleFeedback),
            Area::Reports => actor.may_somewhere(Permission::ViewStatistics),
            Area::Admin => [
                Permission::ManageUnits,
                Permission::ManageUsers,
                Permission::EditCatalog,
                Permission::ManageProcesses,
                Permission::ManageCalendar,
                Permission::ManageNotifications,
            ]
            .into_iter()
            .any(|p| actor.may_somewhere(p)),
        }
    }
}

/// One link of the navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Target.
    pub href: &'static str,
    /// Text.
    pub label: String,
    /// Whether this is the page's area (`aria-current="page"`).
    pub current: bool,
    /// Its keyboard shortcut (`keys.js`), or empty.
    pub key: &'static str,
}

/// The frame of a page.
#[derive(Debug, Clone)]
pub struct Layout {
    /// `<html lang>`.
    pub lang: &'static str,
    /// The other language's code, for the switch link's `lang`.
    pub other_lang: &'static str,
    /// The page's title (before the application's name).
    pub title: String,
    /// Whether someone is signed in (header account links, navigation).
    pub signed_in: bool,
    /// The person's full name (or user name).
    pub user_name: String,
    /// The unit shown in the header.
    pub unit_name: String,
    /// The session's CSRF token for forms and htmx requests.
    pub csrf: String,
    /// Navigation links the person's roles open.
    pub nav: Vec<NavLink>,
    /// The language switch, coming back to this page.
    pub switch_href: String,
    /// Whether the header shows the dossier search box (whoever may see
    /// dossiers somewhere).
    pub search: bool,
    /// The style sheet's URL.
    pub css: &'static str,
    /// htmx's URL.
    pub htmx: &'static str,
    /// The keyboard shortcuts' script URL.
    pub keys: &'static str,
}

impl Layout {
    /// The frame for a signed-in page of `area` at `here` (path and query).
    /// `unit` is the unit the page is about; without one, the header names
    /// the person's first unit.
    pub async fn staff(
        st: &StaffState,
        staff: &Staff,
        area: Area,
        title: &str,
        unit: Option<&Unit>,
        here: &str,
    ) -> Result<Self, WebError> {
        let t = staff.lang.texts();
        let user_name = if staff.actor.user_id > 0 {
            st.services.display_name(staff.actor.user_id).await?
        } else {
            staff.actor.username.clone()
        };
        let unit_name = match unit {
            Some(u) => u.name.clone(),
            None => st
                .services
                .dashboards()
                .units(&staff.actor)
                .await?
                .into_iter()
                .next()
                .map(|u| u.name)
                .unwrap_or_default(),
        };
        let nav = Area::ALL
            .into_iter()
            .filter(|a| a.open_to(&staff.actor))
            .map(|a| NavLink {
                href: a.href(),
                label: a.label(&t),
                current: a == area,
                key: a.key(),
            })
            .collect();
        Ok(Self {
            signed_in: true,
            user_name,
            unit_name,
            csrf: staff.csrf.clone(),
            nav,
            search: Area::Dossiers.open_to(&staff.actor),
            ..Self::public(staff.lang, title, here)
        })
    }

    /// The frame for a page without a session (sign-in, errors).
    pub fn public(lang: Lang, title: &str, here: &str) -> Self {
        let switch = serde_urlencoded::to_string([("lang", lang.other().code()), ("next", here)])
            .unwrap_or_default();
        Self {
            lang: lang.code(),
            other_lang: lang.other().code(),
            title: title.to_owned(),
            signed_in: false,
            user_name: String::new(),
            unit_name: String::new(),
            csrf: String::new(),
            nav: Vec::new(),
            search: false,
            switch_href: format!("/ngon-ngu?{switch}"),
            css: STYLE.path.as_str(),
            htmx: HTMX.path.as_str(),
            keys: KEYS.path.as_str(),
        }
    }
}
