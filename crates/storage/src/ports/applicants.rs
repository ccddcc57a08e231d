//! Portal accounts, their sessions and one-time codes, the same on both
//! databases (migration 0016).
//!
//! Audit entries name an account by id (`applicant:42`), never by its
//! contact or name: the audit log is read by staff, and a citizen's e-mail
//! address or phone number is not theirs to browse.

use jiff::Timestamp;
use motcua_domain::contact::Contact;
use motcua_domain::stats::satisfaction::{Answers, Ratings};
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    Account, AccountKind, AccountSession, AuditContext, CodeCheck, CodePurpose, NewAccount,
    NewCode, NewMessage, NewRating, Payment, PortalCounts, PublicStatus, Settled, StoredDocument,
    VerifiedIdentity,
};
use serde_json::json;

use crate::conn::{Backend, Conn, Sql, commit};
use crate::convert::{instant, millis};
use crate::error::{corrupt, db, map_db};

/// An account was created (unverified).
pub const APPLICANT_CREATE: &str = "applicant.create";
/// An account's owner proved the contact.
pub const APPLICANT_VERIFY: &str = "applicant.verify";
/// An account's password was replaced (its sessions ended).
pub const APPLICANT_PASSWORD_SET: &str = "applicant.password_set";

const ACCOUNT_COLUMNS: &str = "id, kind, full_name, email, phone, password_hash, verified_at_ms, \
     identity_subject, identity_level, identity_verified_at_ms, active, created_at_ms";

type AccountRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    bool,
    i64,
);

fn subject(id: i64) -> String {
    format!("applicant:{id}")
}

fn account(r: AccountRow) -> ServiceResult<Account> {
    let (
        id,
        kind,
        full_name,
        email,
        phone,
        password_hash,
        verified,
        sub,
        level,
        vouched,
        active,
        created,
    ) = r;
    let identity = match (sub, level, vouched) {
        (Some(subject), Some(level), Some(at)) => Some(VerifiedIdentity {
            subject,
            level: u8::try_from(level)
                .map_err(|e| corrupt("applicant_accounts.identity_level", &level.to_string(), e))?,
            at: instant(at, "applicant_accounts")?,
        }),
        _ => None,
    };
    Ok(Account {
        id,
        kind: AccountKind::parse(&kind)
            .ok_or_else(|| corrupt("applicant_accounts.kind", &kind, "unknown kind"))?,
        full_name,
        email,
        phone,
        password_hash,
        verified_at: verified
            .map(|ms| instant(ms, "applicant_accounts"))
            .transpose()?,
        identity,
        active,
        created_at: instant(created, "applicant_accounts")?,
    })
}

pub(crate) async fn insert_account<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    a: &NewAccount,
) -> ServiceResult<Account> {
    let (email, phone) = match &a.contact {
        Contact::Email(e) => (Some(e.clone()), None),
        Contact::Phone(p) => (None, Some(p.clone())),
    };
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let (id,): (i64,) = c
        .one(
            Sql::new(
                "INSERT INTO applicant_accounts (kind, full_name, email, phone, password_hash, \
                 active, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .text(a.kind.as_str())
            .text(a.full_name.clone())
            .opt_text(email.clone())
            .opt_text(phone.clone())
            .text(a.password_hash.clone())
            .bool(true)
            .int(millis(ctx.at)),
        )
        .await
        .map_err(|e| {
            map_db(e, |broken| match broken {
                crate::error::Broken::Unique(_) => Some(ServiceError::Conflict(
                    "an account with this contact exists".into(),
                )),
                _ => None,
            })
        })?;
    c.append(
        ctx,
        APPLICANT_CREATE,
        &subject(id),
        &json!({ "id": id, "kind": a.kind.as_str() }),
    )
    .await?;
    commit(tx).await?;
    Ok(Account {
        id,
        kind: a.kind,
        full_name: a.full_name.clone(),
        email,
        phone,
        password_hash: a.password_hash.clone(),
        verified_at: None,
        identity: None,
        active: true,
        created_at: crate::convert::stored_instant(ctx.at),
    })
}

pub(crate) async fn account_by_contact<B: Backend>(
    b: &B,
    contact: &Contact,
) -> ServiceResult<Option<Account>> {
    let column = match contact {
        Contact::Email(_) => "email",
        Contact::Phone(_) => "phone",
    };
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM applicant_accounts WHERE {column} = $1");
    let row: Option<AccountRow> = b
        .read()
        .await?
        .optional(Sql::assembled(sql, Vec::new()).text(contact.as_str()))
        .await
        .map_err(db)?;
    row.map(account).transpose()
}

pub(crate) async fn account_by_id<B: Backend>(b: &B, id: i64) -> ServiceResult<Account> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM applicant_accounts WHERE id = $1");
    let row: Option<AccountRow> = b
        .read()
        .await?
        .optional(Sql::assembled(sql, Vec::new()).int(id))
        .await
        .map_err(db)?;
    account(row.ok_or_else(|| ServiceError::not_found("account", id.to_string()))?)
}

