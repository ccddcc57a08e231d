//! Dossier benchmarks of issue 5 over a generated province with a million
//! dossiers: the load itself, list pages, the public status lookup and
//! transitions, over HTTP against the application served in this process.
//!
//! The dataset is kept between runs: a SQLite file (`--keep`) and a
//! PostgreSQL database (`--pg-database`) on the server named by
//! `MOTCUA_TEST_DATABASE_URL`; a later benchmark reuses them when they hold
//! the requested number of dossiers.

pub mod data;
pub mod list;
pub mod lookup;
pub mod pages;
pub mod reports;
pub mod search;
pub mod submit;
pub mod throughput;
pub mod transitions;

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use motcua_domain::role::Role;
use motcua_domain::unit::UnitCode;
use motcua_service::access::Actor;
use motcua_service::catalog::FileFormat;
use motcua_service::dossiers::{DossierService, NoticeSettings};
use motcua_service::store::Store;
use motcua_service::users;
use motcua_testkit::Backend;
use reqwest::header::{COOKIE, HeaderMap, HeaderValue};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

/// The password of benchmark users.
pub const PASSWORD: &str = "mật-khẩu-đo-1";

/// Where the dataset lives.
#[derive(clap::Args, Clone)]
pub struct DataArgs {
    /// Dossiers to generate.
    #[arg(long, default_value_t = 1_000_000)]
    pub dossiers: u64,
    /// Only this backend (`sqlite` or `postgres`).
    #[arg(long)]
    pub backend: Option<String>,
    /// The SQLite file kept between runs.
    #[arg(long, default_value = "/tmp/motcua-bench/dossiers.sqlite")]
    pub keep: String,
    /// The PostgreSQL database kept between runs (on the server of
    /// `MOTCUA_TEST_DATABASE_URL`).
    #[arg(long, default_value = "motcua_bench_dossiers")]
    pub pg_database: String,
    /// Regenerate even when a kept dataset exists.
    #[arg(long)]
    pub fresh: bool,
    /// Rows per import transaction.
    #[arg(long, default_value_t = 100_000)]
    pub chunk: usize,
    /// Import calls in flight while the next chunk is generated: with 2,
    /// one chunk is checked and its clocks computed while the previous one
    /// is written (1 runs them one after the other).
    #[arg(long, default_value_t = 2)]
    pub in_flight: usize,
    /// SQLite's `synchronous` for the store (`full`, the default, or
    /// `normal`), to measure what syncing at each commit costs.
    #[arg(long)]
    pub sqlite_synchronous: Option<String>,
}

impl DataArgs {
    /// The backends to run on.
    pub fn backends(&self) -> Vec<Backend> {
        [Backend::Sqlite, Backend::Postgres]
            .into_iter()
            .filter(|b| self.backend.as_deref().is_none_or(|n| n == b.name()))
            .collect()
    }
}

/// An open dataset.
pub struct Dataset {
    /// Which database.
    pub backend: Backend,
    /// Its URL.
    pub url: String,
    /// The store.
    pub store: Arc<dyn Store>,
}

