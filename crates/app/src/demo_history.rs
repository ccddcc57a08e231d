//! Two years of demo history, imported through the same path as `motcua
//! import dossiers`: before 1 July 2025 at the district desks and the old
//! communes, after it at the new communes' service centres, so that reports
//! for 2024, for 2026 and across the reform each show their own tree.
//!
//! The rows are generated, not random: the same on every machine, relative
//! to today. The online share grows from about 15 % to 55 % over the two
//! years, digitisation too; most dossiers end early or on time, some late
//! (a part of them with an apology letter), some after a supplement, a few
//! are refused, withdrawn or stopped, and a handful are still open and
//! overdue. The last six weeks are left to `demo_dossiers`, which walks
//! dossiers through the live use cases.

use jiff::SignedDuration;
use jiff::civil::{Date, DateTime};
use motcua_domain::catalog::{OnlineLevel, ProcedureDraft};
use motcua_domain::deadline::WorkTime;
use motcua_domain::dossier::{ClockEvent, ClockPolicy, DossierClock, Outcome};
use motcua_domain::time::to_local;
use motcua_domain::unit::Level;
use motcua_service::access::Actor;
use motcua_service::catalog::FileFormat;
use motcua_service::clock::{Clock, ManualClock, SystemClock};
use motcua_service::dossiers::{DossierService, NoticeSettings};
use motcua_service::store::{AuditContext, Store};
use motcua_service::{ServiceError, ServiceResult, procedures};

use crate::demo::{DO_LUONG_CENTRE, KIM_LIEN_CENTRE, NAM_DAN_CENTRE, REFORM};
use crate::demo_dossiers::{NAMES, pick};

/// Addresses before and after the reform.
const PLACES: &[[&str; 2]] = &[
    [
        "Xóm 3, xã Đà Sơn, huyện Đô Lương, tỉnh Nghệ An",
        "Xóm 3, xã Đô Lương, tỉnh Nghệ An",
    ],
    [
        "Khối 5, thị trấn Nam Đàn, huyện Nam Đàn, tỉnh Nghệ An",
        "Khối 5, xã Nam Đàn, tỉnh Nghệ An",
    ],
    [
        "Xóm Sen 1, xã Kim Liên, huyện Nam Đàn, tỉnh Nghệ An",
        "Xóm Sen 1, xã Kim Liên, tỉnh Nghệ An",
    ],
];

/// Days of history (at least), and the recent days `demo_dossiers` fills
/// instead.
const HISTORY_DAYS: i64 = 730;
const LIVE_DAYS: i64 = 43;

/// Where dossiers were received: (unit code, dossiers per 4 working days,
/// district-level procedures (else commune-level), before the reform).
const DESKS: &[(&str, usize, bool, bool)] = &[
    ("000.01.21.H40", 8, true, true),
    ("000.01.22.H40", 4, true, true),
    ("000.11.21.H40", 1, false, true),
    ("000.12.21.H40", 1, false, true),
    ("000.13.21.H40", 1, false, true),
    ("000.11.22.H40", 1, false, true),
    ("000.12.22.H40", 1, false, true),
    ("000.13.22.H40", 1, false, true),
    (DO_LUONG_CENTRE, 8, true, false),
    (NAM_DAN_CENTRE, 4, true, false),
    (KIM_LIEN_CENTRE, 4, true, false),
];

const HEADER: &str = "Mã hồ sơ,Mã thủ tục,Kênh tiếp nhận,Hình thức trả kết quả,Người nộp,\
Số giấy tờ,Điện thoại,Địa chỉ,Ngày tiếp nhận,Bổ sung,Gia hạn,Ngày kết thúc xử lý,\
Kết quả xử lý,Ngày trả kết quả,Kết quả số hóa,Số thành phần,Thành phần số hóa\n";

