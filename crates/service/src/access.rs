//! Who is acting and what they may do. Every use case that reads or changes
//! something scoped to a unit asks the [`Actor`] first; a refusal is recorded
//! in the audit log and answered `Forbidden`, whichever front end asked.

use std::collections::HashSet;

use motcua_domain::role::Role;
use serde::Serialize;
use serde_json::json;

use crate::error::{ServiceError, ServiceResult};
use crate::store::{AuditContext, Store};

/// Things a role may do on a unit's subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read the catalog, processes and reviews.
    ViewCatalog,
    /// Create procedures and versions, import, assign procedures to units.
    EditCatalog,
    /// Approve and record internal processes.
    ManageProcesses,
    /// Record procedure reviews.
    ManageReviews,
    /// Change the unit tree (create, rename, move, merge, split, abolish).
    ManageUnits,
    /// Create users and grant or revoke roles on units.
    ManageUsers,
    /// Correct the calendar and set office hours.
    ManageCalendar,
    /// Read figures, indexes and rankings.
    ViewStatistics,
    /// Read dossiers received or held in the subtree (acting on them is the
    /// state machine's business: it checks the roles themselves).
    ViewDossiers,
    /// Read and retry the notification outbox.
    ManageNotifications,
    /// Take up, answer and publish feedback sent to the unit (PAKN).
    HandleFeedback,
    /// Refund a fee paid online, and record as paid a payment the
    /// gateway's signed list shows but whose answer never came.
    ManagePayments,
}

impl Permission {
    /// Stable text for audit entries and error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ViewCatalog => "view_catalog",
            Self::EditCatalog => "edit_catalog",
            Self::ManageProcesses => "manage_processes",
            Self::ManageReviews => "manage_reviews",
            Self::ManageUnits => "manage_units",
            Self::ManageUsers => "manage_users",
            Self::ManageCalendar => "manage_calendar",
            Self::ViewStatistics => "view_statistics",
            Self::ViewDossiers => "view_dossiers",
            Self::ManageNotifications => "manage_notifications",
            Self::HandleFeedback => "handle_feedback",
            Self::ManagePayments => "manage_payments",
        }
    }
}

/// What each role permits (domain.md §1). System administrators may do
/// everything; the others what their work needs and no more.
pub fn role_permits(role: Role, p: Permission) -> bool {
    use Permission as P;
    match role {
        Role::SystemAdmin => true,
        Role::UnitAdmin => matches!(
            p,
            P::ViewCatalog
                | P::EditCatalog
                | P::ManageProcesses
                | P::ManageUsers
                | P::ManageCalendar
                | P::ViewStatistics
                | P::ViewDossiers
                | P::ManageNotifications
        ),
        Role::Leader => matches!(
            p,
            P::ViewCatalog
                | P::ManageProcesses
                | P::ViewStatistics
                | P::ViewDossiers
                | P::HandleFeedback
                | P::ManagePayments
        ),
        Role::ReformEvaluator => matches!(
            p,
            P::ViewCatalog | P::ManageReviews | P::ViewStatistics | P::ViewDossiers
        ),
        Role::Viewer => matches!(p, P::ViewCatalog | P::ViewStatistics | P::ViewDossiers),
        // The desk takes fees, so it gives them back (with its leader).
        Role::DeskOfficer => matches!(
            p,
            P::ViewCatalog | P::ViewDossiers | P::HandleFeedback | P::ManagePayments
        ),
        Role::Specialist => matches!(p, P::ViewCatalog | P::ViewDossiers | P::HandleFeedback),
    }
}

/// One grant with the units it covers today.
#[derive(Debug, Clone)]
pub struct ScopedGrant {
    /// The role.
    pub role: Role,
    /// The unit granted on.
    pub unit_id: i64,
    /// The unit and its subtree.
    pub covers: HashSet<i64>,
}

/// The person (or machine token) behind a request, with the units each role
/// covers resolved once per request.
#[derive(Debug, Clone)]
pub struct Actor {
    /// User id; 0 for the system.
    pub user_id: i64,
    /// User name, `cli:<name>` or `system`.
    pub username: String,
    /// Grants with their subtrees.
    pub grants: Vec<ScopedGrant>,
    /// Whether the system acts (CLI, demo seeding): every permission.
    system: bool,
}

impl Actor {
    /// The system itself, for the command line and background work.
    pub fn system(name: impl Into<String>) -> Self {
        Self {
            user_id: 0,
            username: name.into(),
            grants: Vec::new(),
            system: true,
        }
    }

