//! Dossier use cases (domain.md §5): reception by channel, the transitions
//! of the state machine with their clocks and steps, hand-overs, results
//! and returns, lists and the public status lookup.
//!
//! Every change follows one pattern: read the dossier, check access, ask
//! the domain (state machine, deadline clock), then hand storage one
//! [`DossierChange`](crate::store::DossierChange) that is written in one
//! transaction only if the dossier is still at the version read.

mod act;
mod apology;
pub use apology::DEFAULT_SIGNER_TITLE;
mod calendars;
pub mod clock;
pub mod commands;
pub mod corrections;
mod directory;
pub mod import;
pub mod notices;
mod open_state;
pub mod outcomes;
pub mod particulars;
pub mod preview;
mod route;
pub use route::StepMoves;
pub(crate) mod view;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub(crate) use crate::fields::{code_field, name_field, text_field};
use jiff::Timestamp;
use motcua_domain::bounds;
use motcua_domain::deadline::WorkTime;
use motcua_domain::dossier::{Channel, ClockPolicy, DossierClock, ReturnMethod, Status};
use motcua_domain::role::Role;
use motcua_domain::time::from_local;
use motcua_domain::unit::{UnitCode, UnitKind};
use serde_json::json;

pub use act::{Acted, Brief};
pub use calendars::CalendarCache;
pub use commands::{Act, ActionInput, ListQuery, MissingItem, Receive};
pub use directory::Directory;
pub use notices::NoticeSettings;
pub use view::{DossierView, Page, StepView, limit_text, moment_text};

use crate::access::{Actor, Permission, deny, role_permits};
use crate::clock::Clock;
use crate::error::{ServiceError, ServiceResult};
use crate::files::FileStore;
use crate::stats::report::RowPart;
use crate::store::{
    CODE_PLACEHOLDER, Dossier, DossierFilter, DossierState, DossierSummary, FileRecord, NewDossier,
    NewEvent, PublicStatus, Store, Total, Unit,
};
use clock::{ClockRecord, local};

/// Dossier use cases with what they keep between calls: the store, the
/// clock, units' calendars, and notification settings.
pub struct DossierService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    calendars: CalendarCache,
    directory: Directory,
    notices: NoticeSettings,
    public_base_url: Option<String>,
    files: Option<Arc<dyn FileStore>>,
}

impl std::fmt::Debug for DossierService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DossierService")
            .field("notices", &self.notices)
            .field("public_base_url", &self.public_base_url)
            .finish_non_exhaustive()
    }
}

/// The largest file accepted (a scanned dossier of many pages).
pub const MAX_FILE: usize = 20 << 20;

/// The file types accepted: what scanners and signing tools produce.
const ALLOWED_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/xml",
];

/// The most dossiers a list's total counts: beyond it a list says "more
/// than 10,000" (a count reads every row it counts; this keeps a page of a
/// province's 1,000,000 dossiers fast).
pub const LIST_COUNT_CAP: u64 = 10_000;

