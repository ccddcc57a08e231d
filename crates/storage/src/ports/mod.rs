//! The `Store` port's operations written once for both databases, generic
//! over [`Backend`](crate::conn::Backend), and [`store_ports!`], which wires
//! them to a backend's store type. (The port traits live in another crate, so
//! they cannot be implemented for every `Backend` at once; the macro writes
//! the thin `impl`s instead.) `AdminStore` stays with each backend: migrating
//! and readiness differ.

pub(crate) mod access;
pub(crate) mod applicants;
pub(crate) mod calendar;
pub(crate) mod corrections;
pub(crate) mod dashboard;
pub(crate) mod dossier_ports;
pub(crate) mod dossiers;
pub(crate) mod feedback;
pub(crate) mod history;
pub(crate) mod outbox;
pub(crate) mod payments;
pub(crate) mod records;
pub(crate) mod replay;
pub(crate) mod snapshot;
pub(crate) mod stats;
pub(crate) mod templates;
pub(crate) mod units;
pub(crate) mod users;

/// Implements every port trait except `AdminStore` for `$store`, a
/// [`Backend`](crate::conn::Backend), by calling the shared operations.
macro_rules! store_ports {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use jiff::Timestamp;
            use jiff::civil::Date;
            use motcua_domain::audit::StoredEntry;
            use motcua_domain::catalog::{ProcedureCode, ProcedureDraft};
            use motcua_domain::role::Role;
            use motcua_domain::search::SearchHit;
            use motcua_domain::unit::UnitCode;
            use motcua_service::error::ServiceResult;
            use motcua_service::store::{
                AccessStore, ApiToken, AttemptRule, AuditContext, AuditStore, CalendarOverride,
                CalendarStore, CatalogStore, CodePage, ImportOutcome, LevelCounts, NewProcess,
                NewReview, NewUnit, NewUnitUnder, NewUser, OfficeHoursRow, ProcedureFilter,
                ProcedureVersion, Process, Reservation, Review, RoleGrant, SessionRecord,
                SettingStore, Succession, Unit, UnitChange, UnitHistoryStore, UnitStore,
                UnitVersion, User, UserStore,
            };

            use $crate::catalog;
            use $crate::conn::{Backend, commit};
            use $crate::ports::{access, calendar, history, records, units, users};

            #[async_trait]
            impl UnitStore for $store {
                async fn insert_unit(
                    &self,
                    ctx: &AuditContext,
                    unit: &NewUnit,
                ) -> ServiceResult<Unit> {
                    units::insert_unit(self, ctx, unit).await
                }

                async fn insert_units(
                    &self,
                    ctx: &AuditContext,
                    units: &[NewUnitUnder],
                ) -> ServiceResult<Vec<Unit>> {
                    units::insert_units(self, ctx, units).await
                }

                async fn system_admin_exists(&self) -> ServiceResult<bool> {
                    units::system_admin_exists(self).await
                }

                async fn unit_by_id(&self, id: i64) -> ServiceResult<Unit> {
                    units::unit_by_id(self, id).await
                }

                async fn unit_by_code(&self, code: &UnitCode) -> ServiceResult<Unit> {
                    units::unit_by_code(self, code).await
                }

                async fn list_units(&self) -> ServiceResult<Vec<Unit>> {
                    units::list_units(self).await
                }

                async fn unit_count(&self) -> ServiceResult<usize> {
                    units::unit_count(self).await
                }

                async fn subtree_ids(&self, root: i64) -> ServiceResult<Vec<i64>> {
                    units::subtree_ids(self, root).await
                }
            }

            #[async_trait]
            impl UserStore for $store {
                async fn insert_user(
                    &self,
                    ctx: &AuditContext,
                    user: &NewUser,
                ) -> ServiceResult<User> {
                    users::insert_user(self, ctx, user).await
                }

                async fn user_by_id(&self, id: i64) -> ServiceResult<User> {
                    users::user_by_id(self, id).await
                }

                async fn list_users(
                    &self,
                    after: Option<&str>,
                    limit: u32,
                ) -> ServiceResult<Vec<User>> {
                    users::list_users(self, after, limit).await
                }

                async fn list_users_within(
                    &self,
                    units: &[i64],
                    after: Option<&str>,
                    limit: u32,
                ) -> ServiceResult<Vec<User>> {
                    users::list_users_within(self, units, after, limit).await
                }

                async fn set_user_active(
                    &self,
                    ctx: &AuditContext,
                    user_id: i64,
                    active: bool,
                ) -> ServiceResult<()> {
                    users::set_user_active(self, ctx, user_id, active).await
                }

                async fn user_by_username(&self, username: &str) -> ServiceResult<User> {
                    users::user_by_username(self, username).await
                }

                async fn set_password_hash(
                    &self,
                    ctx: &AuditContext,
                    user_id: i64,
                    hash: &str,
                ) -> ServiceResult<()> {
                    users::set_password_hash(self, ctx, user_id, hash).await
                }

                async fn grant_role(
                    &self,
                    ctx: &AuditContext,
                    user_id: i64,
                    role: Role,
                    unit_id: i64,
                ) -> ServiceResult<RoleGrant> {
                    users::grant_role(self, ctx, user_id, role, unit_id).await
                }

                async fn revoke_role(
                    &self,
                    ctx: &AuditContext,
                    user_id: i64,
                    role: Role,
                    unit_id: i64,
                ) -> ServiceResult<()> {
                    users::revoke_role(self, ctx, user_id, role, unit_id).await
                }

                async fn roles_of(&self, user_id: i64) -> ServiceResult<Vec<RoleGrant>> {
                    users::roles_of(self, user_id).await
                }

                async fn grant_scopes(
                    &self,
                    user_id: i64,
                ) -> ServiceResult<Vec<(RoleGrant, Vec<i64>)>> {
                    users::grant_scopes(self, user_id).await
                }
            }

            #[async_trait]
            impl AccessStore for $store {
                async fn create_session(&self, s: &SessionRecord) -> ServiceResult<()> {
                    access::create_session(self, s).await
                }

                async fn session_user(
                    &self,
                    id_hash: &str,
                    now: Timestamp,
                ) -> ServiceResult<Option<(SessionRecord, User)>> {
                    access::session_user(self, id_hash, now).await
                }

                async fn delete_session(&self, id_hash: &str) -> ServiceResult<()> {
                    access::delete_session(self, id_hash).await
                }

                async fn delete_user_sessions(&self, user_id: i64) -> ServiceResult<u64> {
                    access::delete_user_sessions(self, user_id).await
                }

                async fn purge_expired_sessions(&self, now: Timestamp) -> ServiceResult<u64> {
                    access::purge_expired_sessions(self, now).await
                }

                async fn reserve_login_attempt(
                    &self,
                    rules: &[AttemptRule],
                    now: Timestamp,
                ) -> ServiceResult<Reservation> {
                    access::reserve_login_attempt(self, rules, now).await
                }

                async fn release_login_attempt(
                    &self,
                    release: &[String],
                    clear: &[String],
                ) -> ServiceResult<()> {
                    access::release_login_attempt(self, release, clear).await
                }

                async fn create_api_token(
                    &self,
                    ctx: &AuditContext,
                    user_id: i64,
                    name: &str,
                    token_hash: &str,
                    expires_at: Timestamp,
                ) -> ServiceResult<ApiToken> {
                    access::create_api_token(self, ctx, user_id, name, token_hash, expires_at).await
                }

                async fn api_token_user(
                    &self,
                    token_hash: &str,
                    now: Timestamp,
                ) -> ServiceResult<Option<(ApiToken, User)>> {
                    access::api_token_user(self, token_hash, now).await
                }

                async fn touch_api_token(
                    &self,
                    id: i64,
                    now: Timestamp,
                    every: jiff::SignedDuration,
                ) -> ServiceResult<bool> {
                    access::touch_api_token(self, id, now, every).await
                }

                async fn api_token_by_hash(
                    &self,
                    token_hash: &str,
                ) -> ServiceResult<Option<ApiToken>> {
                    access::api_token_by_hash(self, token_hash).await
                }

                async fn api_tokens_of(&self, user_id: i64) -> ServiceResult<Vec<ApiToken>> {
                    access::api_tokens_of(self, user_id).await
                }

                async fn revoke_api_token(
                    &self,
                    ctx: &AuditContext,
                    id: i64,
                ) -> ServiceResult<ApiToken> {
                    access::revoke_api_token(self, ctx, id).await
                }
            }

            #[async_trait]
            impl CalendarStore for $store {
                async fn put_calendar_override(
                    &self,
                    ctx: &AuditContext,
                    o: &CalendarOverride,
                ) -> ServiceResult<()> {
                    calendar::put_calendar_override(self, ctx, o).await
                }

                async fn delete_calendar_override(
                    &self,
                    ctx: &AuditContext,
                    unit_id: Option<i64>,
                    date: Date,
                ) -> ServiceResult<()> {
                    calendar::delete_calendar_override(self, ctx, unit_id, date).await
                }

                async fn calendar_overrides(
                    &self,
                    unit_id: Option<i64>,
                    from: Date,
                    to: Date,
                ) -> ServiceResult<Vec<CalendarOverride>> {
                    calendar::calendar_overrides(self, unit_id, from, to).await
                }

                async fn put_office_hours(
                    &self,
                    ctx: &AuditContext,
                    row: &OfficeHoursRow,
                ) -> ServiceResult<()> {
                    calendar::put_office_hours(self, ctx, row).await
                }

                async fn office_hours(&self, unit_id: i64) -> ServiceResult<Vec<OfficeHoursRow>> {
                    calendar::office_hours(self, unit_id).await
                }

                async fn calendar_revision(&self) -> ServiceResult<i64> {
                    calendar::calendar_revision(self).await
                }
            }

            #[async_trait]
            impl UnitHistoryStore for $store {
                async fn apply_unit_change(
                    &self,
                    ctx: &AuditContext,
                    change: &UnitChange,
                ) -> ServiceResult<Vec<Unit>> {
                    history::apply_unit_change(self, ctx, change).await
                }

                async fn unit_versions(&self, unit_id: i64) -> ServiceResult<Vec<UnitVersion>> {
                    history::unit_versions(self, unit_id).await
                }

                async fn units_on(&self, on: Date) -> ServiceResult<Vec<UnitVersion>> {
                    history::units_on(self, on).await
                }

                async fn all_unit_versions(&self) -> ServiceResult<Vec<UnitVersion>> {
                    history::all_versions(self).await
                }

                async fn subtree_ids_on(&self, root: i64, on: Date) -> ServiceResult<Vec<i64>> {
                    history::subtree_ids_on(self, root, on).await
                }

                async fn successions_of(&self, unit_id: i64) -> ServiceResult<Vec<Succession>> {
                    history::successions_of(self, unit_id).await
                }
                async fn all_successions(&self) -> ServiceResult<Vec<Succession>> {
                    history::all_successions(self).await
                }
            }

            #[async_trait]
            impl SettingStore for $store {
                async fn get_setting(
                    &self,
                    scope: &str,
                    key: &str,
                ) -> ServiceResult<Option<serde_json::Value>> {
                    records::get_setting(self, scope, key).await
                }

                async fn put_setting(
                    &self,
                    ctx: &AuditContext,
                    scope: &str,
                    key: &str,
                    value: &serde_json::Value,
                ) -> ServiceResult<()> {
                    records::put_setting(self, ctx, scope, key, value).await
                }
            }

            #[async_trait]
            impl AuditStore for $store {
                async fn append_audit(
                    &self,
                    ctx: &AuditContext,
                    action: &str,
                    subject: &str,
                    detail: &serde_json::Value,
                ) -> ServiceResult<StoredEntry> {
                    records::append_audit(self, ctx, action, subject, detail).await
                }

                async fn audit_entries(
                    &self,
                    after: i64,
                    limit: u32,
                ) -> ServiceResult<Vec<StoredEntry>> {
                    records::audit_entries(self, after, limit).await
                }
            }

            #[async_trait]
            impl CatalogStore for $store {
                async fn insert_procedure(
                    &self,
                    ctx: &AuditContext,
                    draft: &ProcedureDraft,
                ) -> ServiceResult<ProcedureVersion> {
                    let mut tx = self.begin_write().await?;
                    let v = catalog::insert_procedure(&mut *tx, ctx, draft).await?;
                    commit(tx).await?;
                    Ok(v)
                }

                async fn add_procedure_version(
                    &self,
                    ctx: &AuditContext,
                    draft: &ProcedureDraft,
                ) -> ServiceResult<ProcedureVersion> {
                    let mut tx = self.begin_write().await?;
                    let v = catalog::add_procedure_version(&mut *tx, ctx, draft).await?;
                    commit(tx).await?;
                    Ok(v)
                }

                async fn import_procedures(
                    &self,
                    ctx: &AuditContext,
                    drafts: &[ProcedureDraft],
                    assignments: &[(usize, i64)],
                ) -> ServiceResult<ImportOutcome> {
                    let mut tx = self.begin_write().await?;
                    let outcome =
                        catalog::import_procedures(&mut *tx, ctx, drafts, assignments).await?;
                    commit(tx).await?;
                    Ok(outcome)
                }

                async fn procedure(
                    &self,
                    code: &ProcedureCode,
                    on: Option<Date>,
                ) -> ServiceResult<ProcedureVersion> {
                    catalog::procedure(&mut *self.read().await?, code, on).await
                }

                async fn procedure_versions(
                    &self,
                    code: &ProcedureCode,
                ) -> ServiceResult<Vec<ProcedureVersion>> {
                    catalog::procedure_versions(&mut *self.read().await?, code).await
                }

                async fn list_procedures(
                    &self,
                    filter: &ProcedureFilter,
                    page: &CodePage,
                ) -> ServiceResult<Vec<ProcedureVersion>> {
                    catalog::list_procedures(&mut *self.read().await?, filter, page).await
                }

                async fn search_procedures(
                    &self,
                    query: &str,
                    filter: &ProcedureFilter,
                    limit: u32,
                ) -> ServiceResult<Vec<SearchHit>> {
                    let mut c = self.read().await?;
                    catalog::search_procedures(self.search(), &mut *c, query, filter, limit).await
                }

                async fn assign_procedure(
                    &self,
                    ctx: &AuditContext,
                    code: &ProcedureCode,
                    unit_id: i64,
                ) -> ServiceResult<()> {
                    let mut tx = self.begin_write().await?;
                    catalog::assign_procedure(&mut *tx, ctx, code, unit_id).await?;
                    commit(tx).await
                }

                async fn unassign_procedure(
                    &self,
                    ctx: &AuditContext,
                    code: &ProcedureCode,
                    unit_id: i64,
                ) -> ServiceResult<()> {
                    let mut tx = self.begin_write().await?;
                    catalog::unassign_procedure(&mut *tx, ctx, code, unit_id).await?;
                    commit(tx).await
                }

                async fn procedure_units(&self, code: &ProcedureCode) -> ServiceResult<Vec<i64>> {
                    catalog::procedure_units(&mut *self.read().await?, code).await
                }

                async fn insert_process(
                    &self,
                    ctx: &AuditContext,
                    p: &NewProcess,
                ) -> ServiceResult<Process> {
                    let mut tx = self.begin_write().await?;
                    let process = catalog::insert_process(&mut *tx, ctx, p).await?;
                    commit(tx).await?;
                    Ok(process)
                }

                async fn processes(
                    &self,
                    unit_ids: &[i64],
                    on: Date,
                ) -> ServiceResult<Vec<Process>> {
                    catalog::processes(&mut *self.read().await?, unit_ids, on).await
                }

                async fn insert_review(
                    &self,
                    ctx: &AuditContext,
                    r: &NewReview,
                ) -> ServiceResult<Review> {
                    let mut tx = self.begin_write().await?;
                    let review = catalog::insert_review(&mut *tx, ctx, r).await?;
                    commit(tx).await?;
                    Ok(review)
                }

                async fn reviews(
                    &self,
                    unit_ids: &[i64],
                    year: Option<i16>,
                ) -> ServiceResult<Vec<Review>> {
                    catalog::reviews(&mut *self.read().await?, unit_ids, year).await
                }

                async fn catalog_counts(
                    &self,
                    unit_ids: &[i64],
                    on: Date,
                ) -> ServiceResult<Vec<LevelCounts>> {
                    catalog::catalog_counts(&mut *self.read().await?, unit_ids, on).await
                }
            }
        };
        $crate::ports::dossier_ports::dossier_ports!($store);
        $crate::ports::applicants::applicant_ports!($store);
        $crate::ports::feedback::feedback_ports!($store);
        $crate::ports::payments::payment_ports!($store);
        $crate::ports::templates::template_ports!($store);
        $crate::ports::dashboard::dashboard_ports!($store);
        $crate::ports::stats::stats_ports!($store);
    };
}
pub(crate) use store_ports;
