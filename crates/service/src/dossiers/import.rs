//! Historical import (`motcua import dossiers FILE`): dossiers received by
//! another system, with their timelines, loaded so that a unit moving to
//! motcua keeps its history and its statistics. The format is
//! docs/import/dossiers.md.
//!
//! Every row is read and checked first (cells, the order of its timeline,
//! its unit and procedure, its clock); any problem in any row means nothing
//! is written, and every problem is reported with its row and column. The
//! rows then go to storage in one transaction, keeping their original codes.
//!
//! Each dossier's clock is rebuilt from its timeline with the receiving
//! unit's calendar and the procedure's limit, exactly as a live dossier's
//! would be, so its due moments and its classification (early, on time,
//! late) are motcua's. An appointment recorded by the old system is kept in
//! the receive event and, when it differs from motcua's, reported as a
//! warning: storing it in the due columns would disagree with the clock the
//! row carries, which any later action on an open dossier folds again.

mod cells;
pub(crate) mod file;
mod rows;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::DateTime;
use motcua_domain::catalog::ProcedureCode;
use motcua_domain::deadline::WorkTime;
use motcua_domain::dossier::{ClockEvent, DossierClock, Outcome, Status};
use motcua_domain::role::Role;
use motcua_domain::unit::UnitCode;
use serde::Serialize;
use serde_json::{Value, json};

use self::file::{Col, Layout};
use self::rows::Parsed;
use super::clock::{ClockRecord, local, local_instant};
use super::{DossierService, blank_state};
use crate::access::{Actor, Permission, deny};
use crate::calendar::UnitCalendar;
use crate::catalog::import::Issues;
use crate::catalog::{FileFormat, ImportErrors, ImportIssue};
use crate::error::{ServiceError, ServiceResult};
use crate::procedures::ImportFailure;
use crate::store::{ComponentCopy, NewDossier, NewEvent, ProcedureVersion, ReceivedItem, Unit};

/// The actor recorded on imported events and as the receiver.
pub const IMPORT_ACTOR: &str = "import";

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierImportReport {
    /// Dossiers written.
    pub imported: usize,
    /// How many are in each status now.
    pub by_status: BTreeMap<Status, usize>,
    /// Things to check that did not stop the import (an appointment the old
    /// system computed differently).
    pub warnings: Vec<ImportIssue>,
}

/// What the database knows that rows refer to, loaded once per value.
#[derive(Default)]
struct Lookups {
    units: HashMap<UnitCode, Option<Unit>>,
    calendars: HashMap<i64, Arc<UnitCalendar>>,
    procedures: HashMap<ProcedureCode, Vec<ProcedureVersion>>,
    policies: HashMap<i64, motcua_domain::dossier::ClockPolicy>,
}

/// Rows checked between two turns given to the worker's other tasks.
const YIELD_EVERY: usize = 256;

