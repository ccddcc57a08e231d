//! Feedback (phản ánh, kiến nghị), the same on both databases (migration
//! 0017). Audit entries name a feedback by id and its sender by account id,
//! never by contact.

use jiff::Timestamp;
use motcua_domain::feedback::{Category, Status};
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    AuditContext, FeedbackChange, FeedbackFact, FeedbackFilter, FeedbackRecord, FeedbackScope,
    NewFeedback,
};
use serde_json::json;
use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::conn::{Backend, Conn, Sql, commit};
use crate::convert::{instant, millis};
use crate::error::{corrupt, db};

/// A feedback was sent.
pub const FEEDBACK_SEND: &str = "feedback.send";
/// A feedback's answer was liked or disliked.
pub const FEEDBACK_VOTE: &str = "feedback.vote";

/// The columns [`Raw`] reads, in its fields' order.
const COLUMNS: &str = "f.id, f.code, f.unit_id, u.code, u.name, f.account_id, f.dossier_id, \
     d.code, f.category, f.title, f.content, f.consent_publish, f.status, f.repeat_of, \
     f.received_at_ms, f.due_ms, f.late_at_ms, f.decided_at_ms, f.answered_at_ms, \
     f.published_at_ms, f.handler_user_id, f.note, f.supplement, f.answer, f.revision, \
     (SELECT CAST(count(*) AS BIGINT) FROM feedback_votes v WHERE v.feedback_id = f.id AND v.liked = 1), \
     (SELECT CAST(count(*) AS BIGINT) FROM feedback_votes v WHERE v.feedback_id = f.id AND v.liked = 0)";

const FROM: &str = "FROM feedback f JOIN units u ON u.id = f.unit_id \
     LEFT JOIN dossiers d ON d.id = f.dossier_id";

/// One row as stored: more columns than a tuple decodes, so it is read by
/// position (the order of [`COLUMNS`]).
struct Raw {
    id: i64,
    code: Option<String>,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    account_id: i64,
    dossier_id: Option<i64>,
    dossier_code: Option<String>,
    category: String,
    title: String,
    content: String,
    consent: i64,
    status: String,
    repeat_of: Option<i64>,
    received_at: i64,
    due: Option<i64>,
    late_at: Option<i64>,
    decided_at: Option<i64>,
    answered_at: Option<i64>,
    published_at: Option<i64>,
    handler: Option<i64>,
    note: Option<String>,
    supplement: Option<String>,
    answer: Option<String>,
    revision: i64,
    likes: i64,
    dislikes: i64,
}

impl<'r, R: Row> sqlx::FromRow<'r, R> for Raw
where
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get(0)?,
            code: row.try_get(1)?,
            unit_id: row.try_get(2)?,
            unit_code: row.try_get(3)?,
            unit_name: row.try_get(4)?,
            account_id: row.try_get(5)?,
            dossier_id: row.try_get(6)?,
            dossier_code: row.try_get(7)?,
            category: row.try_get(8)?,
            title: row.try_get(9)?,
            content: row.try_get(10)?,
            consent: row.try_get(11)?,
            status: row.try_get(12)?,
            repeat_of: row.try_get(13)?,
            received_at: row.try_get(14)?,
            due: row.try_get(15)?,
            late_at: row.try_get(16)?,
            decided_at: row.try_get(17)?,
            answered_at: row.try_get(18)?,
            published_at: row.try_get(19)?,
            handler: row.try_get(20)?,
            note: row.try_get(21)?,
            supplement: row.try_get(22)?,
            answer: row.try_get(23)?,
            revision: row.try_get(24)?,
            likes: row.try_get(25)?,
            dislikes: row.try_get(26)?,
        })
    }
}

fn moment(ms: Option<i64>, column: &str) -> ServiceResult<Option<Timestamp>> {
    ms.map(|v| instant(v, column)).transpose()
}

