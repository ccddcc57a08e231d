//! Ratings after a result is returned (domain.md §8) and the satisfaction
//! report built from them (§12).
//!
//! Whoever holds the dossier may rate it once it is returned: its owner on
//! the portal, or anyone with the receipt (the QR code's check value opens
//! the status page, which offers the form). One rating per dossier; it is
//! kept as given and audited. The report sums the ratings given in a
//! period per receiving unit of a subtree, with the overall share
//! satisfied, the five SIPAS aspects, the index and the rank among units
//! with a large enough sample.

use jiff::civil::Date;
use motcua_domain::dossier::Status;
use motcua_domain::stats::satisfaction::{self, Ratings};
use motcua_domain::unit::UnitCode;
use serde::Serialize;

use crate::access::{Actor, Permission, deny};
use crate::applicants::Applicant;
use crate::error::{ServiceError, ServiceResult};
use crate::store::{AuditContext, NewRating};

/// The longest comment kept.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// A rating as the form sends it: scores as typed (`""` for an aspect not
/// answered).
#[derive(Debug, Clone, Default)]
pub struct RatingInput {
    /// The overall score.
    pub overall: String,
    /// Each aspect, in `satisfaction::ASPECTS` order.
    pub aspects: [String; 5],
    /// A comment.
    pub comment: String,
}

fn score(field: &'static str, text: &str, required: bool) -> ServiceResult<Option<u8>> {
    let t = text.trim();
    if t.is_empty() && !required {
        return Ok(None);
    }
    match t.parse::<u8>() {
        Ok(n @ 1..=5) => Ok(Some(n)),
        _ => Err(ServiceError::invalid(field, "a score from 1 to 5")),
    }
}

impl RatingInput {
    /// The rating to keep for `dossier_id`, or the field at fault.
    fn checked(&self, dossier_id: i64, channel: &'static str) -> ServiceResult<NewRating> {
        let overall = score("overall", &self.overall, true)?.unwrap_or(5);
        let mut aspects = [None; 5];
        for (i, name) in satisfaction::ASPECTS.iter().enumerate() {
            aspects[i] = score(name, &self.aspects[i], false)?;
        }
        let comment = self.comment.trim();
        if comment.chars().count() > MAX_COMMENT_CHARS
            || comment
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            return Err(ServiceError::invalid(
                "comment",
                format!("at most {MAX_COMMENT_CHARS} characters of text"),
            ));
        }
        Ok(NewRating {
            dossier_id,
            overall,
            aspects,
            comment: comment.to_owned(),
            channel,
        })
    }
}

/// Whether a dossier in `status` may be rated.
pub fn rateable(status: Status) -> bool {
    status == Status::Returned
}

impl crate::services::Portal<'_> {
    /// Rates a returned dossier through its receipt (code and check value);
    /// a wrong value answers like an unknown code.
    pub async fn rate_by_receipt(
        &self,
        code: &str,
        check: &str,
        input: &RatingInput,
    ) -> ServiceResult<()> {
        let s = self.status(code, check).await?;
        let d = self.store().dossier_by_code(&s.code).await?;
        if !rateable(d.state.status) {
            return Err(ServiceError::Conflict(
                "a dossier is rated once its result is returned".into(),
            ));
        }
        let r = input.checked(d.id, "receipt")?;
        let ctx = AuditContext {
            actor: "receipt".into(),
            at: self.now(),
        };
        self.store().insert_rating(&ctx, &r).await
    }
}

impl crate::services::Applicants<'_> {
    /// `who` rates one of their returned dossiers.
    pub async fn rate(
        &self,
        who: &Applicant,
        code: &str,
        input: &RatingInput,
    ) -> ServiceResult<()> {
        let d = self.services().dossiers().owned(who, code).await?;
        if !rateable(d.state.status) {
            return Err(ServiceError::Conflict(
                "a dossier is rated once its result is returned".into(),
            ));
        }
        let r = input.checked(d.id, "portal")?;
        let ctx = AuditContext {
            actor: who.audit_name(),
            at: self.now(),
        };
        self.store().insert_rating(&ctx, &r).await
    }
}

/// One receiving unit's line of the satisfaction report.
#[derive(Debug, Clone, Serialize)]
pub struct SatisfactionRow {
    /// The unit's code.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// What its ratings add up to.
    pub ratings: Ratings,
    /// Percent satisfied overall.
    pub satisfied_percent: Option<f64>,
    /// Mean overall score.
    pub mean: Option<f64>,
    /// Each aspect's percent satisfied.
    pub aspect_percents: [Option<f64>; 5],
    /// The index (mean of the aspects).
    pub index: Option<f64>,
    /// Rank by index among units with the minimum sample.
    pub rank: Option<usize>,
}

impl SatisfactionRow {
    fn of(unit: String, name: String, ratings: Ratings, rank: Option<usize>) -> Self {
        Self {
            unit,
            name,
            satisfied_percent: ratings.overall.rate(),
            mean: ratings.mean(),
            aspect_percents: ratings.aspects.map(|a| a.rate()),
            index: ratings.index(),
            rank,
            ratings,
        }
    }
}

/// The satisfaction report of a subtree over a period.
#[derive(Debug, Clone, Serialize)]
pub struct SatisfactionReport {
    /// The root unit's code.
    pub unit: String,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// One row per receiving unit with ratings, best index first.
    pub rows: Vec<SatisfactionRow>,
    /// The whole subtree.
    pub total: SatisfactionRow,
    /// The sample below which a unit is not ranked.
    pub min_sample: u64,
}