impl DossierService {
    /// Reads a dossier history file and imports it all-or-nothing under the
    /// name `source` (recorded on every event). Only a system actor (the
    /// command line) or a system administrator may import.
    pub async fn import_file(
        &self,
        actor: &Actor,
        bytes: &[u8],
        format: FileFormat,
        source: &str,
    ) -> Result<DossierImportReport, ImportFailure> {
        let now = self.now();
        if !actor.is_system() && !actor.holds(Role::SystemAdmin) {
            deny::<()>(
                self.store(),
                actor,
                now,
                Permission::ViewDossiers,
                "import:dossiers",
            )
            .await?;
        }
        let mut issues = Issues::default();
        // Rows refused while reading are already reported; the others are
        // still checked against the database, so one run lists every problem.
        let parsed = read_file(bytes, format, local(now), &mut issues);
        let Some((layout, parsed)) = parsed else {
            return Err(ImportFailure::Rejected(ImportErrors(issues.into_list())));
        };
        let mut warnings = Issues::default();
        let mut lookups = Lookups::default();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut built: Vec<(usize, NewDossier)> = Vec::with_capacity(parsed.len());
        for (i, p) in parsed.iter().enumerate() {
            // Checking a large file takes seconds of CPU: other tasks on
            // this worker (requests, another import's transaction waiting
            // for its next statement) get their turn every so often.
            if i % YIELD_EVERY == YIELD_EVERY - 1 {
                tokio::task::yield_now().await;
            }
            if let Some(first) = seen.insert(p.code.as_str().to_owned(), p.row) {
                issues.push(layout.issue(
                    p.row,
                    Col::Code,
                    format!("the code {} is already on row {first}", p.code),
                ));
                continue;
            }
            let ctx = RowContext {
                layout: &layout,
                source,
            };
            match self.build(&ctx, p, &mut lookups, &mut warnings).await? {
                Ok(d) => built.push((p.row, d)),
                Err(issue) => issues.push(issue),
            }
        }
        if !issues.is_empty() {
            return Err(ImportFailure::Rejected(ImportErrors(issues.into_list())));
        }
        let mut by_status: BTreeMap<Status, usize> = BTreeMap::new();
        for (_, d) in &built {
            *by_status.entry(d.state.status).or_default() += 1;
        }
        let (rows, dossiers): (Vec<usize>, Vec<NewDossier>) = built.into_iter().unzip();
        let imported = self
            .store
            .import_dossiers(&actor.context(now), source, &dossiers)
            .await
            .map_err(|e| match e {
                ServiceError::Invalid { field, reason } => ImportFailure::Rejected(ImportErrors(
                    vec![store_issue(&layout, &rows, &field, reason)],
                )),
                other => ImportFailure::Service(other),
            })?;
        Ok(DossierImportReport {
            imported,
            by_status,
            warnings: warnings.into_list(),
        })
    }