pub(crate) async fn mark_account_verified<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    id: i64,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let n = c
        .execute(
            Sql::new(
                "UPDATE applicant_accounts SET verified_at_ms = $1 \
                 WHERE id = $2 AND verified_at_ms IS NULL",
            )
            .int(millis(ctx.at))
            .int(id),
        )
        .await
        .map_err(db)?;
    if n > 0 {
        c.append(ctx, APPLICANT_VERIFY, &subject(id), &json!({ "id": id }))
            .await?;
    }
    commit(tx).await
}

pub(crate) async fn set_account_password<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    id: i64,
    password_hash: &str,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let n = c
        .execute(
            Sql::new("UPDATE applicant_accounts SET password_hash = $1 WHERE id = $2")
                .text(password_hash)
                .int(id),
        )
        .await
        .map_err(db)?;
    if n == 0 {
        return Err(ServiceError::not_found("account", id.to_string()));
    }
    let ended = c
        .execute(Sql::new("DELETE FROM applicant_sessions WHERE account_id = $1").int(id))
        .await
        .map_err(db)?;
    c.append(
        ctx,
        APPLICANT_PASSWORD_SET,
        &subject(id),
        &json!({ "id": id, "sessions_ended": ended }),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn create_account_session<B: Backend>(
    b: &B,
    s: &AccountSession,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    // Sessions past their end are swept as new ones start, account by
    // account, so the table holds live sessions only.
    c.execute(
        Sql::new("DELETE FROM applicant_sessions WHERE account_id = $1 AND expires_at_ms <= $2")
            .int(s.account_id)
            .int(millis(s.created_at)),
    )
    .await
    .map_err(db)?;
    c.execute(
        Sql::new(
            "INSERT INTO applicant_sessions (id_hash, account_id, csrf_token, created_at_ms, \
             expires_at_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .text(s.id_hash.clone())
        .int(s.account_id)
        .text(s.csrf_token.clone())
        .int(millis(s.created_at))
        .int(millis(s.expires_at)),
    )
    .await
    .map_err(db)?;
    commit(tx).await
}

pub(crate) async fn account_session<B: Backend>(
    b: &B,
    id_hash: &str,
    now: Timestamp,
) -> ServiceResult<Option<(AccountSession, Account)>> {
    let row: Option<(String, i64, String, i64, i64)> = b
        .read()
        .await?
        .optional(
            Sql::new(
                "SELECT id_hash, account_id, csrf_token, created_at_ms, expires_at_ms \
                 FROM applicant_sessions WHERE id_hash = $1",
            )
            .text(id_hash),
        )
        .await
        .map_err(db)?;
    let Some((id_hash, account_id, csrf_token, created, expires)) = row else {
        return Ok(None);
    };
    // The end is compared here, not in SQL: a bound "now" makes SQLite
    // plan the statement again on every request (see the staff sessions).
    if expires <= millis(now) {
        return Ok(None);
    }
    let a = account_by_id(b, account_id).await?;
    if !a.active {
        return Ok(None);
    }
    let s = AccountSession {
        id_hash,
        account_id,
        csrf_token,
        created_at: instant(created, "applicant_sessions")?,
        expires_at: instant(expires, "applicant_sessions")?,
    };
    Ok(Some((s, a)))
}

pub(crate) async fn delete_account_session<B: Backend>(b: &B, id_hash: &str) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(Sql::new("DELETE FROM applicant_sessions WHERE id_hash = $1").text(id_hash))
        .await
        .map_err(db)?;
    commit(tx).await
}

const INSERT_CONTACT_MESSAGE: &str = "INSERT INTO outbox (dossier_id, channel, recipient, \
     subject, body, status, attempts, next_attempt_ms, created_at_ms) \
     VALUES (NULL, $1, $2, $3, $4, 'pending', 0, $5, $5)";

pub(crate) fn message_sql(m: &NewMessage, now: Timestamp) -> Sql {
    Sql::new(INSERT_CONTACT_MESSAGE)
        .text(m.channel.as_str())
        .text(m.recipient.clone())
        .text(m.subject.clone())
        .text(m.body.clone())
        .int(millis(now))
}

pub(crate) async fn put_code<B: Backend>(
    b: &B,
    code: &NewCode,
    message: &NewMessage,
    now: Timestamp,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(
        Sql::new(
            "INSERT INTO one_time_codes (contact, purpose, code_hash, attempts, expires_at_ms, \
             used_at_ms, created_at_ms) VALUES ($1, $2, $3, 0, $4, NULL, $5) \
             ON CONFLICT (contact, purpose) DO UPDATE SET code_hash = excluded.code_hash, \
             attempts = 0, expires_at_ms = excluded.expires_at_ms, used_at_ms = NULL, \
             created_at_ms = excluded.created_at_ms",
        )
        .text(code.contact.as_str())
        .text(code.purpose.as_str())
        .text(code.code_hash.clone())
        .int(millis(code.expires_at))
        .int(millis(now)),
    )
    .await
    .map_err(db)?;
    c.execute(message_sql(message, now)).await.map_err(db)?;
    commit(tx).await
}

pub(crate) async fn queue_contact_message<B: Backend>(
    b: &B,
    message: &NewMessage,
    now: Timestamp,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(message_sql(message, now)).await.map_err(db)?;
    commit(tx).await
}

pub(crate) async fn check_code<B: Backend>(
    b: &B,
    contact: &Contact,
    purpose: CodePurpose,
    code_hash: &str,
    now: Timestamp,
    max_attempts: u32,
) -> ServiceResult<CodeCheck> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let used = c
        .execute(
            Sql::new(
                "UPDATE one_time_codes SET used_at_ms = $1 WHERE contact = $2 AND purpose = $3 \
                 AND used_at_ms IS NULL AND expires_at_ms > $1 AND attempts < $4 \
                 AND code_hash = $5",
            )
            .int(millis(now))
            .text(contact.as_str())
            .text(purpose.as_str())
            .int(i64::from(max_attempts))
            .text(code_hash),
        )
        .await
        .map_err(db)?;
    let outcome = if used > 0 {
        CodeCheck::Accepted
    } else {
        let counted = c
            .execute(
                Sql::new(
                    "UPDATE one_time_codes SET attempts = attempts + 1 WHERE contact = $1 \
                     AND purpose = $2 AND used_at_ms IS NULL AND expires_at_ms > $3 \
                     AND attempts < $4",
                )
                .text(contact.as_str())
                .text(purpose.as_str())
                .int(millis(now))
                .int(i64::from(max_attempts)),
            )
            .await
            .map_err(db)?;
        if counted > 0 {
            CodeCheck::Wrong
        } else {
            CodeCheck::Dead
        }
    };
    commit(tx).await?;
    Ok(outcome)
}

