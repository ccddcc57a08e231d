//! `dossier-transitions`: sustained writes over HTTP. Desks receive
//! dossiers, then workers take each through its life with the version of
//! the previous answer: hand over to the justice office's specialist, hand
//! over to the district's leader, sign the result, record the return.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_domain::role::Role;
use serde_json::{Value, json};

use super::{DataArgs, Dataset, Server, data};
use crate::stats::percentiles;

/// Options.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Concurrent workers (HTTP requests in flight).
    #[arg(long, default_value_t = 32)]
    workers: usize,
    /// Dossiers received, then taken through their life.
    #[arg(long, default_value_t = 6_000)]
    count: usize,
    /// Districts whose desks take part (each has its own three users).
    #[arg(long, default_value_t = 10)]
    districts: u32,
    /// Ask for the whole dossier back after each write instead of the
    /// minimal answer (`Prefer: return=minimal`) a throughput client uses.
    #[arg(long)]
    full_answers: bool,
}

/// The three people of a district.
struct People {
    desk: reqwest::Client,
    specialist: reqwest::Client,
    leader: reqwest::Client,
    specialist_name: String,
    leader_name: String,
    desk_unit: String,
}

fn reception(desk_unit: &str, i: usize) -> Value {
    json!({
        "unit": desk_unit, "procedure": data::procedure(0), "channel": "in_person",
        "applicant": { "kind": "citizen", "name": format!("Nguyễn Văn Đo {i}"), "identity": "040095000123",
            "phone": "0912 345 678", "email": "", "address": "Xã Bồi Sơn" },
        "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "digitised": true, "reused": false }]
    })
}

async fn post(
    c: &reqwest::Client,
    url: String,
    body: &Value,
    minimal: bool,
) -> anyhow::Result<(Duration, Value)> {
    let t = Instant::now();
    let mut req = c.post(url).json(body);
    if minimal {
        req = req.header("Prefer", "return=minimal");
    }
    let r = req.send().await?;
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    let took = t.elapsed();
    anyhow::ensure!(status.is_success(), "{status}: {v}");
    Ok((took, v))
}

