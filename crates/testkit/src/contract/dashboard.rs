//! The home dashboard's counts: a hand-made set of dossiers around Monday
//! 24/11/2025 10:00 in Vietnam, counted through the store and through the
//! service (with its access check and its unit subtree), compared with the
//! counts worked out by hand below. The month's rates come from the
//! statistics layer, which the hand-made dossiers fill as a live history
//! would (`WithStats`).
//!
//! The tree: district A (`000.00.21.H40`) with its desk (`000.01.21.H40`),
//! district B (`000.00.22.H40`), both under the province. "Today" is
//! 24/11; the month starts 01/11; the 14-day series starts 11/11.

use anyhow::ensure;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use motcua_domain::deadline::Classification;
use motcua_domain::dossier::{Channel, DossierCode, Outcome, ReturnMethod, Status};
use motcua_domain::role::Role;
use motcua_domain::time::from_local;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::ServiceError;
use motcua_service::access::Actor;
use motcua_service::dashboard;
use motcua_service::store::{
    Applicant, ApplicantType, DashboardCounts, DashboardScope, DossierState, NewDossier, NewEvent,
    Store,
};

use super::{TestDb, audit_count, ctx, expect_err, new_unit, new_user};

const PROVINCE: &str = "000.00.00.H40";
const DISTRICT_A: &str = "000.00.21.H40";
const DESK_A: &str = "000.01.21.H40";
const DISTRICT_B: &str = "000.00.22.H40";

/// A local moment, `2025-11-24T10:00`.
fn vn(s: &str) -> anyhow::Result<Timestamp> {
    Ok(from_local(s.parse::<DateTime>()?)?)
}

/// What a hand-made dossier is.
struct Spec {
    unit: &'static str,
    holder: &'static str,
    channel: Channel,
    status: Status,
    received: Option<&'static str>,
    due: Option<&'static str>,
    near: Option<&'static str>,
    running: bool,
    ended: Option<&'static str>,
    class: Option<Classification>,
}

fn spec(unit: &'static str, status: Status) -> Spec {
    Spec {
        unit,
        holder: unit,
        channel: Channel::InPerson,
        status,
        received: None,
        due: None,
        near: None,
        running: false,
        ended: None,
        class: None,
    }
}

struct Tree {
    province: i64,
    district_a: i64,
    desk_a: i64,
    district_b: i64,
}

async fn tree(store: &dyn Store) -> anyhow::Result<Tree> {
    let p = store
        .insert_unit(
            &ctx()?,
            &new_unit(
                PROVINCE,
                "UBND tỉnh",
                UnitKind::Province,
                Level::Province,
                None,
            )?,
        )
        .await?;
    let a = store
        .insert_unit(
            &ctx()?,
            &new_unit(
                DISTRICT_A,
                "UBND huyện A",
                UnitKind::District,
                Level::District,
                Some(p.id),
            )?,
        )
        .await?;
    let desk = store
        .insert_unit(
            &ctx()?,
            &new_unit(
                DESK_A,
                "Một cửa huyện A",
                UnitKind::Desk,
                Level::District,
                Some(a.id),
            )?,
        )
        .await?;
    let b = store
        .insert_unit(
            &ctx()?,
            &new_unit(
                DISTRICT_B,
                "UBND huyện B",
                UnitKind::District,
                Level::District,
                Some(p.id),
            )?,
        )
        .await?;
    Ok(Tree {
        province: p.id,
        district_a: a.id,
        desk_a: desk.id,
        district_b: b.id,
    })
}

