//! The one object front ends hold: every use case of motcua behind the
//! store, the clock and the caches they share.
//!
//! A front end (the web server, the command line) holds a [`Services`] and
//! never the [`Store`]: what it can call is what the services expose, and
//! each use case that reads or changes something scoped to units checks its
//! caller first (architecture.md §3, "Callers and access"); a variant
//! without the check is private to this crate. The services
//! tell the time from the one injectable [`Clock`], so a test's clock
//! governs pages, API answers and stored moments alike.
//!
//! Use cases are grouped by area, each a small handle borrowed from the
//! services (`services.units().tree_on(day)`); the methods of each handle
//! live next to the use cases they call, in the area's own module.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::access::{Actor, Permission};
use crate::clock::Clock;
use crate::dossiers::{DossierService, NoticeSettings};
use crate::error::ServiceResult;
use crate::files::FileStore;
use crate::store::{Readiness, Store, Unit};

/// Every use case, with the store, the clock and the caches they share.
pub struct Services {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sign_in_clock: Arc<dyn Clock>,
    dossiers: DossierService,
    identity: Option<Arc<dyn crate::identity::IdentityProvider>>,
    payments: Option<Arc<dyn crate::payments::PaymentGateway>>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("backend", &self.store.backend())
            .field("dossiers", &self.dossiers)
            .finish_non_exhaustive()
    }
}