impl DossierService {
    /// Use cases over `store`; `public_base_url` (e.g.
    /// `https://dichvucong.example.gov.vn`) makes the status links printed
    /// in QR codes and messages absolute.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        notices: NoticeSettings,
        public_base_url: Option<String>,
    ) -> Self {
        Self {
            store,
            clock,
            calendars: CalendarCache::default(),
            directory: Directory::default(),
            notices,
            public_base_url,
            files: None,
        }
    }

    /// Keeps attached files in `files`; without one, attaching is refused
    /// as unavailable.
    pub fn with_files(mut self, files: Arc<dyn FileStore>) -> Self {
        self.files = Some(files);
        self
    }

    pub(crate) fn files(&self) -> ServiceResult<&dyn FileStore> {
        self.files
            .as_deref()
            .ok_or_else(|| ServiceError::Unavailable("no file store is configured".into()))
    }

    /// Attaches a file to a dossier: a digitised component or the result.
    /// Staff who may act on the dossier (desk, specialist, leader) may attach.
    /// The content is in memory; see [`attach_stream`](Self::attach_stream).
    pub async fn attach_file(
        &self,
        actor: &Actor,
        code: &str,
        kind: &str,
        name: &str,
        content_type: &str,
        content: &[u8],
    ) -> ServiceResult<FileRecord> {
        let mut source = crate::files::InMemory::new(content);
        self.attach_stream(actor, code, kind, name, Some(content_type), &mut source)
            .await
    }

    /// Attaches a file read piece by piece from `source` (an upload being
    /// received), so memory does not grow with its size. `declared` is the
    /// type the sender named: the content must be of that type (an HTML page
    /// sent as a PDF is refused); `None` takes the type the content shows.
    /// Past [`MAX_FILE`] bytes the upload stops with `TooLarge` and nothing
    /// is stored.
    pub async fn attach_stream(
        &self,
        actor: &Actor,
        code: &str,
        kind: &str,
        name: &str,
        declared: Option<&str>,
        source: &mut dyn crate::files::ByteSource,
    ) -> ServiceResult<FileRecord> {
        let d = self.visible(actor, code).await?;
        let roles = roles_on(actor, &dossier_units(&d));
        if !may_attach(actor, &roles, d.state.status) {
            return deny(
                self.store(),
                actor,
                self.now(),
                Permission::ViewDossiers,
                &crate::store::dossier_subject(d.code.as_str()),
            )
            .await;
        }
        if !matches!(kind, "component" | "result") {
            return Err(ServiceError::invalid("kind", "component or result"));
        }
        let (name, content_type, stored) = self.keep_file(name, declared, source).await?;
        let size = i64::try_from(stored.size).unwrap_or(i64::MAX);
        self.store
            .insert_file(
                &actor.context(self.now()),
                d.id,
                kind,
                &name,
                &content_type,
                size,
                &stored.sha256,
            )
            .await
    }

    /// Checks a file's name and content and keeps it in the file store:
    /// the name trimmed, the type told from the content (and equal to
    /// `declared` when given), and what the store answered.
    async fn keep_file(
        &self,
        name: &str,
        declared: Option<&str>,
        source: &mut dyn crate::files::ByteSource,
    ) -> ServiceResult<(String, String, crate::files::Stored)> {
        let name = name.trim();
        text_field("name", name, true)?;
        if let Some(why) = crate::files::file_name_problem(name, 200) {
            return Err(ServiceError::invalid("name", why));
        }
        if let Some(t) = declared
            && !ALLOWED_TYPES.contains(&t)
        {
            return Err(ServiceError::invalid(
                "content-type",
                format!("one of {}", ALLOWED_TYPES.join(", ")),
            ));
        }
        let mut bounded = crate::files::Bounded::new(source, MAX_FILE as u64, "body");
        // Enough to see a PDF, image or XML signature past a BOM and blanks.
        let head = bounded.peek(1024).await?;
        if head.is_empty() {
            return Err(ServiceError::invalid(
                "body",
                format!("1 byte to {} MiB", MAX_FILE >> 20),
            ));
        }
        let found = crate::files::sniff(name, &head);
        let content_type = match (declared, found) {
            (Some(t), Some(f)) if t == f => t,
            (Some(t), _) => {
                return Err(ServiceError::invalid(
                    "body",
                    format!("the content is not {t}"),
                ));
            }
            (None, Some(f)) => f,
            (None, None) => {
                return Err(ServiceError::invalid(
                    "content-type",
                    format!("one of {}", ALLOWED_TYPES.join(", ")),
                ));
            }
        };
        let stored = self.files()?.put_stream(&mut bounded).await?;
        Ok((name.to_owned(), content_type.to_owned(), stored))
    }

    /// Keeps a file scanned at the counter before the dossier exists, for
    /// [`Receive::scans`]: only a desk officer of `unit` may, and the file
    /// is checked as any attached file is. Nothing refers to it until the
    /// reception that names it is written (an abandoned reception leaves
    /// an unreferenced blob in the content-addressed store).
    pub async fn stage_scan(
        &self,
        actor: &Actor,
        unit: &str,
        component: usize,
        name: &str,
        source: &mut dyn crate::files::ByteSource,
    ) -> ServiceResult<particulars::Scan> {
        self.desk_unit(actor, unit).await?;
        let (name, content_type, stored) = self.keep_file(name, None, source).await?;
        Ok(particulars::Scan {
            component,
            name,
            content_type,
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            sha256: stored.sha256,
        })
    }

    /// A file of a dossier the actor may see, with its content.
    pub async fn file(
        &self,
        actor: &Actor,
        code: &str,
        file_id: i64,
    ) -> ServiceResult<(FileRecord, Vec<u8>)> {
        let d = self.visible(actor, code).await?;
        let rec = self
            .store
            .dossier_files(d.id)
            .await?
            .into_iter()
            .find(|f| f.id == file_id)
            .ok_or_else(|| ServiceError::not_found("file", file_id.to_string()))?;
        let content = self.files()?.get(&rec.sha256).await?;
        Ok((rec, content))
    }

    /// A stored file's content by its hash (the caller has checked that
    /// its reader may have it).
    pub(crate) async fn file_content(&self, sha256: &str) -> ServiceResult<Vec<u8>> {
        self.files()?.get(sha256).await
    }

    /// The store, for callers that combine dossier reads with others.
    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Which channels messages may go out on.
    pub(crate) fn notices(&self) -> &NoticeSettings {
        &self.notices
    }

    /// The store and the clock these use cases share with the rest.
    pub(crate) fn parts(&self) -> (Arc<dyn Store>, Arc<dyn Clock>) {
        (self.store.clone(), self.clock.clone())
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The unit's working calendar as deadlines use it: cached while the
    /// database's calendar revision stays.
    pub(crate) async fn calendar_of(
        &self,
        unit: &Unit,
    ) -> ServiceResult<Arc<crate::calendar::UnitCalendar>> {
        self.calendars.get(self.store(), unit).await
    }

    /// The address citizens reach this server at, when configured.
    pub fn public_base_url(&self) -> Option<&str> {
        self.public_base_url.as_deref()
    }

    /// The public status page of a dossier.
    pub fn status_url(&self, code: &str, token: &str) -> String {
        let base = self.public_base_url.as_deref().unwrap_or("");
        format!("{}/tra-cuu/{code}?t={token}", base.trim_end_matches('/'))
    }

    /// Receives a dossier (in person, by post: status received, the clock
    /// starts) or records an online submission (awaiting online reception).
    pub async fn receive(&self, actor: &Actor, cmd: Receive) -> ServiceResult<DossierView> {
        let d = self.receive_dossier(actor, cmd).await?;
        view::build(self, actor, d).await
    }

    /// [`receive`](Self::receive) answering only the code, version, status
    /// and appointment.
    pub async fn receive_brief(&self, actor: &Actor, cmd: Receive) -> ServiceResult<Brief> {
        let d = self.receive_dossier(actor, cmd).await?;
        Ok(Brief::of(&d, None))
    }

    async fn receive_dossier(&self, actor: &Actor, cmd: Receive) -> ServiceResult<Dossier> {
        let unit = self.desk_unit(actor, &cmd.unit).await?;
        self.create_dossier(unit, cmd, &actor.username, None).await
    }

    /// A citizen's or business's online submission through the portal: the
    /// dossier waits in "awaiting online reception" at the one-stop unit
    /// they chose (a desk or public administrative service centre that
    /// receives the procedure) until the desk accepts it (the clock starts)
    /// or refuses it. Only procedures offered online take one; every
    /// mandatory document must come as a file (`scans`, staged with
    /// [`stage_online_file`](Self::stage_online_file)).
    pub async fn submit_online(
        &self,
        owner: &crate::applicants::Applicant,
        mut cmd: Receive,
    ) -> ServiceResult<Dossier> {
        let unit = self.unit_field(&cmd.unit, "unit").await?;
        let today = local(self.now()).date();
        let receives = matches!(unit.kind, UnitKind::Desk | UnitKind::ServiceCentre)
            && unit.valid_from <= today
            && unit.valid_to.is_none_or(|t| t >= today);
        if !receives {
            return Err(ServiceError::invalid(
                "unit",
                "a one-stop desk or service centre that exists today",
            ));
        }
        cmd.channel = Channel::Online;
        cmd.fee_dong = None;
        cmd.fee_reason = String::new();
        cmd.representative = None;
        self.create_dossier(unit, cmd, &owner.audit_name(), Some(owner))
            .await
    }

    /// Keeps a file a citizen uploads with an online submission, checked as
    /// any attached file is (type told from the content, size bounded),
    /// for the submission that names it.
    pub async fn stage_online_file(
        &self,
        _owner: &crate::applicants::Applicant,
        component: usize,
        name: &str,
        source: &mut dyn crate::files::ByteSource,
    ) -> ServiceResult<particulars::Scan> {
        let (name, content_type, stored) = self.keep_file(name, None, source).await?;
        Ok(particulars::Scan {
            component,
            name,
            content_type,
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            sha256: stored.sha256,
        })
    }

    /// Writes a new dossier received at `unit` by `by` (a user name, or
    /// `applicant:<id>` for the portal), owned on the portal by `owner`.
    async fn create_dossier(
        &self,
        unit: Unit,
        cmd: Receive,
        by: &str,
        owner: Option<&crate::applicants::Applicant>,
    ) -> ServiceResult<Dossier> {
        let now = self.now();
        let code = crate::procedures::parse_code("procedure", &cmd.procedure)?;
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
        if owner.is_some() {
            online_requirements(&version.draft, &cmd)?;
        }
        let chain = self.unit_chain(&unit).await?;
        let assigned = self.store.procedure_units(&code).await?;
        if !assigned.is_empty() && !self.unit_handles(&unit, &chain, &assigned).await? {
            return Err(ServiceError::invalid(
                "procedure",
                format!("{code} is not assigned to {} or a unit above it", unit.code),
            ));
        }
        // Identity numbers are checked for new receptions only: an import
        // carries old dossiers with old cards.
        check_applicant(&cmd.applicant)?;
        let sets = cmd.sets.unwrap_or(1);
        if !(1..=100).contains(&sets) {
            return Err(ServiceError::invalid("sets", "must be between 1 and 100"));
        }
        components_field("components", &cmd.components)?;
        if cmd.components.is_empty() && cmd.channel != Channel::Online {
            return Err(ServiceError::invalid(
                "components",
                "list the documents received",
            ));
        }
        text_field("note", &cmd.note, false)?;
        let representative = cmd.representative.filter(|r| !r.is_blank());
        if let Some(e) = representative
            .as_ref()
            .and_then(|r| particulars::representative_errors(r).into_iter().next())
        {
            return Err(e);
        }
        let catalog_fee = version.draft.fee.get();
        let (fee, fee_reason) = particulars::fee_due(catalog_fee, cmd.fee_dong, &cmd.fee_reason)?;
        let mut components = cmd.components;
        particulars::apply_scans(&cmd.scans, &mut components)?;
        // The process of the nearest unit up the tree that has one.
        let processes = self.store.processes(&chain, today).await?;
        let process = chain.iter().find_map(|u| {
            processes
                .iter()
                .find(|p| p.unit_id == *u && p.procedure_id == version.procedure_id)
        });
        let token = crate::auth::new_secret()?
            .get(..24)
            .unwrap_or_default()
            .to_owned();
        let online = cmd.channel == Channel::Online;
        let mut state = blank_state(cmd.return_method.unwrap_or(ReturnMethod::InPerson));
        let limit = if online {
            version
                .draft
                .online_time_limit
                .unwrap_or(version.draft.time_limit)
        } else {
            version.draft.time_limit
        };
        let (to, action) = if online {
            state.submitted_at = Some(now);
            (Status::AwaitingOnlineReception, "submit_online")
        } else {
            let cal = self.calendars.get(self.store(), &unit).await?;
            let work = WorkTime::new(&cal.calendar, &cal.hours);
            let record = ClockRecord {
                limit,
                cutoff: None,
                policy: self.policy(version.procedure_id).await?,
                receipt: local(now),
                events: Vec::new(),
                threshold_minutes: None,
                minutes: None,
            };
            start_clock(&mut state, &record, &work, now)?;
            (Status::Received, "receive")
        };
        state.status = to;
        state.holder_unit_id = Some(unit.id);
        let mut event = NewEvent {
            at: now,
            actor: by.to_owned(),
            action: action.to_owned(),
            from: None,
            to,
            note: cmd.note.trim().to_owned(),
            detail: json!({
                "channel": cmd.channel.as_str(),
                "procedure": code.as_str(),
                "procedure_version": version.version_no,
                "time_limit": limit.to_string(),
            }),
        };
        if let Some(due) = state.current_due {
            event.detail["due"] = json!(due.to_string());
        }
        particulars::record(
            &mut event.detail,
            representative.as_ref(),
            catalog_fee,
            fee,
            &fee_reason,
            &cmd.scans,
        );
        let facts = crate::stats::track::reception_facts(&components);
        let stats = crate::stats::track::live_changes(None, &state, facts, now);
        if state.received_at.is_some() {
            event.detail["reception"] = crate::stats::track::facts_json(facts);
        }
        let procedure_name = version.draft.name.clone();
        let applicant = trimmed(cmd.applicant);
        let status_url = self.status_url(CODE_PLACEHOLDER, &token);
        let outbox = notices::messages(
            &self.notices,
            &notices::Happening {
                code: CODE_PLACEHOLDER,
                action,
                to,
                from: None,
                at: now,
                applicant: &applicant,
                procedure: &procedure_name,
                due_text: state.current_due.map(view::moment_text),
                status_url: Some(status_url),
            },
        );
        let new = NewDossier {
            code: None,
            unit_id: unit.id,
            unit_code: unit.code.clone(),
            code_date: today,
            procedure_id: version.procedure_id,
            procedure_version_id: version.version_id,
            process_id: process.as_ref().map(|p| p.id),
            channel: cmd.channel,
            applicant,
            sets,
            fee_dong: fee,
            components,
            scans: cmd.scans,
            state,
            lookup_token: token,
            owner_account_id: owner.map(|o| o.account_id),
            owner_identity_verified: owner.is_some_and(|o| o.identity_verified),
            imported: false,
            received_by: by.to_owned(),
            event,
            steps: Vec::new(),
            more_events: Vec::new(),
            outbox,
            stats,
        };
        let ctx = crate::store::AuditContext {
            actor: by.to_owned(),
            at: now,
        };
        self.store.insert_dossier(&ctx, &new).await
    }

    /// The clock policy of a procedure: the defaults, with a per-procedure
    /// setting `clock.suspension` (`pause` or `restart`).
    async fn policy(&self, procedure_id: i64) -> ServiceResult<ClockPolicy> {
        let mut policy = ClockPolicy::default();
        if let Some(v) = self
            .store
            .get_setting(&format!("procedure:{procedure_id}"), "clock.suspension")
            .await?
        {
            policy.suspension = serde_json::from_value(v.clone()).map_err(|_| {
                ServiceError::Internal(format!(
                    "setting clock.suspension is not pause/restart: {v}"
                ))
            })?;
        }
        Ok(policy)
    }

    /// Whether `unit` handles a procedure assigned to `assigned` units: it
    /// is one of them or lies below one of them.
    async fn unit_handles(
        &self,
        unit: &Unit,
        chain: &[i64],
        assigned: &[i64],
    ) -> ServiceResult<bool> {
        if chain.iter().any(|u| assigned.contains(u)) {
            return Ok(true);
        }
        // A unit above one the procedure is assigned to (a district desk
        // receiving for its communes) also handles it.
        let below = self.store.subtree_ids(unit.id).await?;
        Ok(assigned.iter().any(|a| below.contains(a)))
    }

    /// The unit and the units above it, nearest first.
    async fn unit_chain(&self, unit: &Unit) -> ServiceResult<Vec<i64>> {
        self.directory.chain(self.store(), unit.id).await
    }

    async fn unit_field(&self, code: &str, field: &str) -> ServiceResult<Unit> {
        let parsed = UnitCode::parse(code.trim())
            .map_err(|e| ServiceError::invalid(field, e.to_string()))?;
        self.store.unit_by_code(&parsed).await.map_err(|e| match e {
            ServiceError::NotFound { .. } => {
                ServiceError::invalid(field, format!("no unit {parsed}"))
            }
            other => other,
        })
    }

    /// Loads a dossier the actor may see. A dossier outside the actor's
    /// units answers exactly as a missing one (`NotFound` naming the code as
    /// asked), so codes cannot be probed for existence across units; the
    /// refusal is still recorded in the audit log.
    pub(crate) async fn visible(&self, actor: &Actor, code: &str) -> ServiceResult<Dossier> {
        let code = code.trim();
        let d = self.store.dossier_by_code(code).await?;
        if self.sees(actor, &d).await? {
            return Ok(d);
        }
        deny::<()>(
            self.store(),
            actor,
            self.now(),
            Permission::ViewDossiers,
            &crate::store::dossier_subject(d.code.as_str()),
        )
        .await
        .or_else(|e| match e {
            ServiceError::Forbidden(_) => Ok(()),
            other => Err(other),
        })?;
        Err(ServiceError::not_found("dossier", code))
    }

    /// A dossier its owner submitted through the portal; any other is
    /// `NotFound`, like a missing one.
    pub(crate) async fn owned(
        &self,
        owner: &crate::applicants::Applicant,
        code: &str,
    ) -> ServiceResult<Dossier> {
        let code = code.trim();
        let id = self
            .store
            .account_dossier_id(owner.account_id, code)
            .await?;
        match id {
            Some(_) => self.store.dossier_by_code(code).await,
            None => Err(ServiceError::not_found("dossier", code)),
        }
    }

    /// Whether the actor may see the dossier: it is in one of their units
    /// now, or was received there before its unit left (no audit here:
    /// [`Self::visible`] records refusals).
    pub(crate) async fn sees(&self, actor: &Actor, d: &Dossier) -> ServiceResult<bool> {
        Ok(dossier_units(d)
            .iter()
            .any(|&u| actor.may(Permission::ViewDossiers, u))
            || self.received_before_leaving(actor, d).await?)
    }

    /// Whether the dossier was received by a unit that has since left one
    /// of the actor's scopes, before it left (the scope keeps that past).
    async fn received_before_leaving(&self, actor: &Actor, d: &Dossier) -> ServiceResult<bool> {
        let Some(received) = d.state.received_at else {
            return Ok(false);
        };
        let today = local(self.now()).date();
        Ok(
            crate::units::departed(self.store(), &viewing_scopes(actor), today)
                .await?
                .iter()
                .any(|g| g.unit_id == d.unit_id && received < g.before),
        )
    }

    /// A dossier with its timeline, steps, files, where its deadline stands
    /// now and the actions the actor may take.
    pub async fn view(&self, actor: &Actor, code: &str) -> ServiceResult<DossierView> {
        let d = self.visible(actor, code).await?;
        view::build(self, actor, d).await
    }

    /// The messages sent, or waiting to be sent, about a dossier, oldest
    /// first: what the applicant was told, through which channel, and
    /// whether it was delivered. Empty when the actor may not see the
    /// dossier (now): the part of a page around a dossier read through
    /// [`Self::view`] or an act, which answer and audit refusals; an act
    /// that handed the dossier out of the actor's units leaves its page
    /// without the messages rather than refused.
    pub async fn messages(
        &self,
        actor: &Actor,
        code: &str,
    ) -> ServiceResult<Vec<crate::store::OutboxMessage>> {
        let d = match self.store.dossier_by_code(code.trim()).await {
            Ok(d) => d,
            Err(ServiceError::NotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        if !self.sees(actor, &d).await? {
            return Ok(Vec::new());
        }
        self.store.dossier_messages(d.id).await
    }

    /// How many working days each overdue dossier of a page is late by
    /// (working days after its due day, up to today, on its receiving
    /// unit's calendar), keyed by dossier id: what a list's "Quá hạn" badge
    /// says. Only open dossiers whose clock runs and whose due has passed
    /// are in it; 0 means late within its due day. The rows come from a
    /// list the actor was allowed; this reads only calendars.
    pub async fn overdue_days(&self, items: &[DossierSummary]) -> ServiceResult<HashMap<i64, u32>> {
        /// Past this, a badge says "over 999".
        const CAP: u32 = 1000;
        let now = self.now();
        let today = local(now).date();
        let mut out = HashMap::new();
        for d in items {
            let open = !d.status.is_terminal() && !d.status.ends_processing();
            let Some(due) = d
                .current_due
                .filter(|due| open && d.clock_running && *due < now)
            else {
                continue;
            };
            // Units and calendars both come from this service's caches: a
            // list page must not read them per row.
            let unit = self.directory.unit(self.store(), d.unit_id).await?;
            let cal = self.calendars.get(self.store(), &unit).await?;
            let days = cal
                .calendar
                .working_days_after(local(due).date(), today, CAP)?;
            out.insert(d.id, days);
        }
        Ok(out)
    }

    /// A page of the dossiers the actor sees.
    pub async fn list(&self, actor: &Actor, q: &ListQuery) -> ServiceResult<Page> {
        Ok(self.list_counted(actor, q, None).await?.0)
    }

    /// A page of the dossiers the actor sees and, with `cap`, how many the
    /// filters select in all, counted up to `cap` with the list's own
    /// conditions. No count for a report's `within_limit_on`/`overdue_on`
    /// cell, whose dossiers are judged from their histories a page at a
    /// time.
    pub async fn list_counted(
        &self,
        actor: &Actor,
        q: &ListQuery,
        cap: Option<u64>,
    ) -> ServiceResult<(Page, Option<Total>)> {
        let now = self.now();
        let mut f = DossierFilter {
            statuses: q.statuses.clone(),
            channel: q.channel,
            sort: q.sort,
            limit: q.limit.unwrap_or(50),
            ..DossierFilter::default()
        };
        if !(1..=200).contains(&f.limit) {
            return Err(ServiceError::invalid("limit", "must be between 1 and 200"));
        }
        let grouped = match (q.own, q.level) {
            (true, Some(_)) => {
                return Err(ServiceError::invalid(
                    "level",
                    "cannot be combined with own",
                ));
            }
            (true, None) => Some(RowPart::Own),
            (false, Some(l)) => Some(RowPart::Level(l)),
            (false, None) => q.tree_on.map(|_| RowPart::All),
        };
        if grouped.is_some() && q.unit.is_none() {
            let field = match (q.own, q.level) {
                (true, _) => "own",
                (false, Some(_)) => "level",
                (false, None) => "tree_on",
            };
            return Err(ServiceError::invalid(field, "needs unit"));
        }
        if q.open_state_on.is_some() && q.open_on.is_some() {
            return Err(ServiceError::invalid(
                "open_on",
                "cannot be combined with within_limit_on or overdue_on",
            ));
        }
        let visible = actor.units_for(Permission::ViewDossiers);
        // Units that left the scope keep what they received before leaving
        // in it: the scope of the unit asked for when the actor covers it
        // whole (then the scope is its subtree), else each of the actor's
        // grants.
        let mut whole_unit = false;
        let scope: Option<HashSet<i64>> = match &q.unit {
            Some(code) => {
                let unit = self.unit_field(code, "unit").await?;
                // A report row's part of the subtree, grouped as the
                // report groups it, or the whole subtree today.
                let sub: HashSet<i64> = match grouped {
                    Some(part) => {
                        let on = q.tree_on.unwrap_or_else(|| local(now).date());
                        crate::stats::report::row_units(self.store(), unit.id, on, part).await?
                    }
                    None => self.store.subtree_ids(unit.id).await?,
                }
                .into_iter()
                .collect();
                whole_unit = visible.as_ref().is_none_or(|v| v.contains(&unit.id));
                Some(match &visible {
                    None => sub,
                    Some(v) => {
                        if !v.contains(&unit.id) && sub.is_disjoint(v) {
                            return deny(
                                self.store(),
                                actor,
                                now,
                                Permission::ViewDossiers,
                                &format!("unit:{}", unit.code),
                            )
                            .await;
                        }
                        sub.intersection(v).copied().collect()
                    }
                })
            }
            None => visible,
        };
        if let Some(s) = scope {
            if s.is_empty() {
                return deny(self.store(), actor, now, Permission::ViewDossiers, "any").await;
            }
            // Seeing every unit is no filter at all; leaving it out lets the
            // database walk the newest dossiers and stop at the page size
            // instead of collecting every dossier of every unit first.
            let every = self.store.unit_count().await?;
            if s.len() < every {
                let today = local(now).date();
                f.departed = match (&q.unit, whole_unit) {
                    // A report row's units are exactly those it counts.
                    (Some(_), true) if grouped.is_some() => Vec::new(),
                    (Some(_), true) => crate::units::departed(self.store(), &[&s], today).await?,
                    (Some(_), false) => Vec::new(),
                    (None, _) => {
                        crate::units::departed(self.store(), &viewing_scopes(actor), today).await?
                    }
                };
                let mut ids: Vec<i64> = s.into_iter().collect();
                ids.sort_unstable();
                f.unit_ids = ids;
            }
        }
        if let Some(p) = &q.procedure {
            let code = crate::procedures::parse_code("procedure", p)?;
            let v = self
                .store
                .procedure(&code, None)
                .await
                .map_err(|e| match e {
                    ServiceError::NotFound { .. } => {
                        ServiceError::invalid("procedure", format!("no procedure {code}"))
                    }
                    other => other,
                })?;
            f.procedure_id = Some(v.procedure_id);
        }
        f.due_from = q.due_from.map(day_start).transpose()?;
        f.due_to = q.due_to.map(day_after).transpose()?;
        f.received_from = q.received_from.map(day_start).transpose()?;
        f.received_to = q.received_to.map(day_after).transpose()?;
        f.ended_from = q.ended_from.map(day_start).transpose()?;
        f.ended_to = q.ended_to.map(day_after).transpose()?;
        f.classifications = q.classifications.clone();
        f.text = q
            .text
            .as_deref()
            .map(motcua_domain::search::dossier::DossierQuery::parse)
            .transpose()?;
        if let Some(sector) = &q.sector {
            f.procedure_ids =
                crate::stats::report::sector_procedures(self.store(), sector.trim()).await?;
            if f.procedure_ids.is_empty() {
                let none = Page {
                    items: Vec::new(),
                    next: None,
                };
                return Ok((
                    none,
                    cap.map(|_| Total {
                        count: 0,
                        more: false,
                    }),
                ));
            }
        }
        f.received_only = (q.received_only || grouped.is_some()) && q.unit.is_some();
        f.open_at = q
            .open_on
            .or(q.open_state_on.map(|(_, day)| day))
            .map(day_after)
            .transpose()?;
        if q.near_due {
            f.near_due_at = Some(now);
        }
        if q.overdue {
            f.overdue_at = Some(now);
        }
        if q.mine {
            f.holder_user_id = Some(actor.user_id);
        }
        if let Some(c) = &q.cursor {
            f.after = Some(view::parse_cursor(c, q.sort)?);
        }
        if let Some((state, day)) = q.open_state_on {
            let page = self.open_state_page(f, q.sort, state, day).await?;
            return Ok((page, None));
        }
        let rows = self.store.list_dossiers(&f).await?;
        let next = if rows.len() == f.limit as usize {
            rows.last().map(|r| view::cursor(r, q.sort))
        } else {
            None
        };
        let total = match cap {
            // A first page that is not full is its own count.
            Some(cap) if f.after.is_none() && next.is_none() && rows.len() as u64 <= cap => {
                Some(Total {
                    count: rows.len() as u64,
                    more: false,
                })
            }
            Some(cap) => Some(self.store.count_dossiers(&f, cap).await?),
            None => None,
        };
        Ok((Page { items: rows, next }, total))
    }

    /// The public status of a dossier by code and the token printed on its
    /// receipt. A wrong token answers like an unknown code.
    pub async fn public_status(&self, code: &str, token: &str) -> ServiceResult<PublicStatus> {
        let found = self.store.public_status(code.trim()).await?;
        match found {
            Some(s) if constant_time_eq(s.lookup_token.as_bytes(), token.trim().as_bytes()) => {
                Ok(s)
            }
            _ => Err(ServiceError::not_found("dossier", code.trim())),
        }
    }
}

/// What an online submission must bring: a procedure offered online, and
/// a file for each mandatory document of the catalog.
fn online_requirements(
    draft: &motcua_domain::catalog::ProcedureDraft,
    cmd: &Receive,
) -> ServiceResult<()> {
    use motcua_domain::catalog::{OnlineLevel, Requirement};
    if draft.online_level == OnlineLevel::None {
        return Err(ServiceError::invalid(
            "procedure",
            format!("{} is not offered online", draft.code),
        ));
    }
    for (i, c) in draft.components.iter().enumerate() {
        if c.requirement == Requirement::Mandatory && !cmd.scans.iter().any(|s| s.component == i) {
            return Err(ServiceError::invalid(
                format!("components[{i}]"),
                format!("attach {}", c.name),
            ));
        }
    }
    Ok(())
}

/// The units each of the actor's grants that read dossiers covers today.
fn viewing_scopes(actor: &Actor) -> Vec<&HashSet<i64>> {
    actor
        .grants
        .iter()
        .filter(|g| role_permits(g.role, Permission::ViewDossiers))
        .map(|g| &g.covers)
        .collect()
}

/// Units whose staff may see a dossier: the receiving unit and the holder.
/// Who may attach a file to a dossier: staff who work on it (desk,
/// specialist, leader on its units) while it is open or its result is
/// still to be handed over or digitised; a dossier that ended without a
/// result (withdrawn, refused, stopped) takes no more files.
fn may_attach(actor: &Actor, roles: &[Role], status: Status) -> bool {
    let open = !matches!(
        status,
        Status::Withdrawn | Status::Refused | Status::Stopped
    );
    open && (actor.is_system()
        || roles
            .iter()
            .any(|r| matches!(r, Role::DeskOfficer | Role::Specialist | Role::Leader)))
}

pub(crate) fn dossier_units(d: &Dossier) -> Vec<i64> {
    let mut u = vec![d.unit_id];
    if let Some(h) = d.state.holder_unit_id {
        u.push(h);
    }
    u
}

/// The roles the actor holds on any of `units` (through grants covering
/// them); a system actor holds every role.
fn roles_on(actor: &Actor, units: &[i64]) -> Vec<Role> {
    if actor.is_system() {
        return Role::ALL.to_vec();
    }
    let mut roles: Vec<Role> = actor
        .grants
        .iter()
        .filter(|g| units.iter().any(|u| g.covers.contains(u)))
        .map(|g| g.role)
        .collect();
    roles.sort_unstable_by_key(|r| r.as_str());
    roles.dedup();
    roles
}

fn blank_state(return_method: ReturnMethod) -> DossierState {
    DossierState {
        status: Status::Draft,
        return_method,
        submitted_at: None,
        received_at: None,
        original_due: None,
        current_due: None,
        near_due: None,
        clock_running: false,
        clock: None,
        holder_unit_id: None,
        holder_user_id: None,
        step_no: None,
        supplement_count: 0,
        extension_count: 0,
        ended_at: None,
        outcome: None,
        classification: None,
        result_digitised: false,
        returned_at: None,
        return_detail: None,
    }
}

/// Starts the clock at receipt: the state's receipt and due columns.
fn start_clock(
    state: &mut DossierState,
    record: &ClockRecord,
    work: &WorkTime<'_>,
    now: Timestamp,
) -> ServiceResult<DossierClock> {
    let clock = record.fold(work)?;
    let cols = record.columns(work, &clock)?;
    state.received_at = Some(now);
    state.original_due = cols.original_due;
    state.current_due = cols.current_due;
    state.near_due = cols.near_due;
    state.clock_running = cols.running;
    state.clock = Some(record.to_json()?);
    Ok(clock)
}

fn trimmed(a: crate::store::Applicant) -> crate::store::Applicant {
    crate::store::Applicant {
        kind: a.kind,
        name: a.name.trim().to_owned(),
        identity: a.identity.trim().to_owned(),
        phone: a.phone.trim().to_owned(),
        email: a.email.trim().to_owned(),
        address: a.address.trim().to_owned(),
    }
}

/// Checks the components of a dossier as received or supplied: at most
/// [`bounds::LIST_ITEMS`] of them, each named, at most 100 copies each.
pub(crate) fn components_field(
    field: &str,
    items: &[crate::store::ReceivedItem],
) -> ServiceResult<()> {
    if items.len() > bounds::LIST_ITEMS {
        return Err(ServiceError::invalid(
            field,
            format!("at most {} components", bounds::LIST_ITEMS),
        ));
    }
    for (i, c) in items.iter().enumerate() {
        name_field(&format!("{field}[{i}].name"), &c.name, true)?;
        if c.copies > 100 {
            return Err(ServiceError::invalid(
                format!("{field}[{i}].copies"),
                "at most 100 copies",
            ));
        }
    }
    Ok(())
}

fn check_applicant(a: &crate::store::Applicant) -> ServiceResult<()> {
    match applicant_errors(a).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Everything wrong with an applicant as a reception would refuse it, each
/// field at most once, in the form's order (name, identity, phone, e-mail,
/// address): a desk page shows every error at once instead of one per
/// attempt. Empty when the applicant would be received.
pub fn applicant_errors(a: &crate::store::Applicant) -> Vec<ServiceError> {
    let mut out: Vec<ServiceError> = Vec::new();
    let mut keep = |r: ServiceResult<()>| {
        if let Err(e) = r {
            out.push(e);
        }
    };
    keep(name_field("applicant.name", &a.name, true));
    keep(
        code_field("applicant.identity", &a.identity, false).and_then(|()| {
            let kind = match a.kind {
                crate::store::ApplicantType::Citizen => {
                    motcua_domain::dossier::IdentityKind::Citizen
                }
                crate::store::ApplicantType::Organisation => {
                    motcua_domain::dossier::IdentityKind::Organisation
                }
            };
            Ok(motcua_domain::dossier::check_identity(kind, &a.identity)?)
        }),
    );
    keep(crate::fields::phone_field("applicant.phone", &a.phone));
    let email = a.email.trim();
    if !email.is_empty() {
        let ok = email.len() <= 254
            && email.split_once('@').is_some_and(|(l, d)| {
                !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
            })
            && !email.chars().any(char::is_whitespace);
        if !ok {
            keep(Err(ServiceError::invalid(
                "applicant.email",
                "not an e-mail address",
            )));
        }
    }
    keep(text_field("applicant.address", &a.address, false));
    out
}

fn day_start(d: jiff::civil::Date) -> ServiceResult<Timestamp> {
    Ok(from_local(d.to_datetime(jiff::civil::Time::midnight()))?)
}

fn day_after(d: jiff::civil::Date) -> ServiceResult<Timestamp> {
    let next = d
        .tomorrow()
        .map_err(|e| ServiceError::invalid("date", e.to_string()))?;
    day_start(next)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
