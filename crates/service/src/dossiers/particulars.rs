//! What a reception records beside the applicant and the checklist: the
//! person who hands the dossier in for the applicant (an authorised
//! representative, Civil Code art. 138), the fee actually due when it is
//! exempted or reduced and why, and the scans made at the counter, each tied
//! to its component (Decree 45/2020 art. 11, Circular 01/2023: a component
//! that must be digitised is scanned at reception).
//!
//! These facts are written in the creation event's detail (`representative`,
//! `fee`, `scans`), the record the dossier page, the receipt slip and the
//! audit trail read them back from: they never change the dossier's figures
//! beyond what the components' flags already say, so no column of their own
//! is needed.

use motcua_domain::dossier::{IdentityKind, check_identity};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{ServiceError, ServiceResult};
use crate::fields::{name_field, phone_field, text_field};
use crate::store::{DossierEvent, ReceivedItem};

/// Someone who hands a dossier in for the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Representative {
    /// Full name.
    pub name: String,
    /// Citizen identity number (12 digits) or passport, as checked for an
    /// applicant who is a person.
    #[serde(default)]
    pub identity: String,
    /// Phone, optional.
    #[serde(default)]
    pub phone: String,
    /// What entitles them: the power of attorney (number, date) or the legal
    /// relation ("cha của người yêu cầu").
    pub basis: String,
}

impl Representative {
    /// Whether nothing was typed (a page's empty fieldset).
    pub fn is_blank(&self) -> bool {
        [&self.name, &self.identity, &self.phone, &self.basis]
            .iter()
            .all(|s| s.trim().is_empty())
    }

    /// As forms print it after "Người nộp thay": the name, the identity
    /// and phone when given, and the grounds.
    pub fn line_vi(&self) -> String {
        let mut out = self.name.trim().to_owned();
        let mut facts = Vec::new();
        if !self.identity.trim().is_empty() {
            facts.push(format!("số định danh cá nhân {}", self.identity.trim()));
        }
        if !self.phone.trim().is_empty() {
            facts.push(format!("điện thoại {}", self.phone.trim()));
        }
        if !facts.is_empty() {
            out.push_str(&format!(" ({})", facts.join(", ")));
        }
        out.push_str(&format!("; căn cứ: {}", self.basis.trim()));
        out
    }

    fn trimmed(&self) -> Self {
        Self {
            name: self.name.trim().to_owned(),
            identity: self.identity.trim().to_owned(),
            phone: self.phone.trim().to_owned(),
            basis: self.basis.trim().to_owned(),
        }
    }
}

/// Everything wrong with a representative, each field once, in the form's
/// order (`representative.name`, `.identity`, `.phone`, `.basis`).
pub fn representative_errors(r: &Representative) -> Vec<ServiceError> {
    let mut out = Vec::new();
    if let Err(e) = name_field("representative.name", &r.name, true) {
        out.push(e);
    }
    let identity = r.identity.trim();
    if !identity.is_empty()
        && let Err(motcua_domain::DomainError::Invalid { reason, .. }) =
            check_identity(IdentityKind::Citizen, identity)
    {
        out.push(ServiceError::invalid("representative.identity", reason));
    }
    if let Err(e) = phone_field("representative.phone", &r.phone) {
        out.push(e);
    }
    match text_field("representative.basis", &r.basis, true) {
        Err(e) => out.push(e),
        Ok(()) if r.basis.trim().chars().count() > 300 => out.push(ServiceError::invalid(
            "representative.basis",
            "at most 300 characters",
        )),
        Ok(()) => {}
    }
    out
}

/// The fee a reception charges: the catalog's unless `given` is lower (an
/// exemption at 0, a reduction above), which needs `reason`. Returns the fee
/// and the reason kept (none when the full fee is charged).
pub fn fee_due(catalog: i64, given: Option<i64>, reason: &str) -> ServiceResult<(i64, String)> {
    let fee = match given {
        Some(f) if f < 0 || f > catalog => {
            return Err(ServiceError::invalid(
                "fee_dong",
                format!("must be between 0 and the catalog fee ({catalog} đồng)"),
            ));
        }
        Some(f) => f,
        None => catalog,
    };
    if fee == catalog {
        return Ok((fee, String::new()));
    }
    text_field("fee_reason", reason, true)?;
    if reason.trim().chars().count() > 500 {
        return Err(ServiceError::invalid(
            "fee_reason",
            "at most 500 characters",
        ));
    }
    Ok((fee, reason.trim().to_owned()))
}

/// A file scanned at the counter and kept in the file store before the
/// dossier exists ([`DossierService::stage_scan`](super::DossierService::stage_scan)),
/// to be tied to the component at `component` (0-based, in the list the
/// reception sends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// The component's index in the reception's list.
    pub component: usize,
    /// The file's name as chosen.
    pub name: String,
    /// Its type, told from its content.
    pub content_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// Its content's SHA-256, the file store's key.
    pub sha256: String,
}

