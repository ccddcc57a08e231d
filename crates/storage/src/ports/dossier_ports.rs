//! [`dossier_ports!`]: the dossier, outbox and idempotency port traits
//! wired to the shared operations, for a backend's store type (called from
//! `store_ports!`).

/// Implements `DossierStore`, `OutboxStore` and `IdempotencyStore` for `$store`.
macro_rules! dossier_ports {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use jiff::Timestamp;
            use motcua_service::error::ServiceResult;
            use motcua_service::store::{
                AuditContext, Delivery, Dossier, DossierChange, DossierEvent, DossierFilter,
                DossierStep, DossierStore, DossierSummary, FileRecord, IdempotencyClaim,
                IdempotencyStore, MessageStatus, NewDossier, OutboxMessage, OutboxStore,
                PublicStatus, ReceivedItem,
            };

            use $crate::ports::{dossiers, outbox};

            #[allow(clippy::too_many_arguments)]
            #[async_trait]
            impl DossierStore for $store {
                async fn insert_dossier(
                    &self,
                    ctx: &AuditContext,
                    d: &NewDossier,
                ) -> ServiceResult<Dossier> {
                    dossiers::insert_dossier(self, ctx, d).await
                }

                async fn import_dossiers(
                    &self,
                    ctx: &AuditContext,
                    source: &str,
                    items: &[NewDossier],
                ) -> ServiceResult<usize> {
                    dossiers::import_dossiers(self, ctx, source, items).await
                }

                async fn change_dossier(
                    &self,
                    ctx: &AuditContext,
                    c: &DossierChange,
                ) -> ServiceResult<Dossier> {
                    dossiers::change_dossier(self, ctx, c).await
                }

                async fn correct_dossier(
                    &self,
                    ctx: &AuditContext,
                    c: &motcua_service::store::DossierCorrection,
                ) -> ServiceResult<Dossier> {
                    $crate::ports::corrections::correct_dossier(self, ctx, c).await
                }

                async fn dossier_by_code(&self, code: &str) -> ServiceResult<Dossier> {
                    dossiers::dossier_by_code(self, code).await
                }

                async fn procedure_version_by_id(
                    &self,
                    version_id: i64,
                ) -> ServiceResult<motcua_service::store::ProcedureVersion> {
                    dossiers::procedure_version_by_id(self, version_id).await
                }

                async fn dossier_components(&self, id: i64) -> ServiceResult<Vec<ReceivedItem>> {
                    dossiers::dossier_components(self, id).await
                }

                async fn dossier_events(&self, id: i64) -> ServiceResult<Vec<DossierEvent>> {
                    dossiers::dossier_events(self, id).await
                }

                async fn dossier_steps(&self, id: i64) -> ServiceResult<Vec<DossierStep>> {
                    dossiers::dossier_steps(self, id).await
                }

                async fn list_dossiers(
                    &self,
                    f: &DossierFilter,
                ) -> ServiceResult<Vec<DossierSummary>> {
                    dossiers::list_dossiers(self, f).await
                }

                async fn count_dossiers(
                    &self,
                    f: &DossierFilter,
                    cap: u64,
                ) -> ServiceResult<motcua_service::store::Total> {
                    dossiers::count_dossiers(self, f, cap).await
                }

                async fn public_status(&self, code: &str) -> ServiceResult<Option<PublicStatus>> {
                    dossiers::public_status(self, code).await
                }

                async fn insert_file(
                    &self,
                    ctx: &AuditContext,
                    dossier_id: i64,
                    kind: &str,
                    name: &str,
                    content_type: &str,
                    size_bytes: i64,
                    sha256: &str,
                ) -> ServiceResult<FileRecord> {
                    dossiers::insert_file(
                        self,
                        ctx,
                        dossier_id,
                        kind,
                        name,
                        content_type,
                        size_bytes,
                        sha256,
                    )
                    .await
                }

                async fn dossier_files(&self, dossier_id: i64) -> ServiceResult<Vec<FileRecord>> {
                    dossiers::dossier_files(self, dossier_id).await
                }
            }

            #[async_trait]
            impl OutboxStore for $store {
                async fn claim_messages(
                    &self,
                    now: Timestamp,
                    lease_until: Timestamp,
                    limit: u32,
                ) -> ServiceResult<Vec<OutboxMessage>> {
                    outbox::claim_messages(self, now, lease_until, limit).await
                }

                async fn record_delivery(&self, id: i64, outcome: &Delivery) -> ServiceResult<()> {
                    outbox::record_delivery(self, id, outcome).await
                }

                async fn outbox_messages(
                    &self,
                    units: Option<&[i64]>,
                    status: Option<MessageStatus>,
                    before: Option<i64>,
                    limit: u32,
                ) -> ServiceResult<Vec<OutboxMessage>> {
                    outbox::outbox_messages(self, units, status, before, limit).await
                }

                async fn dossier_messages(
                    &self,
                    dossier_id: i64,
                ) -> ServiceResult<Vec<OutboxMessage>> {
                    outbox::dossier_messages(self, dossier_id).await
                }

                async fn open_step_dues(
                    &self,
                    ids: &[i64],
                ) -> ServiceResult<Vec<(i64, Option<Timestamp>)>> {
                    dossiers::open_step_dues(self, ids).await
                }

                async fn retry_message(
                    &self,
                    ctx: &AuditContext,
                    units: Option<&[i64]>,
                    id: i64,
                    at: Timestamp,
                ) -> ServiceResult<()> {
                    outbox::retry_message(self, ctx, units, id, at).await
                }
            }

            #[async_trait]
            impl IdempotencyStore for $store {
                async fn claim_idempotency_key(
                    &self,
                    actor: &str,
                    key: &str,
                    fingerprint: &str,
                    now: Timestamp,
                ) -> ServiceResult<IdempotencyClaim> {
                    outbox::claim_idempotency_key(self, actor, key, fingerprint, now).await
                }

                async fn complete_idempotency_key(
                    &self,
                    actor: &str,
                    key: &str,
                    status: u16,
                    body: &str,
                ) -> ServiceResult<()> {
                    outbox::complete_idempotency_key(self, actor, key, status, body).await
                }

                async fn release_idempotency_key(
                    &self,
                    actor: &str,
                    key: &str,
                ) -> ServiceResult<()> {
                    outbox::release_idempotency_key(self, actor, key).await
                }
            }
        };
    };
}
pub(crate) use dossier_ports;
