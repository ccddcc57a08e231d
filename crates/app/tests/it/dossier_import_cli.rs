//! `motcua import dossiers` against a real database: the documented example
//! imports with its timelines folded by motcua's clock, and a bad file is
//! refused whole, naming every bad row and column.

use jiff::Timestamp;
use motcua_domain::deadline::Classification;
use motcua_domain::dossier::Status;
use motcua_testkit::{Backend, TestApp};

use crate::{motcua, stdout};

const PROCEDURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/import/procedures-example.csv"
);
const DOSSIERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/import/dossiers-example.csv"
);

fn at(s: &str) -> Option<Timestamp> {
    Some(s.parse().unwrap())
}

async fn import_on(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let url = app.db.url().to_owned();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--database-url", &url]);
        motcua(&all)
    };
    let o = run(&["import", "procedures", PROCEDURES]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let o = run(&["import", "dossiers", DOSSIERS]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{err}");
    // Statuses counted by hand from the example's rows 2 to 8.
    assert_eq!(
        stdout(&o).trim(),
        "imported 7 dossiers: processing 1, awaiting_supplement 1, returned 3, refused 1, withdrawn 1"
    );
    // Row 8 records 12/03 17:00; 3 working days from Friday 08/03 16:00 are
    // Monday 11, Tuesday 12, Wednesday 13: due Wednesday 13/03 16:00.
    assert_eq!(
        err.lines().filter(|l| l.starts_with("warning:")).count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("warning: row 8, column N (Hạn giải quyết)")
            && err.contains("2024-03-13T16:00:00"),
        "{err}"
    );

    let store = app.db.store();
    // Row 3: procedure 1.004222, 7 working days, received Monday 04/03/2024
    // 09:00. Without the wait: Tue 5, Wed 6, Thu 7, Fri 8, Mon 11, Tue 12,
    // Wed 13 → Wednesday 13/03 09:00. The wait from Tuesday 05/03 09:00 to
    // Thursday 07/03 09:00 holds exactly two working days of office time
    // (2 × 8 h), so the due moves two working days: Friday 15/03 09:00
    // (02:00 UTC).
    let d = store
        .dossier_by_code("000.01.21.H40-240304-0002")
        .await
        .unwrap();
    assert!(d.imported);
    assert_eq!(d.state.status, Status::Processing);
    assert_eq!(d.state.original_due, at("2024-03-15T02:00:00Z"));
    assert_eq!(d.state.current_due, at("2024-03-15T02:00:00Z"));
    assert_eq!(d.state.supplement_count, 1);
    assert!(d.state.clock_running);
    assert_eq!(d.fee_dong, 20_000);
    let events = store.dossier_events(d.id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        ["receive", "request_supplement", "supply_supplement"]
    );
    for e in &events {
        assert_eq!(e.event.actor, "import");
        assert_eq!(e.event.detail["source"], "dossiers-example.csv");
        assert_eq!(e.event.detail["row"], 3);
    }
    assert_eq!(events[1].event.at, at("2024-03-05T02:00:00Z").unwrap());
    assert_eq!(store.dossier_components(d.id).await.unwrap().len(), 2);

    // Row 4: 1.001612, 3 working days from Tuesday 05/03 10:00 → Friday
    // 08/03 10:00 (03:00 UTC); extended to Tuesday 12/03 10:00; ended
    // Monday 11/03 16:00, after the original due: late, as for a live
    // dossier judged against the original due.
    let late = store
        .dossier_by_code("000.01.21.H40-240305-0001")
        .await
        .unwrap();
    assert_eq!(late.state.status, Status::Returned);
    assert_eq!(late.state.original_due, at("2024-03-08T03:00:00Z"));
    assert_eq!(late.state.current_due, at("2024-03-12T03:00:00Z"));
    assert_eq!(late.state.classification, Some(Classification::Late));
    assert_eq!(late.state.extension_count, 1);
    assert_eq!(late.state.ended_at, at("2024-03-11T09:00:00Z"));
    assert_eq!(late.state.returned_at, at("2024-03-12T02:00:00Z"));

    // Row 2: due Thursday 07/03 09:00, ended Wednesday 06/03: early.
    let early = store
        .dossier_by_code("000.01.21.H40-240304-0001")
        .await
        .unwrap();
    assert_eq!(early.state.classification, Some(Classification::Early));
    assert!(early.state.result_digitised);
    // Row 5: same day, refused at 10:00 on the receipt day: on time.
    let refused = store
        .dossier_by_code("000.11.21.H40-240306-0001")
        .await
        .unwrap();
    assert_eq!(refused.state.status, Status::Refused);
    assert_eq!(refused.state.classification, Some(Classification::OnTime));
    // Row 6: still waiting for a supplement: the clock is stopped.
    let waiting = store
        .dossier_by_code("000.01.21.H40-240306-0001")
        .await
        .unwrap();
    assert_eq!(waiting.state.status, Status::AwaitingSupplement);
    assert!(!waiting.state.clock_running);

    let count = || async {
        app.db
            .query_i64("SELECT count(*) FROM dossiers")
            .await
            .unwrap()
    };
    assert_eq!(count().await, 7);

    // A bad file: rows 2 and 4 are good, row 3 has a bad receipt date and row
    // 5 an unknown procedure. Both are listed; nothing is imported.
    let example = std::fs::read_to_string(DOSSIERS).unwrap();
    let header = example.lines().next().unwrap();
    let good =
        |code: &str| format!("{code},1.001612,,,,Nguyễn Văn An,,,,,,,04/03/2024 09:00,,,,,,,,,,,");
    let bad = [
        header.to_owned(),
        good("000.01.21.H40-240311-0001"),
        "000.01.21.H40-240311-0002,1.001612,,,,Lê Thị Hoa,,,,,,,31/02/2024 09:00,,,,,,,,,,,"
            .to_owned(),
        good("000.01.21.H40-240311-0003"),
        "000.01.21.H40-240311-0004,9.999999,,,,Lê Thị Hoa,,,,,,,04/03/2024 09:00,,,,,,,,,,,"
            .to_owned(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let bad_path = dir.path().join("bad.csv");
    std::fs::write(&bad_path, bad.join("\n")).unwrap();
    let o = run(&["import", "dossiers", bad_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("row 3, column M (Ngày tiếp nhận)") && err.contains("31/02/2024"),
        "{err}"
    );
    assert!(
        err.contains("row 5, column B (Mã thủ tục)") && err.contains("9.999999"),
        "{err}"
    );
    assert!(err.contains("2 problem(s)"), "{err}");
    assert!(o.stdout.is_empty() && !err.contains("panicked"));
    assert_eq!(count().await, 7, "nothing of the bad file was imported");

    // The imported history counts in the periods it happened in: March
    // 2024 received the 7 (rows 6 and 8 online), and the layer written by
    // the import is the one the histories give.
    let o = run(&[
        "report",
        "dossiers",
        "--unit",
        "000.00.21.H40",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
        "--by",
        "channel",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = stdout(&o);
    let total: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("TOTAL,"))
        .unwrap_or_else(|| panic!("{csv}"))
        .split(',')
        .collect();
    // key,label,received_total,received_online,received_in_person_or_postal,
    // carried_over,resolved,early,on_time,late,in_progress,within_limit,overdue
    assert_eq!(&total[2..6], ["7", "2", "5", "0"], "{csv}");
    let n = |i: usize| total[i].parse::<i64>().unwrap();
    assert_eq!(n(6) + n(10), 7, "resolved + in progress: {csv}");
    assert_eq!(n(10), n(11) + n(12), "{csv}");
    let o = run(&["stats", "rebuild", "--verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).starts_with("ok: 7 dossiers replayed"),
        "{}",
        stdout(&o)
    );
    let o = run(&[
        "report",
        "dossiers",
        "--unit",
        "000.00.21.H40",
        "--from",
        "2024-03-31",
        "--to",
        "2024-03-01",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.starts_with("error: --to:") && err.lines().count() == 1,
        "{err}"
    );

    // A database from before the statistics layer (migration 9) gets it
    // filled from the histories when it is migrated.
    let report_csv = |o: std::process::Output| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        stdout(&o)
    };
    let march = [
        "report",
        "dossiers",
        "--unit",
        "000.00.21.H40",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
        "--by",
        "channel",
        "--format",
        "csv",
    ];
    // A database from before the layer (migration 9) has none of its
    // tables.
    for table in ["stat_counts", "stat_snapshots", "stat_epoch"] {
        app.db
            .execute(&format!("DROP TABLE {table}"))
            .await
            .unwrap();
    }
    // Nor the search terms (migration 12) or the outbox's dossier index (13).
    app.db.execute("DROP TABLE dossier_search").await.unwrap();
    for index in ["dossiers_code_c_idx", "outbox_dossier_idx"] {
        app.db
            .execute(&format!("DROP INDEX IF EXISTS {index}"))
            .await
            .unwrap();
    }
    // Nor the access and calendar revisions (14, 15) with their triggers.
    undo_revisions(&app.db).await;
    app.db
        .execute("DELETE FROM _sqlx_migrations WHERE version >= 9")
        .await
        .unwrap();
    let o = run(&["migrate"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).contains("statistics rebuilt from 7 dossiers"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        report_csv(run(&march)),
        csv,
        "the same figures as written live"
    );
    // The upgrade found the imported dossiers' search terms: each has its
    // name's and its numbers' rows.
    assert_eq!(
        app.db
            .query_i64("SELECT count(DISTINCT dossier_id) FROM dossier_search")
            .await
            .unwrap(),
        7
    );
    // Migrating again rebuilds nothing.
    let o = run(&["migrate"]);
    assert!(!stdout(&o).contains("statistics"), "{}", stdout(&o));

    // A database from before the processing time (migration 10): its
    // layer gets the new measures from the histories too.
    for column in ["resolved_timed", "processing_minutes"] {
        app.db
            .execute(&format!("ALTER TABLE stat_counts DROP COLUMN {column}"))
            .await
            .unwrap();
    }
    // It has none of migration 11's and 12's tables either.
    for table in ["stat_snapshots", "stat_epoch", "dossier_search"] {
        app.db
            .execute(&format!("DROP TABLE {table}"))
            .await
            .unwrap();
    }
    for index in ["dossiers_code_c_idx", "outbox_dossier_idx"] {
        app.db
            .execute(&format!("DROP INDEX IF EXISTS {index}"))
            .await
            .unwrap();
    }
    undo_revisions(&app.db).await;
    app.db
        .execute("DELETE FROM _sqlx_migrations WHERE version >= 10")
        .await
        .unwrap();
    let o = run(&["migrate"]);
    assert!(
        stdout(&o).contains("statistics rebuilt from 7 dossiers"),
        "{}",
        stdout(&o)
    );
    assert_eq!(report_csv(run(&march)), csv, "the same figures after 0010");

    // The same file again: its first code is already taken; nothing changes.
    let o = run(&["import", "dossiers", DOSSIERS, "--source", "lần 2"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("row 2, column A (Mã hồ sơ)") && err.contains("already exists"),
        "{err}"
    );
    assert_eq!(count().await, 7);
    app.close().await;
}

#[tokio::test]
async fn dossier_history_imports_on_sqlite() {
    import_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn dossier_history_imports_on_postgres() {
    import_on(Backend::Postgres).await;
}

/// Takes back migrations 14 to 19 (the access and calendar revisions with
/// their triggers, the portal accounts, feedback, the payment refunds, the
/// catalog's templates), so that migrating again re-creates them.
async fn undo_revisions(db: &motcua_testkit::TestDb) {
    // Migrations 0016 (portal accounts), 0017 (feedback), 0018 (payment
    // refunds) and 0019 (catalog templates) make tables and a column of one
    // of them only.
    for table in [
        "catalog_templates",
        "feedback_votes",
        "feedback",
        "payment_refunds",
        "portal_drafts",
        "applicant_sessions",
        "applicant_dossiers",
        "dossier_ratings",
        "payments",
        "one_time_codes",
        "applicant_accounts",
    ] {
        db.execute(&format!("DROP TABLE {table}")).await.unwrap();
    }
    db.execute("DROP TABLE calendar_revision").await.unwrap();
    db.execute("DROP TABLE access_revision").await.unwrap();
    if db.backend() == motcua_testkit::Backend::Postgres {
        db.execute("DROP FUNCTION calendar_revision_bump() CASCADE")
            .await
            .unwrap();
        db.execute("DROP FUNCTION access_revision_bump() CASCADE")
            .await
            .unwrap();
    } else {
        for table in ["units", "unit_versions", "unit_successions", "role_grants"] {
            for change in ["insert", "update", "delete"] {
                db.execute(&format!("DROP TRIGGER {table}_access_{change}"))
                    .await
                    .unwrap();
            }
        }
        for table in ["calendar_overrides", "office_hours", "settings_calendar"] {
            for change in ["insert", "update", "delete"] {
                db.execute(&format!("DROP TRIGGER {table}_revision_{change}"))
                    .await
                    .unwrap();
            }
        }
    }
}