impl Services {
    /// The use cases over `store`, telling time from `clock`;
    /// `public_base_url` makes the status links printed in QR codes and
    /// messages absolute.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        notices: NoticeSettings,
        public_base_url: Option<String>,
    ) -> Self {
        let dossiers = DossierService::new(store.clone(), clock.clone(), notices, public_base_url);
        Self {
            store,
            clock,
            sign_in_clock: Arc::new(crate::clock::SystemClock),
            dossiers,
            identity: None,
            payments: None,
        }
    }

    /// Signs citizens in through `provider` (VNeID) as well.
    #[must_use]
    pub fn with_identity(mut self, provider: Arc<dyn crate::identity::IdentityProvider>) -> Self {
        self.identity = Some(provider);
        self
    }

    pub(crate) fn identity(&self) -> Option<&dyn crate::identity::IdentityProvider> {
        self.identity.as_deref()
    }

    /// Takes fees online through `gateway` as well.
    #[must_use]
    pub fn with_payments(mut self, gateway: Arc<dyn crate::payments::PaymentGateway>) -> Self {
        self.payments = Some(gateway);
        self
    }

    pub(crate) fn gateway(&self) -> Option<&dyn crate::payments::PaymentGateway> {
        self.payments.as_deref()
    }

    /// The use cases over `store` with the system clock, no notification
    /// channels and no file store (the command line, simple tests).
    pub fn plain(store: Arc<dyn Store>) -> Self {
        Self::new(
            store,
            Arc::new(crate::clock::SystemClock),
            NoticeSettings::default(),
            None,
        )
    }

    /// Keeps attached files in `files`.
    #[must_use]
    pub fn with_files(mut self, files: Arc<dyn FileStore>) -> Self {
        self.dossiers = self.dossiers.with_files(files);
        self
    }

    /// The current instant, from the services' clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Sign-in, sessions and API tokens run on `clock` instead of the
    /// system clock.
    ///
    /// They run on real time by default, apart from the business clock: a
    /// session lasts twelve real hours and throttling counts real minutes,
    /// whatever day a test or a replay has set for dossiers and pages.
    #[must_use]
    pub fn with_sign_in_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.sign_in_clock = clock;
        self
    }

    pub(crate) fn sign_in_now(&self) -> Timestamp {
        self.sign_in_clock.now()
    }

    /// Today in Viet Nam, from the services' clock.
    pub fn today(&self) -> Date {
        motcua_domain::time::to_local(self.now()).date()
    }

    /// The clock itself, for work that runs beside the services (the
    /// outbox dispatcher) and must agree with them.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// The database's name (`sqlite`, `postgres`), for logs.
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Whether the database answers and its schema is complete.
    pub async fn readiness(&self) -> ServiceResult<Readiness> {
        self.store.readiness().await
    }

    /// Dossiers: reception, actions, corrections, lists, files, lookups.
    pub fn dossiers(&self) -> &DossierService {
        &self.dossiers
    }

    /// The organisation tree.
    pub fn units(&self) -> Units<'_> {
        Units(self)
    }

    /// Accounts and their roles.
    pub fn users(&self) -> Users<'_> {
        Users(self)
    }

    /// The catalog of procedures.
    pub fn procedures(&self) -> Procedures<'_> {
        Procedures(self)
    }

    /// Internal processes and procedure reviews.
    pub fn processes(&self) -> Processes<'_> {
        Processes(self)
    }

    /// The fields offices handle and the default processes.
    pub fn routing(&self) -> Routing<'_> {
        Routing(self)
    }

    /// Administrators' pages: calendars, settings, accounts, catalog.
    pub fn admin(&self) -> Admin<'_> {
        Admin(self)
    }

    /// Sign-in, sessions, API tokens and passwords.
    pub fn auth(&self) -> Auth<'_> {
        Auth(self)
    }

    /// The home page's figures.
    pub fn dashboards(&self) -> Dashboards<'_> {
        Dashboards(self)
    }

    /// The notification outbox.
    pub fn outbox(&self) -> Outbox<'_> {
        Outbox(self)
    }

    /// Reports and the statistics layer.
    pub fn stats(&self) -> Stats<'_> {
        Stats(self)
    }

    /// Units' working calendars.
    pub fn calendars(&self) -> Calendars<'_> {
        Calendars(self)
    }

    /// Work queues.
    pub fn queues(&self) -> Queues<'_> {
        Queues(self)
    }

    /// Citizens' and businesses' accounts on the portal.
    pub fn applicants(&self) -> Applicants<'_> {
        Applicants(self)
    }

    /// Staff handling feedback sent to their units (PAKN).
    pub fn feedback(&self) -> FeedbackDesk<'_> {
        FeedbackDesk(self)
    }

    /// What anyone may read without signing in (the citizen portal).
    pub fn portal(&self) -> Portal<'_> {
        Portal(self)
    }

    /// Fees paid online, as staff handle them: a dossier's payments,
    /// refunds, receipts and reconciliation with the gateway.
    pub fn payments(&self) -> Payments<'_> {
        Payments(self)
    }

    /// Requests with an `Idempotency-Key`.
    pub fn idempotency(&self) -> Idempotency<'_> {
        Idempotency(self)
    }

    /// Allows `p` if the actor has it anywhere, or records the refusal.
    pub async fn require_somewhere(&self, actor: &Actor, p: Permission) -> ServiceResult<()> {
        crate::access::require_somewhere(self.store(), actor, self.now(), p).await
    }

    /// A user's grants and the subtree each covers, as an actor.
    pub async fn actor(&self, user_id: i64, username: &str) -> ServiceResult<Actor> {
        Actor::load(self.store(), user_id, username).await
    }

    /// A unit by id, as any signed-in person may see it (code, name, kind,
    /// place in the tree).
    pub async fn unit(&self, id: i64) -> ServiceResult<Unit> {
        self.store.unit_by_id(id).await
    }

    /// A unit by its code.
    pub async fn unit_by_code(&self, code: &motcua_domain::unit::UnitCode) -> ServiceResult<Unit> {
        self.store.unit_by_code(code).await
    }

    /// Every unit, current and past (a small table: a province's few
    /// thousand units).
    pub async fn all_units(&self) -> ServiceResult<Vec<Unit>> {
        self.store.list_units().await
    }

    /// A staff member's full name by user name, when the account exists
    /// and has one (forms and pages print it beside actions).
    pub async fn full_name(&self, username: &str) -> ServiceResult<Option<String>> {
        match self.store.user_by_username(username).await {
            Ok(u) if !u.full_name.trim().is_empty() => Ok(Some(u.full_name)),
            Ok(_) | Err(crate::ServiceError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// What pages call a staff member: the full name, or the user name when
    /// the account has none.
    pub async fn display_name(&self, user_id: i64) -> ServiceResult<String> {
        let u = self.store.user_by_id(user_id).await?;
        Ok(if u.full_name.trim().is_empty() {
            u.username
        } else {
            u.full_name
        })
    }

    /// The due moments of the open steps of these dossiers (ids from a page
    /// the caller was allowed to list).
    pub async fn open_step_dues(
        &self,
        ids: &[i64],
    ) -> ServiceResult<Vec<(i64, Option<Timestamp>)>> {
        self.store.open_step_dues(ids).await
    }
}

/// The services around dossier use cases built on their own (their store
/// and clock become the services').
impl From<DossierService> for Services {
    fn from(dossiers: DossierService) -> Self {
        let (store, clock) = dossiers.parts();
        Self {
            store,
            clock,
            sign_in_clock: Arc::new(crate::clock::SystemClock),
            dossiers,
            identity: None,
            payments: None,
        }
    }
}

macro_rules! area {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name<'a>(&'a Services);

        impl $name<'_> {
            #[allow(dead_code)]
            pub(crate) fn store(&self) -> &dyn Store {
                self.0.store()
            }

            #[allow(dead_code)]
            pub(crate) fn now(&self) -> Timestamp {
                self.0.now()
            }

            #[allow(dead_code)]
            pub(crate) fn services(&self) -> &Services {
                self.0
            }
        }
    };
}

