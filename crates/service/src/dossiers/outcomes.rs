//! What the desk decides at the counter without receiving (issue 18,
//! point 2; domain.md §5): guidance to complete an incomplete dossier
//! (form 02, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ") and a refusal to
//! receive (form 03, "Phiếu từ chối tiếp nhận, giải quyết hồ sơ"), for a
//! procedure and an applicant. No dossier is created: no code is taken,
//! no counter moves. Each outcome is recorded in the audit log (who, at
//! which desk, for which procedure, which form, for whom), so the desk's
//! work at the counter is traceable.
//!
//! The statistics' "refused at reception" figure counts refused online
//! submissions, which are dossiers with a history; a refusal at the counter
//! has none for `stats rebuild` to replay, so it is kept in the audit log
//! only and not counted.

use jiff::Timestamp;
use motcua_domain::bounds;
use motcua_domain::dossier::Channel;
use serde::Deserialize;
use serde_json::json;

use super::commands::MissingItem;
use super::{DossierService, name_field, text_field, trimmed};
use crate::access::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::store::{Applicant, Unit};

/// Guidance to complete a dossier before it can be received (form 02).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    /// The desk's unit code.
    pub unit: String,
    /// The procedure's code.
    pub procedure: String,
    /// Who asks.
    pub applicant: Applicant,
    /// Everything missing or to complete, each with a note.
    pub items: Vec<MissingItem>,
    /// Why the dossier cannot be received as it is (may be empty).
    #[serde(default)]
    pub reason: String,
    /// How and where to complete it (may be empty).
    #[serde(default)]
    pub guidance: String,
}

/// A refusal to receive a dossier at the counter (form 03).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefuseAtDesk {
    /// The desk's unit code.
    pub unit: String,
    /// The procedure's code.
    pub procedure: String,
    /// Who asks.
    pub applicant: Applicant,
    /// Why, one reason per entry.
    pub reasons: Vec<String>,
}

/// What a counter outcome's form prints besides its own content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterSheet {
    /// The desk's unit.
    pub unit: Unit,
    /// The unit above it (the form's first heading line).
    pub parent_unit_name: Option<String>,
    /// The procedure's code.
    pub procedure_code: String,
    /// The procedure's name in the version in force today.
    pub procedure_name: String,
    /// The applicant, trimmed.
    pub applicant: Applicant,
    /// The officer's full name (their user name when they have none).
    pub officer_name: String,
    /// When the outcome was recorded.
    pub at: Timestamp,
}

/// Guidance recorded: what form 02 prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuidanceSheet {
    /// Desk, procedure, applicant, officer, moment.
    pub sheet: CounterSheet,
    /// What is missing, trimmed.
    pub items: Vec<MissingItem>,
    /// Why.
    pub reason: String,
    /// How to complete it.
    pub guidance: String,
}

/// A refusal recorded: what form 03 prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalSheet {
    /// Desk, procedure, applicant, officer, moment.
    pub sheet: CounterSheet,
    /// Why, trimmed, in order.
    pub reasons: Vec<String>,
}

/// The audit actions of the two outcomes.
pub const AUDIT_GUIDANCE: &str = "reception.guidance";
/// See [`AUDIT_GUIDANCE`].
pub const AUDIT_REFUSAL: &str = "reception.refusal";

/// Checks a list of at most [`bounds::LIST_ITEMS`], not empty.
fn list_bound(field: &str, len: usize) -> ServiceResult<()> {
    if len == 0 {
        return Err(ServiceError::invalid(field, "list at least one"));
    }
    if len > bounds::LIST_ITEMS {
        return Err(ServiceError::invalid(
            field,
            format!("at most {}", bounds::LIST_ITEMS),
        ));
    }
    Ok(())
}

/// Checks what form 02 lists: named items, each with an optional note.
pub fn check_items(items: &[MissingItem]) -> ServiceResult<()> {
    list_bound("items", items.len())?;
    for (i, it) in items.iter().enumerate() {
        name_field(&format!("items[{i}].name"), &it.name, true)?;
        text_field(&format!("items[{i}].note"), &it.note, false)?;
    }
    Ok(())
}

/// Checks what form 03 lists: reasons, none blank.
pub fn check_reasons(reasons: &[String]) -> ServiceResult<()> {
    list_bound("reasons", reasons.len())?;
    for (i, r) in reasons.iter().enumerate() {
        text_field(&format!("reasons[{i}]"), r, true)?;
    }
    Ok(())
}

