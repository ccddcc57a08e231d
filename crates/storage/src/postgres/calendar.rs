//! Calendar overrides and office hours on PostgreSQL.

use async_trait::async_trait;
use jiff::civil::Date;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, CalendarOverride, CalendarStore, OfficeHoursRow};
use sqlx::PgConnection;

use super::{PgStore, append};
use crate::convert::{self, OfficeHoursDbRow, OverrideRow};
use crate::error::{db, explain_unit_reference, map_db};
use crate::{audit, sql};

/// The unit's code for the audit subject; an unknown unit is `NotFound`.
async fn unit_code(conn: &mut PgConnection, unit_id: i64) -> ServiceResult<String> {
    let code: Option<String> = sqlx::query_scalar(sql::UNIT_CODE)
        .bind(unit_id)
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    code.ok_or_else(|| ServiceError::not_found("unit", unit_id.to_string()))
}

/// `calendar:global`, or the unit's subject after checking that it exists.
async fn calendar_subject(conn: &mut PgConnection, unit_id: Option<i64>) -> ServiceResult<String> {
    Ok(match unit_id {
        Some(id) => audit::calendar_subject(Some(&unit_code(conn, id).await?)),
        None => audit::calendar_subject(None),
    })
}

#[async_trait]
impl CalendarStore for PgStore {
    async fn put_calendar_override(
        &self,
        ctx: &AuditContext,
        o: &CalendarOverride,
    ) -> ServiceResult<()> {
        let mut tx = self.begin_write().await?;
        let subject = calendar_subject(&mut tx, o.unit_id).await?;
        sqlx::query(sql::PUT_OVERRIDE)
            .bind(o.unit_id.unwrap_or(0))
            .bind(o.unit_id)
            .bind(convert::day_text(o.date))
            .bind(o.working)
            .bind(&o.reason)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_db(e, |b| explain_unit_reference(b, o.unit_id.unwrap_or(0))))?;
        append(
            &mut tx,
            ctx,
            audit::CALENDAR_OVERRIDE_PUT,
            &subject,
            &audit::override_detail(o),
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    async fn delete_calendar_override(
        &self,
        ctx: &AuditContext,
        unit_id: Option<i64>,
        date: Date,
    ) -> ServiceResult<()> {
        let mut tx = self.begin_write().await?;
        let subject = calendar_subject(&mut tx, unit_id).await?;
        let deleted = sqlx::query(sql::DELETE_OVERRIDE)
            .bind(unit_id.unwrap_or(0))
            .bind(convert::day_text(date))
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        if deleted == 0 {
            return Err(ServiceError::not_found(
                "calendar override",
                format!("{subject} {}", convert::day_text(date)),
            ));
        }
        append(
            &mut tx,
            ctx,
            audit::CALENDAR_OVERRIDE_DELETE,
            &subject,
            &audit::override_delete_detail(unit_id, date),
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    async fn calendar_overrides(
        &self,
        unit_id: Option<i64>,
        from: Date,
        to: Date,
    ) -> ServiceResult<Vec<CalendarOverride>> {
        let rows: Vec<OverrideRow> = sqlx::query_as(sql::OVERRIDES)
            .bind(unit_id.unwrap_or(0))
            .bind(convert::day_text(from))
            .bind(convert::day_text(to))
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        rows.into_iter().map(convert::calendar_override).collect()
    }

    async fn put_office_hours(
        &self,
        ctx: &AuditContext,
        row: &OfficeHoursRow,
    ) -> ServiceResult<()> {
        let mut tx = self.begin_write().await?;
        let code = unit_code(&mut tx, row.unit_id).await?;
        sqlx::query(sql::PUT_OFFICE_HOURS)
            .bind(row.unit_id)
            .bind(convert::day_text(row.valid_from))
            .bind(row.valid_to.map(convert::day_text))
            .bind(convert::sessions_to_json(&row.sessions))
            .execute(&mut *tx)
            .await
            .map_err(|e| map_db(e, |b| explain_unit_reference(b, row.unit_id)))?;
        append(
            &mut tx,
            ctx,
            audit::OFFICE_HOURS_PUT,
            &audit::unit_subject(&code),
            &audit::office_hours_detail(row),
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    async fn office_hours(&self, unit_id: i64) -> ServiceResult<Vec<OfficeHoursRow>> {
        let rows: Vec<OfficeHoursDbRow> = sqlx::query_as(sql::OFFICE_HOURS)
            .bind(unit_id)
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        if rows.is_empty() {
            let code: Option<String> = sqlx::query_scalar(sql::UNIT_CODE)
                .bind(unit_id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            if code.is_none() {
                return Err(ServiceError::not_found("unit", unit_id.to_string()));
            }
        }
        rows.into_iter().map(convert::office_hours).collect()
    }
}