    /// Loads a user's grants and the subtree each covers, in one read.
    pub async fn load(store: &dyn Store, user_id: i64, username: &str) -> ServiceResult<Self> {
        let grants = store
            .grant_scopes(user_id)
            .await?
            .into_iter()
            .map(|(g, covers)| ScopedGrant {
                role: g.role,
                unit_id: g.unit_id,
                covers: covers.into_iter().collect(),
            })
            .collect();
        Ok(Self {
            user_id,
            username: username.to_owned(),
            grants,
            system: false,
        })
    }

    /// Whether this is the system actor.
    pub fn is_system(&self) -> bool {
        self.system
    }

    /// Whether the actor may do `p` on `unit_id`.
    pub fn may(&self, p: Permission, unit_id: i64) -> bool {
        self.system
            || self
                .grants
                .iter()
                .any(|g| role_permits(g.role, p) && g.covers.contains(&unit_id))
    }

    /// Whether the actor may do `p` somewhere.
    pub fn may_somewhere(&self, p: Permission) -> bool {
        self.system || self.grants.iter().any(|g| role_permits(g.role, p))
    }

    /// Whether the actor holds `role` (on any unit).
    pub fn holds(&self, role: Role) -> bool {
        self.system || self.grants.iter().any(|g| g.role == role)
    }

    /// Units on which the actor may do `p`; `None` means everywhere (system).
    pub fn units_for(&self, p: Permission) -> Option<HashSet<i64>> {
        if self.system {
            return None;
        }
        Some(
            self.grants
                .iter()
                .filter(|g| role_permits(g.role, p))
                .flat_map(|g| g.covers.iter().copied())
                .collect(),
        )
    }

    /// The audit context for a change this actor makes now.
    pub fn context(&self, at: jiff::Timestamp) -> AuditContext {
        AuditContext {
            actor: self.username.clone(),
            at,
        }
    }
}

/// Allows `p` on `unit_id` or records the refusal and answers `Forbidden`.
pub async fn require(
    store: &dyn Store,
    actor: &Actor,
    at: jiff::Timestamp,
    p: Permission,
    unit_id: i64,
) -> ServiceResult<()> {
    if actor.may(p, unit_id) {
        return Ok(());
    }
    deny(store, actor, at, p, &format!("unit:{unit_id}")).await
}

/// Allows `p` if the actor has it anywhere, or records the refusal.
pub async fn require_somewhere(
    store: &dyn Store,
    actor: &Actor,
    at: jiff::Timestamp,
    p: Permission,
) -> ServiceResult<()> {
    if actor.may_somewhere(p) {
        return Ok(());
    }
    deny(store, actor, at, p, "any").await
}

/// Records a refusal and returns `Forbidden`.
pub async fn deny<T>(
    store: &dyn Store,
    actor: &Actor,
    at: jiff::Timestamp,
    p: Permission,
    subject: &str,
) -> ServiceResult<T> {
    store
        .append_audit(
            &actor.context(at),
            "access.denied",
            subject,
            &json!({ "permission": p.as_str() }),
        )
        .await?;
    Err(ServiceError::Forbidden(format!(
        "{} may not {} on {subject}",
        actor.username,
        p.as_str()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, covers: &[i64]) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            grants: vec![ScopedGrant {
                role,
                unit_id: covers[0],
                covers: covers.iter().copied().collect(),
            }],
            system: false,
        }
    }

    #[test]
    fn a_grant_covers_its_subtree_only() {
        let a = actor(Role::UnitAdmin, &[10, 11, 12]);
        assert!(a.may(Permission::ManageUsers, 11));
        assert!(!a.may(Permission::ManageUsers, 20));
        assert!(
            !a.may(Permission::ManageUnits, 10),
            "unit admins do not reshape the tree"
        );
    }

    #[test]
    fn desk_officers_read_the_catalog_but_do_not_edit_it() {
        let a = actor(Role::DeskOfficer, &[5]);
        assert!(a.may(Permission::ViewCatalog, 5));
        assert!(!a.may(Permission::EditCatalog, 5));
        assert!(!a.may_somewhere(Permission::ViewStatistics));
    }

    #[test]
    fn the_system_may_do_everything() {
        let s = Actor::system("cli:root");
        assert!(s.may(Permission::ManageUnits, 999));
        assert_eq!(s.units_for(Permission::ViewCatalog), None);
    }
}