area!(
    /// Use cases on the organisation tree.
    Units
);
area!(
    /// Use cases on accounts and roles.
    Users
);
area!(
    /// Use cases on the catalog of procedures.
    Procedures
);
area!(
    /// Use cases on internal processes and reviews.
    Processes
);
area!(
    /// Use cases on the fields offices handle and default processes.
    Routing
);
area!(
    /// Administrators' use cases.
    Admin
);
area!(
    /// Sign-in, sessions, tokens and passwords.
    Auth
);
area!(
    /// The home page's figures.
    Dashboards
);
area!(
    /// The notification outbox.
    Outbox
);
area!(
    /// Reports and the statistics layer.
    Stats
);
area!(
    /// Units' working calendars.
    Calendars
);
area!(
    /// Work queues.
    Queues
);
area!(
    /// Portal accounts: registration, codes, sign-in, password reset.
    Applicants
);
area!(
    /// Staff handling feedback (phản ánh, kiến nghị) sent to their units.
    FeedbackDesk
);
area!(
    /// Public use cases: the catalog in force, where to submit, status
    /// lookup by receipt.
    Portal
);
area!(
    /// Requests with an `Idempotency-Key`: claimed, completed or released
    /// per caller.
    Idempotency
);
area!(
    /// Use cases on fees paid online, for staff: payments, refunds,
    /// receipts, reconciliation.
    Payments
);

impl Procedures<'_> {
    /// A procedure version by id (the version a dossier was received under).
    pub async fn version_by_id(&self, id: i64) -> ServiceResult<crate::store::ProcedureVersion> {
        self.store().procedure_version_by_id(id).await
    }
}

impl Auth<'_> {
    /// The caller's own API tokens.
    pub async fn tokens_of(&self, actor: &Actor) -> ServiceResult<Vec<crate::store::ApiToken>> {
        self.store().api_tokens_of(actor.user_id).await
    }
}

impl Calendars<'_> {
    /// The working calendar in force for a unit, as dossier deadlines use
    /// it: kept between calls while the database's calendar revision stays,
    /// so a correction made on any node is seen at the next call.
    pub async fn of_unit(&self, unit: &Unit) -> ServiceResult<Arc<crate::calendar::UnitCalendar>> {
        self.services().dossiers().calendar_of(unit).await
    }
}

impl Idempotency<'_> {
    /// Claims `key` for a request with this fingerprint, or tells what
    /// happened to it before.
    pub async fn claim(
        &self,
        actor: &str,
        key: &str,
        fingerprint: &str,
    ) -> ServiceResult<crate::store::IdempotencyClaim> {
        self.store()
            .claim_idempotency_key(actor, key, fingerprint, self.now())
            .await
    }

    /// Keeps the answer to a claimed key.
    pub async fn complete(
        &self,
        actor: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> ServiceResult<()> {
        self.store()
            .complete_idempotency_key(actor, key, status, body)
            .await
    }

    /// Frees a claimed key after the request failed.
    pub async fn release(&self, actor: &str, key: &str) -> ServiceResult<()> {
        self.store().release_idempotency_key(actor, key).await
    }
}
