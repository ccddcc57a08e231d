//! Who answers for a late dossier: the apology letter (form 04) is issued in
//! the name of the unit that let the dossier run late and signed by its
//! head (Decree 61/2018/NĐ-CP art. 19, carried into Decree 118/2025: the
//! unit that caused the delay apologises, on the evidence of the
//! process-control slip), not by the desk that received it.

use motcua_domain::deadline::Classification;
#[cfg(test)]
use motcua_domain::role::Role;

use super::DossierService;
use crate::error::ServiceResult;
use crate::store::{Dossier, DossierStep};

/// The title printed over the signature when none is given.
pub const DEFAULT_SIGNER_TITLE: &str = "THỦ TRƯỞNG ĐƠN VỊ";

/// The unit at fault and who signs for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answerable {
    /// The unit that caused the delay.
    pub unit_id: i64,
    /// Its code.
    pub unit_code: String,
    /// The full name of a leader of that unit (or of the nearest unit above
    /// it that has one); empty when nobody has a leader's grant there.
    pub signer_name: String,
}

/// The step whose unit caused the delay: the first step that ended late;
/// else the step the dossier was at before a decision step (the specialist
/// who foresaw the delay and proposed the extension); else the open step.
/// `decision` tells a proposal's decision step by its name.
pub(super) fn step_at_fault(
    steps: &[DossierStep],
    decision: impl Fn(&str) -> bool,
) -> Option<&DossierStep> {
    if let Some(late) = steps
        .iter()
        .find(|s| s.step.classification == Some(Classification::Late))
    {
        return Some(late);
    }
    let open = steps.iter().rev().find(|s| s.step.ended_at.is_none());
    match open {
        Some(o) if decision(&o.step.name) => steps
            .iter()
            .rev()
            .find(|s| s.id < o.id && s.step.ended_at.is_some() && !decision(&s.step.name))
            .or(Some(o)),
        Some(o) => Some(o),
        None => steps.last(),
    }
}

impl DossierService {
    /// The unit at fault for `d` (see [`step_at_fault`]; the receiving unit
    /// when the dossier has no step) and a leader to sign for it.
    pub(super) async fn answerable(
        &self,
        d: &Dossier,
        steps: &[DossierStep],
        decision: impl Fn(&str) -> bool,
    ) -> ServiceResult<Answerable> {
        let unit_id = step_at_fault(steps, decision)
            .map(|s| s.step.unit_id)
            .unwrap_or(d.unit_id);
        let unit = self.directory.unit(self.store(), unit_id).await?;
        let chain = self.directory.chain(self.store(), unit_id).await?;
        let pool = self.pool().await?;
        let signer_name = chain
            .iter()
            .find_map(|u| pool.leaders_at(*u).first().map(|l| l.full_name.clone()))
            .unwrap_or_default();
        Ok(Answerable {
            unit_id,
            unit_code: unit.code.to_string(),
            signer_name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewStep;
    use jiff::Timestamp;

    fn step(id: i64, name: &str, unit: i64, ended: bool, c: Option<Classification>) -> DossierStep {
        DossierStep {
            id,
            step: NewStep {
                step_no: u32::try_from(id).unwrap(),
                name: name.into(),
                unit_id: unit,
                role: Role::Specialist,
                holder_user_id: None,
                external: false,
                sender_unit_id: 1,
                sender: "x".into(),
                started_at: Timestamp::UNIX_EPOCH,
                due: None,
                ended_at: ended.then_some(Timestamp::UNIX_EPOCH),
                classification: c,
            },
        }
    }

    const DECIDE: &str = "Xem xét đề xuất gia hạn";

    #[test]
    fn the_unit_at_fault_is_the_late_step_else_the_proposer_else_the_holder() {
        let decision = |n: &str| n == DECIDE;
        // Open at the office: the office.
        let open = [step(1, "Thẩm định", 20, false, None)];
        assert_eq!(step_at_fault(&open, decision).unwrap().step.unit_id, 20);
        // The office proposed, the leader decides: still the office.
        let proposed = [
            step(1, "Thẩm định", 20, true, None),
            step(2, DECIDE, 10, false, None),
        ];
        assert_eq!(step_at_fault(&proposed, decision).unwrap().step.unit_id, 20);
        // An earlier step ran late: that one answers.
        let late = [
            step(1, "Thẩm định", 20, true, Some(Classification::Late)),
            step(2, "Phê duyệt", 30, false, None),
        ];
        assert_eq!(step_at_fault(&late, decision).unwrap().step.unit_id, 20);
        assert!(step_at_fault(&[], decision).is_none());
    }
}
