//! Staff roles. A role is granted on a unit and covers that unit's subtree.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, shorten};

/// What a person may do, granted on a unit (domain.md §1, issue 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Công chức một cửa: receives, refuses, requests supplements, returns.
    DeskOfficer,
    /// Chuyên viên: handles process steps.
    Specialist,
    /// Lãnh đạo: approves steps and signs results.
    Leader,
    /// Quản trị đơn vị: manages the unit's users, processes and settings.
    UnitAdmin,
    /// Reform office evaluator (Sở/Phòng Nội vụ): plans, appraises, reports.
    ReformEvaluator,
    /// Leadership viewer: dashboards and rankings, read only.
    Viewer,
    /// System administrator: everything, including voiding dossiers.
    SystemAdmin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 7] = [
        Role::DeskOfficer,
        Role::Specialist,
        Role::Leader,
        Role::UnitAdmin,
        Role::ReformEvaluator,
        Role::Viewer,
        Role::SystemAdmin,
    ];

    /// The stable text stored in the database and used in the API and CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::DeskOfficer => "desk_officer",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::UnitAdmin => "unit_admin",
            Role::ReformEvaluator => "reform_evaluator",
            Role::Viewer => "viewer",
            Role::SystemAdmin => "system_admin",
        }
    }

    /// The Vietnamese label users see.
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::DeskOfficer => "Công chức một cửa",
            Role::Specialist => "Chuyên viên",
            Role::Leader => "Lãnh đạo đơn vị",
            Role::UnitAdmin => "Quản trị đơn vị",
            Role::ReformEvaluator => "Cán bộ thẩm định CCHC",
            Role::Viewer => "Lãnh đạo theo dõi",
            Role::SystemAdmin => "Quản trị hệ thống",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                let allowed: Vec<&str> = Self::ALL.iter().map(|r| r.as_str()).collect();
                DomainError::invalid(
                    "role",
                    format!(
                        "unknown role '{}'; allowed: {}",
                        shorten(s),
                        allowed.join(", ")
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_is_refused_with_the_list() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        let err = Role::parse("king").unwrap_err().to_string();
        assert!(
            err.contains("desk_officer") && err.contains("'king'"),
            "{err}"
        );
    }
}
