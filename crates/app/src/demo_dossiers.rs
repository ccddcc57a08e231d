//! Demo dossiers: about six weeks of work at the Đô Lương service centre (the
//! commune's since the 2025 reform; `demo_history` imports the two years
//! before), received and
//! moved through the same use cases the API calls, on a clock that walks
//! through those weeks. Most are returned (some late, some after a
//! supplement or an apology letter), some are refused, and the recent ones
//! are still with the office or the leader, a few of them overdue, so every
//! list, filter and form has something to show.

use std::sync::Arc;

use jiff::SignedDuration;
use motcua_domain::deadline::TimeLimit;
use motcua_domain::dossier::Channel;
use motcua_domain::time::{from_local, to_local};
use motcua_domain::unit::Level;
use motcua_service::access::Actor;
use motcua_service::clock::{Clock, ManualClock, SystemClock};
use motcua_service::dossiers::particulars::Representative;
use motcua_service::dossiers::{
    Act, ActionInput, DossierService, MissingItem, NoticeSettings, Receive,
};
use motcua_service::store::{Applicant, ApplicantType, ComponentCopy, ReceivedItem, Store};
use motcua_service::{ServiceResult, procedures};

const DESK: &str = crate::demo::DO_LUONG_CENTRE;

pub(crate) const NAMES: &[&str] = &[
    "Nguyễn Văn Hải",
    "Trần Thị Lan",
    "Lê Văn Đức",
    "Phạm Thị Hương",
    "Hoàng Văn Nam",
    "Phan Thị Thảo",
    "Vũ Đình Khoa",
    "Đặng Thị Yến",
    "Bùi Văn Toàn",
    "Đỗ Thị Ngân",
    "Hồ Văn Sơn",
    "Ngô Thị Phương",
    "Dương Văn Quang",
    "Lý Thị Hằng",
    "Trịnh Văn Long",
];

const PLACES: &[&str] = &[
    "Xóm 3, xã Đô Lương, tỉnh Nghệ An",
    "Khối 5, xã Đô Lương, tỉnh Nghệ An",
    "Xóm 7, xã Đô Lương, tỉnh Nghệ An",
];

/// A step of the pseudo-random walk: the same dossiers on every machine.
pub(crate) fn pick(i: usize, salt: usize, n: usize) -> usize {
    (i.wrapping_mul(7919)
        .wrapping_add(salt.wrapping_mul(104_729)))
        % n.max(1)
}

