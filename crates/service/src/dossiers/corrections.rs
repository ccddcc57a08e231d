//! Correcting what the desk typed (issue 18, point 2): the applicant's
//! details and the components of a received dossier, as reception takes
//! them and with the same checks.
//!
//! Who may correct, and when:
//! - while the dossier is still at the desk (status `received`, before the
//!   hand-over), a desk officer or a leader of the receiving unit (the
//!   officer who received it is one), a reason being optional;
//! - after it left the desk, only someone who may act on it now (the state
//!   machine offers them an action, as the dossier page lists them, voiding
//!   apart), and only with a reason;
//! - never once processing ended (done, returned, refused, stopped,
//!   withdrawn, voided): the result or the refusal was issued to the
//!   details as they stood.
//!
//! A correction is an event of the dossier's timeline (`correct`, from and
//! to its status) that says what changed, old and new, and why, written
//! with its audit entry. It moves no counter: the statistics count what the
//! desk recorded at reception, and a correction of the components of a
//! dossier whose reception event did not record it (an import) records the
//! facts as they were counted, so that `stats rebuild` replays the same.

use motcua_domain::dossier::{Action, Actor as DomainActor, Channel, Status, transition};
use motcua_domain::role::Role;
use motcua_domain::stats::ReceptionFacts;
use serde::{Deserialize, Serialize};

use super::view::{DossierView, OFFERED};
use super::{DossierService, components_field, dossier_units, roles_on, text_field, trimmed};
use crate::access::{Actor, Permission, deny};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{
    Applicant, Dossier, DossierCorrection, NewEvent, ReceivedItem, dossier_subject,
};

/// The action name a correction's event and audit entry carry.
pub const ACTION: &str = "correct";

/// A correction of a received dossier, with the version it was made on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correct {
    /// The dossier version the caller read; a stale one is refused.
    pub version: i64,
    /// The applicant as they should read, whole (none keeps them).
    #[serde(default)]
    pub applicant: Option<Applicant>,
    /// The components as they should read, whole (none keeps them).
    #[serde(default)]
    pub components: Option<Vec<ReceivedItem>>,
    /// Why; required once the dossier left the desk.
    #[serde(default)]
    pub reason: String,
}

/// An applicant's detail a correction may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantField {
    /// Citizen or organisation.
    Kind,
    /// Full name.
    Name,
    /// Identity number or enterprise code.
    Identity,
    /// Phone.
    Phone,
    /// E-mail.
    Email,
    /// Address.
    Address,
}

impl ApplicantField {
    /// Every field, in the reception form's order.
    pub const ALL: [ApplicantField; 6] = [
        Self::Kind,
        Self::Name,
        Self::Identity,
        Self::Phone,
        Self::Email,
        Self::Address,
    ];

    /// The stable name (`name`, `identity`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Name => "name",
            Self::Identity => "identity",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Address => "address",
        }
    }

    /// The field's value in `a` as stored.
    pub fn of(self, a: &Applicant) -> &str {
        match self {
            Self::Kind => a.kind.as_str(),
            Self::Name => &a.name,
            Self::Identity => &a.identity,
            Self::Phone => &a.phone,
            Self::Email => &a.email,
            Self::Address => &a.address,
        }
    }
}

/// One applicant detail changed: old and new, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Which.
    pub field: ApplicantField,
    /// Before.
    pub from: String,
    /// After.
    pub to: String,
}

/// The components before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentsChange {
    /// Before.
    pub from: Vec<ReceivedItem>,
    /// After.
    pub to: Vec<ReceivedItem>,
}

/// What a correction's event records (its `detail`): read back typed by
/// the dossier page's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionDetail {
    /// The applicant's details changed, in the form's order.
    #[serde(default)]
    pub changes: Vec<FieldChange>,
    /// The components, when they changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<ComponentsChange>,
    /// Why (may be empty while the dossier was at the desk).
    #[serde(default)]
    pub reason: String,
    /// The reception facts as counted, recorded when the components change
    /// and no earlier event recorded them (see the module's doc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reception: Option<ReceptionFacts>,
}

/// Whether someone may correct a dossier now, and on which terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CorrectionRight {
    /// The dossier left the desk: a reason is required.
    pub reason_required: bool,
}

