//! What the desk and the dossier page show before anyone acts, computed
//! with the same rules as the action and without writing anything: the
//! desks an officer receives at, the appointment a dossier of a procedure
//! received now would get, and the people a hand-over may go to.

use jiff::Timestamp;
use motcua_domain::deadline::{TimeLimit, WorkTime};
use motcua_domain::dossier::{Channel, ReturnMethod, Status};
use motcua_domain::role::Role;

use super::clock::{ClockRecord, local};
use super::{DossierService, blank_state, roles_on, start_clock};
use crate::access::{Actor, Permission, deny};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{ProcedureFilter, ProcedureVersion, Unit};
use motcua_domain::search::SearchHit;

/// What a reception of a procedure at a desk would be, now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptionPreview {
    /// The receiving unit (the desk).
    pub unit: Unit,
    /// The procedure version in force today, with components and fee.
    pub procedure: ProcedureVersion,
    /// The time limit that applies for the channel.
    pub time_limit: TimeLimit,
    /// The moment the preview was computed (the receipt if received now).
    pub at: Timestamp,
    /// The appointment (none for a procedure without a limit, and for an
    /// online submission, whose clock starts when the desk accepts it).
    pub due: Option<Timestamp>,
    /// When the desk receives outside office time (a day off, before or
    /// after the sessions): the first working day, from which the limit
    /// is counted, so the page can say so before the applicant leaves.
    pub counted_from: Option<jiff::civil::Date>,
    /// Whether today is a day off at the unit (not merely after hours).
    pub day_off: bool,
}

/// A person a step may go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// User name, what a hand-over names.
    pub username: String,
    /// Full name as shown.
    pub full_name: String,
}

/// Where a hand-over would go from the dossier's state now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandOverTarget {
    /// The process step number (1 for a dossier without a process).
    pub step_no: u32,
    /// The step's name.
    pub step_name: String,
    /// The step's unit.
    pub unit_name: String,
    /// The role that takes it.
    pub role: Role,
    /// Active users holding the role (or leading) on the unit or above it.
    pub candidates: Vec<Candidate>,
    /// The procedure's field, when the offer is by office.
    pub field: String,
    /// For a dossier without a process: the offices it may go to (those
    /// handling its field first, or every office of the tree), then the
    /// People's Committee at the head, each with its people. Empty when
    /// the dossier follows a process.
    pub offices: Vec<OfficeOffer>,
}

/// An office a dossier without a process may be handed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeOffer {
    /// The office's code, what a hand-over names (`to_unit`).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Whether it says it handles the procedure's field.
    pub handles_field: bool,
    /// Its specialists and the leaders above it.
    pub candidates: Vec<Candidate>,
}

impl DossierService {
    /// The units at which the actor receives dossiers (a desk-officer
    /// grant's unit), in code order. Anyone without one is refused, and the
    /// refusal is recorded.
    pub async fn reception_desks(&self, actor: &Actor) -> ServiceResult<Vec<Unit>> {
        let mut ids: Vec<i64> = actor
            .grants
            .iter()
            .filter(|g| g.role == Role::DeskOfficer)
            .map(|g| g.unit_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return deny(
                self.store(),
                actor,
                self.now(),
                Permission::ViewDossiers,
                "desk",
            )
            .await;
        }
        let mut units = Vec::with_capacity(ids.len());
        for id in ids {
            units.push(self.store.unit_by_id(id).await?);
        }
        units.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
        Ok(units)
    }

    /// The procedures a desk at `unit` receives, found by Vietnamese search
    /// (diacritics, case and small typos forgiven): those in force today and
    /// assigned to the unit, a unit above it or one below it, the same rule
    /// [`receive`](Self::receive) applies.
    pub async fn desk_search(
        &self,
        actor: &Actor,
        unit: &str,
        query: &str,
        limit: u32,
    ) -> ServiceResult<Vec<SearchHit>> {
        let unit = self.desk_unit(actor, unit).await?;
        let mut ids = self.unit_chain(&unit).await?;
        for id in self.store.subtree_ids(unit.id).await? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let filter = ProcedureFilter {
            on: Some(local(self.now()).date()),
            unit_ids: ids,
            ..ProcedureFilter::default()
        };
        crate::procedures::search(self.store(), query, &filter, limit).await
    }

    /// The unit named by `code`, if the actor receives dossiers there.
    pub(super) async fn desk_unit(&self, actor: &Actor, code: &str) -> ServiceResult<Unit> {
        let unit = self.unit_field(code, "unit").await?;
        if !actor.is_system() && !roles_on(actor, &[unit.id]).contains(&Role::DeskOfficer) {
            return deny(
                self.store(),
                actor,
                self.now(),
                Permission::ViewDossiers,
                &format!("unit:{}", unit.code),
            )
            .await;
        }
        Ok(unit)
    }

