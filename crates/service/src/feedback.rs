//! Feedback and complaints (phản ánh, kiến nghị; Decree 20/2008/NĐ-CP,
//! domain.md §8): a signed-in applicant sends one to a unit, the unit's
//! staff take it up or refuse it, may ask for more, answer it and, when the
//! sender agreed, publish the answer, which signed-in applicants like or
//! dislike. Each stage is due a number of working days after the one
//! before, on the unit's own calendar; the figures of 766 indicators
//! 5.1–5.3 are judged from what is kept (`Stats::feedback_report`).
//!
//! Access: the sender sees their own; everyone sees published answers; a
//! member of staff sees and handles the feedback of the units where they
//! hold [`Permission::HandleFeedback`], and one outside them answers as a
//! missing code does.

use jiff::{SignedDuration, Timestamp};
use motcua_domain::deadline::{TimeLimit, WorkTime};
use motcua_domain::feedback::{self as rules, Action, Category, Limits, Status};
use motcua_domain::time::{from_local, to_local};
use motcua_domain::unit::UnitCode;

use crate::access::{Actor, Permission, require_somewhere};
use crate::applicants::Applicant;
use crate::error::{ServiceError, ServiceResult};
use crate::store::{
    AuditContext, FeedbackChange, FeedbackFilter, FeedbackRecord, FeedbackScope, NewFeedback, Unit,
};

/// The longest title.
pub const MAX_TITLE_CHARS: usize = 200;
/// The shortest content worth handling.
pub const MIN_CONTENT_CHARS: usize = 10;
/// The longest content (and supplement).
pub const MAX_CONTENT_CHARS: usize = 4000;
/// The longest note (refusal reason, what to add).
pub const MAX_NOTE_CHARS: usize = 2000;
/// The longest answer.
pub const MAX_ANSWER_CHARS: usize = 8000;
/// Feedback one account may send in a day: enough for anyone with a real
/// matter, too few to flood a unit.
pub const DAILY_LIMIT: i64 = 10;
/// Rows a page of feedback holds.
pub const PAGE: u32 = 50;

/// A feedback as the portal's form sends it.
#[derive(Debug, Clone, Default)]
pub struct FeedbackInput {
    /// The unit's code.
    pub unit: String,
    /// The category's text.
    pub category: String,
    /// A short title.
    pub title: String,
    /// What happened or what is proposed.
    pub content: String,
    /// One of the sender's dossier codes, or empty.
    pub dossier: String,
    /// Whether the answer may be published.
    pub consent_publish: bool,
}

/// What a member of staff does, as the API or the form sends it.
#[derive(Debug, Clone, Default)]
pub struct StaffAction {
    /// The action's text (`accept`, `refuse`, …).
    pub action: String,
    /// The reason of a refusal, or what the sender must add.
    pub note: String,
    /// The answer.
    pub answer: String,
    /// The user name of whom to assign it to.
    pub handler: String,
}