impl DossierService {
    /// Records guidance to complete a dossier at the counter and answers
    /// what form 02 prints. The desk, the procedure and the applicant are
    /// checked as [`receive`](Self::receive) checks them (a desk officer
    /// of the unit, a procedure in force and assigned there, the
    /// applicant's details); nothing but the audit entry is written.
    pub async fn guide(&self, actor: &Actor, cmd: Guide) -> ServiceResult<GuidanceSheet> {
        check_items(&cmd.items)?;
        text_field("reason", &cmd.reason, false)?;
        text_field("guidance", &cmd.guidance, false)?;
        let items: Vec<MissingItem> = cmd
            .items
            .iter()
            .map(|i| MissingItem {
                name: i.name.trim().to_owned(),
                note: i.note.trim().to_owned(),
            })
            .collect();
        let sheet = self
            .counter_outcome(
                actor,
                &cmd.unit,
                &cmd.procedure,
                cmd.applicant,
                AUDIT_GUIDANCE,
                json!({
                    "form": "02",
                    "items": items,
                    "reason": cmd.reason.trim(),
                    "guidance": cmd.guidance.trim(),
                }),
            )
            .await?;
        Ok(GuidanceSheet {
            sheet,
            items,
            reason: cmd.reason.trim().to_owned(),
            guidance: cmd.guidance.trim().to_owned(),
        })
    }

    /// Records a refusal to receive at the counter and answers what form 03
    /// prints; checked and recorded as [`guide`](Self::guide).
    pub async fn refuse_at_desk(
        &self,
        actor: &Actor,
        cmd: RefuseAtDesk,
    ) -> ServiceResult<RefusalSheet> {
        check_reasons(&cmd.reasons)?;
        let reasons: Vec<String> = cmd.reasons.iter().map(|r| r.trim().to_owned()).collect();
        let sheet = self
            .counter_outcome(
                actor,
                &cmd.unit,
                &cmd.procedure,
                cmd.applicant,
                AUDIT_REFUSAL,
                json!({ "form": "03", "reasons": reasons }),
            )
            .await?;
        Ok(RefusalSheet { sheet, reasons })
    }

    /// Checks the desk, the procedure and the applicant, and records the
    /// outcome: `action` with `detail` and who, where, what and for whom.
    async fn counter_outcome(
        &self,
        actor: &Actor,
        unit: &str,
        procedure: &str,
        applicant: Applicant,
        action: &str,
        mut detail: serde_json::Value,
    ) -> ServiceResult<CounterSheet> {
        // The desk and the procedure as a reception of it now would find
        // them (refusing anyone who does not receive at the unit).
        let preview = self
            .preview_reception(actor, unit, procedure, Channel::InPerson)
            .await?;
        if let Some(e) = super::applicant_errors(&applicant).into_iter().next() {
            return Err(e);
        }
        let applicant = trimmed(applicant);
        let now = self.now();
        let version = &preview.procedure;
        detail["unit"] = json!(preview.unit.code.as_str());
        detail["procedure"] = json!(version.draft.code.as_str());
        detail["procedure_version"] = json!(version.version_no);
        detail["applicant"] = json!({
            "kind": applicant.kind.as_str(),
            "name": applicant.name,
            "identity": applicant.identity,
        });
        self.store
            .append_audit(
                &actor.context(now),
                action,
                &format!("unit:{}", preview.unit.code),
                &detail,
            )
            .await?;
        let parent_unit_name = match preview.unit.parent_id {
            Some(p) => Some(self.directory.unit(self.store(), p).await?.name),
            None => None,
        };
        let officer_name = if actor.is_system() {
            actor.username.clone()
        } else {
            match self.store.user_by_username(&actor.username).await {
                Ok(u) if !u.full_name.trim().is_empty() => u.full_name,
                Ok(_) | Err(ServiceError::NotFound { .. }) => actor.username.clone(),
                Err(e) => return Err(e),
            }
        };
        Ok(CounterSheet {
            procedure_code: version.draft.code.to_string(),
            procedure_name: version.draft.name.clone(),
            unit: preview.unit,
            parent_unit_name,
            applicant,
            officer_name,
            at: now,
        })
    }
}
