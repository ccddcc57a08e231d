//! The procedure catalog on SQLite: the [`Conn`] driver for the shared
//! operations in `crate::catalog`, and the port wired to the writer (changes,
//! in `BEGIN IMMEDIATE` transactions) and the readers (everything else).

use async_trait::async_trait;
use jiff::civil::Date;
use motcua_domain::catalog::{ProcedureCode, ProcedureDraft};
use motcua_domain::search::SearchHit;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    AuditContext, CatalogStore, CodePage, ImportOutcome, LevelCounts, NewProcess, NewReview,
    ProcedureFilter, ProcedureVersion, Process, Review,
};
use sqlx::sqlite::SqliteConnection;
use sqlx::{Sqlite, pool::PoolConnection};

use super::{SqliteStore, append};
use crate::catalog::{self, Conn, Dialect, Rows, Sql};
use crate::error::db;

impl Conn for SqliteConnection {
    const DIALECT: Dialect = Dialect::Sqlite;

    async fn all<R: Rows>(&mut self, q: Sql) -> Result<Vec<R>, sqlx::Error> {
        let (text, args) = q.into_parts::<Sqlite>()?;
        sqlx::query_as_with(text, args).fetch_all(self).await
    }

    async fn optional<R: Rows>(&mut self, q: Sql) -> Result<Option<R>, sqlx::Error> {
        let (text, args) = q.into_parts::<Sqlite>()?;
        sqlx::query_as_with(text, args).fetch_optional(self).await
    }

    async fn one<R: Rows>(&mut self, q: Sql) -> Result<R, sqlx::Error> {
        let (text, args) = q.into_parts::<Sqlite>()?;
        sqlx::query_as_with(text, args).fetch_one(self).await
    }

    async fn execute(&mut self, q: Sql) -> Result<u64, sqlx::Error> {
        let (text, args) = q.into_parts::<Sqlite>()?;
        Ok(sqlx::query_with(text, args)
            .execute(self)
            .await?
            .rows_affected())
    }

    async fn append(
        &mut self,
        ctx: &AuditContext,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> ServiceResult<()> {
        append(self, ctx, action, subject, detail).await.map(|_| ())
    }

    /// Nothing to take: a write transaction already holds the database's
    /// one write lock from its `BEGIN IMMEDIATE`.
    async fn lock_catalog(&mut self) -> ServiceResult<()> {
        Ok(())
    }
}

impl SqliteStore {
    async fn read(&self) -> ServiceResult<PoolConnection<Sqlite>> {
        self.reader.acquire().await.map_err(db)
    }
}

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn insert_procedure(
        &self,
        ctx: &AuditContext,
        draft: &ProcedureDraft,
    ) -> ServiceResult<ProcedureVersion> {
        let mut tx = self.begin_write().await?;
        let v = catalog::insert_procedure(&mut *tx, ctx, draft).await?;
        tx.commit().await.map_err(db)?;
        Ok(v)
    }

    async fn add_procedure_version(
        &self,
        ctx: &AuditContext,
        draft: &ProcedureDraft,
    ) -> ServiceResult<ProcedureVersion> {
        let mut tx = self.begin_write().await?;
        let v = catalog::add_procedure_version(&mut *tx, ctx, draft).await?;
        tx.commit().await.map_err(db)?;
        Ok(v)
    }

    async fn import_procedures(
        &self,
        ctx: &AuditContext,
        drafts: &[ProcedureDraft],
        assignments: &[(usize, i64)],
    ) -> ServiceResult<ImportOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = catalog::import_procedures(&mut *tx, ctx, drafts, assignments).await?;
        tx.commit().await.map_err(db)?;
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
        catalog::search_procedures(&self.search, &mut *c, query, filter, limit).await
    }

    async fn assign_procedure(
        &self,
        ctx: &AuditContext,
        code: &ProcedureCode,
        unit_id: i64,
    ) -> ServiceResult<()> {
        let mut tx = self.begin_write().await?;
        catalog::assign_procedure(&mut *tx, ctx, code, unit_id).await?;
        tx.commit().await.map_err(db)
    }

    async fn unassign_procedure(
        &self,
        ctx: &AuditContext,
        code: &ProcedureCode,
        unit_id: i64,
    ) -> ServiceResult<()> {
        let mut tx = self.begin_write().await?;
        catalog::unassign_procedure(&mut *tx, ctx, code, unit_id).await?;
        tx.commit().await.map_err(db)
    }

    async fn procedure_units(&self, code: &ProcedureCode) -> ServiceResult<Vec<i64>> {
        catalog::procedure_units(&mut *self.read().await?, code).await
    }

    async fn insert_process(&self, ctx: &AuditContext, p: &NewProcess) -> ServiceResult<Process> {
        let mut tx = self.begin_write().await?;
        let process = catalog::insert_process(&mut *tx, ctx, p).await?;
        tx.commit().await.map_err(db)?;
        Ok(process)
    }

    async fn processes(&self, unit_ids: &[i64], on: Date) -> ServiceResult<Vec<Process>> {
        catalog::processes(&mut *self.read().await?, unit_ids, on).await
    }

    async fn insert_review(&self, ctx: &AuditContext, r: &NewReview) -> ServiceResult<Review> {
        let mut tx = self.begin_write().await?;
        let review = catalog::insert_review(&mut *tx, ctx, r).await?;
        tx.commit().await.map_err(db)?;
        Ok(review)
    }

    async fn reviews(&self, unit_ids: &[i64], year: Option<i16>) -> ServiceResult<Vec<Review>> {
        catalog::reviews(&mut *self.read().await?, unit_ids, year).await
    }

    async fn catalog_counts(&self, unit_ids: &[i64], on: Date) -> ServiceResult<Vec<LevelCounts>> {
        catalog::catalog_counts(&mut *self.read().await?, unit_ids, on).await
    }
}
