//! Reconciliation (đối soát) with the gateway: its signed list of a day's
//! transactions against our payments settled that day and our refunds
//! asked that day (Viet Nam time).
//!
//! Each of the gateway's payments is looked up by our reference whatever
//! day we settled it, so a payment paid just before midnight and answered
//! just after is matched, not reported twice. Lines:
//!
//! - **matched**: in both, same amount;
//! - **only at the gateway**: the gateway took it, we have it unpaid
//!   (its answer never came) or not at all. Since the list is signed, a
//!   pending payment of ours under that reference and amount may be
//!   recorded as paid (`record`), by someone who may manage payments on the
//!   dossier's unit;
//! - **only with us**: we hold it paid (or a refund done or pending) and
//!   the gateway's list of that day does not;
//! - **amount mismatch**: in both under one reference, different amounts.
//!
//! Readers need the statistics permission; they see the lines of dossiers
//! received in their units, and the lines no dossier of ours explains only
//! if they administer the whole system.

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::role::Role;
use serde::Serialize;

use super::{GatewayTransaction, TransactionKind};
use crate::access::{Actor, Permission};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{AuditContext, DossierPayment, Refund, Settled};

/// The most records of one day read from our side.
const DAY_LIMIT: u32 = 20_000;

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// A payment or a refund.
    pub kind: TransactionKind,
    /// Our reference (the payment's or the refund's).
    pub reference: String,
    /// The dossier, when one of ours.
    pub dossier_code: Option<String>,
    /// The gateway's transaction number.
    pub transaction: Option<String>,
    /// Our amount, in đồng.
    pub our_amount_dong: Option<i64>,
    /// The gateway's amount, in đồng.
    pub gateway_amount_dong: Option<i64>,
    /// Our status (`pending`, `paid`, `failed`; for refunds `pending`,
    /// `done`, `refused`), when we have it.
    pub our_status: Option<String>,
    /// Recorded as paid by this reconciliation.
    pub recorded: bool,
}

/// The comparison of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// The day (Viet Nam time).
    pub date: Date,
    /// In both, same amount.
    pub matched: Vec<Line>,
    /// Only in the gateway's list.
    pub only_at_gateway: Vec<Line>,
    /// Only with us.
    pub only_with_us: Vec<Line>,
    /// In both, different amounts.
    pub amount_mismatches: Vec<Line>,
}

impl Reconciliation {
    /// Whether both sides agree on everything shown.
    pub fn agrees(&self) -> bool {
        self.only_at_gateway.is_empty()
            && self.only_with_us.is_empty()
            && self.amount_mismatches.is_empty()
    }
}

/// Which lines the reader sees.
struct Scope {
    units: Option<std::collections::HashSet<i64>>,
    everything: bool,
}

impl Scope {
    fn of(actor: &Actor) -> Self {
        Self {
            units: actor.units_for(Permission::ViewStatistics),
            everything: actor.is_system() || actor.holds(Role::SystemAdmin),
        }
    }

    fn sees(&self, unit: Option<i64>) -> bool {
        match (unit, &self.units) {
            (_, None) => true,
            (Some(u), Some(set)) => set.contains(&u),
            (None, Some(_)) => self.everything,
        }
    }
}

fn payment_line(g: Option<&GatewayTransaction>, ours: Option<&DossierPayment>) -> Line {
    Line {
        kind: TransactionKind::Payment,
        reference: g
            .map(|g| g.reference.clone())
            .or_else(|| ours.map(|o| o.payment.reference.clone()))
            .unwrap_or_default(),
        dossier_code: ours.map(|o| o.dossier_code.clone()),
        transaction: g
            .map(|g| g.transaction.clone())
            .or_else(|| ours.and_then(|o| o.payment.transaction_no.clone())),
        our_amount_dong: ours.map(|o| o.payment.amount_dong),
        gateway_amount_dong: g.map(|g| g.amount_dong),
        our_status: ours.map(|o| o.payment.status.clone()),
        recorded: false,
    }
}

fn refund_line(
    g: Option<&GatewayTransaction>,
    ours: Option<&Refund>,
    code: Option<String>,
) -> Line {
    Line {
        kind: TransactionKind::Refund,
        reference: g
            .map(|g| g.reference.clone())
            .or_else(|| ours.map(|o| o.reference.clone()))
            .unwrap_or_default(),
        dossier_code: code,
        transaction: g
            .map(|g| g.transaction.clone())
            .or_else(|| ours.and_then(|o| o.transaction_no.clone())),
        our_amount_dong: ours.map(|o| o.amount_dong),
        gateway_amount_dong: g.map(|g| g.amount_dong),
        our_status: ours.map(|o| o.status.clone()),
        recorded: false,
    }
}