impl Dataset {
    /// Opens the kept dataset, generating it first when it is missing, holds
    /// fewer dossiers than asked, or `--fresh` is given. `None` for
    /// PostgreSQL without `MOTCUA_TEST_DATABASE_URL`.
    pub async fn open(backend: Backend, args: &DataArgs) -> anyhow::Result<Option<Self>> {
        let url = match backend {
            Backend::Sqlite => {
                let path = std::path::Path::new(&args.keep);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                match &args.sqlite_synchronous {
                    Some(s) => format!("sqlite://{}?synchronous={s}", path.display()),
                    None => format!("sqlite://{}", path.display()),
                }
            }
            Backend::Postgres => {
                let Some(server) = motcua_testkit::server_url() else {
                    println!("postgres: skipped (MOTCUA_TEST_DATABASE_URL not set)");
                    return Ok(None);
                };
                let mut admin = PgConnectOptions::from_str(&server)?.connect().await?;
                let exists: Option<i32> =
                    sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                        .bind(&args.pg_database)
                        .fetch_optional(&mut admin)
                        .await?;
                if exists.is_none() {
                    sqlx::query(AssertSqlSafe(format!(
                        "CREATE DATABASE \"{}\"",
                        args.pg_database
                    )))
                    .execute(&mut admin)
                    .await?;
                }
                let _ = admin.close().await;
                with_database(&server, &args.pg_database)
            }
        };
        let mut ds = Self::connect(backend, url.clone()).await?;
        let have = ds.count().await.unwrap_or(0);
        if !args.fresh && have >= args.dossiers as i64 {
            println!(
                "{}: reusing the kept dataset ({have} dossiers)",
                backend.name()
            );
            return Ok(Some(ds));
        }
        // Start over.
        drop(ds);
        match backend {
            Backend::Sqlite => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", args.keep));
                }
            }
            Backend::Postgres => {
                let server = motcua_testkit::server_url().unwrap_or_default();
                let mut admin = PgConnectOptions::from_str(&server)?.connect().await?;
                for sql in [
                    format!(
                        "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                        args.pg_database
                    ),
                    format!("CREATE DATABASE \"{}\"", args.pg_database),
                ] {
                    sqlx::query(AssertSqlSafe(sql)).execute(&mut admin).await?;
                }
                let _ = admin.close().await;
            }
        }
        ds = Self::connect(backend, url).await?;
        ds.generate(args).await?;
        Ok(Some(ds))
    }

    async fn connect(backend: Backend, url: String) -> anyhow::Result<Self> {
        let store = motcua_storage::open(&url).await?;
        store.migrate().await?;
        Ok(Self {
            backend,
            url,
            store,
        })
    }

    async fn count(&self) -> anyhow::Result<i64> {
        self.scalar("SELECT count(*) FROM dossiers").await
    }

    /// Seeds the province and loads the dossiers through the history import.
    async fn generate(&self, args: &DataArgs) -> anyhow::Result<()> {
        let name = self.backend.name();
        let t0 = Instant::now();
        data::seed(self.store.as_ref()).await?;
        let seeded = t0.elapsed();
        println!("{name}: seeded units, procedures and processes in {seeded:.1?}");
        let svc = Arc::new(DossierService::new(
            self.store.clone(),
            Arc::new(motcua_service::clock::SystemClock),
            NoticeSettings::default(),
            None,
        ));
        let now =
            jiff::tz::TimeZone::fixed(jiff::tz::offset(7)).to_datetime(jiff::Timestamp::now());
        let t1 = Instant::now();
        let deferred = self.defer_indexes().await?;
        let mut done = 0usize;
        // Imports run as tasks, up to `in_flight` at once: SQLite writes one
        // transaction at a time, but a chunk's checks and clock computations
        // need no transaction and overlap with the previous chunk's writing.
        let pending = std::cell::RefCell::new(std::collections::VecDeque::new());
        let in_flight = args.in_flight.max(1);
        let runtime = tokio::runtime::Handle::current();
        let counts = data::dossiers(args.dossiers, args.chunk, now, |csv, rows| {
            let part = done / args.chunk.max(1) + 1;
            done += rows;
            let svc = svc.clone();
            let runtime = runtime.clone();
            // Each import on a thread of its own: its checks and the making
            // of its statements hold the thread for seconds without
            // yielding, and on the runtime's two workers they kept the
            // import in its transaction from being woken when the database
            // answered (the writer sat idle half the time).
            let task = tokio::task::spawn_blocking(move || {
                runtime.block_on(async move {
                    let t = Instant::now();
                    let report = svc
                        .import_file(
                            &Actor::system("bench"),
                            csv.as_bytes(),
                            FileFormat::Csv,
                            &format!("bench-{part}.csv"),
                        )
                        .await
                        .map_err(|e| anyhow::anyhow!("import of part {part}: {e:?}"))?;
                    println!(
                        "{name}: part {part}: {} dossiers in {:.1?} ({} warnings)",
                        report.imported,
                        t.elapsed(),
                        report.warnings.len()
                    );
                    anyhow::Ok(())
                })
            });
            let oldest = {
                let mut q = pending.borrow_mut();
                q.push_back(task);
                if q.len() >= in_flight {
                    q.pop_front()
                } else {
                    None
                }
            };
            async move {
                if let Some(task) = oldest {
                    task.await??;
                }
                Ok(())
            }
        })
        .await?;
        let tasks: Vec<_> = pending.borrow_mut().drain(..).collect();
        for task in tasks {
            task.await??;
        }
        let t_index = Instant::now();
        for sql in &deferred {
            match self.backend {
                // Sorted in memory rather than in temporary files (the
                // server's default is 64 MB), as a restore would.
                Backend::Postgres => {
                    let mut c = PgConnection::connect(&self.url).await?;
                    sqlx::raw_sql(AssertSqlSafe(format!(
                        "SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'; {sql}"
                    )))
                    .execute(&mut c)
                    .await?;
                }
                Backend::Sqlite => {
                    self.execute(sql).await?;
                }
            }
        }
        let indexed = t_index.elapsed();
        let generated = t1.elapsed();
        let t2 = Instant::now();
        match self.backend {
            Backend::Postgres => {
                self.execute("VACUUM ANALYZE").await?;
            }
            Backend::Sqlite => {}
        }
        let analyzed = t2.elapsed();
        if self.backend == Backend::Postgres {
            // The figure depends on how often the server checkpoints (each
            // checkpoint makes the next change of every page write it whole
            // to the WAL): say what it ran with.
            let wal = self.pairs("SELECT name, current_setting(name) FROM pg_settings \
                 WHERE name IN ('max_wal_size', 'shared_buffers', 'checkpoint_timeout') ORDER BY name")
                .await?;
            println!("{name}: server settings {wal:?}");
        }
        println!(
            "{name}: loaded {} dossiers in {:.1} s ({in_flight} imports in flight; {} index \
             statements run after the load in {:.1} s, included; VACUUM ANALYZE {:.1} s); by status {counts:?}",
            args.dossiers,
            generated.as_secs_f64(),
            deferred.len(),
            indexed.as_secs_f64(),
            analyzed.as_secs_f64()
        );
        Ok(())
    }

    /// Drops the dossier tables' non-unique indexes of a fresh dataset and
    /// the search terms' key, and returns the statements that build them
    /// again, run after the load: building an index once over sorted keys
    /// costs far less than keeping it up to date row by row (the way
    /// database dumps are restored). The other unique keys stay: the
    /// import's conflict checks need them. On PostgreSQL the same goes for
    /// the dossier tables' foreign keys, checked again when they are added
    /// back.
    ///
    /// The search terms (migration 0012, five a dossier) are keyed by the
    /// term: each import lands all over that B-tree, so the pages a chunk
    /// rewrites grew with the table (a 10,000,000 load went from 13.2 to
    /// about 20 minutes when the terms came). During the load they go to a
    /// table without a key, and are moved sorted into the keyed one at the
    /// end. The import writes the terms of a dossier once each, so nothing
    /// is lost; the move would refuse a duplicate.
    async fn defer_indexes(&self) -> anyhow::Result<Vec<String>> {
        let tables = "('dossiers', 'dossier_events', 'dossier_steps', 'dossier_components')";
        let list = match self.backend {
            Backend::Sqlite => format!(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                 AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN {tables} ORDER BY name"
            ),
            Backend::Postgres => format!(
                "SELECT indexname::text, indexdef FROM pg_indexes \
                 WHERE schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE%' \
                 AND tablename IN {tables} ORDER BY indexname"
            ),
        };
        let indexes = self.pairs(&list).await?;
        for (name, _) in &indexes {
            self.execute(&format!("DROP INDEX \"{name}\"")).await?;
        }
        let mut after: Vec<String> = indexes.into_iter().map(|(_, sql)| sql).collect();
        let (before, terms_after): (&[&str], &[&str]) = match self.backend {
            Backend::Sqlite => (
                &[
                    "ALTER TABLE dossier_search RENAME TO dossier_search_keyed",
                    "CREATE TABLE dossier_search (term TEXT NOT NULL, dossier_id INTEGER NOT NULL)",
                ],
                &[
                    "INSERT INTO dossier_search_keyed (term, dossier_id) \
                     SELECT term, dossier_id FROM dossier_search ORDER BY term, dossier_id",
                    "DROP TABLE dossier_search",
                    "ALTER TABLE dossier_search_keyed RENAME TO dossier_search",
                ],
            ),
            Backend::Postgres => (
                &["ALTER TABLE dossier_search DROP CONSTRAINT dossier_search_pkey"],
                &[
                    "ALTER TABLE dossier_search ADD CONSTRAINT dossier_search_pkey \
                   PRIMARY KEY (term, dossier_id)",
                ],
            ),
        };
        for sql in before {
            self.execute(sql).await?;
        }
        after.extend(terms_after.iter().map(|s| (*s).to_owned()));
        if self.backend == Backend::Postgres {
            // PostgreSQL checks a foreign key row by row, each check a query
            // that also locks the referenced row (a dossier has about twenty:
            // its unit, procedure, process, its events', steps' and
            // components' dossier). Added back after the load, each key is
            // checked once over the whole table by one join, as a restore
            // does; a row without its parent fails the load there.
            let keys = self
                .pairs(&format!(
                    "SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', conrelid::regclass::text, conname), \
                            format('ALTER TABLE %I ADD CONSTRAINT %I %s', conrelid::regclass::text, conname, \
                                   pg_get_constraintdef(oid)) \
                     FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text IN {tables} \
                     ORDER BY conrelid::regclass::text, conname"
                ))
                .await?;
            for (drop, add) in keys {
                self.execute(&drop).await?;
                after.push(add);
            }
        }
        Ok(after)
    }

    /// Runs SQL directly.
    pub async fn execute(&self, sql: &str) -> anyhow::Result<u64> {
        let q = || AssertSqlSafe(sql.to_owned());
        Ok(match self.backend {
            Backend::Sqlite => {
                let mut c = self.sqlite().await?;
                sqlx::query(q()).execute(&mut c).await?.rows_affected()
            }
            Backend::Postgres => {
                let mut c = PgConnection::connect(&self.url).await?;
                sqlx::query(q()).execute(&mut c).await?.rows_affected()
            }
        })
    }

    /// Rows of integers (a plain GROUP BY, for comparison with the
    /// statistics layer).
    pub async fn int_rows(&self, sql: &str) -> anyhow::Result<Vec<Vec<i64>>> {
        use sqlx::Row;
        let q = || AssertSqlSafe(sql.to_owned());
        let decode = |cols: usize, get: &dyn Fn(usize) -> Result<i64, sqlx::Error>| {
            (0..cols).map(get).collect::<Result<Vec<i64>, _>>()
        };
        let mut out = Vec::new();
        match self.backend {
            Backend::Sqlite => {
                for r in sqlx::query(q())
                    .fetch_all(&mut self.sqlite().await?)
                    .await?
                {
                    out.push(decode(r.len(), &|i| r.try_get::<i64, _>(i))?);
                }
            }
            Backend::Postgres => {
                let mut c = PgConnection::connect(&self.url).await?;
                for r in sqlx::query(q()).fetch_all(&mut c).await? {
                    out.push(decode(r.len(), &|i| r.try_get::<i64, _>(i))?);
                }
            }
        }
        Ok(out)
    }

    /// One integer.
    pub async fn scalar(&self, sql: &str) -> anyhow::Result<i64> {
        let q = || AssertSqlSafe(sql.to_owned());
        Ok(match self.backend {
            Backend::Sqlite => {
                sqlx::query_scalar::<_, i64>(q())
                    .fetch_one(&mut self.sqlite().await?)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query_scalar::<_, i64>(q())
                    .fetch_one(&mut PgConnection::connect(&self.url).await?)
                    .await?
            }
        })
    }

    /// Rows of two strings.
    pub async fn pairs(&self, sql: &str) -> anyhow::Result<Vec<(String, String)>> {
        let q = || AssertSqlSafe(sql.to_owned());
        Ok(match self.backend {
            Backend::Sqlite => {
                sqlx::query_as::<_, (String, String)>(q())
                    .fetch_all(&mut self.sqlite().await?)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query_as::<_, (String, String)>(q())
                    .fetch_all(&mut PgConnection::connect(&self.url).await?)
                    .await?
            }
        })
    }

    async fn sqlite(&self) -> anyhow::Result<SqliteConnection> {
        // The store's own `synchronous` parameter is not sqlx's.
        let url = self.url.split('?').next().unwrap_or(&self.url);
        Ok(SqliteConnectOptions::from_str(url)?
            .busy_timeout(Duration::from_secs(30))
            .connect()
            .await?)
    }

    /// Creates `username` with `role` on `unit` unless present.
    pub async fn user(&self, username: &str, role: Role, unit: &str) -> anyhow::Result<()> {
        let store = self.store.as_ref();
        if store.user_by_username(username).await.is_ok() {
            return Ok(());
        }
        let unit_id = store.unit_by_code(&UnitCode::parse(unit)?).await?.id;
        users::add_user_as(
            store,
            &Actor::system("bench"),
            jiff::Timestamp::now(),
            username,
            "Cán Bộ Đo Tải",
            None,
            PASSWORD,
            role,
            unit_id,
        )
        .await?;
        Ok(())
    }
}

