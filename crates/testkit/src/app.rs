//! `TestApp`: the HTTP application served on `127.0.0.1:0` over a fresh
//! database, with a small unit tree and signed-in clients per role.

use std::net::SocketAddr;

use jiff::civil::date;
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::access::Actor;
use motcua_service::store::NewUnit;
use reqwest::header::{COOKIE, HeaderMap, HeaderValue};

use crate::{Backend, TestDb};

/// The password every test user gets.
pub const TEST_PASSWORD: &str = "mật-khẩu-thử-1";

/// Codes of the small tree [`TestApp::start`] seeds: a province with two
/// districts; district A has a desk, an office and a commune.
pub mod codes {
    /// The province.
    pub const PROVINCE: &str = "000.00.00.H40";
    /// District A.
    pub const DISTRICT_A: &str = "000.00.21.H40";
    /// District A's one-stop desk.
    pub const DESK_A: &str = "000.01.21.H40";
    /// District A's justice office.
    pub const OFFICE_A: &str = "000.02.21.H40";
    /// A commune of district A.
    pub const COMMUNE_A: &str = "000.11.21.H40";
    /// District B.
    pub const DISTRICT_B: &str = "000.00.22.H40";
}

/// A running application.
pub struct TestApp {
    /// The database behind it.
    pub db: TestDb,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The clock the dossier use cases read; tests move it.
    pub clock: std::sync::Arc<motcua_service::clock::ManualClock>,
    /// The folder of the local file store (unused when [`Options::files`]
    /// gives another).
    pub files: std::path::PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// A client signed in as someone, sending the session cookie and CSRF token.
pub struct Client {
    /// The HTTP client with the headers set.
    pub http: reqwest::Client,
    /// Base URL.
    pub base: String,
    /// The CSRF token of the session.
    pub csrf: String,
    /// The `name=value` session cookie.
    pub cookie: String,
}

impl Client {
    /// `base + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// How a [`TestApp`] differs from the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The listener's limits (short timeouts for slow-client tests).
    pub limits: Option<motcua_web::ServerLimits>,
    /// PDFs rendered at once.
    pub render_slots: Option<usize>,
    /// Sign-in settings (throttling, trusted proxies, cookies).
    pub auth: motcua_web::auth::AuthSettings,
    /// An identity provider (VNeID) citizens may sign in with.
    pub identity: Option<Identity>,
    /// A payment gateway fees may be paid through.
    pub payments: Option<Gateway>,
    /// Another file store than the local folder [`TestApp::files`] (an S3
    /// bucket).
    pub files: Option<Files>,
}

/// A file store for [`Options`].
#[derive(Clone)]
pub struct Files(pub std::sync::Arc<dyn motcua_service::files::FileStore>);

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Files(..)")
    }
}

/// A payment gateway for [`Options`].
#[derive(Clone)]
pub struct Gateway(pub std::sync::Arc<dyn motcua_service::payments::PaymentGateway>);

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gateway(..)")
    }
}

/// An identity provider for [`Options`].
#[derive(Clone)]
pub struct Identity(pub std::sync::Arc<dyn motcua_service::identity::IdentityProvider>);

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(..)")
    }
}

impl TestApp {
    /// Starts the application over a fresh migrated database with the seed
    /// tree; an error when the database cannot be had (never a skip).
    pub async fn start(backend: Backend) -> anyhow::Result<Self> {
        Self::start_with(backend, Options::default()).await
    }

