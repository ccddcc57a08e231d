//! Settings and the audit log, the same on both databases.

use motcua_domain::audit::StoredEntry;
use motcua_service::error::ServiceResult;
use motcua_service::store::AuditContext;

use crate::conn::{Backend, Conn, Sql, commit};
use crate::convert::{self, AuditRow};
use crate::error::db;
use crate::{audit, sql};

pub(crate) async fn get_setting<B: Backend>(
    b: &B,
    scope: &str,
    key: &str,
) -> ServiceResult<Option<serde_json::Value>> {
    let text: Option<(String,)> = b
        .read()
        .await?
        .optional(Sql::new(sql::GET_SETTING).text(scope).text(key))
        .await
        .map_err(db)?;
    text.map(|(t,)| {
        serde_json::from_str(&t).map_err(|e| crate::error::corrupt("settings.value", &t, e))
    })
    .transpose()
}

pub(crate) async fn put_setting<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    scope: &str,
    key: &str,
    value: &serde_json::Value,
) -> ServiceResult<()> {
    crate::check_setting_key(scope, key)?;
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(
        Sql::new(sql::PUT_SETTING)
            .text(scope)
            .text(key)
            .text(convert::detail_text(value)?)
            .int(convert::millis(ctx.at)),
    )
    .await
    .map_err(db)?;
    c.append(
        ctx,
        audit::SETTING_PUT,
        &audit::setting_subject(scope, key),
        &audit::setting_detail(value),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn append_audit<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> ServiceResult<StoredEntry> {
    let mut tx = b.begin_write().await?;
    let e = tx.append(ctx, action, subject, detail).await?;
    commit(tx).await?;
    Ok(e)
}

pub(crate) async fn audit_entries<B: Backend>(
    b: &B,
    after: i64,
    limit: u32,
) -> ServiceResult<Vec<StoredEntry>> {
    let rows: Vec<AuditRow> = b
        .read()
        .await?
        .all(Sql::new(sql::AUDIT_AFTER).int(after).int(i64::from(limit)))
        .await
        .map_err(db)?;
    Ok(rows.into_iter().map(convert::audit_entry).collect())
}