/// The owner's dossiers, read as the status page reads one.
fn own_dossiers_sql(tail: &str) -> String {
    format!(
        "SELECT {} FROM applicant_dossiers o JOIN dossiers d ON d.id = o.dossier_id \
         JOIN procedure_versions v ON v.id = d.procedure_version_id \
         JOIN units u ON u.id = d.unit_id \
         LEFT JOIN dossier_ratings r ON r.dossier_id = d.id WHERE o.account_id = $1 {tail}",
        super::dossiers::PUBLIC_STATUS_COLUMNS
    )
}

pub(crate) async fn account_dossiers<B: Backend>(
    b: &B,
    account_id: i64,
    limit: u32,
) -> ServiceResult<Vec<PublicStatus>> {
    let rows: Vec<super::dossiers::PublicStatusRow> = b
        .read()
        .await?
        .all(
            Sql::assembled(
                own_dossiers_sql("ORDER BY o.dossier_id DESC LIMIT $2"),
                Vec::new(),
            )
            .int(account_id)
            .int(i64::from(limit.clamp(1, 500))),
        )
        .await
        .map_err(db)?;
    rows.into_iter()
        .map(super::dossiers::public_status_of)
        .collect()
}

pub(crate) async fn account_dossier<B: Backend>(
    b: &B,
    account_id: i64,
    code: &str,
) -> ServiceResult<Option<PublicStatus>> {
    let row: Option<super::dossiers::PublicStatusRow> = b
        .read()
        .await?
        .optional(
            Sql::assembled(own_dossiers_sql("AND d.code = $2"), Vec::new())
                .int(account_id)
                .text(code),
        )
        .await
        .map_err(db)?;
    row.map(super::dossiers::public_status_of).transpose()
}