/// Checks the scans against the components: each names a listed component,
/// at most one scan per component. Marks each scanned component digitised.
pub fn apply_scans(scans: &[Scan], items: &mut [ReceivedItem]) -> ServiceResult<()> {
    let mut seen = vec![false; items.len()];
    for s in scans {
        let Some(item) = items.get_mut(s.component) else {
            return Err(ServiceError::invalid(
                format!("components[{}]", s.component),
                "a scan names a component that was not received",
            ));
        };
        if std::mem::replace(&mut seen[s.component], true) {
            return Err(ServiceError::invalid(
                format!("components[{}]", s.component),
                "one scan per component",
            ));
        }
        item.digitised = true;
    }
    Ok(())
}

/// Adds the particulars to a creation event's detail.
pub fn record(
    detail: &mut Value,
    representative: Option<&Representative>,
    catalog_fee: i64,
    fee: i64,
    reason: &str,
    scans: &[Scan],
) {
    if let Some(r) = representative {
        detail["representative"] = json!(r.trimmed());
    }
    if fee != catalog_fee {
        detail["fee"] = json!({ "catalog": catalog_fee, "due": fee, "reason": reason });
    }
    if !scans.is_empty() {
        detail["scans"] = json!(
            scans
                .iter()
                .map(|s| json!({
                    "component": s.component + 1,
                    "name": s.name,
                    "sha256": s.sha256,
                }))
                .collect::<Vec<_>>()
        );
    }
}

/// A fee lower than the catalog's, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeReduction {
    /// The catalog's fee in đồng.
    pub catalog: i64,
    /// What was charged.
    pub due: i64,
    /// Why.
    pub reason: String,
}

/// The particulars as read back from a dossier's events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Particulars {
    /// Who handed it in for the applicant.
    pub representative: Option<Representative>,
    /// An exemption or reduction of the fee.
    pub fee_reduction: Option<FeeReduction>,
}

/// Reads the particulars from the first event that records a reception
/// (`receive` or `submit_online`); a dossier without them reads empty.
pub fn read(events: &[DossierEvent]) -> Particulars {
    let Some(first) = events
        .iter()
        .find(|e| matches!(e.event.action.as_str(), "receive" | "submit_online"))
    else {
        return Particulars::default();
    };
    let d = &first.event.detail;
    Particulars {
        representative: d
            .get("representative")
            .and_then(|v| serde_json::from_value(v.clone()).ok()),
        fee_reduction: d
            .get("fee")
            .and_then(|v| serde_json::from_value(v.clone()).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ComponentCopy;

    fn item(name: &str) -> ReceivedItem {
        ReceivedItem {
            name: name.into(),
            form: ComponentCopy::Original,
            copies: 1,
            digitised: false,
            reused: false,
            file_id: None,
        }
    }

    fn scan(i: usize) -> Scan {
        Scan {
            component: i,
            name: "a.pdf".into(),
            content_type: "application/pdf".into(),
            size_bytes: 10,
            sha256: "0".repeat(64),
        }
    }

    #[test]
    fn a_reduced_fee_needs_a_reason_and_the_full_fee_keeps_none() {
        assert_eq!(fee_due(50_000, None, "x").unwrap(), (50_000, String::new()));
        assert_eq!(
            fee_due(50_000, Some(50_000), "ignored").unwrap(),
            (50_000, String::new())
        );
        let e = fee_due(50_000, Some(0), "  ").unwrap_err();
        assert!(matches!(e, ServiceError::Invalid { ref field, .. } if field == "fee_reason"));
        assert_eq!(
            fee_due(50_000, Some(25_000), " hộ nghèo ").unwrap(),
            (25_000, "hộ nghèo".to_owned())
        );
        for bad in [-1, 50_001] {
            let e = fee_due(50_000, Some(bad), "r").unwrap_err();
            assert!(matches!(e, ServiceError::Invalid { ref field, .. } if field == "fee_dong"));
        }
    }

    #[test]
    fn a_representative_is_checked_field_by_field() {
        let errors = representative_errors(&Representative {
            name: " ".into(),
            identity: "12345".into(),
            phone: "abc".into(),
            basis: String::new(),
        });
        let fields: Vec<String> = errors
            .iter()
            .filter_map(|e| match e {
                ServiceError::Invalid { field, .. } => Some(field.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            fields,
            [
                "representative.name",
                "representative.identity",
                "representative.phone",
                "representative.basis"
            ]
        );
        assert!(
            representative_errors(&Representative {
                name: "Trần Văn Bình".into(),
                identity: "040090001234".into(),
                phone: String::new(),
                basis: "Giấy ủy quyền số 12/2026 ngày 01/12/2026".into(),
            })
            .is_empty()
        );
    }

    #[test]
    fn scans_mark_their_component_and_refuse_strays_and_doubles() {
        let mut items = vec![item("a"), item("b")];
        apply_scans(&[scan(1)], &mut items).unwrap();
        assert!(!items[0].digitised && items[1].digitised);
        assert!(apply_scans(&[scan(2)], &mut items).is_err());
        assert!(apply_scans(&[scan(0), scan(0)], &mut items).is_err());
    }
}
