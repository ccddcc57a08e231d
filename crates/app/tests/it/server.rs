//! The server as an operator runs it: `serve` on either database, `demo`, and
//! the commands that read the database the server wrote.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use jiff::civil::date;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::store::{AuditContext, NewUnit};
use motcua_testkit::{Backend, TestDb};

use crate::{assert_one_line_error, motcua, motcua_in, stdout};

/// A running `motcua` server, killed when dropped.
pub(crate) struct Server {
    child: Child,
    /// The server's standard error, kept so that a failed stop can say why.
    stderr: std::fs::File,
    pub(crate) base: String,
}

impl Server {
    pub(crate) fn start(dir: &std::path::Path, args: &[&str]) -> Server {
        let stderr = tempfile::tempfile().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
        cmd.args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(stderr.try_clone().unwrap());
        for (k, _) in std::env::vars() {
            if k.starts_with("MOTCUA_") {
                cmd.env_remove(k);
            }
        }
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().expect("server printed nothing").unwrap();
        let base = first
            .strip_prefix("motcua listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            stderr,
            base,
        }
    }

    /// Sends SIGTERM and checks that the server drains and exits with 0;
    /// otherwise panics with the exit status and what the server wrote to
    /// standard error.
    pub(crate) fn stop(mut self) {
        use std::io::{Read, Seek};
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        if !status.success() {
            let mut text = String::new();
            let _ = self.stderr.seek(std::io::SeekFrom::Start(0));
            let _ = self.stderr.read_to_string(&mut text);
            let tail: Vec<&str> = text.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            panic!(
                "SIGTERM should give a clean exit, got {status}; standard error ends with:\n{}",
                tail.join("\n")
            );
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn check_operations_endpoints(base: &str, backend: &str) {
    let http = reqwest::Client::new();
    let r = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().contains_key("x-request-id"),
        "request ids are returned"
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");

    let r = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["backend"], backend);
    assert!(body["applied_migrations"].as_u64().unwrap() >= 1);
    assert_eq!(body["applied_migrations"], body["expected_migrations"]);

    let r = http
        .get(format!("{base}/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let healthz_line = text
        .lines()
        .find(|l| {
            l.starts_with("motcua_http_requests_total")
                && l.contains("route=\"/healthz\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no healthz counter in {text}"));
    assert!(healthz_line.ends_with(" 1"), "{healthz_line}");
    assert!(text.contains("status=\"404\""), "the 404 is counted too");
}

async fn serve_on(backend: Backend) {
    let db = TestDb::unmigrated(backend).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &["serve", "--database-url", db.url(), "--port", "0"],
    );
    check_operations_endpoints(&server.base, backend.name()).await;
    server.stop();
    db.close().await;
}

#[tokio::test]
async fn serve_migrates_and_answers_on_sqlite() {
    serve_on(Backend::Sqlite).await;
}

/// A supervisor may stop the server the moment it says it listens: the
/// signal handlers must be in place by then, or SIGTERM kills it outright.
#[test]
fn sigterm_right_after_listening_gives_a_clean_exit() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("m.db").display());
        let server = Server::start(
            dir.path(),
            &["serve", "--database-url", &url, "--port", "0"],
        );
        server.stop();
    }
}

#[tokio::test]
async fn serve_migrates_and_answers_on_postgres() {
    serve_on(Backend::Postgres).await;
}

/// Counts from the demo CSV itself, read here without the importer:
/// procedure rows (a code in column A), and by online level among them.
fn demo_counts() -> (u32, u32, u32) {
    let csv_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/demo/procedures.csv"
    ))
    .unwrap();
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let mut out = (0, 0, 0); // all, full-process, partial
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if rec[0].trim().is_empty() {
            continue;
        }
        out.0 += 1;
        match rec[7].trim() {
            "Toàn trình" => out.1 += 1,
            "Một phần" => out.2 += 1,
            _ => {}
        }
    }
    out
}