/// Whether a dossier in `status` can be corrected at all: received and
/// processing not ended.
fn correctable(status: Status) -> bool {
    status.is_received() && !status.ends_processing() && !status.is_terminal()
}

/// Whether the dossier is still at the desk: received, not handed over.
fn at_desk(d: &Dossier) -> bool {
    d.state.status == Status::Received
}

/// What the actor may do about correcting `d` now (see the module's doc);
/// `None` when they may not, or the dossier cannot be corrected.
pub fn right(actor: &Actor, d: &Dossier) -> Option<CorrectionRight> {
    if !correctable(d.state.status) {
        return None;
    }
    if actor.is_system() {
        return Some(CorrectionRight {
            reason_required: !at_desk(d),
        });
    }
    if at_desk(d) {
        let desk = roles_on(actor, &[d.unit_id]);
        return desk
            .iter()
            .any(|r| matches!(r, Role::DeskOfficer | Role::Leader))
            .then_some(CorrectionRight {
                reason_required: false,
            });
    }
    let roles = roles_on(actor, &dossier_units(d));
    let who = DomainActor::Staff(&roles);
    // Voiding a dossier entered by mistake is no work on it: a system
    // administrator corrects only through the roles they also hold.
    OFFERED
        .iter()
        .filter(|a| !matches!(a, Action::Void))
        .any(|a| transition(d.state.status, a, who).is_ok())
        .then_some(CorrectionRight {
            reason_required: true,
        })
}

/// The changes from `before` to `after`, field by field.
fn applicant_changes(before: &Applicant, after: &Applicant) -> Vec<FieldChange> {
    ApplicantField::ALL
        .into_iter()
        .filter(|f| f.of(before) != f.of(after))
        .map(|f| FieldChange {
            field: f,
            from: f.of(before).to_owned(),
            to: f.of(after).to_owned(),
        })
        .collect()
}

impl DossierService {
    /// Corrects the applicant's details or the components of a dossier
    /// (see the module's doc for who and when). `NotFound` for a dossier
    /// the actor does not see, `Forbidden` (recorded) when they may not
    /// correct it, `Conflict` for a stale version or a dossier whose
    /// processing ended, `Invalid` naming the field for bad input (the
    /// applicant's first error; [`applicant_errors`](super::applicant_errors)
    /// lists them all), or when nothing would change.
    pub async fn correct(
        &self,
        actor: &Actor,
        code: &str,
        cmd: Correct,
    ) -> ServiceResult<DossierView> {
        let d = self.correct_dossier(actor, code, cmd).await?;
        super::view::build(self, actor, d).await
    }

    async fn correct_dossier(
        &self,
        actor: &Actor,
        code: &str,
        cmd: Correct,
    ) -> ServiceResult<Dossier> {
        let d = self.visible(actor, code).await?;
        let now = self.now();
        if !correctable(d.state.status) {
            return Err(ServiceError::Conflict(format!(
                "dossier {} is {}: its processing ended or it was never received, so it \
                 cannot be corrected",
                d.code,
                d.state.status.as_str()
            )));
        }
        let Some(right) = right(actor, &d) else {
            return deny(
                self.store(),
                actor,
                now,
                Permission::ViewDossiers,
                &format!("{}:{ACTION}", dossier_subject(d.code.as_str())),
            )
            .await;
        };
        if cmd.version != d.version {
            return Err(ServiceError::Conflict(format!(
                "dossier {} is at version {}, not {}: reload it and try again",
                d.code, d.version, cmd.version
            )));
        }
        text_field("reason", &cmd.reason, right.reason_required)?;
        let applicant = match cmd.applicant {
            Some(a) => {
                // Everything wrong at once is for pages; the API names the
                // first field at fault, as reception does.
                if let Some(e) = super::applicant_errors(&a).into_iter().next() {
                    return Err(e);
                }
                trimmed(a)
            }
            None => d.applicant.clone(),
        };
        let old_items = self.store.dossier_components(d.id).await?;
        let components = match cmd.components {
            Some(items) => {
                components_field("components", &items)?;
                if items.is_empty() && d.channel != Channel::Online {
                    return Err(ServiceError::invalid(
                        "components",
                        "list the documents received",
                    ));
                }
                self.check_files(&d, &items).await?;
                let items: Vec<ReceivedItem> = items
                    .into_iter()
                    .map(|i| ReceivedItem {
                        name: i.name.trim().to_owned(),
                        ..i
                    })
                    .collect();
                (items != old_items).then_some(items)
            }
            None => None,
        };
        let changes = applicant_changes(&d.applicant, &applicant);
        if changes.is_empty() && components.is_none() {
            return Err(ServiceError::invalid(
                "body",
                "nothing differs from the dossier as it stands",
            ));
        }
        let reception = match &components {
            Some(_) => self.uncounted_facts(&d, &old_items).await?,
            None => None,
        };
        let detail = CorrectionDetail {
            changes,
            components: components.as_ref().map(|to| ComponentsChange {
                from: old_items.clone(),
                to: to.clone(),
            }),
            reason: cmd.reason.trim().to_owned(),
            reception,
        };
        let correction = DossierCorrection {
            id: d.id,
            expected_version: d.version,
            before: d.clone(),
            applicant,
            components,
            event: NewEvent {
                at: now,
                actor: actor.username.clone(),
                action: ACTION.to_owned(),
                from: Some(d.state.status),
                to: d.state.status,
                note: String::new(),
                detail: serde_json::to_value(&detail)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            },
        };
        self.store
            .correct_dossier(&actor.context(now), &correction)
            .await
    }