/// The dossiers, numbered as in the comments of the expected counts.
fn specs() -> Vec<Spec> {
    use Status::*;
    vec![
        // 1: received online this morning, due Friday, not near yet.
        Spec {
            channel: Channel::Online,
            received: Some("2025-11-24T08:00"),
            due: Some("2025-11-28T08:00"),
            near: Some("2025-11-27T08:00"),
            running: true,
            ..spec(DESK_A, Received)
        },
        // 2: received this morning, due today 16:00, near due since 08:00.
        Spec {
            received: Some("2025-11-24T09:00"),
            due: Some("2025-11-24T16:00"),
            near: Some("2025-11-24T08:00"),
            running: true,
            ..spec(DESK_A, Processing)
        },
        // 3: received 20/11, due 21/11: overdue.
        Spec {
            received: Some("2025-11-20T14:00"),
            due: Some("2025-11-21T14:00"),
            near: Some("2025-11-21T07:00"),
            running: true,
            ..spec(DESK_A, Processing)
        },
        // 4: received 03/11, done on time 10/11.
        Spec {
            received: Some("2025-11-03T09:00"),
            ended: Some("2025-11-10T09:00"),
            class: Some(Classification::OnTime),
            ..spec(DESK_A, Done)
        },
        // 5: received online 02/11, refused late 05/11.
        Spec {
            channel: Channel::Online,
            received: Some("2025-11-02T09:00"),
            ended: Some("2025-11-05T09:00"),
            class: Some(Classification::Late),
            ..spec(DESK_A, Refused)
        },
        // 6: received in October, ended early just after midnight on 01/11.
        Spec {
            received: Some("2025-10-28T09:00"),
            ended: Some("2025-11-01T00:30"),
            class: Some(Classification::Early),
            ..spec(DESK_A, Returned)
        },
        // 7: received 15/11, waiting for a supplement (clock paused).
        Spec {
            received: Some("2025-11-15T10:00"),
            due: Some("2025-11-25T10:00"),
            ..spec(DESK_A, AwaitingSupplement)
        },
        // 8: submitted online, not accepted yet (no receipt).
        spec(DESK_A, AwaitingOnlineReception),
        // 9: received today but voided: counted nowhere.
        Spec {
            received: Some("2025-11-24T08:30"),
            ..spec(DESK_A, Voided)
        },
        // 10: district B, received today, overdue already (due 09:00).
        Spec {
            received: Some("2025-11-24T07:30"),
            due: Some("2025-11-24T09:00"),
            near: Some("2025-11-24T08:00"),
            running: true,
            ..spec(DISTRICT_B, Processing)
        },
        // 11: received by district B on 18/11, now held by desk A, due 30/11.
        Spec {
            holder: DESK_A,
            received: Some("2025-11-18T10:00"),
            due: Some("2025-11-30T10:00"),
            near: Some("2025-11-29T10:00"),
            running: true,
            ..spec(DISTRICT_B, Processing)
        },
        // 12: received 31/10 at 23:30: October, whatever UTC says.
        Spec {
            received: Some("2025-10-31T23:30"),
            ended: Some("2025-10-31T23:45"),
            class: Some(Classification::Early),
            ..spec(DESK_A, Returned)
        },
        // 13: received 01/11 at 00:10: November; ended on time 05/11.
        Spec {
            received: Some("2025-11-01T00:10"),
            ended: Some("2025-11-05T10:00"),
            class: Some(Classification::OnTime),
            ..spec(DESK_A, Returned)
        },
    ]
}