impl crate::services::Stats<'_> {
    /// The unit a figure of `unit`'s subtree is asked for, once the caller
    /// may read its statistics, and the period's instants `[start, end)`.
    pub(crate) async fn stats_scope(
        &self,
        actor: &Actor,
        unit: &str,
        from: Date,
        to: Date,
    ) -> ServiceResult<(crate::store::Unit, jiff::Timestamp, jiff::Timestamp)> {
        if to < from {
            return Err(ServiceError::invalid("to", "not before from"));
        }
        let code = UnitCode::parse(unit.trim())
            .map_err(|e| ServiceError::invalid("unit", e.to_string()))?;
        let root = match self.store().unit_by_code(&code).await {
            Ok(u) => u,
            Err(ServiceError::NotFound { .. }) => {
                return Err(ServiceError::invalid(
                    "unit",
                    format!("no unit with code {code}"),
                ));
            }
            Err(e) => return Err(e),
        };
        if !actor.may(Permission::ViewStatistics, root.id) {
            return deny(
                self.store(),
                actor,
                self.now(),
                Permission::ViewStatistics,
                &format!("unit:{}", root.code),
            )
            .await;
        }
        let start =
            motcua_domain::time::from_local(from.to_datetime(jiff::civil::Time::midnight()))?;
        let end = motcua_domain::time::from_local(
            to.tomorrow()
                .map_err(|e| ServiceError::invalid("to", e.to_string()))?
                .to_datetime(jiff::civil::Time::midnight()),
        )?;
        Ok((root, start, end))
    }

    /// Ratings given from `from` to `to` (Vietnam days) to the units of
    /// `unit`'s subtree, per receiving unit. Needs statistics on the unit.
    pub async fn satisfaction(
        &self,
        actor: &Actor,
        unit: &str,
        from: Date,
        to: Date,
    ) -> ServiceResult<SatisfactionReport> {
        let (root, start, end) = self.stats_scope(actor, unit, from, to).await?;
        let subtree: std::collections::HashSet<i64> = self
            .store()
            .subtree_ids(root.id)
            .await?
            .into_iter()
            .collect();
        let units = self.store().list_units().await?;
        let mut found: Vec<(i64, Ratings)> = self
            .store()
            .ratings_by_unit(start, end)
            .await?
            .into_iter()
            .filter(|(u, _)| subtree.contains(u))
            .collect();
        let mut total = Ratings::default();
        for (_, r) in &found {
            total.add(r);
        }
        let ranks = satisfaction::ranks(&found.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>());
        let mut rows: Vec<SatisfactionRow> = found
            .drain(..)
            .zip(ranks)
            .map(|((id, r), rank)| {
                let (c, n) = units
                    .iter()
                    .find(|u| u.id == id)
                    .map(|u| (u.code.to_string(), u.name.clone()))
                    .unwrap_or_default();
                SatisfactionRow::of(c, n, r, rank)
            })
            .collect();
        rows.sort_by(|a, b| {
            a.rank
                .unwrap_or(usize::MAX)
                .cmp(&b.rank.unwrap_or(usize::MAX))
                .then_with(|| b.ratings.responses.cmp(&a.ratings.responses))
                .then_with(|| a.unit.cmp(&b.unit))
        });
        Ok(SatisfactionReport {
            unit: root.code.to_string(),
            from,
            to,
            rows,
            total: SatisfactionRow::of(root.code.to_string(), root.name.clone(), total, None),
            min_sample: satisfaction::MIN_SAMPLE,
        })
    }
}

/// The portal's figures of a subtree over a period (766 §4.5 and the
/// online-payment rate, domain.md §8), counted on the dossiers received.
#[derive(Debug, Clone, Serialize)]
pub struct PortalFigures {
    /// The root unit's code.
    pub unit: String,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The counts.
    pub counts: crate::store::PortalCounts,
    /// Dossiers by a VNeID-vouched account ÷ received, in percent.
    pub identity_percent: Option<f64>,
    /// Paid online ÷ received with a fee above zero, in percent.
    pub online_payment_percent: Option<f64>,
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

impl crate::services::Stats<'_> {
    /// Dossiers received from `from` to `to` in `unit`'s subtree with what
    /// the portal adds: submitted there, by a vouched-for account, paid
    /// online. Needs statistics on the unit.
    pub async fn portal_figures(
        &self,
        actor: &Actor,
        unit: &str,
        from: Date,
        to: Date,
    ) -> ServiceResult<PortalFigures> {
        let (root, start, end) = self.stats_scope(actor, unit, from, to).await?;
        let subtree: std::collections::HashSet<i64> = self
            .store()
            .subtree_ids(root.id)
            .await?
            .into_iter()
            .collect();
        let mut counts = crate::store::PortalCounts::default();
        for (u, c) in self.store().portal_counts(start, end).await? {
            if subtree.contains(&u) {
                counts.add(&c);
            }
        }
        Ok(PortalFigures {
            unit: root.code.to_string(),
            from,
            to,
            identity_percent: percent(counts.identity_verified, counts.received),
            online_payment_percent: percent(counts.paid_online, counts.fee_bearing),
            counts,
        })
    }
}
