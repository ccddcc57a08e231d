//! The action forms of the dossier page: their names and labels, and how a
//! posted form becomes the service's [`Act`].

use jiff::civil::Date;
use motcua_domain::dossier::{Proposal, ReturnMethod};
use motcua_service::dossiers::{Act, ActionInput, MissingItem};

use crate::i18n::Texts;

/// Every action the page has a form for, by its stable name.
pub const ALL: &[&str] = &[
    "accept_online",
    "refuse_online",
    "return_for_correction",
    "hand_over",
    "complete_step",
    "propose",
    "request_supplement",
    "supply_supplement",
    "request_financial_obligation",
    "settle_financial_obligation",
    "sign_result",
    "refuse",
    "stop",
    "withdraw",
    "record_return",
    "extend",
    "void",
    "reject_proposal",
];

/// The action's name if the page knows it.
pub fn known(name: &str) -> Option<&'static str> {
    ALL.iter().copied().find(|a| *a == name.trim())
}

/// The action's name in the reader's language.
pub fn label(t: &Texts, name: &str) -> String {
    t.get(&format!("dossier.action.{name}")).to_owned()
}

/// The warning an action may come with (Decision 766's count of a second
/// supplement request, a late apology letter).
pub fn warning(t: &Texts, name: &str) -> String {
    match name {
        "request_supplement" => t.get("dossier.warning.second_supplement"),
        "extend" => t.get("dossier.warning.late_letter"),
        _ => t.get("dossier.warning.other"),
    }
    .to_owned()
}

/// The message for a field the service refused.
pub fn field_error(t: &Texts, field: &str) -> String {
    let base = field.split(['[', '.']).next().unwrap_or(field);
    let key = match base {
        "reason" => "dossier.error.reason",
        "items" | "missing" => "dossier.error.items",
        "to_user" => "dossier.error.to_user",
        "to_step" | "to_unit" => "dossier.error.to_step",
        "new_due" => "dossier.error.new_due",
        "result_digitised" => "dossier.error.result_file",
        "result_date" => "dossier.error.result_date",
        "result_number" => "dossier.error.result_number",
        "deadline" => "dossier.error.deadline",
        "collector_name" => "dossier.error.collector",
        "shipment" => "dossier.error.shipment",
        "amount_dong" => "dossier.error.amount",
        _ => "dossier.error.invalid",
    };
    t.get(key).to_owned()
}

/// Items of a supplement request, one per line: "name" or "name: note".
fn items(text: &str) -> Vec<MissingItem> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((name, note)) => MissingItem {
                name: name.trim().to_owned(),
                note: note.trim().to_owned(),
            },
            None => MissingItem {
                name: l.to_owned(),
                note: String::new(),
            },
        })
        .collect()
}

