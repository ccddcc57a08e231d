//! `dossier-list`: pages of 100 out of the dataset over HTTP, one request at
//! a time (what an officer's screen does), client- and server-observed.

use std::time::{Duration, Instant};

use motcua_domain::role::Role;

use super::{DataArgs, Dataset, Server, data};
use crate::stats::percentiles;

/// Options.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Timed requests per query (after 20 warm-up ones).
    #[arg(long, default_value_t = 300)]
    requests: usize,
}

/// The pages: (label, query string). Units vary between requests so the
/// same page is not asked twice in a row.
fn queries(i: usize) -> Vec<(&'static str, String)> {
    let d = (i % data::DISTRICTS as usize) as u32;
    let p = (i % data::PROCEDURES as usize) as u32;
    vec![
        ("newest, unfiltered", "sort=newest&limit=100".to_owned()),
        (
            "district subtree, processing+awaiting_supplement, sort=due",
            format!(
                "unit={}&status=processing,awaiting_supplement&sort=due&limit=100",
                data::district(d)
            ),
        ),
        (
            "procedure, newest",
            format!("procedure={}&limit=100", data::procedure(p)),
        ),
        (
            "overdue=true, sort=due",
            "overdue=true&sort=due&limit=100".to_owned(),
        ),
        (
            "district subtree, overdue=true, sort=due",
            format!("unit={}&overdue=true&sort=due&limit=100", data::district(d)),
        ),
        (
            "district subtree, newest, page 2 by cursor",
            format!("unit={}&limit=100", data::district(d)),
        ),
    ]
}

async fn one(ds: &Dataset, args: &Args) -> anyhow::Result<()> {
    let name = ds.backend.name();
    ds.user("bench.viewer", Role::Viewer, data::PROVINCE)
        .await?;
    let server = Server::start(ds, 120).await?;
    let client = server.login("bench.viewer", 4).await?;
    let labels = queries(0);
    println!(
        "{name}: list pages of 100 over HTTP, {} timed requests each, one at a time",
        args.requests
    );
    println!("| query | rows | client p50 | p95 | p99 | server p50 | p95 | p99 |");
    for (qi, (label, _)) in labels.iter().enumerate() {
        let mut client_t: Vec<Duration> = Vec::with_capacity(args.requests);
        let mut rows = 0usize;
        server.times.take();
        let cursor_page = label.contains("page 2");
        for i in 0..args.requests + 20 {
            let q = &queries(i)[qi].1;
            let mut url = format!("{}/api/dossiers?{q}", server.base);
            if cursor_page {
                // The first page gives the cursor; only the second is timed
                // on the client (the server records both).
                let r: serde_json::Value = client.get(&url).send().await?.json().await?;
                let next = r["next"].as_str().unwrap_or_default().to_owned();
                url = format!("{url}&cursor={next}");
            }
            let t = Instant::now();
            let res = client.get(&url).send().await?;
            anyhow::ensure!(
                res.status() == 200,
                "{label}: {} {}",
                res.status(),
                res.text().await.unwrap_or_default()
            );
            let body: serde_json::Value = res.json().await?;
            let took = t.elapsed();
            if i >= 20 {
                client_t.push(took);
                rows += body["items"].as_array().map_or(0, Vec::len);
            }
        }
        let mut srv = server.times.take();
        if cursor_page {
            // Keep the second-page requests: every other sample.
            srv = srv.into_iter().skip(1).step_by(2).collect();
        }
        let srv = srv.split_off(srv.len().saturating_sub(args.requests));
        let c = percentiles(&mut client_t);
        let mut srv = srv;
        let s = percentiles(&mut srv);
        println!(
            "| {label} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            rows as f64 / args.requests as f64,
            c.p50,
            c.p95,
            c.p99,
            s.p50,
            s.p95,
            s.p99
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
