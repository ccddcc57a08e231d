//! Snapshots of closed months' levels (issue 17, reports at 10,000,000
//! dossiers), on both databases: a report builds them, a write dated in
//! the past replaces those it changes, a write dated today leaves them,
//! and a rebuild drops them with the layer they came from.

use jiff::Timestamp;
use jiff::civil::date;
use motcua_domain::dossier::Channel;
use motcua_domain::stats::Breakdown;
use motcua_service::access::Actor;
use motcua_service::stats::rebuild::rebuild;
use motcua_service::stats::report::{Report, ReportQuery, dossier_report};
use motcua_testkit::{Backend, TestApp, codes};

use crate::api_auth::on_both;
use crate::stats_replay::{Rng, reception, setup};

on_both!(a_past_write_replaces_the_snapshots_it_changes);

async fn december(app: &TestApp) -> Report {
    let q = ReportQuery {
        unit: codes::PROVINCE.to_owned(),
        from: date(2025, 12, 1),
        to: date(2025, 12, 31),
        by: Breakdown::Unit,
    };
    dossier_report(
        app.db.store().as_ref(),
        &Actor::system("kiemthu"),
        Timestamp::now(),
        &q,
    )
    .await
    .unwrap()
}

async fn snapshot_rows(app: &TestApp) -> i64 {
    app.db
        .query_i64("SELECT count(*) FROM stat_snapshots")
        .await
        .unwrap()
}

async fn a_past_write_replaces_the_snapshots_it_changes(b: Backend) {
    let (app, svc) = setup(b).await;
    let system = Actor::system("kiemthu");
    let mut rng = Rng(0x5eed_0000_0000_0011);
    // Three dossiers received on the test clock's first day, 24 November
    // 2025, and still open: December carries them over.
    for i in 0..3 {
        svc.receive(
            &system,
            reception(codes::DISTRICT_A, Channel::InPerson, i, &mut rng),
        )
        .await
        .unwrap();
    }
    assert_eq!(
        snapshot_rows(&app).await,
        0,
        "nothing is kept before a report"
    );
    let first = december(&app).await;
    assert_eq!(first.total.carried_over, 3);
    assert_eq!(first.total.received_total, 3);
    assert_eq!(first.total.in_progress, 3);
    // The ends of November and December were kept: a marker and the
    // district's row each.
    let kept = snapshot_rows(&app).await;
    assert_eq!(kept, 4, "two snapshots of a marker and one unit");
    // The same report again reads them and gives the same figures.
    assert_eq!(december(&app).await, first);

    // A reception dated in the past (26 November 2025), as an import or a
    // late entry writes it: both snapshots held it wrong and are replaced.
    app.clock
        .set("2025-11-26T02:00:00Z".parse::<Timestamp>().unwrap());
    svc.receive(
        &system,
        reception(codes::COMMUNE_A, Channel::Postal, 3, &mut rng),
    )
    .await
    .unwrap();
    let second = december(&app).await;
    assert_eq!(second.total.carried_over, 4);
    assert_eq!(second.total.in_progress, 4);
    assert_eq!(
        snapshot_rows(&app).await,
        6,
        "rebuilt with the commune's row"
    );

    // A reception dated today leaves the closed months' snapshots alone.
    app.clock.set(Timestamp::now());
    svc.receive(
        &system,
        reception(codes::DISTRICT_A, Channel::InPerson, 4, &mut rng),
    )
    .await
    .unwrap();
    assert_eq!(snapshot_rows(&app).await, 6);
    assert_eq!(december(&app).await, second);

    // A rebuild drops the snapshots with the layer they were summed from:
    // counters damaged by hand show in a snapshot built from them, and
    // after the rebuild the report is right again.
    app.db
        .execute("UPDATE stat_counts SET open = open + 5")
        .await
        .unwrap();
    app.db.execute("DELETE FROM stat_snapshots").await.unwrap();
    let damaged = december(&app).await;
    assert_ne!(damaged.total, second.total, "the damage shows");
    // Recomputing reads every unit's dossiers: a unit's leader is refused
    // (and the refusal audited); the system gets the layer the rebuild
    // then stores.
    let id = app
        .user(
            "lanhdao-x",
            motcua_domain::role::Role::Leader,
            motcua_testkit::codes::PROVINCE,
        )
        .await
        .unwrap();
    let leader = Actor::load(app.db.store().as_ref(), id, "lanhdao-x")
        .await
        .unwrap();
    let refused = motcua_service::stats::rebuild::recompute_as(
        app.db.store().as_ref(),
        &leader,
        Timestamp::now(),
    )
    .await;
    assert!(
        matches!(refused, Err(motcua_service::ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    let (rows, _) = motcua_service::stats::rebuild::recompute_as(
        app.db.store().as_ref(),
        &system,
        Timestamp::now(),
    )
    .await
    .unwrap();
    let done = rebuild(app.db.store().as_ref(), &system, Timestamp::now(), false)
        .await
        .unwrap();
    assert!(done.stored);
    assert_eq!(done.rows, rows.len());
    assert_eq!(december(&app).await, second);
}