fn moment(dt: DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute()
    )
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// One dossier's row, or `None` when its timeline would reach today (the
/// live walk covers those days).
#[allow(clippy::too_many_arguments)]
fn row(
    work: &WorkTime<'_>,
    i: usize,
    code: &str,
    unit_place: &str,
    p: &ProcedureDraft,
    received: DateTime,
    share: f64,
    now: DateTime,
) -> Result<Option<String>, motcua_domain::DomainError> {
    let online_ok = p.online_level != OnlineLevel::None;
    let roll = pick(i, 21, 100) as f64;
    let channel = if online_ok && roll < 15.0 + 40.0 * share {
        "Trực tuyến"
    } else if pick(i, 22, 100) < 7 {
        "Bưu chính"
    } else {
        "Trực tiếp"
    };
    let limit = match (channel, p.online_time_limit) {
        ("Trực tuyến", Some(l)) => l,
        _ => p.time_limit,
    };
    let policy = ClockPolicy::default();
    let mut clock = DossierClock::receive(work, received, limit, None, policy)?;
    let start = clock.start();
    let mut supplements = String::new();
    let mut last = received;
    // One in nine waits for a supplement asked two office hours in.
    if pick(i, 23, 9) == 0 && clock.current_due().is_some() {
        let asked = work.add_office_time(start, SignedDuration::from_hours(2))?;
        let supplied = work.add_office_time(asked, SignedDuration::from_hours(12))?;
        clock.apply(work, &ClockEvent::SupplementRequested { at: asked })?;
        clock.apply(work, &ClockEvent::SupplementSupplied { at: supplied })?;
        supplements = format!("{}/{}", moment(asked), moment(supplied));
        last = supplied;
    }
    let due = clock.current_due();
    let outcome_roll = pick(i, 24, 100);
    let outcome = match outcome_roll {
        0..=3 => ("Từ chối", Outcome::Refused),
        4..=5 => ("Rút hồ sơ", Outcome::Withdrawn),
        6 => ("Dừng giải quyết", Outcome::Stopped),
        _ => ("Có kết quả", Outcome::Result),
    };
    // Lateness falls from about 14 % to 4 % over the two years.
    let late = (pick(i, 25, 100) as f64) < 14.0 - 10.0 * share;
    let mut extensions = String::new();
    let end = match due {
        Some(due) => {
            let span = work.office_time_between(last.max(start), due)?;
            if late {
                // Two office hours to three days after the due moment; one
                // late dossier in two had an apology letter the day before.
                let over = SignedDuration::from_hours(2 + pick(i, 26, 22) as i64);
                let end = work.add_office_time(due, over)?;
                if pick(i, 27, 2) == 0 {
                    let issued = work.sub_office_time(due, SignedDuration::from_hours(4))?;
                    if issued > last {
                        let new_due = work.add_office_time(end, SignedDuration::from_hours(4))?;
                        extensions = format!("{}>{}", moment(issued), moment(new_due));
                        last = issued;
                    }
                }
                end
            } else {
                // Somewhere in the first 30 % to 100 % of the allowed time.
                let part = 30 + pick(i, 28, 71) as i64;
                let used = SignedDuration::from_secs(span.as_secs() * part / 100);
                work.add_office_time(last.max(start), used)?
            }
        }
        None => work.add_office_time(start, SignedDuration::from_hours(16))?,
    };
    let end = end.max(last);
    let name = NAMES[pick(i, 4, NAMES.len())];
    let mut fields: Vec<String> = vec![
        code.to_owned(),
        p.code.to_string(),
        channel.to_owned(),
        String::new(),
        name.to_owned(),
        format!("0400{:08}", 90_000_000 + i),
        format!("09{:08}", 12_000_000 + i),
        unit_place.to_owned(),
        moment(received),
        supplements,
        extensions,
    ];
    // A few stay open, long overdue: a case everybody is chasing.
    let open = pick(i, 29, 400) == 0;
    if end >= now || (open && !fields[10].is_empty()) {
        return Ok(None);
    }
    if open {
        fields.extend(["", "", "", "", "1", "0"].map(String::from));
        return Ok(Some(line(&fields)));
    }
    let returned = if outcome.1 == Outcome::Result && pick(i, 30, 20) != 0 {
        let r =
            work.add_office_time(end, SignedDuration::from_hours(1 + pick(i, 31, 16) as i64))?;
        if r < now { moment(r) } else { String::new() }
    } else {
        String::new()
    };
    fields[3] = match channel {
        "Trực tuyến" if pick(i, 32, 2) == 0 => "Trực tuyến",
        "Bưu chính" => "Bưu chính",
        _ => "Trực tiếp",
    }
    .to_owned();
    let components = 1 + pick(i, 33, 3);
    let digitised = if (pick(i, 34, 100) as f64) < 55.0 + 40.0 * share {
        components
    } else {
        pick(i, 35, components + 1)
    };
    let result_digitised =
        outcome.1 == Outcome::Result && (pick(i, 36, 100) as f64) < 40.0 + 50.0 * share;
    fields.extend([
        moment(end),
        outcome.0.to_owned(),
        returned,
        if result_digitised { "Có" } else { "Không" }.to_owned(),
        components.to_string(),
        digitised.to_string(),
    ]);
    Ok(Some(line(&fields)))
}

