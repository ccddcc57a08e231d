//! The steps a dossier follows and the offices a hand-over may offer
//! (issue 18, point 3).
//!
//! A dossier follows its procedure's internal process at the receiving
//! unit when one was in force at reception. Otherwise the default process
//! of its procedure's field at the receiving unit's level applies, its
//! places resolved in the receiving unit's tree: the desk, the office that
//! handles the field (the head itself when none says it does) and the
//! People's Committee at the head. The default is read when the dossier
//! moves, so a template set today routes dossiers already at the desk.
//! Without either, the hand-over offers the offices of the tree that handle
//! the field (all the tree's offices when none does), with their people.

use jiff::civil::Date;
use motcua_domain::catalog::routing::{self, StepPlace};
use motcua_domain::role::Role;

use super::DossierService;
use super::clock::ClockRecord;
use crate::error::ServiceResult;
use crate::store::{Dossier, ProcessStep, RoleGrant, Unit, User};

/// The most user accounts read to find who may take a step. Grants are
/// read per user, so the list stops here rather than walk a whole
/// province's accounts; a person beyond it can still be named by user name.
const MAX_USERS_SCANNED: usize = 2000;

/// Active accounts with their grants, read once per page.
pub(super) struct Pool(Vec<(User, Vec<RoleGrant>)>);

impl Pool {
    /// Those with a leader's grant on `unit` itself, in user-name order.
    pub(super) fn leaders_at(&self, unit: i64) -> Vec<&User> {
        self.0
            .iter()
            .filter(|(_, grants)| {
                grants
                    .iter()
                    .any(|g| g.unit_id == unit && g.role == Role::Leader)
            })
            .map(|(u, _)| u)
            .collect()
    }

    /// Who may take a step of `role` at a unit whose chain (the unit and
    /// those above it) is `chain`: the role or a leader's on one of them
    /// (the rule the hand-over enforces), in user-name order.
    pub(super) fn who(&self, role: Role, chain: &[i64]) -> Vec<&User> {
        self.0
            .iter()
            .filter(|(_, grants)| {
                grants.iter().any(|g| {
                    chain.contains(&g.unit_id) && (g.role == role || g.role == Role::Leader)
                })
            })
            .map(|(u, _)| u)
            .collect()
    }
}

/// The offices of a tree that a dossier of `sector` may go to, and whether
/// any of them says it handles the field.
#[derive(Debug, Clone)]
pub(super) struct Offices {
    /// The People's Committee heading the tree.
    pub head: Unit,
    /// The offices handling the field, or every office when none does.
    pub offices: Vec<Unit>,
    /// Whether `offices` are those handling the field.
    pub handling: bool,
}

