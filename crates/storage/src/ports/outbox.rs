//! The notification outbox and idempotency keys, the same on both databases.
//!
//! Claiming pushes a message's next attempt forward (a lease) inside one
//! write transaction, so two dispatchers never hold the same message: on
//! SQLite the single writer serialises them; on PostgreSQL the claim uses
//! `FOR UPDATE SKIP LOCKED`.

use jiff::Timestamp;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    AuditContext, Delivery, IdempotencyClaim, MessageChannel, MessageStatus, NewMessage,
    OutboxMessage,
};

use crate::catalog::sql::Assemble;
use crate::conn::{Arg, Backend, Conn, Dialect, Sql, commit};
use crate::convert::{instant, millis};
use crate::error::{corrupt, db};

const COLUMNS: &str = "id, dossier_id, channel, recipient, subject, body, status, attempts, \
     next_attempt_ms, last_error, sent_at_ms, created_at_ms";

type Row = (
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    i64,
);

fn message(r: Row) -> ServiceResult<OutboxMessage> {
    let (id, dossier_id, channel, recipient, subject, body, status, attempts, next, err, sent, at) =
        r;
    Ok(OutboxMessage {
        id,
        dossier_id,
        message: NewMessage {
            channel: MessageChannel::parse(&channel)
                .ok_or_else(|| corrupt("outbox.channel", &channel, "unknown"))?,
            recipient,
            subject,
            body,
        },
        status: MessageStatus::parse(&status)
            .ok_or_else(|| corrupt("outbox.status", &status, "unknown"))?,
        attempts: u32::try_from(attempts)
            .map_err(|e| corrupt("outbox.attempts", &attempts.to_string(), e))?,
        next_attempt_at: instant(next, "outbox.next_attempt_ms")?,
        last_error: err,
        sent_at: sent
            .map(|ms| instant(ms, "outbox.sent_at_ms"))
            .transpose()?,
        created_at: instant(at, "outbox.created_at_ms")?,
    })
}

