//! `online-submit`: citizens submitting dossiers through the portal's form
//! (`POST /cong-dan/nop/{procedure}`, multipart), each with a file of
//! `--file-mb` megabytes for its mandatory document, from many signed-in
//! accounts at once. Each file differs (its first bytes carry a counter),
//! so the content-addressed store writes every one.
//!
//! Accounts and their portal sessions are written straight to the store
//! before the load (a session secret known to the bench); what is measured
//! is the submission: the form read, the file checked and kept, the
//! dossier written with its file and owner.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use motcua_domain::contact::Contact;
use motcua_service::store::{AccountKind, AccountSession, AuditContext, NewAccount};

use super::data::{desk, district_level, procedure};
use super::{DataArgs, Dataset, Server};
use crate::stats::percentiles;

/// Options.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Concurrent citizens (connections).
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds of load (after 3 s of warm-up).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Size of each submission's file, in MiB.
    #[arg(long, default_value_t = 2)]
    file_mb: usize,
}

const BOUNDARY: &str = "motcuaBench9Zx";

/// One submission's body: the token first, the fields, the file.
fn body(csrf: &str, unit: &str, file: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(file.len() + 2048);
    let fields = [
        ("csrf_token", csrf),
        ("unit", unit),
        ("name", "Nguyễn Thị Thử Tải"),
        ("identity", "040095000123"),
        ("phone", "0912345678"),
        ("email", ""),
        ("address", "Xã Đà Sơn, Nghệ An"),
    ];
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    b.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file-0\"; \
             filename=\"to-khai.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    b.extend_from_slice(file);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

struct Worker {
    samples: Vec<Duration>,
    failures: u64,
    first_failure: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn drive(
    client: reqwest::Client,
    url: String,
    cookie: String,
    csrf: String,
    unit: String,
    file: Arc<Vec<u8>>,
    seed: u64,
    stop: Arc<AtomicBool>,
    record: Arc<AtomicBool>,
) -> Worker {
    let mut w = Worker {
        samples: Vec::with_capacity(4096),
        failures: 0,
        first_failure: None,
    };
    let mut n: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let mut content = file.as_ref().clone();
        // A different file each time: the counter after the PDF header.
        let stamp = format!("%{seed:08}-{n:012}\n");
        let at = 9.min(content.len());
        let end = (at + stamp.len()).min(content.len());
        content[at..end].copy_from_slice(&stamp.as_bytes()[..end - at]);
        let payload = body(&csrf, &unit, &content);
        let t = Instant::now();
        let res = client
            .post(&url)
            .header("cookie", &cookie)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(payload)
            .send()
            .await;
        let ok = match res {
            Ok(r) => {
                let status = r.status().as_u16();
                let _ = r.bytes().await;
                if status != 303 && w.first_failure.is_none() {
                    w.first_failure = Some(format!("status {status}"));
                }
                status == 303
            }
            Err(e) => {
                if w.first_failure.is_none() {
                    w.first_failure = Some(e.to_string());
                }
                false
            }
        };
        let took = t.elapsed();
        if record.load(Ordering::Relaxed) {
            if ok {
                w.samples.push(took);
            } else {
                w.failures += 1;
            }
        }
    }
    w
}

async fn one(ds: &Dataset, args: &Args) -> anyhow::Result<()> {
    let name = ds.backend.name();
    // A district-level procedure (offered online, one mandatory document)
    // at district 0's one-stop desk.
    let i = (0..).find(|i| district_level(*i)).unwrap_or(0);
    let code = procedure(i);
    let unit = desk(0);
    // One account and session per connection, new for this run.
    let run = jiff::Timestamp::now().as_millisecond();
    let ctx = AuditContext {
        actor: "bench".into(),
        at: jiff::Timestamp::now(),
    };
    let mut sessions = Vec::new();
    for k in 0..args.connections {
        let a = ds
            .store
            .insert_account(
                &ctx,
                &NewAccount {
                    kind: AccountKind::Citizen,
                    full_name: format!("Công dân thử tải {k}"),
                    contact: Contact::Email(format!("bench-{run}-{k}@example.org")),
                    password_hash: "$argon2id$unused".into(),
                },
            )
            .await?;
        ds.store.mark_account_verified(&ctx, a.id).await?;
        let secret = format!("bench{run}x{k}");
        let csrf = format!("csrf{run}x{k}");
        ds.store
            .create_account_session(&AccountSession {
                id_hash: motcua_service::auth::secret_hash(&secret),
                account_id: a.id,
                csrf_token: csrf.clone(),
                created_at: jiff::Timestamp::now(),
                expires_at: jiff::Timestamp::now() + jiff::SignedDuration::from_hours(2),
            })
            .await?;
        sessions.push((format!("motcua_portal={secret}"), csrf));
    }
    let files = std::env::temp_dir().join(format!("motcua-bench-files-{run}"));
    let server = Server::start_with_files(ds, u32::MAX, Some(files.clone())).await?;
    let mut file = b"%PDF-1.4\n".to_vec();
    file.resize(args.file_mb << 20, b'x');
    let file = Arc::new(file);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let url = format!("{}/cong-dan/nop/{code}", server.base);
    let stop = Arc::new(AtomicBool::new(false));
    let record = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (k, (cookie, csrf)) in sessions.into_iter().enumerate() {
        tasks.push(tokio::spawn(drive(
            client.clone(),
            url.clone(),
            cookie,
            csrf,
            unit.clone(),
            file.clone(),
            k as u64,
            stop.clone(),
            record.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    server.times.take();
    record.store(true, Ordering::Relaxed);
    let cpu0 = super::Cpu::now();
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    record.store(false, Ordering::Relaxed);
    let elapsed = t0.elapsed();
    let cpu1 = super::Cpu::now();
    let mut srv = server.times.take();
    stop.store(true, Ordering::Relaxed);
    let mut samples = Vec::new();
    let mut failures = 0;
    let mut why = None;
    for t in tasks {
        let w = t.await?;
        samples.extend(w.samples);
        failures += w.failures;
        why = why.or(w.first_failure);
    }
    server.stop();
    let _ = std::fs::remove_dir_all(&files);
    let n = samples.len();
    let c = percentiles(&mut samples);
    let s = percentiles(&mut srv);
    println!(
        "{name}: online submissions with a {} MiB file, {} citizens, {:.1} s: {:.1} submissions/s ({n} ok, {failures} failed{})",
        args.file_mb,
        args.connections,
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        why.map(|w| format!("; first: {w}")).unwrap_or_default()
    );
    println!("{name}:   client-observed {c}");
    println!("{name}:   server-observed {s}");
    println!("{name}:   {}", cpu0.report(&cpu1, elapsed.as_secs_f64()));
    Ok(())
}

/// Runs on each backend asked for.
pub async fn run(args: Args) -> anyhow::Result<()> {
    for backend in args.data.backends() {
        if let Some(ds) = Dataset::open(backend, &args.data).await? {
            one(&ds, &args).await?;
        }
    }
    Ok(())
}