    /// The appointment a dossier of `procedure` received at `unit` by
    /// `channel` would get now, with the procedure's components and fee:
    /// the same checks and clock as [`receive`](Self::receive), nothing
    /// written.
    pub async fn preview_reception(
        &self,
        actor: &Actor,
        unit: &str,
        procedure: &str,
        channel: Channel,
    ) -> ServiceResult<ReceptionPreview> {
        let now = self.now();
        let unit = self.desk_unit(actor, unit).await?;
        let code = crate::procedures::parse_code("procedure", procedure)?;
        let today = local(now).date();
        let version = self
            .store
            .procedure(&code, Some(today))
            .await
            .map_err(|e| match e {
                ServiceError::NotFound { .. } => ServiceError::invalid(
                    "procedure",
                    format!("no procedure {code} is in force on {today}"),
                ),
                other => other,
            })?;
        let chain = self.unit_chain(&unit).await?;
        let assigned = self.store.procedure_units(&code).await?;
        if !assigned.is_empty() && !self.unit_handles(&unit, &chain, &assigned).await? {
            return Err(ServiceError::invalid(
                "procedure",
                format!("{code} is not assigned to {} or a unit above it", unit.code),
            ));
        }
        let online = channel == Channel::Online;
        let time_limit = if online {
            version
                .draft
                .online_time_limit
                .unwrap_or(version.draft.time_limit)
        } else {
            version.draft.time_limit
        };
        let cal = self.calendars.get(self.store(), &unit).await?;
        let today = local(now).date();
        let day_off = !cal.calendar.is_working(today)?;
        // Where the clock would start (domain.md §6): on a day off or after
        // the last session, a later day, which the desk tells the applicant.
        let start = WorkTime::new(&cal.calendar, &cal.hours).normalize(local(now), None)?;
        let counted_from = (start.date() != today).then_some(start.date());
        let due = if online {
            None
        } else {
            let work = WorkTime::new(&cal.calendar, &cal.hours);
            let record = ClockRecord {
                limit: time_limit,
                cutoff: None,
                policy: self.policy(version.procedure_id).await?,
                receipt: local(now),
                events: Vec::new(),
                threshold_minutes: None,
                minutes: None,
            };
            let mut state = blank_state(ReturnMethod::InPerson);
            start_clock(&mut state, &record, &work, now)?;
            state.current_due
        };
        Ok(ReceptionPreview {
            unit,
            procedure: version,
            time_limit,
            at: now,
            due,
            counted_from,
            day_off,
        })
    }

    /// Where a hand-over of the dossier would go now (the step after the
    /// current one, as [`act`](Self::act) picks it) and who may take it,
    /// `None` when the process has no further step; with what else the
    /// actor may do at the open step (take it, send it back), read from the
    /// same steps. A dossier that follows no process (nor a default one) is
    /// offered the offices of its tree that handle its procedure's field,
    /// each with its people.
    pub async fn hand_over_options(
        &self,
        actor: &Actor,
        code: &str,
    ) -> ServiceResult<(Option<HandOverTarget>, super::StepMoves)> {
        let d = self.visible(actor, code).await?;
        let unit = self.store.unit_by_id(d.unit_id).await?;
        let today = local(self.now()).date();
        let steps = self.route_steps(&d, &unit, today).await?;
        let moves = self.step_moves(actor, &d, &steps).await?;
        Ok((self.hand_over_target(&d, unit, steps).await?, moves))
    }

    async fn hand_over_target(
        &self,
        d: &crate::store::Dossier,
        unit: Unit,
        steps: Vec<crate::store::ProcessStep>,
    ) -> ServiceResult<Option<HandOverTarget>> {
        let today = local(self.now()).date();
        let pool = self.pool().await?;
        let people = |role: Role, chain: &[i64]| -> Vec<Candidate> {
            pool.who(role, chain)
                .into_iter()
                .map(|u| Candidate {
                    username: u.username.clone(),
                    full_name: u.full_name.clone(),
                })
                .collect()
        };
        if steps.is_empty() {
            let version = self
                .store
                .procedure_version_by_id(d.procedure_version_id)
                .await?;
            let found = self.offices_for(&unit, &version.draft.field, today).await?;
            let mut offices = Vec::new();
            for o in found.offices.iter().chain(std::iter::once(&found.head)) {
                let chain = self.unit_chain(o).await?;
                offices.push(OfficeOffer {
                    code: o.code.to_string(),
                    name: o.name.clone(),
                    handles_field: found.handling && o.id != found.head.id,
                    candidates: people(Role::Specialist, &chain),
                });
            }
            let step_no = d.state.step_no.map_or(1, |n| n.saturating_add(1));
            let desk_chain = self.unit_chain(&unit).await?;
            return Ok(Some(HandOverTarget {
                step_no,
                step_name: "Thụ lý, giải quyết".to_owned(),
                unit_name: unit.name,
                role: Role::Specialist,
                candidates: people(Role::Specialist, &desk_chain),
                field: version.draft.field.clone(),
                offices,
            }));
        }
        let desk_first = d.state.status == Status::Received
            && steps.first().is_some_and(|s| s.role == Role::DeskOfficer);
        let n = if desk_first {
            2
        } else {
            d.state.step_no.map_or(1, |n| n.saturating_add(1))
        };
        let i = usize::try_from(n).unwrap_or(usize::MAX).wrapping_sub(1);
        let Some(step) = steps.get(i).cloned() else {
            return Ok(None);
        };
        let step_unit = self.store.unit_by_id(step.unit_id).await?;
        let chain = self.unit_chain(&step_unit).await?;
        Ok(Some(HandOverTarget {
            step_no: n,
            step_name: step.name,
            unit_name: step_unit.name,
            role: step.role,
            candidates: people(step.role, &chain),
            field: String::new(),
            offices: Vec::new(),
        }))
    }
}