impl Raw {
    fn record(self) -> ServiceResult<FeedbackRecord> {
        let bad = |col: &str, v: &str, e: motcua_domain::DomainError| corrupt(col, v, e);
        Ok(FeedbackRecord {
            id: self.id,
            code: self.code.ok_or_else(|| {
                ServiceError::Internal(format!("feedback {} has no code", self.id))
            })?,
            unit_id: self.unit_id,
            unit_code: self.unit_code,
            unit_name: self.unit_name,
            account_id: self.account_id,
            dossier: self.dossier_id.zip(self.dossier_code),
            category: Category::parse(&self.category)
                .map_err(|e| bad("feedback.category", &self.category, e))?,
            title: self.title,
            content: self.content,
            consent_publish: self.consent != 0,
            status: Status::parse(&self.status)
                .map_err(|e| bad("feedback.status", &self.status, e))?,
            repeat_of: self.repeat_of,
            received_at: instant(self.received_at, "feedback.received_at_ms")?,
            due: moment(self.due, "feedback.due_ms")?,
            late_at: moment(self.late_at, "feedback.late_at_ms")?,
            decided_at: moment(self.decided_at, "feedback.decided_at_ms")?,
            answered_at: moment(self.answered_at, "feedback.answered_at_ms")?,
            published_at: moment(self.published_at, "feedback.published_at_ms")?,
            handler_user_id: self.handler,
            note: self.note,
            supplement: self.supplement,
            answer: self.answer,
            revision: self.revision,
            likes: self.likes,
            dislikes: self.dislikes,
        })
    }
}

/// The public code of the feedback with this id received in `year`.
fn code_of(year: i16, id: i64) -> String {
    format!("PA-{year}-{id:06}")
}

pub(crate) async fn insert_feedback<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    f: &NewFeedback,
) -> ServiceResult<FeedbackRecord> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let (id,): (i64,) = c
        .one(
            Sql::new(
                "INSERT INTO feedback (unit_id, account_id, dossier_id, category, title, content, \
                 consent_publish, status, repeat_of, received_at_ms, due_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'received', $8, $9, $10) RETURNING id",
            )
            .int(f.unit_id)
            .int(f.account_id)
            .opt_int(f.dossier_id)
            .text(f.category.as_str())
            .text(f.title.clone())
            .text(f.content.clone())
            .int(i64::from(f.consent_publish))
            .opt_int(f.repeat_of)
            .int(millis(f.received_at))
            .int(millis(f.due)),
        )
        .await
        .map_err(db)?;
    let code = code_of(motcua_domain::time::to_local(f.received_at).year(), id);
    c.execute(
        Sql::new("UPDATE feedback SET code = $1 WHERE id = $2")
            .text(code.clone())
            .int(id),
    )
    .await
    .map_err(db)?;
    c.append(
        ctx,
        FEEDBACK_SEND,
        &format!("feedback:{id}"),
        &json!({
            "code": code,
            "account": f.account_id,
            "unit_id": f.unit_id,
            "category": f.category.as_str(),
            "repeat_of": f.repeat_of,
        }),
    )
    .await?;
    commit(tx).await?;
    feedback_by_code(b, &code).await
}

pub(crate) async fn feedback_by_code<B: Backend>(
    b: &B,
    code: &str,
) -> ServiceResult<FeedbackRecord> {
    let raw: Option<Raw> = b
        .read()
        .await?
        .optional(
            Sql::assembled(
                format!("SELECT {COLUMNS} {FROM} WHERE f.code = $1"),
                Vec::new(),
            )
            .text(code),
        )
        .await
        .map_err(db)?;
    raw.ok_or_else(|| ServiceError::not_found("feedback", code.to_owned()))?
        .record()
}

pub(crate) async fn first_feedback_on<B: Backend>(
    b: &B,
    account_id: i64,
    unit_id: i64,
    dossier_id: Option<i64>,
    title: &str,
) -> ServiceResult<Option<i64>> {
    let q = match dossier_id {
        Some(d) => Sql::new(
            "SELECT min(id) FROM feedback WHERE account_id = $1 AND unit_id = $2 \
             AND dossier_id = $3",
        )
        .int(account_id)
        .int(unit_id)
        .int(d),
        None => Sql::new(
            "SELECT min(id) FROM feedback WHERE account_id = $1 AND unit_id = $2 \
             AND dossier_id IS NULL AND title = $3",
        )
        .int(account_id)
        .int(unit_id)
        .text(title),
    };
    let (first,): (Option<i64>,) = b.read().await?.one(q).await.map_err(db)?;
    Ok(first)
}