/// The unit codes of a province report's rows by unit, `TOTAL` apart.
async fn report_units(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    from: &str,
    to: &str,
) -> Vec<String> {
    let r: serde_json::Value = http
        .get(format!(
            "{base}/api/reports/dossiers?unit=000.00.00.H40&from={from}&to={to}&by=unit"
        ))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|row| row["key"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn demo_seeds_once_and_every_change_is_in_the_audit_chain() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = format!("sqlite://{}", data.join("motcua.db").display());
    let data_arg = data.to_str().unwrap();
    let (all, full, partial) = demo_counts();
    assert!(all >= 60, "the demo catalog has at least 60 procedures");
    let mut entries = Vec::new();
    for _ in 0..2 {
        let server = Server::start(dir.path(), &["demo", "--port", "0", "--data-dir", data_arg]);
        let http = reqwest::Client::new();
        let r = http
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // The province's viewer looks at the commune of Đô Lương and at the
        // province's reports.
        let login = http
            .post(format!("{}/api/auth/login", server.base))
            .json(&serde_json::json!({ "username": "theodoi", "password": "motcua-demo" }))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);
        let cookie = login.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let stats: serde_json::Value = http
            .get(format!(
                "{}/api/catalog/stats?unit=000.00.41.H40",
                server.base
            ))
            .header("cookie", cookie.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Six weeks of live dossiers at the commune's service centre, in
        // every state, newest first.
        let page: serde_json::Value = http
            .get(format!(
                "{}/api/dossiers?unit=000.00.41.H40&limit=200",
                server.base
            ))
            .header("cookie", cookie.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() >= 100, "{} demo dossiers", items.len());
        for status in ["returned", "processing"] {
            assert!(
                items.iter().any(|d| d["status"] == status),
                "a demo dossier is {status}"
            );
        }
        // Most walks end: the older ones were signed (with their result's
        // file) and returned, not left in processing by a refused step.
        let ended = items
            .iter()
            .filter(|d| d["status"] == "returned" || d["status"] == "refused")
            .count();
        assert!(
            ended * 2 > items.len(),
            "{ended} of {} demo dossiers ended",
            items.len()
        );
        // Two years of history crossing the reform: 2024 under the
        // districts, 2026 under the new communes, and a period across 1
        // July 2025 under the tree of its end (the communes hold the
        // districts' desks' history).
        let districts = vec!["000.00.21.H40".to_owned(), "000.00.22.H40".to_owned()];
        let communes = vec![
            "000.00.41.H40".to_owned(),
            "000.00.42.H40".to_owned(),
            "000.00.43.H40".to_owned(),
        ];
        let today = motcua_domain::time::to_local(jiff::Timestamp::now()).date();
        let (base, c) = (server.base.as_str(), cookie.as_str());
        assert_eq!(
            report_units(&http, base, c, "2024-07-01", "2025-06-30").await,
            districts
        );
        assert_eq!(
            report_units(
                &http,
                base,
                c,
                &format!("{}-01-01", today.year()),
                &today.to_string()
            )
            .await,
            communes
        );
        assert_eq!(
            report_units(&http, base, c, "2025-04-01", "2025-09-30").await,
            communes
        );
        let c = stats
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["level"] == "commune")
            .cloned()
            .unwrap_or_else(|| panic!("{stats}"));
        assert_eq!(
            (
                c["procedures"].as_u64().unwrap(),
                c["full_process"].as_u64().unwrap(),
                c["partial"].as_u64().unwrap()
            ),
            (u64::from(all), u64::from(full), u64::from(partial)),
            "the new commune handles every procedure: {stats}"
        );
        assert_eq!(
            c["processes"], 6,
            "six internal processes are seeded at Đô Lương"
        );
        server.stop();
        let o = motcua(&["audit", "verify", "--database-url", &url]);
        let out = stdout(&o);
        assert!(
            o.status.success()
                && out.starts_with("ok: ")
                && out.trim_end().ends_with(" audit entries, chain intact"),
            "{out}"
        );
        let n: u64 = out
            .trim_start_matches("ok: ")
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        entries.push(n);
    }
    // The second start seeds nothing more: its only new entry is the audited sign-in.
    assert_eq!(entries[1], entries[0] + 1);
}

async fn db_with_unit(backend: Backend) -> TestDb {
    let db = TestDb::migrated(backend).await.unwrap();
    let ctx = AuditContext {
        actor: "test".into(),
        at: jiff::Timestamp::now(),
    };
    db.store()
        .insert_unit(
            &ctx,
            &NewUnit {
                code: UnitCode::parse("000.01.21.H40").unwrap(),
                name: "Bộ phận Một cửa huyện Đô Lương".into(),
                kind: UnitKind::Desk,
                level: Level::District,
                parent_id: None,
                valid_from: date(2020, 1, 1),
                valid_to: None,
            },
        )
        .await
        .unwrap();
    db
}

