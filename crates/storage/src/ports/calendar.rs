//! Calendar overrides and office hours, the same on both databases.

use jiff::civil::Date;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, CalendarOverride, OfficeHoursRow};

use super::units::unit_code;
use crate::conn::{Backend, Conn, Sql, commit};
use crate::convert::{self, OfficeHoursDbRow, OverrideRow};
use crate::error::{db, explain_unit_reference, map_db};
use crate::{audit, sql};

/// `calendar:global`, or the unit's subject after checking that it exists.
async fn calendar_subject<C: Conn>(c: &mut C, unit_id: Option<i64>) -> ServiceResult<String> {
    Ok(match unit_id {
        Some(id) => audit::calendar_subject(Some(&unit_code(c, id).await?)),
        None => audit::calendar_subject(None),
    })
}

pub(crate) async fn put_calendar_override<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    o: &CalendarOverride,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let subject = calendar_subject(c, o.unit_id).await?;
    c.execute(
        Sql::new(sql::PUT_OVERRIDE)
            .int(o.unit_id.unwrap_or(0))
            .opt_int(o.unit_id)
            .text(convert::day_text(o.date))
            .bool(o.working)
            .text(o.reason.clone()),
    )
    .await
    .map_err(|e| map_db(e, |b| explain_unit_reference(b, o.unit_id.unwrap_or(0))))?;
    c.append(
        ctx,
        audit::CALENDAR_OVERRIDE_PUT,
        &subject,
        &audit::override_detail(o),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn delete_calendar_override<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    unit_id: Option<i64>,
    date: Date,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let subject = calendar_subject(c, unit_id).await?;
    let deleted = c
        .execute(
            Sql::new(sql::DELETE_OVERRIDE)
                .int(unit_id.unwrap_or(0))
                .text(convert::day_text(date)),
        )
        .await
        .map_err(db)?;
    if deleted == 0 {
        return Err(ServiceError::not_found(
            "calendar override",
            format!("{subject} {}", convert::day_text(date)),
        ));
    }
    c.append(
        ctx,
        audit::CALENDAR_OVERRIDE_DELETE,
        &subject,
        &audit::override_delete_detail(unit_id, date),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn calendar_overrides<B: Backend>(
    b: &B,
    unit_id: Option<i64>,
    from: Date,
    to: Date,
) -> ServiceResult<Vec<CalendarOverride>> {
    let rows: Vec<OverrideRow> = b
        .read()
        .await?
        .all(
            Sql::new(sql::OVERRIDES)
                .int(unit_id.unwrap_or(0))
                .text(convert::day_text(from))
                .text(convert::day_text(to)),
        )
        .await
        .map_err(db)?;
    rows.into_iter().map(convert::calendar_override).collect()
}

pub(crate) async fn put_office_hours<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    row: &OfficeHoursRow,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let code = unit_code(c, row.unit_id).await?;
    c.execute(
        Sql::new(sql::PUT_OFFICE_HOURS)
            .int(row.unit_id)
            .text(convert::day_text(row.valid_from))
            .opt_text(row.valid_to.map(convert::day_text))
            .text(convert::sessions_to_json(&row.sessions)),
    )
    .await
    .map_err(|e| map_db(e, |b| explain_unit_reference(b, row.unit_id)))?;
    c.append(
        ctx,
        audit::OFFICE_HOURS_PUT,
        &audit::unit_subject(&code),
        &audit::office_hours_detail(row),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn office_hours<B: Backend>(
    b: &B,
    unit_id: i64,
) -> ServiceResult<Vec<OfficeHoursRow>> {
    let mut c = b.read().await?;
    let rows: Vec<OfficeHoursDbRow> = c
        .all(Sql::new(sql::OFFICE_HOURS).int(unit_id))
        .await
        .map_err(db)?;
    if rows.is_empty() {
        unit_code(&mut *c, unit_id).await?;
    }
    rows.into_iter().map(convert::office_hours).collect()
}

/// The calendar revision (migration 0015): moved by triggers with every
/// change to corrections, office hours or settings.
pub(crate) async fn calendar_revision<B: Backend>(b: &B) -> ServiceResult<i64> {
    let mut c = b.read().await?;
    let (r,): (i64,) = c.one(Sql::new(sql::CALENDAR_REVISION)).await.map_err(db)?;
    Ok(r)
}
