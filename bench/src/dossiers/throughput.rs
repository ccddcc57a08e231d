//! `list-throughput`: list pages of 100 from many clients at once, for a
//! fixed time, reporting pages per second and where the CPU went (issue 18
//! target: at least 700 pages/s with 16 clients at 100,000 dossiers on
//! SQLite).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use motcua_domain::role::Role;

use super::{DataArgs, Dataset, Server, data};

/// Options.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Seconds of load per query (after 3 s of warm-up).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
}

/// The pages asked for: (label, query string of request `i`).
fn query(which: usize, i: usize) -> String {
    let d = (i % data::DISTRICTS as usize) as u32;
    match which {
        0 => "limit=100".to_owned(),
        _ => format!(
            "unit={}&status=processing,awaiting_supplement&sort=due&limit=100",
            data::district(d)
        ),
    }
}

const LABELS: [&str; 2] = [
    "newest, unfiltered",
    "district subtree, processing+awaiting_supplement, sort=due",
];

/// What the clients share: when to stop, when to count, and the counts.
#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    record: AtomicBool,
    pages: AtomicU64,
    failures: AtomicU64,
}

async fn drive(client: reqwest::Client, base: String, which: usize, seed: usize, s: Arc<Shared>) {
    let mut i = seed;
    while !s.stop.load(Ordering::Relaxed) {
        i = i.wrapping_add(7);
        let url = format!("{base}/api/dossiers?{}", query(which, i));
        let ok = match client.get(&url).send().await {
            Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
            Err(_) => false,
        };
        if s.record.load(Ordering::Relaxed) {
            if ok {
                s.pages.fetch_add(1, Ordering::Relaxed);
            } else {
                s.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

async fn one(ds: &Dataset, args: &Args) -> anyhow::Result<()> {
    let name = ds.backend.name();
    ds.user("bench.viewer", Role::Viewer, data::PROVINCE)
        .await?;
    let server = Server::start(ds, u32::MAX).await?;
    let client = server.login("bench.viewer", args.clients).await?;
    for (which, label) in LABELS.iter().enumerate() {
        let shared = Arc::new(Shared::default());
        let tasks: Vec<_> = (0..args.clients)
            .map(|k| {
                tokio::spawn(drive(
                    client.clone(),
                    server.base.clone(),
                    which,
                    k,
                    shared.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(3)).await;
        shared.record.store(true, Ordering::Relaxed);
        let cpu0 = super::Cpu::now();
        let t0 = Instant::now();
        tokio::time::sleep(Duration::from_secs(args.seconds)).await;
        shared.record.store(false, Ordering::Relaxed);
        let elapsed = t0.elapsed().as_secs_f64();
        let cpu1 = super::Cpu::now();
        shared.stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await?;
        }
        let n = shared.pages.load(Ordering::Relaxed);
        println!(
            "{name}: {label}: {} clients, {elapsed:.1} s: {:.0} pages/s ({n} pages of 100, {} failed)",
            args.clients,
            n as f64 / elapsed,
            shared.failures.load(Ordering::Relaxed)
        );
        println!("{name}:   {}", cpu0.report(&cpu1, elapsed));
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