pub(crate) async fn claim_messages<B: Backend>(
    b: &B,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> ServiceResult<Vec<OutboxMessage>> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let lock = match <B::Conn as Conn>::DIALECT {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let rows: Vec<Row> = c
        .all(Sql::assembled(
            format!(
                "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_ms <= $1 \
                 ORDER BY next_attempt_ms, id LIMIT $2{lock}"
            ),
            vec![Arg::Int(millis(now)), Arg::Int(i64::from(limit))],
        ))
        .await
        .map_err(db)?;
    for r in &rows {
        c.execute(
            Sql::new("UPDATE outbox SET next_attempt_ms = $2 WHERE id = $1")
                .int(r.0)
                .int(millis(lease_until)),
        )
        .await
        .map_err(db)?;
    }
    commit(tx).await?;
    rows.into_iter().map(message).collect()
}

pub(crate) async fn record_delivery<B: Backend>(
    b: &B,
    id: i64,
    outcome: &Delivery,
) -> ServiceResult<()> {
    let q = match outcome {
        Delivery::Sent(at) => Sql::new(
            "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at_ms = $2, \
             last_error = NULL WHERE id = $1",
        )
        .int(id)
        .int(millis(*at)),
        Delivery::Retry { error, at } => Sql::new(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = $2, last_error = $3 \
             WHERE id = $1",
        )
        .int(id)
        .int(millis(*at))
        .text(error.clone()),
        Delivery::Failed { error } => Sql::new(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $2 \
             WHERE id = $1",
        )
        .int(id)
        .text(error.clone()),
    };
    let n = b.write().await?.execute(q).await.map_err(db)?;
    if n == 0 {
        return Err(ServiceError::not_found("message", id.to_string()));
    }
    Ok(())
}

/// The condition that keeps messages about a dossier received or held by
/// one of `units` (bound as one id set).
fn within_units(q: &mut Assemble, dialect: Dialect, units: &[i64]) -> String {
    let set = q.id_set(dialect, units);
    format!(
        "EXISTS (SELECT 1 FROM dossiers d WHERE d.id = outbox.dossier_id \
         AND (d.unit_id IN {set} OR d.holder_unit_id IN {set}))"
    )
}

pub(crate) async fn outbox_messages<B: Backend>(
    b: &B,
    units: Option<&[i64]>,
    status: Option<MessageStatus>,
    before: Option<i64>,
    limit: u32,
) -> ServiceResult<Vec<OutboxMessage>> {
    let mut q = Assemble::new(&format!("SELECT {COLUMNS} FROM outbox"), false);
    if let Some(units) = units {
        let cond = within_units(&mut q, <B::Conn as Conn>::DIALECT, units);
        q.and(&cond);
    }
    if let Some(s) = status {
        let a = q.arg(Arg::Text(s.as_str().to_owned()));
        q.and(&format!("status = {a}"));
    }
    if let Some(id) = before {
        let a = q.arg(Arg::Int(id));
        q.and(&format!("id < {a}"));
    }
    let l = q.arg(Arg::Int(i64::from(limit)));
    q.push(&format!("ORDER BY id DESC LIMIT {l}"));
    let rows: Vec<Row> = b.read().await?.all(q.finish()).await.map_err(db)?;
    rows.into_iter().map(message).collect()
}

pub(crate) async fn dossier_messages<B: Backend>(
    b: &B,
    dossier_id: i64,
) -> ServiceResult<Vec<OutboxMessage>> {
    let q = Sql::assembled(
        format!(
            "SELECT {COLUMNS} FROM outbox WHERE dossier_id = $1 ORDER BY id LIMIT {}",
            motcua_service::store::DOSSIER_MESSAGES
        ),
        vec![Arg::Int(dossier_id)],
    );
    let rows: Vec<Row> = b.read().await?.all(q).await.map_err(db)?;
    rows.into_iter().map(message).collect()
}

pub(crate) async fn retry_message<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    units: Option<&[i64]>,
    id: i64,
    at: Timestamp,
) -> ServiceResult<()> {
    let mut q = Assemble::new(
        "UPDATE outbox SET status = 'pending', next_attempt_ms = $1",
        false,
    );
    q.arg(Arg::Int(millis(at)));
    let i = q.arg(Arg::Int(id));
    q.and(&format!("id = {i} AND status = 'failed'"));
    if let Some(units) = units {
        let cond = within_units(&mut q, <B::Conn as Conn>::DIALECT, units);
        q.and(&cond);
    }
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let n = c.execute(q.finish()).await.map_err(db)?;
    if n == 0 {
        return Err(ServiceError::not_found("failed message", id.to_string()));
    }
    c.append(
        ctx,
        "outbox.retry",
        &format!("outbox:{id}"),
        &serde_json::json!({ "id": id }),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn claim_idempotency_key<B: Backend>(
    b: &B,
    actor: &str,
    key: &str,
    fingerprint: &str,
    now: Timestamp,
) -> ServiceResult<IdempotencyClaim> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let inserted = c
        .execute(
            Sql::new(
                "INSERT INTO idempotency_keys (actor, key, fingerprint, created_at_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (actor, key) DO NOTHING",
            )
            .text(actor)
            .text(key)
            .text(fingerprint)
            .int(millis(now)),
        )
        .await
        .map_err(db)?;
    let claim = if inserted == 1 {
        IdempotencyClaim::Claimed
    } else {
        let (fp, status, body): (String, Option<i64>, Option<String>) = c
            .one(
                Sql::new(
                    "SELECT fingerprint, status_code, body FROM idempotency_keys \
                     WHERE actor = $1 AND key = $2",
                )
                .text(actor)
                .text(key),
            )
            .await
            .map_err(db)?;
        match (fp == fingerprint, status, body) {
            (false, _, _) => IdempotencyClaim::Mismatch,
            (true, Some(s), Some(body)) => {
                IdempotencyClaim::Done(u16::try_from(s).unwrap_or(500), body)
            }
            (true, _, _) => IdempotencyClaim::InProgress,
        }
    };
    commit(tx).await?;
    Ok(claim)
}

pub(crate) async fn complete_idempotency_key<B: Backend>(
    b: &B,
    actor: &str,
    key: &str,
    status: u16,
    body: &str,
) -> ServiceResult<()> {
    b.write()
        .await?
        .execute(
            Sql::new(
                "UPDATE idempotency_keys SET status_code = $3, body = $4 \
                 WHERE actor = $1 AND key = $2",
            )
            .text(actor)
            .text(key)
            .int(i64::from(status))
            .text(body),
        )
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn release_idempotency_key<B: Backend>(
    b: &B,
    actor: &str,
    key: &str,
) -> ServiceResult<()> {
    b.write()
        .await?
        .execute(
            Sql::new(
                "DELETE FROM idempotency_keys WHERE actor = $1 AND key = $2 \
                 AND status_code IS NULL",
            )
            .text(actor)
            .text(key),
        )
        .await
        .map_err(db)?;
    Ok(())
}