    /// Builds one dossier: its unit, procedure version, clock, state and
    /// events. `Ok(Err(issue))` for a problem with the row.
    async fn build(
        &self,
        ctx: &RowContext<'_>,
        p: &Parsed,
        lookups: &mut Lookups,
        warnings: &mut Issues,
    ) -> ServiceResult<Result<NewDossier, ImportIssue>> {
        let at = |c: Col, reason: String| ctx.layout.issue(p.row, c, reason);
        let Some(unit) = self.unit_of(p, lookups).await? else {
            return Ok(Err(at(
                Col::Code,
                format!(
                    "no unit {}: the code's first part must be the receiving unit's code",
                    p.code.unit()
                ),
            )));
        };
        let day = p.received.date();
        if !lookups.procedures.contains_key(&p.procedure) {
            let v = match self.store.procedure_versions(&p.procedure).await {
                Ok(v) => v,
                Err(ServiceError::NotFound { .. }) => Vec::new(),
                Err(e) => return Err(e),
            };
            lookups.procedures.insert(p.procedure.clone(), v);
        }
        let versions = lookups
            .procedures
            .get(&p.procedure)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(version) = versions
            .iter()
            .find(|v| v.draft.effective_from <= day && v.effective_to.is_none_or(|to| day <= to))
            .cloned()
        else {
            let reason = match versions.first() {
                None => format!("no procedure {} in the catalog", p.procedure),
                Some(first) => format!(
                    "{} was not in force on {day} (its first version is from {})",
                    p.procedure, first.draft.effective_from
                ),
            };
            return Ok(Err(at(Col::Procedure, reason)));
        };
        let cal = match lookups.calendars.get(&unit.id) {
            Some(c) => c.clone(),
            None => {
                let c = self.calendars.get(self.store(), &unit).await?;
                lookups.calendars.insert(unit.id, c.clone());
                c
            }
        };
        let policy = match lookups.policies.get(&version.procedure_id) {
            Some(p) => *p,
            None => {
                let pol = self.policy(version.procedure_id).await?;
                lookups.policies.insert(version.procedure_id, pol);
                pol
            }
        };
        let work = WorkTime::new(&cal.calendar, &cal.hours);
        let limit = match p.channel {
            motcua_domain::dossier::Channel::Online => version
                .draft
                .online_time_limit
                .unwrap_or(version.draft.time_limit),
            _ => version.draft.time_limit,
        };
        let mut record = ClockRecord {
            limit,
            cutoff: None,
            policy,
            receipt: p.received,
            events: Vec::new(),
            threshold_minutes: None,
            minutes: None,
        };
        let clock = match record.fold(&work) {
            Ok(c) => c,
            Err(e) => return Ok(Err(at(Col::Received, reason_of(e)))),
        };
        let mut timeline = Timeline::new(p, ctx.source, clock.current_due());
        let clock = match timeline.run(&work, &mut record, clock) {
            Ok(c) => c,
            Err((c, reason)) => return Ok(Err(at(c, reason))),
        };
        let cols = match record.columns(&work, &clock) {
            Ok(c) => c,
            Err(e) => return Ok(Err(at(Col::Received, reason_of(e)))),
        };
        let status = match timeline.status(p.status) {
            Ok(s) => s,
            Err(reason) => return Ok(Err(at(Col::Status, reason))),
        };
        // Old systems record either the first appointment or the one after
        // extensions; either agreeing with motcua's is no surprise.
        if let (Some(recorded), Some(due)) = (p.recorded_due, clock.current_due())
            && recorded != due
            && Some(recorded) != clock.original_due()
        {
            warnings.push(at(
                Col::RecordedDue,
                format!(
                    "the old system recorded {recorded}; motcua computes {due} from the unit's \
                     calendar and the limit ({limit}) and keeps its own (the recorded one is in \
                     the receive event)"
                ),
            ));
        }
        let mut state = blank_state(p.return_method);
        state.status = status;
        state.received_at = Some(instant(p.received)?);
        state.original_due = cols.original_due;
        state.current_due = cols.current_due;
        state.near_due = cols.near_due;
        state.clock_running = cols.running;
        state.classification = cols.classification;
        state.holder_unit_id = Some(unit.id);
        state.supplement_count = u32::try_from(p.supplements.len()).unwrap_or(u32::MAX);
        state.extension_count = u32::try_from(p.extensions.len()).unwrap_or(u32::MAX);
        if let Some((end, outcome)) = clock.end() {
            state.ended_at = Some(instant(end)?);
            state.outcome = Some(outcome);
            state.result_digitised = outcome == Outcome::Result && p.result_digitised;
        }
        if let Some(ret) = p.returned {
            state.returned_at = Some(instant(ret)?);
            state.return_detail = Some(
                json!({ "method": p.return_method.as_str(), "source": ctx.source }).to_string(),
            );
        }
        record.minutes = match clock.net_minutes(&work) {
            Ok(m) => m,
            Err(e) => return Ok(Err(at(Col::Received, reason_of(e.into())))),
        };
        state.clock = Some(record.to_json()?);
        let mut receive_detail = json!({
            "source": ctx.source,
            "row": p.row,
            "channel": p.channel.as_str(),
            "procedure": p.procedure.as_str(),
            "procedure_version": version.version_no,
            "time_limit": limit.to_string(),
            "due": timeline.receipt_due.map(|d| d.to_string()),
        });
        if let Some(recorded) = p.recorded_due {
            receive_detail["recorded_due"] = json!(recorded.to_string());
        }
        let (components, digitised) = p.components;
        let mut new = NewDossier {
            code: Some(p.code.clone()),
            unit_id: unit.id,
            unit_code: unit.code.clone(),
            code_date: p.code.receipt_date(),
            procedure_id: version.procedure_id,
            procedure_version_id: version.version_id,
            process_id: None,
            channel: p.channel,
            applicant: p.applicant.clone(),
            sets: p.sets,
            fee_dong: p.fee.unwrap_or(version.draft.fee.get()),
            components: (1..=components)
                .map(|i| ReceivedItem {
                    name: format!("Thành phần {i} (nhập từ hệ thống cũ)"),
                    form: ComponentCopy::Original,
                    copies: 1,
                    digitised: i <= digitised,
                    reused: false,
                    file_id: None,
                })
                .collect(),
            scans: Vec::new(),
            state,
            lookup_token: crate::auth::new_secret()?
                .get(..24)
                .unwrap_or_default()
                .to_owned(),
            owner_account_id: None,
            owner_identity_verified: false,
            imported: true,
            received_by: IMPORT_ACTOR.to_owned(),
            event: NewEvent {
                at: instant(p.received)?,
                actor: IMPORT_ACTOR.to_owned(),
                action: "receive".to_owned(),
                from: None,
                to: Status::Received,
                note: p.note.clone(),
                detail: receive_detail,
            },
            steps: Vec::new(),
            more_events: timeline.events,
            outbox: Vec::new(),
            stats: Vec::new(),
        };
        // The history counts in the periods it happened in.
        let mut events = vec![new.event.clone()];
        events.extend(new.more_events.iter().cloned());
        new.stats =
            crate::stats::track::history_changes(&new.state, &events, &new.components, &work)?;
        Ok(Ok(new))
    }