impl DossierService {
    /// Active accounts and their grants (at most [`MAX_USERS_SCANNED`]).
    pub(super) async fn pool(&self) -> ServiceResult<Pool> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        while out.len() < MAX_USERS_SCANNED {
            let page = self.store.list_users(after.as_deref(), 500).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.username.clone());
            let full = page.len() == 500;
            for u in page.into_iter().filter(|u| u.active) {
                let grants = self.store.roles_of(u.id).await?;
                out.push((u, grants));
            }
            if !full {
                break;
            }
        }
        Ok(Pool(out))
    }

    /// The offices under the head of `unit`'s tree for a field.
    pub(super) async fn offices_for(
        &self,
        unit: &Unit,
        sector: &str,
        on: Date,
    ) -> ServiceResult<Offices> {
        let head = self.directory.head_of(self.store(), unit.id).await?;
        let all: Vec<Unit> = self
            .directory
            .under_head(self.store(), head.id, on)
            .await?
            .into_iter()
            .filter(|u| crate::routing::is_office(u.kind))
            .collect();
        let want = sector.trim().to_lowercase();
        let mut handling = Vec::new();
        if !want.is_empty() {
            for u in &all {
                let sectors = crate::routing::unit_sectors(self.store(), u.id).await?;
                if sectors.iter().any(|s| s.to_lowercase() == want) {
                    handling.push(u.clone());
                }
            }
        }
        Ok(if handling.is_empty() {
            Offices {
                head,
                offices: all,
                handling: false,
            }
        } else {
            Offices {
                head,
                offices: handling,
                handling: true,
            }
        })
    }

    /// The steps the dossier follows (see the module's doc); empty when it
    /// has neither a process nor a default one.
    pub(super) async fn route_steps(
        &self,
        d: &Dossier,
        unit: &Unit,
        on: Date,
    ) -> ServiceResult<Vec<ProcessStep>> {
        if let Some(pid) = d.process_id {
            let chain = self.directory.chain(self.store(), unit.id).await?;
            return Ok(self
                .store
                .processes(&chain, on)
                .await?
                .into_iter()
                .find(|p| p.id == pid)
                .map(|p| p.steps)
                .unwrap_or_default());
        }
        let defaults = crate::routing::default_processes(self.store()).await?;
        if defaults.is_empty() {
            return Ok(Vec::new());
        }
        let version = self
            .store
            .procedure_version_by_id(d.procedure_version_id)
            .await?;
        let Some(template) = routing::find(&defaults, &version.draft.field, unit.level) else {
            return Ok(Vec::new());
        };
        let limit = d
            .state
            .clock
            .as_deref()
            .and_then(|c| ClockRecord::from_json(c).ok())
            .map_or(version.draft.time_limit, |r| r.limit);
        let offices = self.offices_for(unit, &version.draft.field, on).await?;
        let office_id = match (offices.handling, offices.offices.first()) {
            (true, Some(o)) => o.id,
            _ => offices.head.id,
        };
        Ok(template
            .steps
            .iter()
            .zip(template.allotments(limit))
            .map(|(s, allotted)| ProcessStep {
                name: s.name.clone(),
                unit_id: match s.place {
                    StepPlace::Desk => d.unit_id,
                    StepPlace::Office => office_id,
                    StepPlace::Head => offices.head.id,
                },
                role: s.role,
                allotted,
                external: false,
            })
            .collect())
    }
}

/// Taking a dossier that waits at a step for nobody in particular, or
/// sending it back to the step before (issue 18, point 4). Both are
/// hand-overs: taking one closes the open step and opens the same step
/// with the taker as holder, so the steps' record shows who took it when.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepMoves {
    /// The open step the actor may take: its number (with a process) and
    /// its unit's code (without one, what the hand-over names).
    pub claim: Option<(Option<u32>, String)>,
    /// The step before the open one, to send the dossier back to: number,
    /// name, unit name (never the desk's reception step).
    pub back: Option<(u32, String, String)>,
}

impl DossierService {
    /// What the actor may do besides handing the dossier on (see
    /// [`StepMoves`]), given the steps it follows; nothing unless the
    /// dossier is being processed.
    pub(super) async fn step_moves(
        &self,
        actor: &crate::access::Actor,
        d: &Dossier,
        steps: &[ProcessStep],
    ) -> ServiceResult<StepMoves> {
        if d.state.status != motcua_domain::dossier::Status::Processing {
            return Ok(StepMoves::default());
        }
        let current = d.state.step_no.unwrap_or(1);
        let idx = usize::try_from(current)
            .unwrap_or(usize::MAX)
            .wrapping_sub(1);
        let (role, step_unit) = match steps.get(idx) {
            Some(s) => (s.role, s.unit_id),
            None => (
                Role::Specialist,
                d.state.holder_unit_id.unwrap_or(d.unit_id),
            ),
        };
        let holds = actor
            .grants
            .iter()
            .any(|g| g.covers.contains(&step_unit) && (g.role == role || g.role == Role::Leader));
        let mut moves = StepMoves::default();
        if d.state.holder_user_id.is_none() && holds {
            let code = self.directory.unit(self.store(), step_unit).await?.code;
            moves.claim = Some(((!steps.is_empty()).then_some(current), code.to_string()));
        }
        if current >= 2
            && let Some(prev) = steps.get(idx.wrapping_sub(1))
            && prev.role != Role::DeskOfficer
        {
            let name = self.directory.unit(self.store(), prev.unit_id).await?.name;
            moves.back = Some((current - 1, prev.name.clone(), name));
        }
        Ok(moves)
    }
}