fn with_database(server: &str, name: &str) -> String {
    match server.rsplit_once('/') {
        Some((head, _)) if head.contains("://") => format!("{head}/{name}"),
        _ => format!("{server}/{name}"),
    }
}

/// Server-side time per request, measured around the whole router.
#[derive(Clone, Default)]
pub struct ServerTimes(pub Arc<Mutex<Vec<Duration>>>);

impl ServerTimes {
    /// Takes the samples recorded so far.
    pub fn take(&self) -> Vec<Duration> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// The application served on a runtime of its own (two worker threads, as
/// `motcua serve` would have here), with a middleware that records the
/// server-side time of each request.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Server-side times.
    pub times: ServerTimes,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts the server over a store of its own on the dataset's database,
    /// opened on the server's runtime, with the system clock.
    pub async fn start(ds: &Dataset, lookups_per_minute: u32) -> anyhow::Result<Self> {
        Self::start_with_files(ds, lookups_per_minute, None).await
    }

    /// [`start`](Self::start) keeping uploaded files under `files`.
    pub async fn start_with_files(
        ds: &Dataset,
        lookups_per_minute: u32,
        files: Option<std::path::PathBuf>,
    ) -> anyhow::Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("server")
            .enable_all()
            .build()?;
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let times = ServerTimes::default();
        let recorder = times.clone();
        let url = ds.url.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<anyhow::Result<()>>();
        let thread = std::thread::spawn(move || {
            rt.block_on(async move {
                let opened = async {
                    let store = motcua_storage::open(&url).await?;
                    let listener = tokio::net::TcpListener::from_std(std_listener)?;
                    anyhow::Ok((store, listener))
                }
                .await;
                let (store, listener) = match opened {
                    Ok(x) => x,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let dossiers = DossierService::new(
                    store.clone(),
                    Arc::new(motcua_service::clock::SystemClock),
                    NoticeSettings::default(),
                    Some("https://dichvucong.test".to_owned()),
                );
                let dossiers = match files {
                    Some(dir) => {
                        dossiers.with_files(Arc::new(motcua_storage::LocalFileStore::new(dir)))
                    }
                    None => dossiers,
                };
                let state = motcua_web::AppState::with(dossiers.into(), lookups_per_minute);
                let app = motcua_web::router(state).layer(axum::middleware::from_fn(
                    move |req: axum::extract::Request, next: axum::middleware::Next| {
                        let recorder = recorder.clone();
                        async move {
                            let t = Instant::now();
                            let res = next.run(req).await;
                            if let Ok(mut v) = recorder.0.lock() {
                                v.push(t.elapsed());
                            }
                            res
                        }
                    },
                ));
                let _ = ready_tx.send(Ok(()));
                if let Err(e) = motcua_web::serve(
                    listener,
                    app,
                    async move {
                        let _ = rx.await;
                    },
                    Duration::from_secs(2),
                )
                .await
                {
                    eprintln!("server: {e}");
                }
            });
        });
        ready_rx.await??;
        Ok(Self {
            base: format!("http://{addr}"),
            times,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// Signs `username` in and returns a client sending its session cookie
    /// and CSRF token, with up to `pool` kept-alive connections.
    pub async fn login(&self, username: &str, pool: usize) -> anyhow::Result<reqwest::Client> {
        let res = reqwest::Client::new()
            .post(format!("{}/api/auth/login", self.base))
            .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
            .send()
            .await?;
        anyhow::ensure!(res.status() == 200, "login of {username}: {}", res.status());
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .context("no session cookie")?
            .to_owned();
        let body: serde_json::Value = res.json().await?;
        let csrf = body["csrf_token"].as_str().unwrap_or_default().to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(&cookie)?);
        headers.insert("x-csrf-token", HeaderValue::from_str(&csrf)?);
        Ok(reqwest::Client::builder()
            .default_headers(headers)
            .pool_max_idle_per_host(pool)
            .build()?)
    }

    /// Stops the server.
    pub fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `dossier-load`: generates (or reuses) the dataset and reports.
pub async fn load(args: DataArgs) -> anyhow::Result<()> {
    for backend in args.backends() {
        if let Some(ds) = Dataset::open(backend, &args).await? {
            let n = ds.count().await?;
            let overdue = ds
                .scalar(&format!(
                    "SELECT count(*) FROM dossiers WHERE clock_running AND current_due_ms < {}",
                    jiff::Timestamp::now().as_millisecond()
                ))
                .await
                .unwrap_or(-1);
            println!(
                "{}: {n} dossiers, {overdue} open and overdue now",
                backend.name()
            );
        }
    }
    Ok(())
}

/// CPU seconds used so far by this process's threads, split into the
/// server's (threads named `server`) and the rest (the load generator), and
/// by the whole machine (busy, idle), from `/proc`.
#[derive(Clone, Copy, Default)]
pub struct Cpu {
    /// Server threads.
    pub server: f64,
    /// SQLite's connection threads (`sqlx-sqlite-worker`), which run the
    /// queries of the server.
    pub sqlite: f64,
    /// Other threads of this process (the load generator).
    pub client: f64,
    /// Every CPU of the machine, busy.
    pub machine_busy: f64,
    /// Every CPU of the machine, idle.
    pub machine_idle: f64,
}

impl Cpu {
    /// Reads the counters now (zeros where `/proc` is not readable).
    pub fn now() -> Self {
        const TICK: f64 = 100.0;
        let mut c = Cpu::default();
        if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
            for e in dir.flatten() {
                let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                    continue;
                };
                let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                    continue;
                };
                let comm = stat.get(open + 1..close).unwrap_or_default();
                let rest: Vec<&str> = stat
                    .get(close + 2..)
                    .unwrap_or_default()
                    .split_whitespace()
                    .collect();
                // Fields 14 and 15 (utime, stime) are 11 and 12 after comm.
                let ticks: f64 = [11, 12]
                    .iter()
                    .filter_map(|&i| rest.get(i).and_then(|v| v.parse::<f64>().ok()))
                    .sum();
                if comm.starts_with("server") {
                    c.server += ticks / TICK;
                } else if comm.starts_with("sqlx") {
                    c.sqlite += ticks / TICK;
                } else {
                    c.client += ticks / TICK;
                }
            }
        }
        if let Ok(stat) = std::fs::read_to_string("/proc/stat")
            && let Some(line) = stat.lines().next()
        {
            let v: Vec<f64> = line
                .split_whitespace()
                .skip(1)
                .filter_map(|x| x.parse().ok())
                .collect();
            let idle = v.get(3).copied().unwrap_or(0.0) + v.get(4).copied().unwrap_or(0.0);
            let total: f64 = v.iter().take(8).sum();
            c.machine_idle = idle / TICK;
            c.machine_busy = (total - idle) / TICK;
        }
        c
    }

    /// What was used between `self` and `later`, per second of `secs`, as
    /// a line.
    pub fn report(&self, later: &Cpu, secs: f64) -> String {
        let per = |a: f64, b: f64| (b - a) / secs.max(1e-9);
        format!(
            "CPU per second of load: server threads {:.2} cores, SQLite threads {:.2}, load \
             generator {:.2}; machine busy {:.2} of {:.2} cores (the rest: PostgreSQL, other processes)",
            per(self.server, later.server),
            per(self.sqlite, later.sqlite),
            per(self.client, later.client),
            per(self.machine_busy, later.machine_busy),
            per(
                self.machine_busy + self.machine_idle,
                later.machine_busy + later.machine_idle
            ),
        )
    }
}
