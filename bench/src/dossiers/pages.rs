//! `ui-pages`: the staff pages people open all day (the home dashboard,
//! the work queues and the dossier list with its total) over HTTP on the dossier dataset, one request at a
//! time, client- and server-observed (issue 6 target: server p95 < 100 ms
//! with 1,000,000 dossiers).
//!
//! The dataset's dossiers are imported history, so they are held by units,
//! not by people: the "assigned to me" queue is empty and measured only as
//! the floor of a page; the unit and approval queues of a district's
//! specialist and leader walk the open dossiers of the district's subtree.

use std::time::{Duration, Instant};

use motcua_domain::role::Role;

use super::{DataArgs, Dataset, Server, data};
use crate::stats::percentiles;

/// Options.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Timed requests per page (after 10 warm-up ones).
    #[arg(long, default_value_t = 200)]
    requests: usize,
}

/// A page as measured: (label, user, path).
fn pages() -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "dashboard, province (every unit)",
            "bench.viewer",
            "/".to_owned(),
        ),
        (
            "dashboard, one district (leader)",
            "bench.leader",
            format!("/?unit={}", data::district(0)),
        ),
        (
            "home page's work tiles, loaded after it (leader)",
            "bench.leader",
            "/viec-cua-toi".to_owned(),
        ),
        (
            "dashboard figures only (htmx refresh), district",
            "bench.leader",
            format!("/?unit={}", data::district(0)),
        ),
        (
            "queue: my unit's (specialist), by due",
            "bench.specialist",
            "/hang-doi?tab=unit&sort=due".to_owned(),
        ),
        (
            "queue: my unit's (specialist), newest",
            "bench.specialist",
            "/hang-doi?tab=unit".to_owned(),
        ),
        (
            "queue: waiting for my approval (leader)",
            "bench.leader",
            "/hang-doi?tab=approval".to_owned(),
        ),
        (
            "queue: assigned to me (specialist; empty)",
            "bench.specialist",
            "/hang-doi?tab=mine".to_owned(),
        ),
        (
            "list: every unit (viewer), newest, with its total",
            "bench.viewer",
            "/ho-so".to_owned(),
        ),
        (
            "list: one district (leader), newest, with its total",
            "bench.leader",
            format!("/ho-so?unit={}", data::district(0)),
        ),
        (
            "list: one district (leader), oldest, with its total",
            "bench.leader",
            format!("/ho-so?unit={}&sort=oldest", data::district(0)),
        ),
        (
            "list: one district (leader), latest due, with its total",
            "bench.leader",
            format!("/ho-so?unit={}&sort=due_latest", data::district(0)),
        ),
        (
            "list: one district's open ones (leader), by due, with its total",
            "bench.leader",
            format!(
                "/ho-so?unit={}&status=received%2Cprocessing&sort=due",
                data::district(0)
            ),
        ),
    ]
}

/// Rows of a queue's table in an HTML page (0 for a dashboard).
fn rows(html: &str) -> usize {
    html.matches("<tr").count().saturating_sub(1)
}

async fn one(ds: &Dataset, args: &Args) -> anyhow::Result<()> {
    let name = ds.backend.name();
    ds.user("bench.viewer", Role::Viewer, data::PROVINCE)
        .await?;
    ds.user("bench.leader", Role::Leader, &data::district(0))
        .await?;
    ds.user("bench.specialist", Role::Specialist, &data::district(0))
        .await?;
    let server = Server::start(ds, 120).await?;
    let mut clients = std::collections::HashMap::new();
    for u in ["bench.viewer", "bench.leader", "bench.specialist"] {
        clients.insert(u, server.login(u, 2).await?);
    }
    println!(
        "{name}: staff pages over HTTP, {} timed requests each after 10 warm-ups, one at a time",
        args.requests
    );
    println!("| page | bytes | table rows | client p50 | p95 | p99 | server p50 | p95 | p99 |");
    for (label, user, path) in pages() {
        let client = &clients[user];
        let htmx = label.contains("htmx");
        let url = format!("{}{path}", server.base);
        let mut client_t: Vec<Duration> = Vec::with_capacity(args.requests);
        let (mut bytes, mut table) = (0usize, 0usize);
        server.times.take();
        for i in 0..args.requests + 10 {
            let mut req = client.get(&url);
            if htmx {
                req = req.header("hx-request", "true");
            }
            let t = Instant::now();
            let res = req.send().await?;
            let status = res.status();
            let body = res.text().await?;
            let took = t.elapsed();
            anyhow::ensure!(status == 200, "{label}: {status} {body}");
            if i >= 10 {
                client_t.push(took);
                bytes = body.len();
                table = rows(&body);
            }
        }
        let mut srv = server.times.take();
        let mut srv = srv.split_off(srv.len().saturating_sub(args.requests));
        let c = percentiles(&mut client_t);
        let s = percentiles(&mut srv);
        println!(
            "| {label} | {bytes} | {table} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            c.p50, c.p95, c.p99, s.p50, s.p95, s.p99
        );
    }
    server.stop();
    Ok(())
}

/// Runs on each backend.
pub async fn run(args: Args) -> anyhow::Result<()> {
    for backend in args.data.backends() {
        if let Some(ds) = Dataset::open(backend, &args.data).await? {
            one(&ds, &args).await?;
        }
    }
    Ok(())
}