    /// Refuses a component that names a file not attached to the dossier.
    async fn check_files(&self, d: &Dossier, items: &[ReceivedItem]) -> ServiceResult<()> {
        if items.iter().all(|i| i.file_id.is_none()) {
            return Ok(());
        }
        let files = self.store.dossier_files(d.id).await?;
        for (i, item) in items.iter().enumerate() {
            if let Some(id) = item.file_id
                && !files.iter().any(|f| f.id == id)
            {
                return Err(ServiceError::invalid(
                    format!("components[{i}].file_id"),
                    format!("no file {id} is attached to dossier {}", d.code),
                ));
            }
        }
        Ok(())
    }

    /// The reception facts the statistics counted for `d`, when no event
    /// recorded them (then a replay reads them from the component rows,
    /// which the correction is about to replace); `None` when an event
    /// records them already.
    async fn uncounted_facts(
        &self,
        d: &Dossier,
        items: &[ReceivedItem],
    ) -> ServiceResult<Option<ReceptionFacts>> {
        let recorded = self
            .store
            .dossier_events(d.id)
            .await?
            .iter()
            .any(|e| e.event.detail.get("reception").is_some());
        Ok((!recorded).then(|| crate::stats::track::reception_facts(items)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ApplicantType;

    fn person(name: &str, phone: &str) -> Applicant {
        Applicant {
            kind: ApplicantType::Citizen,
            name: name.into(),
            identity: "040095000123".into(),
            phone: phone.into(),
            email: String::new(),
            address: "Đô Lương".into(),
        }
    }

    #[test]
    fn changes_list_each_field_that_differs_in_the_forms_order() {
        let before = person("Nguyễn Văn An", "0912345678");
        let mut after = person("Nguyễn Văn Ân", "0912345679");
        after.kind = ApplicantType::Organisation;
        let c = applicant_changes(&before, &after);
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["kind", "name", "phone"]);
        assert_eq!(c[1].from, "Nguyễn Văn An");
        assert_eq!(c[1].to, "Nguyễn Văn Ân");
        assert!(applicant_changes(&before, &before).is_empty());
    }

    #[test]
    fn details_read_back_as_written() {
        let d = CorrectionDetail {
            changes: vec![FieldChange {
                field: ApplicantField::Identity,
                from: "1".into(),
                to: "2".into(),
            }],
            components: None,
            reason: "Nhập nhầm".into(),
            reception: None,
        };
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["changes"][0]["field"], "identity");
        assert!(v.get("reception").is_none(), "left out when none: {v}");
        let back: CorrectionDetail = serde_json::from_value(v).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn only_received_open_dossiers_are_correctable() {
        for s in Status::ALL {
            let want = matches!(
                s,
                Status::Received
                    | Status::Processing
                    | Status::AwaitingSupplement
                    | Status::AwaitingFinancialObligation
            );
            assert_eq!(correctable(*s), want, "{s:?}");
        }
    }
}