pub(crate) async fn account_dossier_id<B: Backend>(
    b: &B,
    account_id: i64,
    code: &str,
) -> ServiceResult<Option<i64>> {
    let row: Option<(i64,)> = b
        .read()
        .await?
        .optional(
            Sql::new(
                "SELECT d.id FROM applicant_dossiers o JOIN dossiers d ON d.id = o.dossier_id \
                 WHERE o.account_id = $1 AND d.code = $2",
            )
            .int(account_id)
            .text(code),
        )
        .await
        .map_err(db)?;
    Ok(row.map(|(id,)| id))
}

/// An identity provider's subject was linked to an account.
pub const APPLICANT_IDENTITY: &str = "applicant.identity";

pub(crate) async fn account_by_identity<B: Backend>(
    b: &B,
    subject: &str,
) -> ServiceResult<Option<Account>> {
    let sql =
        format!("SELECT {ACCOUNT_COLUMNS} FROM applicant_accounts WHERE identity_subject = $1");
    let row: Option<AccountRow> = b
        .read()
        .await?
        .optional(Sql::assembled(sql, Vec::new()).text(subject))
        .await
        .map_err(db)?;
    row.map(account).transpose()
}

pub(crate) async fn link_identity<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    account_id: i64,
    identity: &VerifiedIdentity,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let n = c
        .execute(
            Sql::new(
                "UPDATE applicant_accounts SET identity_subject = $1, identity_level = $2, \
                 identity_verified_at_ms = $3, verified_at_ms = COALESCE(verified_at_ms, $3) \
                 WHERE id = $4",
            )
            .text(identity.subject.clone())
            .int(i64::from(identity.level))
            .int(millis(identity.at))
            .int(account_id),
        )
        .await
        .map_err(|e| {
            map_db(e, |broken| match broken {
                crate::error::Broken::Unique(_) => Some(ServiceError::Conflict(
                    "this identity is linked to another account".into(),
                )),
                _ => None,
            })
        })?;
    if n == 0 {
        return Err(ServiceError::not_found("account", account_id.to_string()));
    }
    c.append(
        ctx,
        APPLICANT_IDENTITY,
        &subject(account_id),
        &json!({ "id": account_id, "level": identity.level }),
    )
    .await?;
    commit(tx).await
}

/// A payment attempt was opened.
pub const PAYMENT_OPEN: &str = "payment.open";
/// A payment attempt was settled by the gateway's answer.
pub const PAYMENT_SETTLE: &str = "payment.settle";

