//! The unit tree through time: [`TreeTx`] over any [`Conn`], and the reads.
//! The rules are in [`crate::history_rules`]. A change runs in one write
//! transaction that first takes the tree lock ([`Conn::lock_tree`]: SQLite's
//! `BEGIN IMMEDIATE` already holds the write lock; PostgreSQL takes an
//! advisory lock), so the state the checks see cannot change before the
//! commit. Readers are never blocked.

use async_trait::async_trait;
use jiff::civil::Date;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, NewUnit, Succession, Unit, UnitChange, UnitVersion};
use serde_json::Value;

use crate::conn::{Backend, Conn, Sql, commit};
use crate::convert::{self, UnitRow, day_text};
use crate::error::{db, explain_unit_insert, map_db};
use crate::history_rules::{self as rules, SuccessionRow, TreeTx, VersionRow};
use crate::sql;

async fn ids<C: Conn>(c: &mut C, q: Sql) -> ServiceResult<Vec<i64>> {
    let rows: Vec<(i64,)> = c.all(q).await.map_err(db)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

#[async_trait]
impl<C: Conn> TreeTx for C {
    async fn unit(&mut self, id: i64) -> ServiceResult<Option<Unit>> {
        let row: Option<UnitRow> = self
            .optional(Sql::new(sql::UNIT_BY_ID).int(id))
            .await
            .map_err(db)?;
        row.map(convert::unit).transpose()
    }

    async fn versions(&mut self, id: i64) -> ServiceResult<Vec<UnitVersion>> {
        let rows: Vec<VersionRow> = self
            .all(Sql::new(rules::VERSIONS_OF).int(id))
            .await
            .map_err(db)?;
        rows.into_iter().map(rules::version).collect()
    }

    async fn live_children(&mut self, id: i64, from: Date) -> ServiceResult<Vec<(i64, String)>> {
        self.all(Sql::new(rules::LIVE_CHILDREN).int(id).text(day_text(from)))
            .await
            .map_err(db)
    }

    async fn code_holders(
        &mut self,
        code: &str,
        except: i64,
        from: Date,
        to: Option<Date>,
    ) -> ServiceResult<Vec<i64>> {
        let q = Sql::new(rules::CODE_HOLDERS)
            .text(code)
            .int(except)
            .text(day_text(from))
            .opt_text(to.map(day_text));
        ids(self, q).await
    }

    async fn subtree_on(&mut self, root: i64, on: Date) -> ServiceResult<Vec<i64>> {
        ids(
            self,
            Sql::new(rules::SUBTREE_ON).int(root).text(day_text(on)),
        )
        .await
    }

    async fn subtree_latest(&mut self, root: i64) -> ServiceResult<Vec<i64>> {
        ids(self, Sql::new(sql::SUBTREE_IDS).int(root)).await
    }

    async fn set_version_end(
        &mut self,
        unit_id: i64,
        valid_from: Date,
        valid_to: Option<Date>,
    ) -> ServiceResult<()> {
        self.execute(
            Sql::new(rules::SET_VERSION_END)
                .int(unit_id)
                .text(day_text(valid_from))
                .opt_text(valid_to.map(day_text)),
        )
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn insert_version(&mut self, v: &UnitVersion) -> ServiceResult<()> {
        self.execute(
            Sql::new(rules::INSERT_VERSION)
                .int(v.unit_id)
                .text(day_text(v.valid_from))
                .opt_text(v.valid_to.map(day_text))
                .text(v.code.as_str())
                .text(v.name.clone())
                .opt_int(v.parent_id)
                .text(v.kind.as_str())
                .text(v.level.as_str()),
        )
        .await
        .map_err(|e| map_db(e, |b| rules::explain_tree_write(b, v.code.as_str())))?;
        Ok(())
    }

    async fn update_unit(&mut self, u: &Unit) -> ServiceResult<()> {
        self.execute(
            Sql::new(rules::UPDATE_UNIT)
                .int(u.id)
                .text(u.code.as_str())
                .text(u.name.clone())
                .text(u.level.as_str())
                .opt_int(u.parent_id)
                .opt_text(u.valid_to.map(day_text)),
        )
        .await
        .map_err(|e| map_db(e, |b| rules::explain_tree_write(b, u.code.as_str())))?;
        Ok(())
    }

    async fn insert_unit_row(&mut self, u: &NewUnit) -> ServiceResult<i64> {
        let (id,): (i64,) = self
            .one(
                Sql::new(sql::INSERT_UNIT)
                    .text(u.code.as_str())
                    .text(u.name.clone())
                    .text(u.kind.as_str())
                    .text(u.level.as_str())
                    .opt_int(u.parent_id)
                    .text(day_text(u.valid_from))
                    .opt_text(u.valid_to.map(day_text)),
            )
            .await
            .map_err(|e| map_db(e, |b| explain_unit_insert(b, u.code.as_str())))?;
        Ok(id)
    }

    async fn insert_succession(&mut self, s: &Succession) -> ServiceResult<()> {
        self.execute(
            Sql::new(rules::INSERT_SUCCESSION)
                .int(s.predecessor_id)
                .int(s.successor_id)
                .text(s.kind.as_str())
                .text(day_text(s.effective)),
        )
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn append(
        &mut self,
        ctx: &AuditContext,
        action: &str,
        subject: &str,
        detail: &Value,
    ) -> ServiceResult<()> {
        Conn::append(self, ctx, action, subject, detail).await?;
        Ok(())
    }
}

async fn unit_exists<C: Conn>(c: &mut C, id: i64) -> ServiceResult<()> {
    let (n,): (i64,) = c
        .one(Sql::new(rules::UNIT_EXISTS).int(id))
        .await
        .map_err(db)?;
    if n == 0 {
        return Err(ServiceError::not_found("unit", id.to_string()));
    }
    Ok(())
}

pub(crate) async fn apply_unit_change<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    change: &UnitChange,
) -> ServiceResult<Vec<Unit>> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.lock_tree().await?;
    let units = rules::apply(c, ctx, change).await?;
    commit(tx).await?;
    Ok(units)
}

pub(crate) async fn unit_versions<B: Backend>(
    b: &B,
    unit_id: i64,
) -> ServiceResult<Vec<UnitVersion>> {
    let mut c = b.read().await?;
    let rows: Vec<VersionRow> = c
        .all(Sql::new(rules::VERSIONS_OF).int(unit_id))
        .await
        .map_err(db)?;
    if rows.is_empty() {
        unit_exists(&mut *c, unit_id).await?;
    }
    rows.into_iter().map(rules::version).collect()
}

pub(crate) async fn all_versions<B: Backend>(b: &B) -> ServiceResult<Vec<UnitVersion>> {
    let mut c = b.read().await?;
    let memo = b.access().memo(&mut *c).await?;
    if let Some(v) = memo.versions() {
        return Ok(v.to_vec());
    }
    let rows: Vec<VersionRow> = c.all(Sql::new(rules::ALL_VERSIONS)).await.map_err(db)?;
    let versions: Vec<UnitVersion> = rows
        .into_iter()
        .map(rules::version)
        .collect::<ServiceResult<_>>()?;
    memo.keep_versions(std::sync::Arc::new(versions.clone()));
    Ok(versions)
}

pub(crate) async fn units_on<B: Backend>(b: &B, on: Date) -> ServiceResult<Vec<UnitVersion>> {
    let rows: Vec<VersionRow> = b
        .read()
        .await?
        .all(Sql::new(rules::UNITS_ON).text(day_text(on)))
        .await
        .map_err(db)?;
    rows.into_iter().map(rules::version).collect()
}

pub(crate) async fn subtree_ids_on<B: Backend>(
    b: &B,
    root: i64,
    on: Date,
) -> ServiceResult<Vec<i64>> {
    ids(
        &mut *b.read().await?,
        Sql::new(rules::SUBTREE_ON).int(root).text(day_text(on)),
    )
    .await
}

pub(crate) async fn successions_of<B: Backend>(
    b: &B,
    unit_id: i64,
) -> ServiceResult<Vec<Succession>> {
    let mut c = b.read().await?;
    let rows: Vec<SuccessionRow> = c
        .all(Sql::new(rules::SUCCESSIONS_OF).int(unit_id))
        .await
        .map_err(db)?;
    if rows.is_empty() {
        unit_exists(&mut *c, unit_id).await?;
    }
    rows.into_iter().map(rules::succession).collect()
}

pub(crate) async fn all_successions<B: Backend>(b: &B) -> ServiceResult<Vec<Succession>> {
    let rows: Vec<SuccessionRow> = b
        .read()
        .await?
        .all(Sql::new(rules::ALL_SUCCESSIONS))
        .await
        .map_err(db)?;
    rows.into_iter().map(rules::succession).collect()
}
