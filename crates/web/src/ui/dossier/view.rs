//! What the dossier page shows, in the reader's language, from the
//! service's [`DossierView`].

use jiff::Timestamp;
use motcua_domain::deadline::{Classification, OpenStatus};
use motcua_domain::dossier::{Channel, ReturnMethod, Status};
use motcua_service::dossiers::DossierView;
use motcua_service::dossiers::clock::ClockRecord;
use motcua_service::dossiers::corrections::{ApplicantField, CorrectionDetail};
use motcua_service::dossiers::preview::HandOverTarget;
use std::collections::HashMap;

use motcua_service::store::{ApplicantType, ComponentCopy, MessageStatus, OutboxMessage};
use serde_json::Value;

use super::{Message, actions, limit_label};
use crate::i18n::{Lang, Texts};
use crate::ui::dashboard::status_label;
use crate::ui::desk::{channel_label, return_label};
use crate::ui::{Staff, format};

/// A label and a value.
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// A component received.
pub struct ComponentRow {
    pub name: String,
    pub form: String,
    pub copies: u32,
    pub digitised: String,
    pub file_href: Option<String>,
}

/// An attached file.
pub struct FileRow {
    pub name: String,
    pub kind: String,
    pub size: String,
    pub href: String,
    pub added: String,
}

/// A transition of the timeline.
pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub note: String,
    pub details: Vec<String>,
}

/// A message sent (or to be sent) about the dossier.
pub struct MessageRow {
    pub at: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    /// `ok`, `warn` or `bad`, for the badge.
    pub tone: &'static str,
}

/// The dossier's messages as its page lists them.
pub fn message_rows(lang: Lang, messages: &[OutboxMessage]) -> Vec<MessageRow> {
    let t = lang.texts();
    messages
        .iter()
        .map(|m| {
            let (status, tone) = match m.status {
                MessageStatus::Sent => (
                    t.fill("dossier.messages.sent", &[("at", moment(lang, m.sent_at))]),
                    "ok",
                ),
                MessageStatus::Pending => (
                    t.fill(
                        "dossier.messages.pending",
                        &[("attempts", m.attempts.to_string())],
                    ),
                    "warn",
                ),
                MessageStatus::Failed => (
                    t.fill(
                        "dossier.messages.failed",
                        &[("attempts", m.attempts.to_string())],
                    ),
                    "bad",
                ),
            };
            MessageRow {
                at: format::moment(lang, m.created_at),
                channel: t
                    .get(&format!(
                        "dossier.messages.channel_{}",
                        m.message.channel.as_str()
                    ))
                    .to_owned(),
                recipient: m.message.recipient.clone(),
                subject: m.message.subject.clone(),
                status,
                tone,
            }
        })
        .collect()
}

/// A step instance with its mark.
pub struct StepRow {
    pub no: u32,
    pub name: String,
    pub unit: String,
    pub holder: String,
    pub sender: String,
    pub started: String,
    pub due: String,
    pub ended: String,
    /// The on-time mark in words, and its tone (`ok`, `warn`, `bad`, empty).
    pub mark: String,
    pub tone: &'static str,
}

/// Where the deadline stands, in words and a tone that is never alone.
pub struct DueView {
    pub due: String,
    pub original: Option<String>,
    pub signal: String,
    pub tone: &'static str,
}

/// A form to print.
pub struct Print {
    pub label: String,
    pub href: String,
}

/// A choice of a select.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// An action form.
pub struct ActionForm {
    pub name: &'static str,
    pub label: String,
}