pub(crate) async fn feedback_sent_since<B: Backend>(
    b: &B,
    account_id: i64,
    since: Timestamp,
) -> ServiceResult<i64> {
    let (n,): (i64,) = b
        .read()
        .await?
        .one(
            Sql::new(
                "SELECT CAST(count(*) AS BIGINT) FROM feedback \
                 WHERE account_id = $1 AND received_at_ms >= $2",
            )
            .int(account_id)
            .int(millis(since)),
        )
        .await
        .map_err(db)?;
    Ok(n)
}

pub(crate) async fn update_feedback<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    ch: &FeedbackChange,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let n = c
        .execute(
            Sql::new(
                "UPDATE feedback SET status = $1, due_ms = $2, late_at_ms = $3, \
                 decided_at_ms = $4, answered_at_ms = $5, published_at_ms = $6, \
                 handler_user_id = $7, note = $8, supplement = $9, answer = $10, \
                 revision = revision + 1 WHERE id = $11 AND revision = $12",
            )
            .text(ch.status.as_str())
            .opt_int(ch.due.map(millis))
            .opt_int(ch.late_at.map(millis))
            .opt_int(ch.decided_at.map(millis))
            .opt_int(ch.answered_at.map(millis))
            .opt_int(ch.published_at.map(millis))
            .opt_int(ch.handler_user_id)
            .opt_text(ch.note.clone())
            .opt_text(ch.supplement.clone())
            .opt_text(ch.answer.clone())
            .int(ch.id)
            .int(ch.revision),
        )
        .await
        .map_err(db)?;
    if n == 0 {
        return Err(ServiceError::Conflict(
            "the feedback was changed by someone else; reload it".into(),
        ));
    }
    if let Some(m) = &ch.notice {
        c.execute(crate::ports::applicants::message_sql(m, ctx.at))
            .await
            .map_err(db)?;
    }
    c.append(
        ctx,
        &format!("feedback.{}", ch.action.as_str()),
        &format!("feedback:{}", ch.id),
        &json!({ "status": ch.status.as_str(), "late": ch.late_at.is_some() }),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn list_feedback<B: Backend>(
    b: &B,
    f: &FeedbackFilter,
) -> ServiceResult<Vec<FeedbackRecord>> {
    let scope = match &f.scope {
        FeedbackScope::Units(_) => format!("f.unit_id IN {}", <B::Conn as Conn>::DIALECT.id_set(1)),
        FeedbackScope::Account(_) => "f.account_id = $1".to_owned(),
        FeedbackScope::Published => "f.status = $1".to_owned(),
    };
    let mut sql = format!("SELECT {COLUMNS} {FROM} WHERE {scope}");
    let mut n = 2;
    if f.status.is_some() {
        sql.push_str(&format!(" AND f.status = ${n}"));
        n += 1;
    }
    if f.before_id.is_some() {
        sql.push_str(&format!(" AND f.id < ${n}"));
        n += 1;
    }
    sql.push_str(&format!(" ORDER BY f.id DESC LIMIT ${n}"));
    let mut q = Sql::assembled(sql, Vec::new());
    q = match &f.scope {
        FeedbackScope::Units(ids) => q.text(json!(ids).to_string()),
        FeedbackScope::Account(id) => q.int(*id),
        FeedbackScope::Published => q.text(Status::Published.as_str()),
    };
    if let Some(s) = f.status {
        q = q.text(s.as_str());
    }
    if let Some(before) = f.before_id {
        q = q.int(before);
    }
    q = q.int(i64::from(f.limit.min(500)));
    let rows: Vec<Raw> = b.read().await?.all(q).await.map_err(db)?;
    rows.into_iter().map(Raw::record).collect()
}

pub(crate) async fn vote_feedback<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    feedback_id: i64,
    account_id: i64,
    liked: bool,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(
        Sql::new(
            "INSERT INTO feedback_votes (feedback_id, account_id, liked, voted_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (feedback_id, account_id) \
             DO UPDATE SET liked = excluded.liked, voted_at_ms = excluded.voted_at_ms",
        )
        .int(feedback_id)
        .int(account_id)
        .int(i64::from(liked))
        .int(millis(ctx.at)),
    )
    .await
    .map_err(db)?;
    c.append(
        ctx,
        FEEDBACK_VOTE,
        &format!("feedback:{feedback_id}"),
        &json!({ "account": account_id, "liked": liked }),
    )
    .await?;
    commit(tx).await
}