/// Checked free text: trimmed, between `min` and `max` characters, no
/// control characters but line breaks.
pub(crate) fn text(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> ServiceResult<String> {
    let t = value.trim();
    let n = t.chars().count();
    if n < min || n > max {
        return Err(ServiceError::invalid(
            field,
            format!("from {min} to {max} characters (got {n})"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ServiceError::invalid(
            field,
            "control characters are not allowed",
        ));
    }
    Ok(t.to_owned())
}

/// The moment `days` working days after `from` on `unit`'s calendar.
async fn due_after(
    services: &crate::services::Services,
    unit: &Unit,
    from: Timestamp,
    days: u32,
) -> ServiceResult<Timestamp> {
    let cal = services.calendars().of_unit(unit).await?;
    let work = WorkTime::new(&cal.calendar, &cal.hours);
    let limit = TimeLimit::working_days(days)?;
    match work.due_moment(to_local(from), limit, None)? {
        Some(due) => Ok(from_local(due)?),
        None => Ok(from),
    }
}

/// The change an action makes, decided from the feedback as read.
struct Step<'a> {
    rec: &'a FeedbackRecord,
    action: Action,
    now: Timestamp,
}

impl Step<'_> {
    /// The due of the stage the action ends, if it ends one.
    fn ended_due(&self, supplement_due: Timestamp) -> Option<Timestamp> {
        match self.action {
            Action::Accept | Action::Refuse | Action::Answer | Action::Publish => self.rec.due,
            Action::RequestSupplement => Some(supplement_due),
            Action::Supply | Action::Assign => None,
        }
    }

    /// The first missed due once this action is done now.
    fn late_at(&self, supplement_due: Timestamp) -> Option<Timestamp> {
        let missed = self.ended_due(supplement_due).filter(|d| self.now > *d);
        match (self.rec.late_at, missed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl crate::services::Applicants<'_> {
    /// `who` sends a feedback to a unit, optionally about one of their
    /// dossiers. A feedback on a matter they wrote about before is kept
    /// and linked to the first one (766 counts repeats).
    pub async fn send_feedback(
        &self,
        who: &Applicant,
        input: &FeedbackInput,
    ) -> ServiceResult<FeedbackRecord> {
        let code = UnitCode::parse(input.unit.trim())
            .map_err(|e| ServiceError::invalid("unit", e.to_string()))?;
        let unit = match self.store().unit_by_code(&code).await {
            Ok(u) if u.valid_to.is_none() => u,
            Ok(_) | Err(ServiceError::NotFound { .. }) => {
                return Err(ServiceError::invalid(
                    "unit",
                    format!("no unit with code {code}"),
                ));
            }
            Err(e) => return Err(e),
        };
        let category = Category::parse(&input.category)?;
        let title = text("title", &input.title, 5, MAX_TITLE_CHARS)?;
        let content = text(
            "content",
            &input.content,
            MIN_CONTENT_CHARS,
            MAX_CONTENT_CHARS,
        )?;
        let dossier_id = match input.dossier.trim() {
            "" => None,
            c => match self.services().dossiers().owned(who, c).await {
                Ok(d) => Some(d.id),
                Err(ServiceError::NotFound { .. }) => {
                    return Err(ServiceError::invalid("dossier", "not one of your dossiers"));
                }
                Err(e) => return Err(e),
            },
        };
        let now = self.now();
        let day_ago = now - SignedDuration::from_hours(24);
        if self
            .store()
            .feedback_sent_since(who.account_id, day_ago)
            .await?
            >= DAILY_LIMIT
        {
            return Err(ServiceError::RateLimited {
                retry_after_secs: 3600,
            });
        }
        let repeat_of = self
            .store()
            .first_feedback_on(who.account_id, unit.id, dossier_id, &title)
            .await?;
        let due = due_after(self.services(), &unit, now, Limits::default().decide).await?;
        let ctx = AuditContext {
            actor: who.audit_name(),
            at: now,
        };
        let new = NewFeedback {
            unit_id: unit.id,
            account_id: who.account_id,
            dossier_id,
            category,
            title,
            content,
            consent_publish: input.consent_publish,
            repeat_of,
            received_at: now,
            due,
        };
        self.store().insert_feedback(&ctx, &new).await
    }

    /// The dossier code and its unit's code, for a feedback form about one
    /// of `who`'s dossiers; another's answers as a missing one.
    pub async fn feedback_about(
        &self,
        who: &Applicant,
        dossier: &str,
    ) -> ServiceResult<(String, String)> {
        let d = self.services().dossiers().owned(who, dossier).await?;
        let unit = self.services().unit(d.unit_id).await?;
        Ok((d.code.to_string(), unit.code.to_string()))
    }

    /// `who`'s feedback, newest first.
    pub async fn my_feedback(&self, who: &Applicant) -> ServiceResult<Vec<FeedbackRecord>> {
        self.store()
            .list_feedback(&FeedbackFilter {
                scope: FeedbackScope::Account(who.account_id),
                status: None,
                before_id: None,
                limit: PAGE,
            })
            .await
    }

    /// One feedback for `who` (none signed in: `None`): their own, or a
    /// published one; anything else answers as a missing code.
    pub async fn feedback(
        &self,
        who: Option<&Applicant>,
        code: &str,
    ) -> ServiceResult<FeedbackRecord> {
        let rec = self.store().feedback_by_code(code.trim()).await?;
        let own = who.is_some_and(|w| w.account_id == rec.account_id);
        if own || rec.status == Status::Published {
            return Ok(rec);
        }
        Err(ServiceError::not_found("feedback", code.trim().to_owned()))
    }

    /// `who` gives what their unit asked for; the unit decides again,
    /// within the same limit as at first.
    pub async fn supply_feedback(
        &self,
        who: &Applicant,
        code: &str,
        supplement: &str,
    ) -> ServiceResult<FeedbackRecord> {
        let rec = self.feedback(Some(who), code).await?;
        if rec.account_id != who.account_id {
            return Err(ServiceError::not_found("feedback", code.trim().to_owned()));
        }
        let text = text("supplement", supplement, 1, MAX_CONTENT_CHARS)?;
        let input = Change {
            supplement: Some(text),
            ..Change::of(Action::Supply)
        };
        let ctx = AuditContext {
            actor: who.audit_name(),
            at: self.now(),
        };
        apply(self.services(), &ctx, &rec, input).await
    }

    /// `who` likes or dislikes a published answer; a later vote replaces
    /// theirs.
    pub async fn vote_feedback(
        &self,
        who: &Applicant,
        code: &str,
        liked: bool,
    ) -> ServiceResult<FeedbackRecord> {
        let rec = self.feedback(Some(who), code).await?;
        if rec.status != Status::Published {
            return Err(ServiceError::Conflict(
                "only a published answer is liked or disliked".into(),
            ));
        }
        let ctx = AuditContext {
            actor: who.audit_name(),
            at: self.now(),
        };
        self.store()
            .vote_feedback(&ctx, rec.id, who.account_id, liked)
            .await?;
        self.store().feedback_by_code(&rec.code).await
    }
}

impl crate::services::Portal<'_> {
    /// Published answers, newest first; `before` pages on.
    pub async fn published_feedback(
        &self,
        before: Option<i64>,
    ) -> ServiceResult<Vec<FeedbackRecord>> {
        self.store()
            .list_feedback(&FeedbackFilter {
                scope: FeedbackScope::Published,
                status: None,
                before_id: before,
                limit: 20,
            })
            .await
    }
}

/// What an action brings besides itself.
#[derive(Debug)]
struct Change {
    action: Action,
    note: Option<String>,
    answer: Option<String>,
    supplement: Option<String>,
    handler: Option<i64>,
}

impl Change {
    fn of(action: Action) -> Self {
        Self {
            action,
            note: None,
            answer: None,
            supplement: None,
            handler: None,
        }
    }
}

/// What the sender is told of an action that needs them or ends their
/// matter (asked for more, refused, answered), on the channel the server
/// has for their contact; none when it has none.
async fn notice_of(
    services: &crate::services::Services,
    rec: &FeedbackRecord,
    ch: &Change,
) -> ServiceResult<Option<crate::store::NewMessage>> {
    let note = ch.note.as_deref().unwrap_or_default();
    let (subject, body) = match ch.action {
        Action::RequestSupplement => (
            format!("Đề nghị bổ sung thông tin phản ánh {}", rec.code),
            format!(
                "{} đề nghị bạn bổ sung thông tin cho phản ánh, kiến nghị {}: {note} \
                 Gửi thông tin bổ sung tại Cổng dịch vụ công, mục Phản ánh, kiến nghị.",
                rec.unit_name, rec.code
            ),
        ),
        Action::Refuse => (
            format!("Phản ánh {} không được thụ lý", rec.code),
            format!(
                "Phản ánh, kiến nghị {} gửi {} không được thụ lý. Lý do: {note}",
                rec.code, rec.unit_name
            ),
        ),
        Action::Answer => (
            format!("Phản ánh {} đã có kết quả trả lời", rec.code),
            format!(
                "Phản ánh, kiến nghị {} đã được {} trả lời. Xem kết quả tại Cổng dịch vụ công, \
                 mục Phản ánh, kiến nghị.",
                rec.code, rec.unit_name
            ),
        ),
        _ => return Ok(None),
    };
    let account = services.store().account_by_id(rec.account_id).await?;
    let Some(contact) = account
        .email
        .map(motcua_domain::contact::Contact::Email)
        .or_else(|| account.phone.map(motcua_domain::contact::Contact::Phone))
    else {
        return Ok(None);
    };
    let Ok(channel) = crate::applicants::channel_of(services.dossiers().notices(), &contact) else {
        return Ok(None);
    };
    Ok(Some(crate::store::NewMessage {
        channel,
        recipient: contact.as_str().to_owned(),
        subject,
        body,
    }))
}

/// Applies a change to a feedback as read, with its dues on the unit's
/// calendar, and writes it if nobody changed the feedback meanwhile.
async fn apply(
    services: &crate::services::Services,
    ctx: &AuditContext,
    rec: &FeedbackRecord,
    ch: Change,
) -> ServiceResult<FeedbackRecord> {
    let to = rules::next(rec.status, ch.action, rec.consent_publish)?;
    let now = ctx.at;
    let unit = services.unit(rec.unit_id).await?;
    let limits = Limits::default();
    let supplement_due = due_after(services, &unit, rec.received_at, limits.supplement).await?;
    let step = Step {
        rec,
        action: ch.action,
        now,
    };
    let due = match ch.action {
        Action::Accept => Some(due_after(services, &unit, now, limits.answer).await?),
        Action::Supply => Some(due_after(services, &unit, now, limits.decide).await?),
        Action::Answer if rec.consent_publish => {
            Some(due_after(services, &unit, now, limits.publish).await?)
        }
        Action::Assign => rec.due,
        Action::Refuse | Action::RequestSupplement | Action::Answer | Action::Publish => None,
    };
    let decided = matches!(ch.action, Action::Accept | Action::Refuse);
    let notice = notice_of(services, rec, &ch).await?;
    let change = FeedbackChange {
        id: rec.id,
        revision: rec.revision,
        action: ch.action,
        status: to,
        due,
        late_at: step.late_at(supplement_due),
        decided_at: if decided { Some(now) } else { rec.decided_at },
        answered_at: if ch.action == Action::Answer {
            Some(now)
        } else {
            rec.answered_at
        },
        published_at: if ch.action == Action::Publish {
            Some(now)
        } else {
            rec.published_at
        },
        handler_user_id: ch.handler.or(rec.handler_user_id),
        note: ch.note.or_else(|| rec.note.clone()),
        supplement: ch.supplement.or_else(|| rec.supplement.clone()),
        answer: ch.answer.or_else(|| rec.answer.clone()),
        notice,
    };
    services.store().update_feedback(ctx, &change).await?;
    services.store().feedback_by_code(&rec.code).await
}

impl crate::services::FeedbackDesk<'_> {
    /// A page of the feedback sent to the actor's units, newest first.
    pub async fn list(
        &self,
        actor: &Actor,
        status: Option<&str>,
        before: Option<i64>,
    ) -> ServiceResult<Vec<FeedbackRecord>> {
        require_somewhere(self.store(), actor, self.now(), Permission::HandleFeedback).await?;
        let status = status
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Status::parse)
            .transpose()?;
        let units: Vec<i64> = match actor.units_for(Permission::HandleFeedback) {
            Some(set) => set.into_iter().collect(),
            None => self
                .store()
                .list_units()
                .await?
                .iter()
                .map(|u| u.id)
                .collect(),
        };
        self.store()
            .list_feedback(&FeedbackFilter {
                scope: FeedbackScope::Units(units),
                status,
                before_id: before,
                limit: PAGE,
            })
            .await
    }

    /// One feedback of the actor's units; another unit's answers as a
    /// missing code.
    pub async fn view(&self, actor: &Actor, code: &str) -> ServiceResult<FeedbackRecord> {
        require_somewhere(self.store(), actor, self.now(), Permission::HandleFeedback).await?;
        let rec = self.store().feedback_by_code(code.trim()).await?;
        if !actor.may(Permission::HandleFeedback, rec.unit_id) {
            return Err(ServiceError::not_found("feedback", code.trim().to_owned()));
        }
        Ok(rec)
    }

    /// The actor takes an action on one of their units' feedback.
    pub async fn act(
        &self,
        actor: &Actor,
        code: &str,
        input: &StaffAction,
    ) -> ServiceResult<FeedbackRecord> {
        let rec = self.view(actor, code).await?;
        let action = Action::parse(&input.action)?;
        let mut ch = Change::of(action);
        match action {
            Action::Refuse | Action::RequestSupplement => {
                ch.note = Some(text("note", &input.note, 5, MAX_NOTE_CHARS)?);
            }
            Action::Answer => {
                ch.answer = Some(text("answer", &input.answer, 10, MAX_ANSWER_CHARS)?);
            }
            Action::Assign => {
                let name = input.handler.trim().to_lowercase();
                let user = match self.store().user_by_username(&name).await {
                    Ok(u) if u.active => u,
                    Ok(_) | Err(ServiceError::NotFound { .. }) => {
                        return Err(ServiceError::invalid("handler", "no such active user"));
                    }
                    Err(e) => return Err(e),
                };
                let them = Actor::load(self.store(), user.id, &user.username).await?;
                if !them.may(Permission::HandleFeedback, rec.unit_id) {
                    return Err(ServiceError::invalid(
                        "handler",
                        "this user does not handle feedback of the unit",
                    ));
                }
                ch.handler = Some(user.id);
            }
            Action::Supply => {
                return Err(ServiceError::invalid(
                    "action",
                    "only the sender supplies what was asked for",
                ));
            }
            Action::Accept | Action::Publish => {}
        }
        let ctx = actor.context(self.now());
        apply(self.services(), &ctx, &rec, ch).await
    }
}