/// The page's main part.
pub struct Body {
    pub code: String,
    pub version: i64,
    pub csrf: String,
    pub status: String,
    pub status_key: &'static str,
    pub procedure: String,
    pub facts: Vec<Fact>,
    pub applicant: Vec<Fact>,
    pub due: Option<DueView>,
    pub components: Vec<ComponentRow>,
    pub files: Vec<FileRow>,
    pub events: Vec<EventRow>,
    pub steps: Vec<StepRow>,
    pub prints: Vec<Print>,
    pub actions: Vec<ActionForm>,
    pub hand_over: Option<HandOverView>,
    /// Take the open step: (`to_step` or empty, `to_target` or empty).
    pub claim: Option<(String, String)>,
    /// Send back to the step before: (`to_step`, what the button says).
    pub back: Option<(String, String)>,
    pub return_methods: Vec<Opt>,
    pub msg: Message,
    /// What the applicant was told, through which channel, delivered or not.
    pub messages: Vec<MessageRow>,
    pub receipt_href: String,
    /// Offer the form that attaches a file: the reader holds a role that
    /// may attach somewhere. Only a hint for the page; the service decides.
    pub may_attach: bool,
    /// The reader's login, what taking a step names.
    pub me: String,
    /// Whether a result file is attached (an electronic result needs one).
    pub has_result_file: bool,
    /// The form that corrects what the desk typed, for those who may.
    pub correction: Option<super::correct::CorrectionForm>,
    /// Fees paid online, with the refund form for those who may.
    pub payments: Option<super::payments::PaymentsCard>,
}

/// The hand-over form's target.
pub struct HandOverView {
    pub step_no: u32,
    pub step: String,
    pub people: Vec<Opt>,
    /// For a dossier without a process: the offices it may go to, each an
    /// option group of the office itself and its people.
    pub offices: Vec<OfficeGroup>,
    /// What the offer says above the offices (the field, and whether any
    /// office handles it).
    pub offices_hint: String,
}

/// An office in the hand-over's choice: its name and options whose value
/// is `CODE` (the office) or `CODE|login` (someone there).
pub struct OfficeGroup {
    pub label: String,
    pub options: Vec<Opt>,
}

fn moment(lang: Lang, t: Option<Timestamp>) -> String {
    t.map(|t| format::moment(lang, t)).unwrap_or_default()
}

fn detail_moment(lang: Lang, v: &Value, key: &str) -> Option<String> {
    v[key]
        .as_str()
        .and_then(|s| s.parse::<Timestamp>().ok())
        .map(|t| format::moment(lang, t))
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("").trim()
}

fn classification(t: &Texts, c: Classification) -> (String, &'static str) {
    match c {
        Classification::Early => (t.get("dossier.mark.early").to_owned(), "ok"),
        Classification::OnTime => (t.get("dossier.mark.on_time").to_owned(), "ok"),
        Classification::Late => (t.get("dossier.mark.late").to_owned(), "bad"),
    }
}

fn open(t: &Texts, s: OpenStatus) -> (String, &'static str) {
    match s {
        OpenStatus::NotYetDue => (t.get("dossier.mark.not_yet_due").to_owned(), "ok"),
        OpenStatus::NearDue => (t.get("dossier.mark.near_due").to_owned(), "warn"),
        OpenStatus::Overdue => (t.get("dossier.mark.overdue").to_owned(), "bad"),
    }
}

