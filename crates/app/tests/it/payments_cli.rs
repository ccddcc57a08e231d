//! `motcua payments reconcile` against the simulated gateway, on both
//! databases: a payment the gateway took and no dossier of ours explains
//! shows as only at the gateway (exit 1), a quiet day agrees (exit 0), and
//! a bad date is one line naming the flag.

use motcua_notify::payment::SignedGateway;
use motcua_notify::simulators::PaymentGatewaySimulator;
use motcua_service::payments::{PaymentGateway, PaymentRequest};
use motcua_testkit::{Backend, TestDb};

use crate::{assert_one_line_error, motcua_in, stdout};

/// Pays `amount` at the gateway under `reference` (09:00 on 24/11/2025,
/// Viet Nam time) and drops the answer, as if it never reached us.
async fn paid_at_gateway(g: &SignedGateway, reference: &str, amount: i64) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = g.pay_url(&PaymentRequest {
        reference: reference.into(),
        amount_dong: amount,
        description: "Phí, lệ phí".into(),
        return_url: "http://127.0.0.1:9/cong-dan/thanh-toan/ve".into(),
        created_at: "2025-11-24T02:00:00Z".parse().unwrap(),
    });
    let page = http.get(&url).send().await.unwrap().text().await.unwrap();
    let pay = page
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let origin = url.split("/pay").next().unwrap();
    let r = http.get(format!("{origin}{pay}")).send().await.unwrap();
    assert_eq!(r.status(), 303);
}

async fn reconcile_on(b: Backend) {
    let db = TestDb::migrated(b).await.unwrap();
    let sim = PaymentGatewaySimulator::start("MOTCUACLI", "bi-mat-cli")
        .await
        .unwrap();
    let settings = sim.settings("MOTCUACLI", "bi-mat-cli");
    let g = SignedGateway::new(settings.clone()).unwrap();
    paid_at_gateway(&g, "CLIREF0001", 75_000).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("motcua.toml"),
        format!(
            "[payment]\npay_url = \"{}\"\nmerchant = \"MOTCUACLI\"\nsecret = \"bi-mat-cli\"\n",
            settings.pay_url
        ),
    )
    .unwrap();
    let url = db.url().to_owned();
    let path = dir.path().to_owned();
    // The binary calls the simulator in this process: run it off the
    // runtime's threads.
    let run = move |args: Vec<String>| {
        let path = path.clone();
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
            all.extend(["--database-url", &url]);
            motcua_in(&path, &all)
        })
    };
    let args = |rest: &[&str]| -> Vec<String> {
        ["payments", "reconcile"]
            .iter()
            .chain(rest)
            .map(|s| (*s).to_owned())
            .collect()
    };
    let o = run(args(&["--date", "2025-11-24", "--format", "json"]))
        .await
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", crate::stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["date"], "2025-11-24");
    assert_eq!(v["matched"], serde_json::json!([]));
    let only = v["only_at_gateway"].as_array().unwrap();
    assert_eq!(only.len(), 1, "{v}");
    assert_eq!(only[0]["reference"], "CLIREF0001");
    assert_eq!(only[0]["gateway_amount_dong"], 75_000);
    assert_eq!(only[0]["our_status"], serde_json::Value::Null);
    assert_eq!(only[0]["dossier_code"], serde_json::Value::Null);

    let o = run(args(&["--date", "2025-11-24"])).await.unwrap();
    assert_eq!(o.status.code(), Some(1));
    let table = stdout(&o);
    assert!(table.contains("reconciliation of 2025-11-24"), "{table}");
    assert!(table.contains("only at the gateway: 1"), "{table}");
    assert!(table.contains("CLIREF0001"), "{table}");
    assert!(table.contains("matched: 0"), "{table}");

    let o = run(args(&["--date", "2025-11-25"])).await.unwrap();
    assert!(o.status.success(), "{}", crate::stderr(&o));
    assert!(stdout(&o).contains("only at the gateway: 0"));

    let o = run(args(&["--date", "24/11/2025"])).await.unwrap();
    assert_one_line_error(&o, &["--date", "24/11/2025"]);
    let o = run(args(&["--date", "2025-11-24", "--format", "xml"]))
        .await
        .unwrap();
    assert_one_line_error(&o, &["--format", "xml"]);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_reports_what_only_the_gateway_has_on_sqlite() {
    reconcile_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_reports_what_only_the_gateway_has_on_postgres() {
    reconcile_on(Backend::Postgres).await;
}

#[test]
fn without_a_gateway_reconciliation_says_what_is_missing() {
    let o = crate::motcua(&["payments", "reconcile", "--date", "2025-11-24"]);
    assert_one_line_error(&o, &["payment", "configured"]);
}