/// One unit's line of the feedback report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedbackRow {
    /// The unit's code.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// The 766 counts.
    pub figures: rules::Figures,
    /// Received per category, in [`Category::ALL`] order (indicator 5.1).
    pub by_category: [u64; 5],
    /// Indicator 5.2, in percent.
    pub on_time_percent: Option<f64>,
    /// Indicator 5.3, in percent.
    pub satisfaction_percent: Option<f64>,
}

impl FeedbackRow {
    fn of(unit: String, name: String, figures: rules::Figures, by_category: [u64; 5]) -> Self {
        Self {
            unit,
            name,
            on_time_percent: figures.on_time_percent(),
            satisfaction_percent: figures.satisfaction_percent(),
            figures,
            by_category,
        }
    }
}

/// Feedback received in a period by the units of a subtree, judged as of
/// the period's end (or now, for a period not yet over).
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedbackReport {
    /// The root unit's code.
    pub unit: String,
    /// First day.
    pub from: jiff::civil::Date,
    /// Last day.
    pub to: jiff::civil::Date,
    /// The categories, in the order of `by_category`.
    pub categories: Vec<&'static str>,
    /// One row per unit that received feedback, by code.
    pub rows: Vec<FeedbackRow>,
    /// The whole subtree.
    pub total: FeedbackRow,
}