/// `unit_id, category, repeat_of, late_at_ms, due_ms, likes, dislikes`.
type FactRow = (i64, String, Option<i64>, Option<i64>, Option<i64>, i64, i64);

pub(crate) async fn feedback_facts<B: Backend>(
    b: &B,
    from: Timestamp,
    to: Timestamp,
) -> ServiceResult<Vec<FeedbackFact>> {
    let rows: Vec<FactRow> = b
        .read()
        .await?
        .all(
            Sql::new(
                "SELECT f.unit_id, f.category, f.repeat_of, f.late_at_ms, f.due_ms, \
                 (SELECT CAST(count(*) AS BIGINT) FROM feedback_votes v WHERE v.feedback_id = f.id \
                  AND v.liked = 1 AND v.voted_at_ms < $2), \
                 (SELECT CAST(count(*) AS BIGINT) FROM feedback_votes v WHERE v.feedback_id = f.id \
                  AND v.liked = 0 AND v.voted_at_ms < $2) \
                 FROM feedback f WHERE f.received_at_ms >= $1 AND f.received_at_ms < $2",
            )
            .int(millis(from))
            .int(millis(to)),
        )
        .await
        .map_err(db)?;
    rows.into_iter()
        .map(
            |(unit_id, category, repeat_of, late_at, due, likes, dislikes)| {
                let late_from = match (late_at, due) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                Ok(FeedbackFact {
                    unit_id,
                    category: Category::parse(&category)
                        .map_err(|e| corrupt("feedback.category", &category, e))?,
                    first_time: repeat_of.is_none(),
                    late_from: moment(late_from, "feedback.late_at_ms")?,
                    likes,
                    dislikes,
                })
            },
        )
        .collect()
}

/// Implements `FeedbackStore` for `$store` (called from `store_ports!`).
macro_rules! feedback_ports {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use jiff::Timestamp;
            use motcua_service::error::ServiceResult;
            use motcua_service::store::{
                AuditContext, FeedbackChange, FeedbackFact, FeedbackFilter, FeedbackRecord,
                FeedbackStore, NewFeedback,
            };

            use $crate::ports::feedback as fb;

            #[async_trait]
            impl FeedbackStore for $store {
                async fn insert_feedback(
                    &self,
                    ctx: &AuditContext,
                    f: &NewFeedback,
                ) -> ServiceResult<FeedbackRecord> {
                    fb::insert_feedback(self, ctx, f).await
                }

                async fn feedback_by_code(&self, code: &str) -> ServiceResult<FeedbackRecord> {
                    fb::feedback_by_code(self, code).await
                }

                async fn first_feedback_on(
                    &self,
                    account_id: i64,
                    unit_id: i64,
                    dossier_id: Option<i64>,
                    title: &str,
                ) -> ServiceResult<Option<i64>> {
                    fb::first_feedback_on(self, account_id, unit_id, dossier_id, title).await
                }

                async fn feedback_sent_since(
                    &self,
                    account_id: i64,
                    since: Timestamp,
                ) -> ServiceResult<i64> {
                    fb::feedback_sent_since(self, account_id, since).await
                }

                async fn update_feedback(
                    &self,
                    ctx: &AuditContext,
                    c: &FeedbackChange,
                ) -> ServiceResult<()> {
                    fb::update_feedback(self, ctx, c).await
                }

                async fn list_feedback(
                    &self,
                    f: &FeedbackFilter,
                ) -> ServiceResult<Vec<FeedbackRecord>> {
                    fb::list_feedback(self, f).await
                }

                async fn vote_feedback(
                    &self,
                    ctx: &AuditContext,
                    feedback_id: i64,
                    account_id: i64,
                    liked: bool,
                ) -> ServiceResult<()> {
                    fb::vote_feedback(self, ctx, feedback_id, account_id, liked).await
                }

                async fn feedback_facts(
                    &self,
                    from: Timestamp,
                    to: Timestamp,
                ) -> ServiceResult<Vec<FeedbackFact>> {
                    fb::feedback_facts(self, from, to).await
                }
            }
        };
    };
}
pub(crate) use feedback_ports;