fn new_dossier(
    t: &Tree,
    procedure: (i64, i64),
    s: &Spec,
    seq: usize,
) -> anyhow::Result<NewDossier> {
    let id = |code: &str| match code {
        DESK_A => t.desk_a,
        DISTRICT_A => t.district_a,
        DISTRICT_B => t.district_b,
        _ => t.province,
    };
    let at = |m: Option<&str>| m.map(vn).transpose();
    let received = at(s.received)?;
    let day: Date = received.map_or(Ok("2025-11-24".parse()?), |r| {
        Ok::<_, anyhow::Error>(motcua_domain::time::to_local(r).date())
    })?;
    let code = format!("{}-{}-{seq:04}", s.unit, day.strftime("%y%m%d"));
    Ok(NewDossier {
        code: Some(DossierCode::parse(&code)?),
        unit_id: id(s.unit),
        unit_code: UnitCode::parse(s.unit)?,
        code_date: day,
        procedure_id: procedure.0,
        procedure_version_id: procedure.1,
        process_id: None,
        channel: s.channel,
        applicant: Applicant {
            kind: ApplicantType::Citizen,
            name: format!("Người nộp {seq}"),
            identity: String::new(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
        },
        sets: 1,
        fee_dong: 0,
        components: Vec::new(),
        scans: Vec::new(),
        state: DossierState {
            status: s.status,
            return_method: ReturnMethod::InPerson,
            submitted_at: received.or(Some(vn("2025-11-24T07:00")?)),
            received_at: received,
            original_due: at(s.due)?,
            current_due: at(s.due)?,
            near_due: at(s.near)?,
            clock_running: s.running,
            clock: None,
            holder_unit_id: Some(id(s.holder)),
            holder_user_id: None,
            step_no: None,
            supplement_count: 0,
            extension_count: 0,
            ended_at: at(s.ended)?,
            outcome: s.ended.map(|_| match s.status {
                Status::Refused => Outcome::Refused,
                _ => Outcome::Result,
            }),
            classification: s.class,
            result_digitised: false,
            returned_at: None,
            return_detail: None,
        },
        lookup_token: format!("token-{seq}"),
        owner_account_id: None,
        owner_identity_verified: false,
        imported: true,
        received_by: "import".to_owned(),
        event: NewEvent {
            at: received.unwrap_or(vn("2025-11-24T07:00")?),
            actor: "import".to_owned(),
            action: "receive".to_owned(),
            from: None,
            to: s.status,
            note: String::new(),
            detail: serde_json::json!({ "source": "dashboard" }),
        },
        steps: Vec::new(),
        more_events: Vec::new(),
        outbox: Vec::new(),
        stats: Vec::new(),
    }
    .with_stats())
}

trait WithStats {
    fn with_stats(self) -> Self;
}

impl WithStats for NewDossier {
    /// The counters a live history would have written: the dossier open
    /// from its receipt, then ended as it stands (the statistics layer, from
    /// which the month's figures come).
    fn with_stats(mut self) -> Self {
        use motcua_service::stats::track::live_changes;
        let facts = motcua_domain::stats::ReceptionFacts::default();
        let (Some(received), final_state) = (self.state.received_at, &self.state) else {
            return self;
        };
        let mut open = final_state.clone();
        if let Some(ended) = final_state.ended_at {
            open.status = Status::Processing;
            open.ended_at = None;
            open.outcome = None;
            open.classification = None;
            let mut changes = live_changes(None, &open, facts, received);
            changes.extend(live_changes(Some(&open), final_state, facts, ended));
            self.stats = changes;
        } else {
            self.stats = live_changes(None, final_state, facts, received);
        }
        self
    }
}

async fn seed(store: &dyn Store) -> anyhow::Result<Tree> {
    let t = tree(store).await?;
    let v = store
        .insert_procedure(
            &ctx()?,
            &super::catalog::draft("1.004222", "Đăng ký thường trú", "Cư trú")?,
        )
        .await?;
    let items: Vec<NewDossier> = specs()
        .iter()
        .enumerate()
        .map(|(i, s)| new_dossier(&t, (v.procedure_id, v.version_id), s, i + 1))
        .collect::<anyhow::Result<_>>()?;
    store.import_dossiers(&ctx()?, "dashboard", &items).await?;
    Ok(t)
}

fn scope(unit_ids: Vec<i64>) -> anyhow::Result<DashboardScope> {
    Ok(DashboardScope {
        unit_ids,
        departed: Vec::new(),
        now: vn("2025-11-24T10:00")?,
        today: vn("2025-11-24T00:00")?,
        tomorrow: vn("2025-11-25T00:00")?,
        series_from: vn("2025-11-11T00:00")?,
        series_days: 14,
    })
}

/// The series with counts on the given days of November (from the 11th).
fn series(days: &[(i8, u64)]) -> Vec<u64> {
    (11..=24)
        .map(|d| days.iter().find(|(x, _)| *x == d).map_or(0, |(_, n)| *n))
        .collect()
}

fn in_progress(online: u64, received: u64, processing: u64, supplement: u64) -> Vec<(Status, u64)> {
    vec![
        (Status::AwaitingOnlineReception, online),
        (Status::Received, received),
        (Status::Processing, processing),
        (Status::AwaitingSupplement, supplement),
        (Status::AwaitingFinancialObligation, 0),
    ]
}

/// District A (itself and its desk) counts what its units received or hold;
/// district B what it received; the whole tree everything but the voided.
pub async fn counts_match_a_hand_count(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let t = seed(store.as_ref()).await?;

    let a = store
        .dashboard_counts(&scope(vec![t.district_a, t.desk_a])?)
        .await?;
    let want_a = DashboardCounts {
        // 1 and 2 (9 is voided, 8 not received yet).
        received_today: 2,
        // 2: processing with its appointment at 16:00 today.
        due_today: 1,
        // 2: near due since 08:00, due 16:00.
        near_due: 1,
        // 3: due 21/11 (10 belongs to B).
        overdue: 1,
        // 7 on 15/11, 11 on 18/11, 3 on 20/11, 1 and 2 on 24/11.
        received_per_day: series(&[(15, 1), (18, 1), (20, 1), (24, 2)]),
        // 8; 1; 2, 3 and 11; 7.
        in_progress: in_progress(1, 1, 3, 1),
    };
    ensure!(a == want_a, "district A: {a:#?}");

    let b = store.dashboard_counts(&scope(vec![t.district_b])?).await?;
    let want_b = DashboardCounts {
        // 10.
        received_today: 1,
        // 10: its appointment was 09:00 today, so it is due today and,
        // at 10:00, overdue as well.
        due_today: 1,
        near_due: 0,
        overdue: 1,
        received_per_day: series(&[(18, 1), (24, 1)]),
        in_progress: in_progress(0, 0, 2, 0),
    };
    ensure!(b == want_b, "district B: {b:#?}");

    let all = store.dashboard_counts(&scope(Vec::new())?).await?;
    ensure!(
        all.received_today == 3 && all.overdue == 2,
        "whole tree: {all:#?}"
    );
    ensure!(
        all.in_progress == in_progress(1, 1, 4, 1),
        "whole tree: {:?}",
        all.in_progress
    );
    Ok(())
}

/// The service counts the subtree of the unit asked for, defaults to the
/// person's first unit, and refuses (with an audit entry) a unit the person
/// holds no role on.
pub async fn the_service_counts_the_units_subtree_and_refuses_other_units(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let t = seed(store.as_ref()).await?;
    let user = store
        .insert_user(&ctx()?, &new_user("chuyenvien", "Chuyên Viên"))
        .await?;
    store
        .grant_role(&ctx()?, user.id, Role::Specialist, t.district_a)
        .await?;
    let actor = Actor::load(store.as_ref(), user.id, "chuyenvien").await?;
    let now = vn("2025-11-24T10:00")?;

    let units = dashboard::units(store.as_ref(), &actor).await?;
    ensure!(
        units.iter().map(|u| u.code.as_str()).collect::<Vec<_>>() == [DISTRICT_A],
        "{units:?}"
    );
    let d = dashboard::dashboard(store.as_ref(), &actor, now, None).await?;
    ensure!(d.unit.id == t.district_a, "the first unit by default");
    ensure!(d.today == "2025-11-24".parse::<Date>()?, "{:?}", d.today);
    ensure!(d.month_start == "2025-11-01".parse::<Date>()?);
    ensure!(d.series_from == "2025-11-11".parse::<Date>()?);
    ensure!(
        d.counts.received_today == 2 && d.counts.overdue == 1,
        "{:#?}",
        d.counts
    );
    // The month from the statistics layer, by receiving unit: received 1,
    // 2, 3, 4, 5, 7 and 13 (not 11, which B received and A holds; not 6 and
    // 12, received in October), 1 and 5 online; ended 4 (on time), 5 (late),
    // 6 (early at 00:30 on 01/11) and 13 (on time), not 12 (31/10 23:45).
    ensure!(d.on_time() == (3, 4), "{:?}", d.on_time());
    ensure!(d.online() == (2, 7), "{:?}", d.online());
    let series = d.series();
    ensure!(series.len() == 14, "{series:?}");
    ensure!(
        series[13] == ("2025-11-24".parse()?, 2) && series[4] == ("2025-11-15".parse()?, 1),
        "{series:?}"
    );
    // The desk alone: its own dossiers and those it holds.
    let desk = dashboard::dashboard(store.as_ref(), &actor, now, Some(DESK_A)).await?;
    ensure!(desk.month.received() == 7, "{:#?}", desk.month);

    let before = audit_count(store.as_ref()).await?;
    let e = expect_err(
        dashboard::dashboard(store.as_ref(), &actor, now, Some(DISTRICT_B)).await,
        "another district's dashboard",
    )?;
    ensure!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");
    ensure!(
        audit_count(store.as_ref()).await? == before + 1,
        "the refusal is audited"
    );
    let e = expect_err(
        dashboard::dashboard(store.as_ref(), &actor, now, Some("not a code")).await,
        "a malformed unit code",
    )?;
    ensure!(
        matches!(&e, ServiceError::Invalid { field, .. } if field == "unit"),
        "{e:?}"
    );

    // Someone with no role anywhere has no dashboard.
    let nobody = store
        .insert_user(&ctx()?, &new_user("khach", "Khách"))
        .await?;
    let nobody = Actor::load(store.as_ref(), nobody.id, "khach").await?;
    ensure!(dashboard::units(store.as_ref(), &nobody).await?.is_empty());
    let e = expect_err(
        dashboard::dashboard(store.as_ref(), &nobody, now, None).await,
        "a dashboard without roles",
    )?;
    ensure!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");

    // A province-wide viewer counts everything (no unit filter at all).
    let viewer = store
        .insert_user(&ctx()?, &new_user("xem", "Người Xem"))
        .await?;
    store
        .grant_role(&ctx()?, viewer.id, Role::Viewer, t.province)
        .await?;
    let viewer = Actor::load(store.as_ref(), viewer.id, "xem").await?;
    let all = dashboard::dashboard(store.as_ref(), &viewer, now, None).await?;
    ensure!(
        all.counts.received_today == 3 && all.month.received() == 9,
        "{:#?}",
        all.counts
    );
    // District B's month: 10 and 11, both received there.
    let b_viewer = store
        .insert_user(&ctx()?, &new_user("xem.b", "Người Xem B"))
        .await?;
    store
        .grant_role(&ctx()?, b_viewer.id, Role::Viewer, t.district_b)
        .await?;
    let b_viewer = Actor::load(store.as_ref(), b_viewer.id, "xem.b").await?;
    let b = dashboard::dashboard(store.as_ref(), &b_viewer, now, None).await?;
    ensure!(
        b.online() == (0, 2) && b.on_time() == (0, 0),
        "{:#?}",
        b.month
    );
    Ok(())
}