impl crate::services::Stats<'_> {
    /// Indicators 5.1–5.3 for feedback received from `from` to `to` by
    /// `unit`'s subtree. Needs statistics on the unit.
    pub async fn feedback_report(
        &self,
        actor: &Actor,
        unit: &str,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> ServiceResult<FeedbackReport> {
        let (root, start, end) = self.stats_scope(actor, unit, from, to).await?;
        let as_of = end.min(self.now());
        let subtree: std::collections::HashSet<i64> = self
            .store()
            .subtree_ids(root.id)
            .await?
            .into_iter()
            .collect();
        let mut per: std::collections::BTreeMap<i64, (rules::Figures, [u64; 5])> =
            std::collections::BTreeMap::new();
        let (mut total, mut total_cat) = (rules::Figures::default(), [0u64; 5]);
        for f in self.store().feedback_facts(start, end).await? {
            if !subtree.contains(&f.unit_id) {
                continue;
            }
            let judged = rules::Judged {
                first_time: f.first_time,
                late: f.late_from.is_some_and(|t| t <= as_of),
                disliked: f.dislikes > f.likes,
            };
            let cat = Category::ALL
                .iter()
                .position(|c| *c == f.category)
                .unwrap_or(Category::ALL.len() - 1);
            let e = per.entry(f.unit_id).or_default();
            e.0.add(judged);
            e.1[cat] += 1;
            total.add(judged);
            total_cat[cat] += 1;
        }
        let units = self.store().list_units().await?;
        let mut rows: Vec<FeedbackRow> = per
            .into_iter()
            .map(|(id, (fig, cat))| {
                let (c, n) = units
                    .iter()
                    .find(|u| u.id == id)
                    .map(|u| (u.code.to_string(), u.name.clone()))
                    .unwrap_or_default();
                FeedbackRow::of(c, n, fig, cat)
            })
            .collect();
        rows.sort_by(|a, b| a.unit.cmp(&b.unit));
        Ok(FeedbackReport {
            unit: root.code.to_string(),
            from,
            to,
            categories: Category::ALL.iter().map(|c| c.as_str()).collect(),
            rows,
            total: FeedbackRow::of(root.code.to_string(), root.name.clone(), total, total_cat),
        })
    }
}