fn line(fields: &[String]) -> String {
    let mut s = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    s
}

/// The history as the import template's CSV.
async fn history_csv(store: &dyn Store, today: Date) -> ServiceResult<(Vec<u8>, usize)> {
    let cal = motcua_service::calendar::load(store, None).await?;
    let work = WorkTime::new(&cal.calendar, &cal.hours);
    let all: Vec<ProcedureDraft> = procedures::export_rows(store)
        .await?
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    let by_level = |district: bool| -> Vec<&ProcedureDraft> {
        all.iter()
            .filter(|d| {
                d.levels.contains(if district {
                    &Level::District
                } else {
                    &Level::Commune
                })
            })
            .collect()
    };
    let (district, commune) = (by_level(true), by_level(false));
    let now = to_local(SystemClock.now());
    // Two years back, and never later than a year before the reform, so
    // that the history always crosses it.
    let first = today
        .checked_sub(jiff::Span::new().days(HISTORY_DAYS))
        .map_err(|e| ServiceError::Internal(format!("demo history start: {e}")))?
        .min(REFORM.saturating_sub(jiff::Span::new().days(365)));
    let last = today
        .checked_sub(jiff::Span::new().days(LIVE_DAYS))
        .map_err(|e| ServiceError::Internal(format!("demo history end: {e}")))?;
    let mut out = String::from(HEADER);
    let mut rows = 0usize;
    let mut i = 0usize;
    let mut day = first;
    let mut working_day = 0usize;
    while day <= last {
        if !cal.calendar.is_working(day)? {
            day = day
                .tomorrow()
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            continue;
        }
        working_day += 1;
        let share = (day - first).get_days() as f64 / (last - first).get_days().max(1) as f64;
        let share = share.clamp(0.0, 1.0);
        for (unit, per_four_days, district_level, before_reform) in DESKS {
            if (day < REFORM) != *before_reform {
                continue;
            }
            // Only procedures whose latest version was in force that day, so
            // that the limit computed here is the one the import applies.
            let list: Vec<&ProcedureDraft> = if *district_level { &district } else { &commune }
                .iter()
                .copied()
                .filter(|d| d.effective_from <= day)
                .collect();
            if list.is_empty() {
                continue;
            }
            // `per_four_days` dossiers every four working days, spread.
            let today_count =
                (working_day * per_four_days) / 4 - ((working_day - 1) * per_four_days) / 4;
            for n in 0..today_count {
                i += 1;
                let p = list[pick(i, 2, list.len())];
                let minutes = 30 + pick(i, 1, 450) as i64;
                let received = day
                    .at(7, 0, 0, 0)
                    .checked_add(SignedDuration::from_mins(minutes))
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                let code = format!(
                    "{unit}-{:02}{:02}{:02}-{:04}",
                    day.year() % 100,
                    day.month(),
                    day.day(),
                    n + 1
                );
                let place = PLACES[pick(i, 5, PLACES.len())][usize::from(day >= REFORM)];
                if let Some(line) = row(&work, i, &code, place, p, received, share, now)? {
                    out.push_str(&line);
                    rows += 1;
                }
            }
        }
        day = day
            .tomorrow()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
    }
    Ok((out.into_bytes(), rows))
}

/// Imports the history; returns how many dossiers it holds.
pub async fn seed(shared: std::sync::Arc<dyn Store>, ctx: &AuditContext) -> ServiceResult<usize> {
    let store = shared.as_ref();
    let today = to_local(SystemClock.now()).date();
    let (csv, rows) = history_csv(store, today).await?;
    if rows == 0 {
        return Ok(0);
    }
    let svc = DossierService::new(
        shared.clone(),
        std::sync::Arc::new(ManualClock::new(SystemClock.now())),
        NoticeSettings::default(),
        None,
    );
    let report = svc
        .import_file(
            &Actor::system(ctx.actor.clone()),
            &csv,
            FileFormat::Csv,
            "lịch sử minh họa",
        )
        .await
        .map_err(|e| match e {
            procedures::ImportFailure::Rejected(errors) => {
                ServiceError::Internal(format!("demo history: {errors}"))
            }
            procedures::ImportFailure::Service(e) => e,
        })?;
    Ok(report.imported)
}