pub(crate) async fn insert_payment<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    dossier_id: i64,
    reference: &str,
    amount_dong: i64,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(
        Sql::new(
            "INSERT INTO payments (dossier_id, reference, amount_dong, status, created_at_ms) \
             VALUES ($1, $2, $3, 'pending', $4)",
        )
        .int(dossier_id)
        .text(reference)
        .int(amount_dong)
        .int(millis(ctx.at)),
    )
    .await
    .map_err(db)?;
    c.append(
        ctx,
        PAYMENT_OPEN,
        &format!("dossier_id:{dossier_id}"),
        &json!({ "reference": reference, "amount_dong": amount_dong }),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn settle_payment<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    reference: &str,
    transaction: &str,
    amount_dong: i64,
    paid: bool,
) -> ServiceResult<Settled> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let row: Option<(i64, i64, String, String)> = c
        .optional(
            Sql::new(
                "SELECT p.dossier_id, p.amount_dong, p.status, d.code FROM payments p \
                 JOIN dossiers d ON d.id = p.dossier_id WHERE p.reference = $1",
            )
            .text(reference),
        )
        .await
        .map_err(db)?;
    let Some((dossier_id, asked, _, code)) = row else {
        return Ok(Settled::Unknown);
    };
    if asked != amount_dong {
        return Ok(Settled::AmountMismatch);
    }
    let n = c
        .execute(
            Sql::new(
                "UPDATE payments SET status = $1, transaction_no = $2, settled_at_ms = $3 \
                 WHERE reference = $4 AND status = 'pending'",
            )
            .text(if paid { "paid" } else { "failed" })
            .text(transaction)
            .int(millis(ctx.at))
            .text(reference),
        )
        .await
        .map_err(db)?;
    if n == 0 {
        return Ok(Settled::Already { code });
    }
    c.append(
        ctx,
        PAYMENT_SETTLE,
        &format!("dossier_id:{dossier_id}"),
        &json!({ "reference": reference, "paid": paid, "transaction": transaction }),
    )
    .await?;
    commit(tx).await?;
    Ok(Settled::Now { code, paid })
}

pub(crate) async fn dossier_payments<B: Backend>(
    b: &B,
    dossier_id: i64,
) -> ServiceResult<Vec<Payment>> {
    let rows: Vec<crate::ports::payments::PaymentRow> = b
        .read()
        .await?
        .all(
            Sql::new(
                "SELECT p.reference, p.amount_dong, p.refunded_dong, p.status, p.transaction_no, \
                 p.created_at_ms, p.settled_at_ms, p.dossier_id, d.code, d.unit_id \
                 FROM payments p JOIN dossiers d ON d.id = p.dossier_id \
                 WHERE p.dossier_id = $1 ORDER BY p.id DESC",
            )
            .int(dossier_id),
        )
        .await
        .map_err(db)?;
    rows.into_iter()
        .map(|r| Ok(crate::ports::payments::decode_payment(r)?.payment))
        .collect()
}

/// A rating was given.
pub const DOSSIER_RATE: &str = "dossier.rate";