/// Reads a posted action form: its name and the command, or the catalog
/// key of what is wrong with the form itself.
pub fn parse(fields: &[(String, String)]) -> Result<(&'static str, Act), &'static str> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let opt = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
    let name = known(&get("action")).ok_or("dossier.error.unknown_action")?;
    let version: i64 = get("version")
        .parse()
        .map_err(|_| "dossier.error.version")?;
    let action = match name {
        "accept_online" => ActionInput::AcceptOnline {},
        "refuse_online" => ActionInput::RefuseOnline {
            reason: get("reason"),
        },
        "return_for_correction" => ActionInput::ReturnForCorrection {
            missing: items(&get("items")),
        },
        "hand_over" => match opt("to_target") {
            // An office's code, or `CODE|login` for someone there.
            Some(target) => {
                let (unit, user) = match target.split_once('|') {
                    Some((u, p)) => (u.to_owned(), Some(p.to_owned()).filter(|p| !p.is_empty())),
                    None => (target, None),
                };
                ActionInput::HandOver {
                    to_step: None,
                    to_unit: Some(unit),
                    to_user: user,
                }
            }
            None => ActionInput::HandOver {
                to_step: match opt("to_step") {
                    Some(s) => Some(s.parse().map_err(|_| "dossier.error.to_step")?),
                    None => None,
                },
                to_unit: None,
                to_user: opt("to_user"),
            },
        },
        "complete_step" => ActionInput::CompleteStep {},
        "reject_proposal" => ActionInput::RejectProposal {
            reason: get("reason"),
        },
        "propose" => ActionInput::Propose {
            proposal: serde_json::from_value::<Proposal>(serde_json::Value::String(get(
                "proposal",
            )))
            .map_err(|_| "dossier.error.invalid")?,
        },
        "request_supplement" => ActionInput::RequestSupplement {
            items: items(&get("items")),
            reason: get("reason"),
            guidance: get("guidance"),
            deadline: match opt("deadline") {
                Some(d) => Some(d.parse::<Date>().map_err(|_| "dossier.error.deadline")?),
                None => None,
            },
        },
        "supply_supplement" => ActionInput::SupplySupplement { components: None },
        "request_financial_obligation" => ActionInput::RequestFinancialObligation {
            amount_dong: get("amount_dong")
                .replace(['.', ',', ' '], "")
                .parse()
                .map_err(|_| "dossier.error.amount")?,
        },
        "settle_financial_obligation" => ActionInput::SettleFinancialObligation {},
        "sign_result" => ActionInput::SignResult {
            result_digitised: get("result_digitised") == "on",
            result_number: get("result_number"),
            result_date: match opt("result_date") {
                Some(d) => Some(d.parse::<Date>().map_err(|_| "dossier.error.result_date")?),
                None => None,
            },
        },
        "refuse" => ActionInput::Refuse {
            reason: get("reason"),
        },
        "stop" => ActionInput::Stop {
            reason: get("reason"),
            stage: get("stage"),
            fee_settlement: get("fee_settlement"),
        },
        "withdraw" => ActionInput::Withdraw {},
        "record_return" => ActionInput::RecordReturn {
            method: match opt("method") {
                Some(m) => Some(ReturnMethod::parse(&m).map_err(|_| "dossier.error.invalid")?),
                None => None,
            },
            collector_name: get("collector_name"),
            collector_identity: get("collector_identity"),
            shipment: get("shipment"),
        },
        "extend" => ActionInput::Extend {
            reason: get("reason"),
            new_due: get("new_due"),
            signer_name: get("signer_name"),
            signer_title: get("signer_title"),
        },
        "void" => ActionInput::Void {
            reason: get("reason"),
        },
        _ => return Err("dossier.error.unknown_action"),
    };
    Ok((
        name,
        Act {
            version,
            note: get("note"),
            action,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn supplement_items_are_one_per_line_with_an_optional_note() {
        let (name, act) = parse(&form(&[
            ("action", "request_supplement"),
            ("version", "3"),
            ("reason", "Thiếu giấy tờ"),
            (
                "items",
                "Giấy chứng sinh: bản chính\r\n\r\n  Sổ hộ khẩu  \n",
            ),
        ]))
        .unwrap();
        assert_eq!(name, "request_supplement");
        assert_eq!(act.version, 3);
        let ActionInput::RequestSupplement { items, .. } = act.action else {
            panic!("wrong action")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].name, "Giấy chứng sinh");
        assert_eq!(items[0].note, "bản chính");
        assert_eq!(items[1].name, "Sổ hộ khẩu");
    }

    #[test]
    fn bad_forms_name_what_is_wrong_and_never_panic() {
        assert_eq!(
            parse(&form(&[("action", "fly"), ("version", "1")])).unwrap_err(),
            "dossier.error.unknown_action"
        );
        assert_eq!(
            parse(&form(&[("action", "withdraw"), ("version", "x")])).unwrap_err(),
            "dossier.error.version"
        );
        assert_eq!(
            parse(&form(&[
                ("action", "hand_over"),
                ("version", "1"),
                ("to_step", "-1")
            ]))
            .unwrap_err(),
            "dossier.error.to_step"
        );
        assert_eq!(
            parse(&form(&[
                ("action", "request_supplement"),
                ("version", "1"),
                ("deadline", "31/12/2025")
            ]))
            .unwrap_err(),
            "dossier.error.deadline"
        );
        assert!(parse(&form(&[])).is_err());
    }
}
