//! `dossier-search`: the staff search box over the dataset, one request at
//! a time over HTTP (what an officer's typing does), client- and
//! server-observed (issue 18 target: p95 < 50 ms for a code, a name and an
//! identity number at 1,000,000 dossiers, both databases).

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

/// Names as the generator writes them (data.rs): a family name, a middle
/// name and a given name, typed without diacritics.
const NAMES: &[&str] = &[
    "nguyen van an",
    "tran thi lan",
    "le duc nam",
    "pham minh hai",
    "hoang ngoc mai",
    "dang huu son",
    "bui quang trung",
    "ngo thanh yen",
];

/// The text of a query's `i`-th request.
type QueryText<'a> = Box<dyn Fn(usize) -> String + 'a>;

/// Codes and identity numbers of dossiers spread over the units, read
/// through the API before timing.
async fn samples(
    client: &reqwest::Client,
    base: &str,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut codes = Vec::new();
    for unit in data::receiving_units().iter().step_by(7) {
        let page: serde_json::Value = client
            .get(format!("{base}/api/dossiers?unit={unit}&limit=3"))
            .send()
            .await?
            .json()
            .await?;
        for item in page["items"].as_array().into_iter().flatten() {
            codes.extend(item["code"].as_str().map(str::to_owned));
        }
    }
    anyhow::ensure!(!codes.is_empty(), "the dataset has no dossiers");
    let mut identities = Vec::new();
    for code in codes.iter().take(40) {
        let d: serde_json::Value = client
            .get(format!("{base}/api/dossiers/{code}"))
            .send()
            .await?
            .json()
            .await?;
        identities.extend(d["applicant"]["identity"].as_str().map(str::to_owned));
    }
    Ok((codes, identities))
}

async fn one(ds: &Dataset, args: &Args) -> anyhow::Result<()> {
    let name = ds.backend.name();
    ds.user("bench.viewer", Role::Viewer, data::PROVINCE)
        .await?;
    ds.user("bench.district", Role::Viewer, &data::district(3))
        .await?;
    let server = Server::start(ds, 120).await?;
    let province = server.login("bench.viewer", 4).await?;
    let district = server.login("bench.district", 4).await?;
    let (codes, identities) = samples(&province, &server.base).await?;
    let queries: Vec<(&str, QueryText)> = vec![
        ("code, exact", Box::new(|i| codes[i % codes.len()].clone())),
        (
            "identity number, exact",
            Box::new(|i| identities[i % identities.len()].clone()),
        ),
        (
            "full name, 3 words",
            Box::new(|i| NAMES[i % NAMES.len()].to_owned()),
        ),
        (
            "given name, 2 words",
            Box::new(|i| {
                let n = NAMES[i % NAMES.len()];
                n.split_once(' ').map_or(n, |(_, r)| r).to_owned()
            }),
        ),
        (
            "typing a name, 'nguyen v' (capped candidates)",
            Box::new(|_| "nguyen v".to_owned()),
        ),
    ];
    println!(
        "{name}: search box (limit 20) over HTTP, {} timed requests each, one at a time",
        args.requests
    );
    println!("| query | who | rows | client p50 | p95 | p99 | server p50 | p95 | p99 |");
    for (label, q) in &queries {
        for (who, client) in [("province", &province), ("one district", &district)] {
            let mut client_t: Vec<Duration> = Vec::with_capacity(args.requests);
            let mut rows = 0usize;
            server.times.take();
            for i in 0..args.requests + 20 {
                let text = q(i * 7 + 3);
                let url = format!("{}/api/dossiers", server.base);
                let t = Instant::now();
                let res = client
                    .get(&url)
                    .query(&[("q", text.as_str()), ("limit", "20")])
                    .send()
                    .await?;
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
            let srv = server.times.take();
            let mut srv = srv[srv.len().saturating_sub(args.requests)..].to_vec();
            let c = percentiles(&mut client_t);
            let s = percentiles(&mut srv);
            println!(
                "| {label} | {who} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
                rows as f64 / args.requests as f64,
                c.p50,
                c.p95,
                c.p99,
                s.p50,
                s.p95,
                s.p99
            );
        }
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