    /// [`start`](Self::start) with other limits or sign-in settings.
    pub async fn start_with(backend: Backend, opts: Options) -> anyhow::Result<Self> {
        let db = TestDb::migrated(backend).await?;
        seed_tree(&db).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        // Monday 24 November 2025, 09:00 in Vietnam, until a test moves it.
        let clock = std::sync::Arc::new(motcua_service::clock::ManualClock::new(
            jiff::Timestamp::from_second(1_763_949_600)?,
        ));
        let files = std::env::temp_dir().join(format!(
            "motcua-test-files-{}-{}",
            std::process::id(),
            addr.port()
        ));
        let services = motcua_service::Services::new(
            db.store(),
            clock.clone(),
            motcua_service::dossiers::NoticeSettings {
                email: true,
                sms: true,
                log: false,
                webhooks: vec!["portal".to_owned()],
            },
            Some("https://dichvucong.test".to_owned()),
        )
        .with_files(match &opts.files {
            Some(Files(store)) => store.clone(),
            None => std::sync::Arc::new(motcua_storage::LocalFileStore::new(files.clone())),
        });
        let services = match &opts.identity {
            Some(Identity(p)) => services.with_identity(p.clone()),
            None => services,
        };
        let services = match &opts.payments {
            Some(Gateway(g)) => services.with_payments(g.clone()),
            None => services,
        };
        let mut state = motcua_web::AppState::with(services, 30).with_auth(opts.auth);
        if let Some(n) = opts.render_slots {
            state = state.with_render_slots(n);
        }
        let app = motcua_web::router(state);
        let limits = opts.limits.unwrap_or_default();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = motcua_web::serve_with(
                listener,
                app,
                async move {
                    let _ = rx.await;
                },
                std::time::Duration::from_secs(1),
                limits,
            )
            .await;
        });
        Ok(Self {
            db,
            base: format!("http://{addr}"),
            clock,
            files,
            stop: Some(tx),
        })
    }

    /// `base + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A unit id by code.
    pub async fn unit_id(&self, code: &str) -> anyhow::Result<i64> {
        Ok(self
            .db
            .store()
            .unit_by_code(&UnitCode::parse(code)?)
            .await?
            .id)
    }

    /// Creates a user holding `role` on the unit `unit_code`, as the system
    /// (audited as `test`).
    pub async fn user(&self, username: &str, role: Role, unit_code: &str) -> anyhow::Result<i64> {
        let unit = self.unit_id(unit_code).await?;
        let (user, _) = system_services(&self.db)
            .users()
            .add_user_as(
                &system(),
                username,
                "Người Dùng Thử",
                None,
                TEST_PASSWORD,
                role,
                unit,
            )
            .await?;
        Ok(user.id)
    }

    /// Signs in through the API and returns a client carrying the session.
    pub async fn login(&self, username: &str) -> anyhow::Result<Client> {
        let res = reqwest::Client::new()
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": TEST_PASSWORD }))
            .send()
            .await?;
        anyhow::ensure!(res.status() == 200, "login of {username}: {}", res.status());
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .ok_or_else(|| anyhow::anyhow!("no session cookie"))?
            .to_owned();
        let body: serde_json::Value = res.json().await?;
        let csrf = body["csrf_token"].as_str().unwrap_or_default().to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(&cookie)?);
        headers.insert("x-csrf-token", HeaderValue::from_str(&csrf)?);
        Ok(Client {
            http: reqwest::Client::builder()
                .default_headers(headers)
                .build()?,
            base: self.base.clone(),
            csrf,
            cookie,
        })
    }

    /// Creates a user with a role and signs them in.
    pub async fn client(
        &self,
        username: &str,
        role: Role,
        unit_code: &str,
    ) -> anyhow::Result<Client> {
        self.user(username, role, unit_code).await?;
        self.login(username).await
    }

    /// Number of audit entries, to show that a refused request changed nothing
    /// but its `access.denied` entry.
    pub async fn audit_count(&self) -> anyhow::Result<i64> {
        self.db.query_i64("SELECT count(*) FROM audit_log").await
    }

    /// Stops the server and drops the database.
    pub async fn close(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.db.close().await;
    }
}

/// The services over a test database as seeding and helpers use them: the
/// system clock, so their audit entries carry the real moment.
pub fn system_services(db: &TestDb) -> motcua_service::Services {
    motcua_service::Services::plain(db.store())
}

/// The system principal that seeds and sets up tests, audited as `test`.
pub fn system() -> Actor {
    Actor::system("test")
}

async fn seed_tree(db: &TestDb) -> anyhow::Result<()> {
    use codes::*;
    let store = db.store();
    let services = system_services(db);
    let specs: [(&str, &str, UnitKind, Level, Option<&str>); 6] = [
        (
            PROVINCE,
            "UBND tỉnh Nghệ An",
            UnitKind::Province,
            Level::Province,
            None,
        ),
        (
            DISTRICT_A,
            "UBND huyện Đô Lương",
            UnitKind::District,
            Level::District,
            Some(PROVINCE),
        ),
        (
            DESK_A,
            "Bộ phận Một cửa huyện Đô Lương",
            UnitKind::Desk,
            Level::District,
            Some(DISTRICT_A),
        ),
        (
            OFFICE_A,
            "Phòng Tư pháp huyện Đô Lương",
            UnitKind::DistrictOffice,
            Level::District,
            Some(DISTRICT_A),
        ),
        (
            COMMUNE_A,
            "UBND xã Đà Sơn",
            UnitKind::Commune,
            Level::Commune,
            Some(DISTRICT_A),
        ),
        (
            DISTRICT_B,
            "UBND huyện Nam Đàn",
            UnitKind::District,
            Level::District,
            Some(PROVINCE),
        ),
    ];
    for (code, name, kind, level, parent) in specs {
        let parent_id = match parent {
            Some(p) => Some(store.unit_by_code(&UnitCode::parse(p)?).await?.id),
            None => None,
        };
        services
            .units()
            .add_unit(
                &system(),
                NewUnit {
                    code: UnitCode::parse(code)?,
                    name: name.into(),
                    kind,
                    level,
                    parent_id,
                    valid_from: date(2020, 1, 1),
                    valid_to: None,
                },
            )
            .await?;
    }
    Ok(())
}