pub(crate) async fn insert_rating<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    r: &NewRating,
) -> ServiceResult<()> {
    let opt = |v: Option<u8>| v.map(i64::from);
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(
        Sql::new(
            "INSERT INTO dossier_ratings (dossier_id, overall, access, procedure, civil_servant, \
             result, feedback, comment, channel, rated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .int(r.dossier_id)
        .int(i64::from(r.overall))
        .opt_int(opt(r.aspects[0]))
        .opt_int(opt(r.aspects[1]))
        .opt_int(opt(r.aspects[2]))
        .opt_int(opt(r.aspects[3]))
        .opt_int(opt(r.aspects[4]))
        .text(r.comment.clone())
        .text(r.channel)
        .int(millis(ctx.at)),
    )
    .await
    .map_err(|e| {
        map_db(e, |broken| match broken {
            crate::error::Broken::Unique(_) => Some(ServiceError::Conflict(
                "the dossier has been rated already".into(),
            )),
            _ => None,
        })
    })?;
    c.append(
        ctx,
        DOSSIER_RATE,
        &format!("dossier_id:{}", r.dossier_id),
        &json!({ "overall": r.overall, "aspects": r.aspects, "channel": r.channel }),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn ratings_by_unit<B: Backend>(
    b: &B,
    from: Timestamp,
    to: Timestamp,
) -> ServiceResult<Vec<(i64, Ratings)>> {
    let mut sql = String::from(
        "SELECT d.unit_id, count(*), CAST(sum(r.overall) AS BIGINT), \
         CAST(sum(CASE WHEN r.overall >= 4 THEN 1 ELSE 0 END) AS BIGINT)",
    );
    for a in ["access", "procedure", "civil_servant", "result", "feedback"] {
        sql.push_str(&format!(
            ", CAST(sum(CASE WHEN r.{a} IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(sum(CASE WHEN r.{a} >= 4 THEN 1 ELSE 0 END) AS BIGINT)"
        ));
    }
    sql.push_str(
        " FROM dossier_ratings r JOIN dossiers d ON d.id = r.dossier_id \
         WHERE r.rated_at_ms >= $1 AND r.rated_at_ms < $2 GROUP BY d.unit_id",
    );
    type Row = (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = b
        .read()
        .await?
        .all(
            Sql::assembled(sql, Vec::new())
                .int(millis(from))
                .int(millis(to)),
        )
        .await
        .map_err(db)?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(|r| {
            let answers = |valid: i64, satisfied: i64| Answers {
                valid: n(valid),
                satisfied: n(satisfied),
            };
            (
                r.0,
                Ratings {
                    responses: n(r.1),
                    overall_sum: n(r.2),
                    overall: answers(r.1, r.3),
                    aspects: [
                        answers(r.4, r.5),
                        answers(r.6, r.7),
                        answers(r.8, r.9),
                        answers(r.10, r.11),
                        answers(r.12, r.13),
                    ],
                },
            )
        })
        .collect())
}

/// `sha256, name, content_type, size_bytes, code, created_at_ms`.
type DocumentRow = (String, String, String, i64, String, i64);

pub(crate) async fn account_documents<B: Backend>(
    b: &B,
    account_id: i64,
    limit: u32,
) -> ServiceResult<Vec<StoredDocument>> {
    let rows: Vec<DocumentRow> = b
        .read()
        .await?
        .all(
            Sql::new(
                "SELECT f.sha256, f.name, f.content_type, f.size_bytes, d.code, f.created_at_ms \
                 FROM applicant_dossiers o JOIN dossiers d ON d.id = o.dossier_id \
                 JOIN files f ON f.dossier_id = d.id WHERE o.account_id = $1 \
                 AND (f.kind = 'component' OR d.status IN ('done', 'returned')) \
                 ORDER BY f.id DESC LIMIT $2",
            )
            .int(account_id)
            .int(i64::from(limit.clamp(1, 1000))),
        )
        .await
        .map_err(db)?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (sha256, name, content_type, size_bytes, dossier_code, at) in rows {
        if seen.insert(sha256.clone()) {
            out.push(StoredDocument {
                sha256,
                name,
                content_type,
                size_bytes,
                dossier_code,
                at: instant(at, "files")?,
            });
        }
    }
    Ok(out)
}

pub(crate) async fn put_draft<B: Backend>(
    b: &B,
    account_id: i64,
    procedure: &str,
    body: &str,
    at: Timestamp,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(
        Sql::new(
            "INSERT INTO portal_drafts (account_id, procedure_code, body, updated_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, procedure_code) \
             DO UPDATE SET body = excluded.body, updated_at_ms = excluded.updated_at_ms",
        )
        .int(account_id)
        .text(procedure)
        .text(body)
        .int(millis(at)),
    )
    .await
    .map_err(db)?;
    commit(tx).await
}

pub(crate) async fn draft<B: Backend>(
    b: &B,
    account_id: i64,
    procedure: &str,
) -> ServiceResult<Option<String>> {
    let row: Option<(String,)> = b
        .read()
        .await?
        .optional(
            Sql::new(
                "SELECT body FROM portal_drafts WHERE account_id = $1 AND procedure_code = $2",
            )
            .int(account_id)
            .text(procedure),
        )
        .await
        .map_err(db)?;
    Ok(row.map(|(b,)| b))
}

pub(crate) async fn delete_draft<B: Backend>(
    b: &B,
    account_id: i64,
    procedure: &str,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(
        Sql::new("DELETE FROM portal_drafts WHERE account_id = $1 AND procedure_code = $2")
            .int(account_id)
            .text(procedure),
    )
    .await
    .map_err(db)?;
    commit(tx).await
}

pub(crate) async fn account_drafts<B: Backend>(
    b: &B,
    account_id: i64,
) -> ServiceResult<Vec<(String, Timestamp)>> {
    let rows: Vec<(String, i64)> = b
        .read()
        .await?
        .all(
            Sql::new(
                "SELECT procedure_code, updated_at_ms FROM portal_drafts WHERE account_id = $1 \
                 ORDER BY updated_at_ms DESC",
            )
            .int(account_id),
        )
        .await
        .map_err(db)?;
    rows.into_iter()
        .map(|(c, at)| Ok((c, instant(at, "portal_drafts")?)))
        .collect()
}

pub(crate) async fn portal_counts<B: Backend>(
    b: &B,
    from: Timestamp,
    to: Timestamp,
) -> ServiceResult<Vec<(i64, PortalCounts)>> {
    type Row = (i64, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = b
        .read()
        .await?
        .all(
            Sql::new(
                "SELECT d.unit_id, count(*), \
                 CAST(sum(CASE WHEN o.dossier_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
                 CAST(sum(CASE WHEN o.identity_verified THEN 1 ELSE 0 END) AS BIGINT), \
                 CAST(sum(CASE WHEN d.fee_dong > 0 THEN 1 ELSE 0 END) AS BIGINT), \
                 CAST(sum(CASE WHEN EXISTS (SELECT 1 FROM payments p WHERE p.dossier_id = d.id \
                 AND p.status = 'paid' AND p.refunded_dong < p.amount_dong) THEN 1 ELSE 0 END) \
                 AS BIGINT) \
                 FROM dossiers d LEFT JOIN applicant_dossiers o ON o.dossier_id = d.id \
                 WHERE d.received_at_ms >= $1 AND d.received_at_ms < $2 GROUP BY d.unit_id",
            )
            .int(millis(from))
            .int(millis(to)),
        )
        .await
        .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(
            |(unit, received, via_portal, identity_verified, fee_bearing, paid_online)| {
                (
                    unit,
                    PortalCounts {
                        received,
                        via_portal,
                        identity_verified,
                        fee_bearing,
                        paid_online,
                    },
                )
            },
        )
        .collect())
}

/// Implements `ApplicantStore` for `$store` (called from `store_ports!`).
macro_rules! applicant_ports {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use jiff::Timestamp;
            use motcua_domain::contact::Contact;
            use motcua_service::error::ServiceResult;
            use motcua_service::store::{
                Account, AccountSession, ApplicantStore, AuditContext, CodeCheck, CodePurpose,
                NewAccount, NewCode, NewMessage, NewRating, PublicStatus, VerifiedIdentity,
            };

            use $crate::ports::applicants as ap;

            #[async_trait]
            impl ApplicantStore for $store {
                async fn insert_account(
                    &self,
                    ctx: &AuditContext,
                    a: &NewAccount,
                ) -> ServiceResult<Account> {
                    ap::insert_account(self, ctx, a).await
                }

                async fn account_by_contact(
                    &self,
                    contact: &Contact,
                ) -> ServiceResult<Option<Account>> {
                    ap::account_by_contact(self, contact).await
                }

                async fn account_by_id(&self, id: i64) -> ServiceResult<Account> {
                    ap::account_by_id(self, id).await
                }

                async fn mark_account_verified(
                    &self,
                    ctx: &AuditContext,
                    id: i64,
                ) -> ServiceResult<()> {
                    ap::mark_account_verified(self, ctx, id).await
                }

                async fn set_account_password(
                    &self,
                    ctx: &AuditContext,
                    id: i64,
                    password_hash: &str,
                ) -> ServiceResult<()> {
                    ap::set_account_password(self, ctx, id, password_hash).await
                }

                async fn create_account_session(&self, s: &AccountSession) -> ServiceResult<()> {
                    ap::create_account_session(self, s).await
                }

                async fn account_session(
                    &self,
                    id_hash: &str,
                    now: Timestamp,
                ) -> ServiceResult<Option<(AccountSession, Account)>> {
                    ap::account_session(self, id_hash, now).await
                }

                async fn delete_account_session(&self, id_hash: &str) -> ServiceResult<()> {
                    ap::delete_account_session(self, id_hash).await
                }

                async fn put_code(
                    &self,
                    code: &NewCode,
                    message: &NewMessage,
                    now: Timestamp,
                ) -> ServiceResult<()> {
                    ap::put_code(self, code, message, now).await
                }

                async fn queue_contact_message(
                    &self,
                    message: &NewMessage,
                    now: Timestamp,
                ) -> ServiceResult<()> {
                    ap::queue_contact_message(self, message, now).await
                }

                async fn account_dossiers(
                    &self,
                    account_id: i64,
                    limit: u32,
                ) -> ServiceResult<Vec<PublicStatus>> {
                    ap::account_dossiers(self, account_id, limit).await
                }

                async fn account_dossier(
                    &self,
                    account_id: i64,
                    code: &str,
                ) -> ServiceResult<Option<PublicStatus>> {
                    ap::account_dossier(self, account_id, code).await
                }

                async fn account_dossier_id(
                    &self,
                    account_id: i64,
                    code: &str,
                ) -> ServiceResult<Option<i64>> {
                    ap::account_dossier_id(self, account_id, code).await
                }

                async fn account_by_identity(
                    &self,
                    subject: &str,
                ) -> ServiceResult<Option<Account>> {
                    ap::account_by_identity(self, subject).await
                }

                async fn link_identity(
                    &self,
                    ctx: &AuditContext,
                    account_id: i64,
                    identity: &VerifiedIdentity,
                ) -> ServiceResult<()> {
                    ap::link_identity(self, ctx, account_id, identity).await
                }

                async fn insert_payment(
                    &self,
                    ctx: &AuditContext,
                    dossier_id: i64,
                    reference: &str,
                    amount_dong: i64,
                ) -> ServiceResult<()> {
                    ap::insert_payment(self, ctx, dossier_id, reference, amount_dong).await
                }

                async fn settle_payment(
                    &self,
                    ctx: &AuditContext,
                    reference: &str,
                    transaction: &str,
                    amount_dong: i64,
                    paid: bool,
                ) -> ServiceResult<motcua_service::store::Settled> {
                    ap::settle_payment(self, ctx, reference, transaction, amount_dong, paid).await
                }

                async fn dossier_payments(
                    &self,
                    dossier_id: i64,
                ) -> ServiceResult<Vec<motcua_service::store::Payment>> {
                    ap::dossier_payments(self, dossier_id).await
                }

                async fn insert_rating(
                    &self,
                    ctx: &AuditContext,
                    r: &NewRating,
                ) -> ServiceResult<()> {
                    ap::insert_rating(self, ctx, r).await
                }

                async fn ratings_by_unit(
                    &self,
                    from: Timestamp,
                    to: Timestamp,
                ) -> ServiceResult<Vec<(i64, motcua_domain::stats::satisfaction::Ratings)>>
                {
                    ap::ratings_by_unit(self, from, to).await
                }

                async fn account_documents(
                    &self,
                    account_id: i64,
                    limit: u32,
                ) -> ServiceResult<Vec<motcua_service::store::StoredDocument>> {
                    ap::account_documents(self, account_id, limit).await
                }

                async fn put_draft(
                    &self,
                    account_id: i64,
                    procedure: &str,
                    body: &str,
                    at: Timestamp,
                ) -> ServiceResult<()> {
                    ap::put_draft(self, account_id, procedure, body, at).await
                }

                async fn draft(
                    &self,
                    account_id: i64,
                    procedure: &str,
                ) -> ServiceResult<Option<String>> {
                    ap::draft(self, account_id, procedure).await
                }

                async fn delete_draft(
                    &self,
                    account_id: i64,
                    procedure: &str,
                ) -> ServiceResult<()> {
                    ap::delete_draft(self, account_id, procedure).await
                }

                async fn account_drafts(
                    &self,
                    account_id: i64,
                ) -> ServiceResult<Vec<(String, Timestamp)>> {
                    ap::account_drafts(self, account_id).await
                }

                async fn portal_counts(
                    &self,
                    from: Timestamp,
                    to: Timestamp,
                ) -> ServiceResult<Vec<(i64, motcua_service::store::PortalCounts)>> {
                    ap::portal_counts(self, from, to).await
                }

                async fn check_code(
                    &self,
                    contact: &Contact,
                    purpose: CodePurpose,
                    code_hash: &str,
                    now: Timestamp,
                    max_attempts: u32,
                ) -> ServiceResult<CodeCheck> {
                    ap::check_code(self, contact, purpose, code_hash, now, max_attempts).await
                }
            }
        };
    };
}
pub(crate) use applicant_ports;