async fn unit_calendar_on(backend: Backend) {
    let db = db_with_unit(backend).await;
    let url = db.url().to_owned();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--database-url", &url]);
        motcua(&all)
    };
    let unit = ["--unit", "000.01.21.H40"];
    let due5 = [
        "calendar",
        "due",
        "--from",
        "2025-04-25T09:00",
        "--working-days",
        "5",
    ];

    // A storm closes this desk on Mon 28/04/2025: Sat 26 (1), Tue 29 (2), Mon 5/5 (3),
    // Tue 6/5 (4), Wed 7/5 (5).
    let o = run(&[
        &[
            "calendar",
            "set",
            "--date",
            "2025-04-28",
            "--off",
            "--reason",
            "Nghỉ do bão",
        ][..],
        &unit,
    ]
    .concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&[&due5[..], &unit].concat());
    assert_eq!(stdout(&o).trim(), "2025-05-07T09:00:00+07:00");
    // Other units keep the national calendar.
    assert_eq!(stdout(&run(&due5)).trim(), "2025-05-06T09:00:00+07:00");
    let days = run(&[
        &[
            "calendar",
            "days",
            "--from",
            "2025-04-28",
            "--to",
            "2025-04-28",
        ][..],
        &unit,
    ]
    .concat());
    assert_eq!(
        stdout(&days),
        "date,status,reason\n2025-04-28,off,Nghỉ do bão\n"
    );

    // Office hours from 07:30: a receipt at 07:00 counts from 07:30; one hour later is 08:30.
    let o = run(&[
        "calendar",
        "hours",
        "--unit",
        "000.01.21.H40",
        "--from",
        "2025-01-01",
        "--sessions",
        "07:30-11:30,13:00-17:00",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&[
        &[
            "calendar",
            "due",
            "--from",
            "2025-04-25T07:00",
            "--hours",
            "1",
        ][..],
        &unit,
    ]
    .concat());
    assert_eq!(stdout(&o).trim(), "2025-04-25T08:30:00+07:00");

    // Removing the correction restores the national answer.
    let o = run(&[&["calendar", "unset", "--date", "2025-04-28"][..], &unit].concat());
    assert!(o.status.success());
    assert_eq!(
        stdout(&run(&[&due5[..], &unit].concat())).trim(),
        "2025-05-06T09:00:00+07:00"
    );

    // Bad input changes nothing: an unknown unit, a bad code, bad sessions.
    let o = run(&[&due5[..], &["--unit", "999.99.99.Z99"]].concat());
    assert_one_line_error(&o, &["unit not found", "999.99.99.Z99"]);
    let o = run(&[&due5[..], &["--unit", "H40"]].concat());
    assert_one_line_error(&o, &["--unit", "H40"]);
    let o = run(&[
        "calendar",
        "hours",
        "--unit",
        "000.01.21.H40",
        "--from",
        "2025-01-01",
        "--sessions",
        "13:00-11:00",
    ]);
    assert_one_line_error(&o, &["13:00"]);
    let o = run(&[
        "calendar",
        "set",
        "--date",
        "2025-04-30",
        "--working",
        "--reason",
        "  ",
    ]);
    assert_one_line_error(&o, &["reason"]);

    // Unit insert, set, hours, unset: four entries, chain intact.
    let o = run(&["audit", "verify"]);
    assert_eq!(stdout(&o).trim(), "ok: 4 audit entries, chain intact");
    // Someone with the database owner's rights drops the append-only guards and
    // edits the second entry behind motcua's back.
    db.drop_audit_guards().await.unwrap();
    db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        .await
        .unwrap();
    let o = run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("entry 2 was edited"));
    db.close().await;
}

#[tokio::test]
async fn unit_calendar_corrections_and_office_hours_on_sqlite() {
    unit_calendar_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn unit_calendar_corrections_and_office_hours_on_postgres() {
    unit_calendar_on(Backend::Postgres).await;
}

#[test]
fn migrate_reports_what_it_applied_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let first = stdout(&motcua_in(dir.path(), &["migrate", "--database-url", &url]));
    assert!(
        first.starts_with("migrated sqlite:") && !first.contains(" 0 applied now"),
        "{first}"
    );
    let second = stdout(&motcua_in(dir.path(), &["migrate", "--database-url", &url]));
    assert!(second.contains(": 0 applied now"), "{second}");
}