impl crate::services::Payments<'_> {
    /// Compares the gateway's transactions of `date` with ours. With
    /// `record`, pending payments the gateway's signed list shows paid
    /// (same reference and amount) are recorded as paid, where the actor
    /// may manage payments. Needs the statistics permission somewhere
    /// (`Forbidden`, audited); `Conflict` without a gateway.
    #[tracing::instrument(skip(self, actor))]
    pub async fn reconcile(
        &self,
        actor: &Actor,
        date: Date,
        record: bool,
    ) -> ServiceResult<Reconciliation> {
        self.services()
            .require_somewhere(actor, Permission::ViewStatistics)
            .await?;
        if record {
            self.services()
                .require_somewhere(actor, Permission::ManagePayments)
                .await?;
        }
        let gateway = self
            .services()
            .gateway()
            .ok_or_else(|| ServiceError::Conflict("no payment gateway is configured".into()))?;
        let theirs = gateway.transactions(date).await?;
        let (from, to) = day_bounds(date)?;
        let store = self.store();
        let ours = store.payments_settled_between(from, to, DAY_LIMIT).await?;
        let our_refunds = store.refunds_between(from, to, DAY_LIMIT).await?;
        let scope = Scope::of(actor);
        let mut out = Reconciliation {
            date,
            matched: Vec::new(),
            only_at_gateway: Vec::new(),
            only_with_us: Vec::new(),
            amount_mismatches: Vec::new(),
        };
        let ctx = actor.context(self.now());
        for g in theirs.iter().filter(|g| g.kind == TransactionKind::Payment) {
            let mine = store.payment_by_reference(&g.reference).await?;
            if !scope.sees(mine.as_ref().map(|m| m.unit_id)) {
                continue;
            }
            let mut line = payment_line(Some(g), mine.as_ref());
            match &mine {
                Some(m) if m.payment.amount_dong != g.amount_dong => {
                    out.amount_mismatches.push(line)
                }
                Some(m) if m.payment.status == "paid" => out.matched.push(line),
                Some(m) => {
                    if record && m.payment.status == "pending" && self.may_record(actor, m) {
                        line.recorded = self.record_paid(&ctx, g).await?;
                    }
                    out.only_at_gateway.push(line);
                }
                None => out.only_at_gateway.push(line),
            }
        }
        for o in &ours {
            let seen = theirs
                .iter()
                .any(|g| g.kind == TransactionKind::Payment && g.reference == o.payment.reference);
            if !seen && scope.sees(Some(o.unit_id)) {
                out.only_with_us.push(payment_line(None, Some(o)));
            }
        }
        self.compare_refunds(&theirs, &our_refunds, &scope, &mut out)
            .await?;
        Ok(out)
    }

    async fn compare_refunds(
        &self,
        theirs: &[GatewayTransaction],
        ours: &[Refund],
        scope: &Scope,
        out: &mut Reconciliation,
    ) -> ServiceResult<()> {
        let store = self.store();
        for g in theirs.iter().filter(|g| g.kind == TransactionKind::Refund) {
            let paid = store.payment_by_reference(&g.payment_reference).await?;
            if !scope.sees(paid.as_ref().map(|p| p.unit_id)) {
                continue;
            }
            let code = paid.map(|p| p.dossier_code);
            let mine = ours.iter().find(|r| r.reference == g.reference);
            let line = refund_line(Some(g), mine, code);
            match mine {
                Some(r) if r.amount_dong != g.amount_dong => out.amount_mismatches.push(line),
                Some(r) if r.status != "refused" => out.matched.push(line),
                _ => out.only_at_gateway.push(line),
            }
        }
        for r in ours.iter().filter(|r| r.status != "refused") {
            let seen = theirs
                .iter()
                .any(|g| g.kind == TransactionKind::Refund && g.reference == r.reference);
            if seen {
                continue;
            }
            let paid = store.payment_by_reference(&r.payment_reference).await?;
            if scope.sees(paid.as_ref().map(|p| p.unit_id)) {
                out.only_with_us
                    .push(refund_line(None, Some(r), paid.map(|p| p.dossier_code)));
            }
        }
        Ok(())
    }

    fn may_record(&self, actor: &Actor, p: &DossierPayment) -> bool {
        actor.may(Permission::ManagePayments, p.unit_id)
    }

    /// Records a payment the gateway's signed list shows paid; whether it
    /// changed (a concurrent answer may have come first).
    async fn record_paid(&self, ctx: &AuditContext, g: &GatewayTransaction) -> ServiceResult<bool> {
        Ok(matches!(
            self.store()
                .settle_payment(ctx, &g.reference, &g.transaction, g.amount_dong, true)
                .await?,
            Settled::Now { paid: true, .. }
        ))
    }
}

/// The instants a Viet Nam day runs between.
pub fn day_bounds(date: Date) -> ServiceResult<(Timestamp, Timestamp)> {
    let start = |d: Date| {
        motcua_domain::time::from_local(d.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|e| ServiceError::invalid("date", e.to_string()))
    };
    let next = date
        .tomorrow()
        .map_err(|e| ServiceError::invalid("date", e.to_string()))?;
    Ok((start(date)?, start(next)?))
}