async fn one(ds: &Dataset, args: &Args) -> anyhow::Result<()> {
    let name = ds.backend.name();
    let minimal = !args.full_answers;
    println!(
        "{name}: answers: {}",
        if minimal {
            "minimal (Prefer: return=minimal)"
        } else {
            "the whole dossier"
        }
    );
    let server = Server::start(ds, 120).await?;
    let mut people = Vec::new();
    for d in 0..args.districts.min(data::DISTRICTS) {
        let (desk, spec, lead) = (
            format!("bench.desk{d}"),
            format!("bench.spec{d}"),
            format!("bench.lead{d}"),
        );
        ds.user(&desk, Role::DeskOfficer, &data::desk(d)).await?;
        ds.user(&spec, Role::Specialist, &data::office(d)).await?;
        ds.user(&lead, Role::Leader, &data::district(d)).await?;
        people.push(People {
            desk: server.login(&desk, 64).await?,
            specialist: server.login(&spec, 64).await?,
            leader: server.login(&lead, 64).await?,
            specialist_name: spec,
            leader_name: lead,
            desk_unit: data::desk(d),
        });
    }
    let people = Arc::new(people);
    let base = Arc::new(server.base.clone());
    let before = ds.scalar("SELECT count(*) FROM dossiers").await?;

    // Phase 1: receptions.
    server.times.take();
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..args.workers {
        let people = people.clone();
        let base = base.clone();
        let n = args.count / args.workers + usize::from(w < args.count % args.workers);
        tasks.push(tokio::spawn(async move {
            let mut out: Vec<(usize, String, i64, Duration)> = Vec::with_capacity(n);
            for k in 0..n {
                let i = w + k * 1_000;
                let p = &people[(w + k) % people.len()];
                let (took, v) = post(
                    &p.desk,
                    format!("{base}/api/dossiers"),
                    &reception(&p.desk_unit, i),
                    minimal,
                )
                .await?;
                out.push((
                    (w + k) % people.len(),
                    v["code"].as_str().unwrap_or_default().to_owned(),
                    v["version"].as_i64().unwrap_or(1),
                    took,
                ));
            }
            anyhow::Ok(out)
        }));
    }
    let mut received = Vec::new();
    for t in tasks {
        received.push(t.await??);
    }
    let recv_time = t0.elapsed();
    let mut recv_lat: Vec<Duration> = received.iter().flatten().map(|r| r.3).collect();
    let mut recv_srv = server.times.take();
    let n_recv = recv_lat.len();
    println!(
        "{name}: received {n_recv} dossiers over HTTP with {} workers in {:.1} s: {:.0} receptions/s",
        args.workers,
        recv_time.as_secs_f64(),
        n_recv as f64 / recv_time.as_secs_f64()
    );
    println!("{name}:   client {}", percentiles(&mut recv_lat));
    println!("{name}:   server {}", percentiles(&mut recv_srv));

    // Phase 2: four transitions per dossier, each from the version the
    // previous answer gave.
    let cpu0 = super::Cpu::now();
    let t1 = Instant::now();
    let mut tasks = Vec::new();
    for list in received {
        let people = people.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
            for (pi, code, mut version) in list.into_iter().map(|(a, b, c, _)| (a, b, c)) {
                let p = &people[pi];
                let url = format!("{base}/api/dossiers/{code}/actions");
                let steps: [(&'static str, &reqwest::Client, Value); 4] = [
                    (
                        "hand_over (desk → specialist)",
                        &p.desk,
                        json!({ "action": "hand_over", "to_user": p.specialist_name }),
                    ),
                    (
                        "hand_over (specialist → leader)",
                        &p.specialist,
                        json!({ "action": "hand_over", "to_user": p.leader_name }),
                    ),
                    (
                        "sign_result",
                        &p.leader,
                        json!({ "action": "sign_result", "result_digitised": false }),
                    ),
                    (
                        "record_return",
                        &p.desk,
                        json!({ "action": "record_return", "collector_name": "Nguyễn Văn Đo",
                                "collector_identity": "040095000123" }),
                    ),
                ];
                for (label, client, mut body) in steps {
                    body["version"] = json!(version);
                    let (took, v) = post(client, url.clone(), &body, minimal)
                        .await
                        .map_err(|e| anyhow::anyhow!("{code} {label}: {e}"))?;
                    let answered = if minimal { &v } else { &v["dossier"] };
                    version = answered["version"].as_i64().unwrap_or(version + 1);
                    lat.entry(label).or_default().push(took);
                }
            }
            anyhow::Ok(lat)
        }));
    }
    let mut lat: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    for t in tasks {
        for (k, v) in t.await?? {
            lat.entry(k).or_default().extend(v);
        }
    }
    let act_time = t1.elapsed();
    let cpu1 = super::Cpu::now();
    let mut srv = server.times.take();
    let total: usize = lat.values().map(Vec::len).sum();
    println!(
        "{name}: {total} transitions over HTTP with {} workers in {:.1} s: {:.0} transitions/s \
         (receptions and transitions together: {:.0} writes/s)",
        args.workers,
        act_time.as_secs_f64(),
        total as f64 / act_time.as_secs_f64(),
        (total + n_recv) as f64 / (act_time + recv_time).as_secs_f64()
    );
    for (k, v) in &mut lat {
        println!("{name}:   {k}: client {}", percentiles(v));
    }
    println!(
        "{name}:   all transitions, server {}",
        percentiles(&mut srv)
    );
    println!("{name}:   {}", cpu0.report(&cpu1, act_time.as_secs_f64()));
    let after = ds.scalar("SELECT count(*) FROM dossiers").await?;
    println!("{name}:   dossiers {before} → {after}");
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