/// Receives and moves the demo dossiers; returns how many were received.
/// A dossier whose walk meets an error (a calendar edge on some date) is
/// left where it stands and logged, so the demo still starts.
pub async fn seed(
    store: Arc<dyn Store>,
    files: Arc<dyn motcua_service::files::FileStore>,
) -> ServiceResult<usize> {
    let now = SystemClock.now();
    let start = now
        .checked_sub(SignedDuration::from_hours(24 * 42))
        .unwrap_or(now);
    let clock = Arc::new(ManualClock::new(start));
    let svc = DossierService::new(
        store.clone(),
        clock.clone(),
        NoticeSettings {
            log: true,
            ..NoticeSettings::default()
        },
        None,
    )
    .with_files(files);
    let desk = actor(store.as_ref(), "motcua.dl").await?;
    let specialist = actor(store.as_ref(), "chuyenvien.dl").await?;
    let leader = actor(store.as_ref(), "lanhdao.dl").await?;
    // District procedures counted in working days, the ones with a process first.
    let mut codes: Vec<(String, String)> = procedures::export_rows(store.as_ref())
        .await?
        .into_iter()
        .filter(|(d, _)| {
            // The procedures `demo::seed_catalog` gives an internal process.
            d.levels.contains(&Level::District)
                && matches!(d.time_limit, TimeLimit::WorkingDays(n) if n >= 3)
        })
        .map(|(d, _)| {
            (
                d.code.to_string(),
                d.components
                    .first()
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| "Tờ khai".into()),
            )
        })
        .collect();
    codes.truncate(6);
    if codes.is_empty() {
        return Ok(0);
    }
    let mut received = 0;
    for i in 0..140usize {
        // Spread over 40 days, in office hours (07:30 + up to 8 hours).
        let day = start
            .checked_add(SignedDuration::from_hours(24 * (i as i64 * 40 / 140)))
            .unwrap_or(start);
        let local_day = to_local(day).date();
        let minutes = 30 + pick(i, 1, 480) as i64;
        let at = local_day
            .at(7, 0, 0, 0)
            .checked_add(SignedDuration::from_mins(minutes))
            .ok()
            .and_then(|dt| from_local(dt).ok())
            .unwrap_or(day);
        if at >= now {
            break;
        }
        clock.set(at);
        let (procedure, component) = &codes[pick(i, 2, codes.len())];
        let cmd = Receive {
            unit: DESK.to_owned(),
            procedure: procedure.clone(),
            channel: match pick(i, 3, 10) {
                0..=5 => Channel::InPerson,
                6..=8 => Channel::Online,
                _ => Channel::Postal,
            },
            return_method: None,
            applicant: Applicant {
                kind: ApplicantType::Citizen,
                name: NAMES[pick(i, 4, NAMES.len())].to_owned(),
                identity: format!("0400{:08}", 95_000_000 + i),
                phone: format!("09{:08}", 12_345_678 + i * 17),
                email: String::new(),
                address: PLACES[pick(i, 5, PLACES.len())].to_owned(),
            },
            sets: Some(1),
            components: vec![ReceivedItem {
                name: component.clone(),
                form: ComponentCopy::Original,
                copies: 1,
                digitised: pick(i, 6, 10) < 9,
                reused: false,
                file_id: None,
            }],
            fee_dong: None,
            fee_reason: String::new(),
            // Now and then a relative hands the dossier in.
            representative: (pick(i, 7, 10) == 0).then(|| Representative {
                name: NAMES[pick(i, 8, NAMES.len())].to_owned(),
                identity: String::new(),
                phone: String::new(),
                basis: format!(
                    "Giấy ủy quyền số {}/UQ ngày {}",
                    10 + pick(i, 9, 80),
                    local_day.strftime("%d/%m/%Y")
                ),
            }),
            note: String::new(),
            scans: Vec::new(),
        };
        let online = cmd.channel == Channel::Online;
        let d = match svc.receive(&desk, cmd).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "demo dossier not received");
                continue;
            }
        };
        received += 1;
        let code = d.dossier.code.to_string();
        let mut version = d.dossier.version;
        let mut current_due = d.dossier.state.current_due;
        let mut t = at;
        // Each action an hour or a few days after the one before.
        let mut step = |hours: i64| {
            t = t
                .checked_add(SignedDuration::from_hours(hours))
                .unwrap_or(t);
            t
        };
        let age_days = now.duration_since(at).as_hours() / 24;
        let mut plan: Vec<(i64, &Actor, ActionInput)> = Vec::new();
        if online {
            plan.push((1, &desk, ActionInput::AcceptOnline {}));
        }
        if pick(i, 7, 25) == 0 {
            plan.push((
                2,
                &leader,
                ActionInput::Refuse {
                    reason: "Hồ sơ không thuộc thẩm quyền giải quyết của UBND xã.".into(),
                },
            ));
        } else {
            plan.push((
                1,
                &desk,
                ActionInput::HandOver {
                    to_step: None,
                    to_unit: None,
                    to_user: None,
                },
            ));
            if pick(i, 8, 6) == 0 {
                plan.push((
                    20,
                    &desk,
                    ActionInput::RequestSupplement {
                        items: vec![MissingItem {
                            name: "Bản sao giấy tờ tùy thân".into(),
                            note: "bản sao chứng thực".into(),
                        }],
                        reason: "Hồ sơ chưa đủ thành phần theo quy định".into(),
                        guidance:
                            "Nộp bổ sung trực tiếp tại Bộ phận Một cửa hoặc qua dịch vụ bưu chính"
                                .into(),
                        deadline: None,
                    },
                ));
                plan.push((
                    48,
                    &desk,
                    ActionInput::SupplySupplement { components: None },
                ));
            }
            let slow = pick(i, 9, 8) == 0;
            let work_hours = if slow {
                24 * 9
            } else {
                24 * (1 + pick(i, 10, 3) as i64)
            };
            if age_days > 10 {
                plan.push((
                    work_hours,
                    &specialist,
                    ActionInput::HandOver {
                        to_step: None,
                        to_unit: None,
                        to_user: None,
                    },
                ));
                if slow && pick(i, 11, 2) == 0 {
                    plan.push((
                        2,
                        &leader,
                        ActionInput::Extend {
                            reason: "Cần xác minh thêm thông tin với cơ quan liên quan".into(),
                            new_due: String::new(),
                            signer_name: "Phạm Văn Hùng".into(),
                            signer_title: "Phó Chủ tịch UBND xã".into(),
                        },
                    ));
                }
                plan.push((
                    20,
                    &leader,
                    ActionInput::SignResult {
                        result_digitised: true,
                        result_number: String::new(),
                        result_date: None,
                    },
                ));
                plan.push((
                    24,
                    &desk,
                    ActionInput::RecordReturn {
                        method: None,
                        collector_name: NAMES[pick(i, 4, NAMES.len())].to_owned(),
                        collector_identity: format!("0400{:08}", 95_000_000 + i),
                        shipment: String::new(),
                    },
                ));
            }
        }
        for (hours, who, input) in plan {
            let when = step(hours);
            if when >= now {
                break;
            }
            clock.set(when);
            let input = match input {
                // The new appointment: five days after the letter or the
                // current appointment, whichever is later, at 16:00 (an
                // extension must move the appointment later).
                ActionInput::Extend {
                    reason,
                    signer_name,
                    signer_title,
                    ..
                } => {
                    let from = current_due.map_or(when, |d| d.max(when));
                    let due = to_local(
                        from.checked_add(SignedDuration::from_hours(24 * 5))
                            .unwrap_or(from),
                    );
                    ActionInput::Extend {
                        reason,
                        new_due: format!("{}T16:00", due.date()),
                        signer_name,
                        signer_title,
                    }
                }
                other => other,
            };
            // An electronic result is signed with its file attached: a
            // one-page PDF standing in for the scanned result.
            if matches!(
                input,
                ActionInput::SignResult {
                    result_digitised: true,
                    ..
                }
            ) && let Err(e) = svc
                .attach_file(
                    who,
                    &code,
                    "result",
                    "ket-qua.pdf",
                    "application/pdf",
                    RESULT_PDF,
                )
                .await
            {
                tracing::warn!(code, error = %e, "demo result file not attached");
                break;
            }
            let cmd = Act {
                version,
                note: String::new(),
                action: input,
            };
            match svc.act(who, &code, cmd).await {
                Ok(a) => {
                    version = a.dossier.dossier.version;
                    current_due = a.dossier.dossier.state.current_due;
                }
                Err(e) => {
                    tracing::warn!(code, error = %e, "demo dossier walk stopped");
                    break;
                }
            }
        }
    }
    Ok(received)
}

/// The smallest file the result upload accepts as a PDF (its first bytes
/// are what is checked), standing in for a scanned result.
const RESULT_PDF: &[u8] = b"%PDF-1.4\n% motcua demo: ket qua giai quyet\n%%EOF\n";

async fn actor(store: &dyn Store, username: &str) -> ServiceResult<Actor> {
    let u = store.user_by_username(username).await?;
    Actor::load(store, u.id, &u.username).await
}