    async fn unit_of(&self, p: &Parsed, lookups: &mut Lookups) -> ServiceResult<Option<Unit>> {
        let code = p.code.unit();
        if let Some(u) = lookups.units.get(code) {
            return Ok(u.clone());
        }
        let unit = match self.store.unit_by_code(code).await {
            Ok(u) => Some(u),
            Err(ServiceError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        lookups.units.insert(code.clone(), unit.clone());
        Ok(unit)
    }
}

/// What every row of one import shares.
struct RowContext<'a> {
    layout: &'a Layout,
    source: &'a str,
}

/// Reads the file into parsed rows; every problem goes to `issues`.
fn read_file(
    bytes: &[u8],
    format: FileFormat,
    now: DateTime,
    issues: &mut Issues,
) -> Option<(Layout, Vec<Parsed>)> {
    let all = file::read(bytes, format == FileFormat::Xlsx, issues);
    if !issues.is_empty() {
        return None;
    }
    let Some((header, data)) = all.split_first() else {
        issues.file("the file is empty; the first row must be the template's header");
        return None;
    };
    let layout = Layout::read(header, issues);
    if !issues.is_empty() {
        return None;
    }
    if data.is_empty() {
        issues.row(
            header.number,
            "no dossiers: the file has a header and no rows under it",
        );
    }
    let parsed = data
        .iter()
        .filter_map(|row| rows::parse_row(&layout, row, now, issues))
        .collect();
    Some((layout, parsed))
}

/// A row's events after receipt, folded into its clock in order, with the
/// status each leaves the dossier in.
struct Timeline<'a> {
    p: &'a Parsed,
    source: &'a str,
    /// The appointment at receipt.
    receipt_due: Option<DateTime>,
    /// Events after the receive one.
    events: Vec<NewEvent>,
    /// Status after the last event.
    current: Status,
}

/// One moment of the timeline, with the column it came from.
struct Step {
    at: DateTime,
    col: Col,
    clock: Option<ClockEvent>,
    action: &'static str,
    detail: Value,
}

impl<'a> Timeline<'a> {
    fn new(p: &'a Parsed, source: &'a str, receipt_due: Option<DateTime>) -> Self {
        Self {
            p,
            source,
            receipt_due,
            events: Vec::new(),
            current: Status::Received,
        }
    }

    /// The moments in order: waits and letters as they come, then the end,
    /// then the return.
    fn steps(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        for (i, (start, end)) in self.p.supplements.iter().enumerate() {
            steps.push(Step {
                at: *start,
                col: Col::Supplements,
                clock: Some(ClockEvent::SupplementRequested { at: *start }),
                action: "request_supplement",
                detail: json!({ "nth": i + 1 }),
            });
            if let Some(end) = end {
                steps.push(Step {
                    at: *end,
                    col: Col::Supplements,
                    clock: Some(ClockEvent::SupplementSupplied { at: *end }),
                    action: "supply_supplement",
                    detail: json!({}),
                });
            }
        }
        for (issued, new_due) in &self.p.extensions {
            steps.push(Step {
                at: *issued,
                col: Col::Extensions,
                clock: Some(ClockEvent::Extended {
                    at: *issued,
                    new_due: *new_due,
                }),
                action: "extend",
                detail: json!({ "new_due": new_due.to_string() }),
            });
        }
        // Stable: at one moment, a supply comes before the letter that
        // follows it, as written.
        steps.sort_by_key(|s| s.at);
        if let Some((end, outcome)) = self.p.finished {
            let action = match outcome {
                Outcome::Result => "sign_result",
                Outcome::Refused => "refuse",
                Outcome::Stopped => "stop",
                Outcome::Withdrawn => "withdraw",
            };
            steps.push(Step {
                at: end,
                col: Col::Finished,
                clock: Some(ClockEvent::Ended { at: end, outcome }),
                action,
                detail: json!({ "result_digitised": outcome == Outcome::Result && self.p.result_digitised }),
            });
        }
        if let Some(ret) = self.p.returned {
            steps.push(Step {
                at: ret,
                col: Col::Returned,
                clock: None,
                action: "record_return",
                detail: json!({ "method": self.p.return_method.as_str() }),
            });
        }
        steps
    }