/// The lines an event's details add to the timeline.
fn details(lang: Lang, t: &Texts, action: &str, d: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |key: &str, value: String| {
        if !value.trim().is_empty() {
            out.push(t.fill(key, &[("v", &value)]));
        }
    };
    match action {
        "receive" | "accept_online" => {
            if let Some(c) = d["channel"].as_str().and_then(|c| Channel::parse(c).ok()) {
                push("dossier.detail.channel", channel_label(t, c));
            }
            push(
                "dossier.detail.due",
                detail_moment(lang, d, "due").unwrap_or_default(),
            );
        }
        "hand_over" => {
            push("dossier.detail.step", text(d, "step_name").to_owned());
            push("dossier.detail.to_user", text(d, "to_user").to_owned());
            push(
                "dossier.detail.step_due",
                detail_moment(lang, d, "due").unwrap_or_default(),
            );
        }
        "request_supplement" | "return_for_correction" => {
            let key = if action == "request_supplement" {
                "items"
            } else {
                "missing"
            };
            let items: Vec<String> = d[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|i| {
                            let (n, note) = (text(i, "name"), text(i, "note"));
                            if note.is_empty() {
                                n.to_owned()
                            } else {
                                format!("{n} ({note})")
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            push("dossier.detail.items", items.join("; "));
            push("dossier.detail.reason", text(d, "reason").to_owned());
        }
        "extend" => {
            push(
                "dossier.detail.new_due",
                detail_moment(lang, d, "new_due").unwrap_or_else(|| text(d, "new_due").to_owned()),
            );
            push("dossier.detail.reason", text(d, "reason").to_owned());
            push("dossier.detail.signer", text(d, "signer_name").to_owned());
        }
        "record_return" => {
            if let Some(m) = d["method"]
                .as_str()
                .and_then(|m| ReturnMethod::parse(m).ok())
            {
                push("dossier.detail.method", return_label(t, m));
            }
            push(
                "dossier.detail.collector",
                text(d, "collector_name").to_owned(),
            );
            push("dossier.detail.shipment", text(d, "shipment").to_owned());
        }
        "correct" => return correction_lines(t, d),
        "sign_result" => {
            push(
                "dossier.detail.result_number",
                text(d, "result_number").to_owned(),
            );
            let day = text(d, "result_date");
            push(
                "dossier.detail.result_date",
                day.parse::<jiff::civil::Date>()
                    .map(|x| format::date(lang, x))
                    .unwrap_or_else(|_| day.to_owned()),
            );
        }
        _ => push("dossier.detail.reason", text(d, "reason").to_owned()),
    }
    out
}

/// What a correction changed, old → new, and why: one line for the
/// applicant's details, one for the components, one for the reason.
fn correction_lines(t: &Texts, d: &Value) -> Vec<String> {
    let Ok(c) = serde_json::from_value::<CorrectionDetail>(d.clone()) else {
        return Vec::new();
    };
    let shown = |v: &str| {
        if v.trim().is_empty() {
            t.get("dossier.correction.empty").to_owned()
        } else {
            v.to_owned()
        }
    };
    let kind = |v: &str| match ApplicantType::parse(v) {
        Some(ApplicantType::Citizen) => t.get("desk.kind_citizen").to_owned(),
        Some(ApplicantType::Organisation) => t.get("desk.kind_organisation").to_owned(),
        None => shown(v),
    };
    let mut out = Vec::new();
    let fields: Vec<String> = c
        .changes
        .iter()
        .map(|ch| {
            let (from, to) = match ch.field {
                ApplicantField::Kind => (kind(&ch.from), kind(&ch.to)),
                _ => (shown(&ch.from), shown(&ch.to)),
            };
            t.fill(
                "dossier.correction.change",
                &[
                    (
                        "field",
                        t.get(&format!("dossier.correction.field_{}", ch.field.as_str())),
                    ),
                    ("from", from.as_str()),
                    ("to", to.as_str()),
                ],
            )
        })
        .collect();
    if !fields.is_empty() {
        out.push(fields.join("; "));
    }
    if let Some(cc) = &c.components {
        let list = |items: &[motcua_service::store::ReceivedItem]| {
            if items.is_empty() {
                return t.get("dossier.correction.none").to_owned();
            }
            items
                .iter()
                .map(|i| {
                    t.fill(
                        "dossier.correction.item",
                        &[
                            ("name", i.name.clone()),
                            ("form", super::correct::copy_label(t, i.form)),
                            ("copies", i.copies.to_string()),
                        ],
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(t.fill(
            "dossier.correction.change",
            &[
                ("field", t.get("dossier.correction.components")),
                ("from", list(&cc.from).as_str()),
                ("to", list(&cc.to).as_str()),
            ],
        ));
    }
    if !c.reason.trim().is_empty() {
        out.push(t.fill("dossier.detail.reason", &[("v", c.reason.trim())]));
    }
    out
}

fn due_view(lang: Lang, t: &Texts, v: &DossierView) -> Option<DueView> {
    let s = &v.dossier.state;
    let due = s.current_due?;
    let original = s
        .original_due
        .filter(|o| *o != due)
        .map(|o| t.fill("dossier.original_due", &[("at", &format::moment(lang, o))]));
    let (signal, tone) = if s.status.ends_processing() || s.status == Status::Returned {
        match s.classification {
            Some(c) => {
                let (l, tone) = classification(t, c);
                (t.fill("dossier.ended_mark", &[("mark", &l)]), tone)
            }
            None => (t.get("dossier.mark.ended").to_owned(), ""),
        }
    } else if !s.clock_running && s.status.is_received() {
        (t.get("dossier.mark.suspended").to_owned(), "paused")
    } else {
        match v.open_status {
            Some(o) => open(t, o),
            None => (String::new(), ""),
        }
    };
    Some(DueView {
        due: format::moment(lang, due),
        original,
        signal,
        tone,
    })
}

fn prints(t: &Texts, v: &DossierView) -> Vec<Print> {
    let code = v.dossier.code.as_str();
    let has = |names: &[&str]| {
        v.events
            .iter()
            .any(|e| names.contains(&e.event.action.as_str()))
    };
    let mut out = Vec::new();
    let mut add = |key: &str, file: &str| {
        out.push(Print {
            label: t.get(key).to_owned(),
            href: format!("/api/dossiers/{code}/forms/{file}"),
        });
    };
    if v.dossier.state.received_at.is_some() {
        add("dossier.print.receipt", "receipt.pdf");
    }
    if has(&["request_supplement", "return_for_correction"]) {
        add("dossier.print.supplement", "supplement-request.pdf");
    }
    if has(&["refuse", "refuse_online"]) {
        add("dossier.print.refusal", "refusal.pdf");
    }
    if has(&["extend"]) {
        add("dossier.print.apology", "apology.pdf");
    }
    if has(&["stop"]) {
        add("dossier.print.stop", "stop-notice.pdf");
    }
    if !v.steps.is_empty() {
        add("dossier.print.control_slip", "control-slip.pdf");
    }
    out
}

/// The page's main part for the reader.
pub fn body(
    staff: &Staff,
    v: &DossierView,
    target: Option<HandOverTarget>,
    moves: motcua_service::dossiers::StepMoves,
    msg: Message,
    names: &HashMap<String, String>,
    messages: Vec<MessageRow>,
) -> Body {
    // People by full name; a login with no user behind it (the system, an
    // import) as written.
    let who = |login: &str| {
        names
            .get(login)
            .cloned()
            .unwrap_or_else(|| login.to_owned())
    };
    let lang = staff.lang;
    let t = lang.texts();
    let d = &v.dossier;
    let s = &d.state;
    let code = d.code.as_str().to_owned();
    let fact = |k: &str, value: String| Fact {
        label: t.get(k).to_owned(),
        value,
    };
    let limit = d
        .state
        .clock
        .as_deref()
        .and_then(|c| ClockRecord::from_json(c).ok())
        .map(|r| limit_label(&t, r.limit))
        .unwrap_or_default();
    let mut facts = vec![
        fact("dossier.code", code.clone()),
        fact("dossier.status", status_label(&t, s.status)),
        fact(
            "dossier.procedure",
            format!("{} ({})", v.procedure_name, v.procedure_code),
        ),
        fact("dossier.unit", v.unit_name.clone()),
        fact("dossier.channel", channel_label(&t, d.channel)),
        fact("dossier.received_at", moment(lang, s.received_at)),
        fact("dossier.received_by", who(&d.received_by)),
        fact("dossier.time_limit", limit),
        fact(
            "dossier.fee",
            match &v.particulars.fee_reduction {
                Some(f) => t.fill(
                    "dossier.fee_reduced",
                    &[
                        ("fee", format::money(lang, d.fee_dong)),
                        ("catalog", format::money(lang, f.catalog)),
                        ("reason", f.reason.clone()),
                    ],
                ),
                None => format::money(lang, d.fee_dong),
            },
        ),
        fact("dossier.sets", d.sets.to_string()),
        fact("dossier.return_method", return_label(&t, s.return_method)),
    ];
    if let Some(h) = &v.holder_unit_name {
        let who = match &v.holder {
            Some(u) => format!("{h} · {u}"),
            None => h.clone(),
        };
        facts.push(fact("dossier.holder", who));
    }
    if let Some(r) = s.returned_at {
        facts.push(fact("dossier.returned_at", format::moment(lang, r)));
    }
    facts.retain(|f| !f.value.trim().is_empty());
    let a = &d.applicant;
    let mut applicant = vec![
        fact(
            "desk.kind",
            t.get(match a.kind {
                ApplicantType::Citizen => "desk.kind_citizen",
                ApplicantType::Organisation => "desk.kind_organisation",
            })
            .to_owned(),
        ),
        fact("desk.name", a.name.clone()),
        fact("desk.identity", a.identity.clone()),
        fact("desk.phone", a.phone.clone()),
        fact("desk.email", a.email.clone()),
        fact("desk.address", a.address.clone()),
    ];
    if let Some(r) = &v.particulars.representative {
        applicant.push(fact("dossier.representative", r.line_vi()));
    }
    applicant.retain(|f| !f.value.trim().is_empty());
    let yes_no = |b: bool| {
        t.get(if b { "dossier.yes" } else { "dossier.no" })
            .to_owned()
    };
    let components = v
        .components
        .iter()
        .map(|c| ComponentRow {
            name: c.name.clone(),
            form: t
                .get(match c.form {
                    ComponentCopy::Original => "desk.copy_original",
                    ComponentCopy::Copy => "desk.copy_copy",
                    ComponentCopy::CertifiedCopy => "desk.copy_certified",
                    ComponentCopy::Electronic => "desk.copy_electronic",
                })
                .to_owned(),
            copies: c.copies,
            digitised: yes_no(c.digitised),
            file_href: c
                .file_id
                .map(|id| format!("/api/dossiers/{code}/files/{id}")),
        })
        .collect();
    let files = v
        .files
        .iter()
        .map(|f| FileRow {
            name: f.name.clone(),
            kind: t
                .get(if f.kind == "result" {
                    "dossier.file_result"
                } else {
                    "dossier.file_component"
                })
                .to_owned(),
            size: t.fill(
                "dossier.file_size",
                &[(
                    "kb",
                    &format::number(lang, f.size_bytes.saturating_add(1023) / 1024),
                )],
            ),
            href: format!("/api/dossiers/{code}/files/{}", f.id),
            added: format!(
                "{} · {}",
                format::moment(lang, f.created_at),
                who(&f.created_by)
            ),
        })
        .collect();
    let events = v
        .events
        .iter()
        .map(|e| {
            let ev = &e.event;
            EventRow {
                at: format::moment(lang, ev.at),
                actor: who(&ev.actor),
                action: actions::known(&ev.action)
                    .map(|a| actions::label(&t, a))
                    .unwrap_or_else(|| {
                        if matches!(ev.action.as_str(), "receive" | "submit_online" | "correct") {
                            t.get(&format!("dossier.action.{}", ev.action)).to_owned()
                        } else {
                            ev.action.clone()
                        }
                    }),
                from: ev.from.map(|f| status_label(&t, f)).unwrap_or_default(),
                to: status_label(&t, ev.to),
                note: ev.note.clone(),
                details: details(lang, &t, &ev.action, &ev.detail),
            }
        })
        .collect();
    let steps = v
        .steps
        .iter()
        .map(|sv| {
            let st = &sv.step.step;
            let (mark, tone) = match (st.classification, sv.open_status) {
                (Some(c), _) => classification(&t, c),
                (None, Some(o)) if st.ended_at.is_none() => open(&t, o),
                _ => (String::new(), ""),
            };
            StepRow {
                no: st.step_no,
                name: st.name.clone(),
                unit: sv.unit_name.clone(),
                holder: sv.holder.as_deref().map(who).unwrap_or_default(),
                sender: format!("{} · {}", sv.sender_unit_name, who(&st.sender)),
                started: format::moment(lang, st.started_at),
                due: moment(lang, st.due),
                ended: moment(lang, st.ended_at),
                mark,
                tone,
            }
        })
        .collect();
    let actions = v
        .actions
        .iter()
        .filter_map(|a| actions::known(a))
        .map(|name| ActionForm {
            name,
            label: actions::label(&t, name),
        })
        .collect();
    let hand_over = target.map(|tg| {
        // By full name; the login only tells apart two people of the
        // same name (or stands in for a missing one).
        let label_people = |list: Vec<motcua_service::dossiers::preview::Candidate>,
                            prefix: &str| {
            let names: Vec<String> = list.iter().map(|c| c.full_name.clone()).collect();
            list.into_iter()
                .map(|c| Opt {
                    label: format::person_label(&c.full_name, &c.username, &names),
                    value: format!("{prefix}{}", c.username),
                    selected: false,
                })
                .collect::<Vec<_>>()
        };
        let handling = tg.offices.iter().any(|o| o.handles_field);
        let offices_hint = if tg.offices.is_empty() {
            String::new()
        } else if handling {
            t.fill("dossier.offices_handling", &[("field", &tg.field)])
        } else {
            t.fill("dossier.offices_all", &[("field", &tg.field)])
        };
        let offices = tg
            .offices
            .into_iter()
            .map(|o| {
                let mut options = vec![Opt {
                    label: t.fill("dossier.office_whole", &[("unit", &o.name)]),
                    value: o.code.clone(),
                    selected: false,
                }];
                options.extend(label_people(o.candidates, &format!("{}|", o.code)));
                OfficeGroup {
                    label: if o.handles_field {
                        t.fill("dossier.office_handles", &[("unit", &o.name)])
                    } else {
                        o.name
                    },
                    options,
                }
            })
            .collect();
        HandOverView {
            step_no: tg.step_no,
            step: t.fill(
                "dossier.hand_over_to",
                &[("step", &tg.step_name), ("unit", &tg.unit_name)],
            ),
            people: label_people(tg.candidates, ""),
            offices,
            offices_hint,
        }
    });
    let return_methods = [
        ReturnMethod::InPerson,
        ReturnMethod::Postal,
        ReturnMethod::Online,
    ]
    .into_iter()
    .map(|m| Opt {
        value: m.as_str().to_owned(),
        label: return_label(&t, m),
        selected: m == s.return_method,
    })
    .collect();
    Body {
        receipt_href: format!("/api/dossiers/{code}/forms/receipt.pdf"),
        code,
        version: d.version,
        csrf: staff.csrf.clone(),
        status: status_label(&t, s.status),
        status_key: s.status.as_str(),
        procedure: v.procedure_name.clone(),
        facts,
        applicant,
        due: due_view(lang, &t, v),
        components,
        files,
        events,
        steps,
        prints: prints(&t, v),
        actions,
        hand_over,
        claim: moves.claim.map(|(step, unit)| match step {
            Some(n) => (n.to_string(), String::new()),
            None => (String::new(), format!("{unit}|{}", staff.actor.username)),
        }),
        back: moves.back.map(|(n, step, unit)| {
            (
                n.to_string(),
                t.fill("dossier.back_to", &[("step", &step), ("unit", &unit)]),
            )
        }),
        return_methods,
        msg,
        messages,
        may_attach: v.may_attach,
        me: staff.actor.username.clone(),
        has_result_file: v.files.iter().any(|f| f.kind == "result"),
        correction: None,
        payments: None,
    }
}