    /// Applies every step to the clock and records the events; a refusal
    /// names the column of the step the clock refused.
    fn run(
        &mut self,
        work: &WorkTime<'_>,
        record: &mut ClockRecord,
        mut clock: DossierClock,
    ) -> Result<DossierClock, (Col, String)> {
        for step in self.steps() {
            if let Some(event) = step.clock {
                clock
                    .apply(work, &event)
                    .map_err(|e| (step.col, reason_of(e.into())))?;
                record.events.push(event);
            }
            let to = match step.action {
                "request_supplement" => Status::AwaitingSupplement,
                "supply_supplement" => Status::Processing,
                "extend" => self.current,
                "record_return" => Status::Returned,
                _ => step
                    .clock
                    .and_then(|e| match e {
                        ClockEvent::Ended { outcome, .. } => Some(outcome.status()),
                        _ => None,
                    })
                    .unwrap_or(self.current),
            };
            let mut detail = step.detail;
            detail["source"] = json!(self.source);
            detail["row"] = json!(self.p.row);
            let at = instant(step.at).map_err(|e| (step.col, reason_of(e)))?;
            self.events.push(NewEvent {
                at,
                actor: IMPORT_ACTOR.to_owned(),
                action: step.action.to_owned(),
                from: Some(self.current),
                to,
                note: String::new(),
                detail,
            });
            self.current = to;
        }
        Ok(clock)
    }

    /// The status the timeline leaves, or the one the file states when it
    /// agrees (an open dossier may be stated `received` or `processing`:
    /// hand-overs are not imported).
    fn status(&self, stated: Option<Status>) -> Result<Status, String> {
        let derived = self.current;
        let Some(stated) = stated else {
            return Ok(derived);
        };
        let open = [Status::Received, Status::Processing];
        if stated == derived || (open.contains(&stated) && open.contains(&derived)) {
            return Ok(stated);
        }
        if !stated.is_received() || stated == Status::AwaitingFinancialObligation {
            return Err(format!(
                "{} dossiers are not imported; only received ones with the timeline the \
                 template describes",
                stated.label_vi()
            ));
        }
        Err(format!(
            "the row states {} but its timeline gives {}; correct one or leave the status empty",
            stated.label_vi(),
            derived.label_vi()
        ))
    }
}

fn instant(dt: DateTime) -> ServiceResult<Timestamp> {
    local_instant(dt)
}

fn reason_of(e: ServiceError) -> String {
    match e {
        ServiceError::Invalid { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// Turns storage's `dossiers[3].code` into an issue at the file row of
/// dossier 3.
fn store_issue(layout: &Layout, rows: &[usize], field: &str, reason: String) -> ImportIssue {
    let parsed = field
        .strip_prefix("dossiers[")
        .and_then(|r| r.split_once(']'))
        .and_then(|(i, rest)| Some((i.parse::<usize>().ok()?, rest.trim_start_matches('.'))));
    match parsed {
        Some((i, "code")) => layout.issue(rows.get(i).copied().unwrap_or(0), Col::Code, reason),
        Some((i, name)) => ImportIssue::new(
            rows.get(i).copied().unwrap_or(0),
            None,
            Some(name.to_owned()),
            reason,
        ),
        None => ImportIssue::new(0, None, Some(field.to_owned()), reason),
    }
}
