//! `motcua serve` and the server half of `motcua demo`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use motcua_notify::Channels;
use motcua_service::Services;
use motcua_service::clock::{Clock, SystemClock};
use motcua_service::dossiers::NoticeSettings;
use motcua_service::files::FileStore;
use motcua_service::notify::{DispatchPolicy, Dispatcher};
use motcua_service::store::Store;
use motcua_web::AppState;

use crate::cli::ServeArgs;
use crate::config::Config;

/// Lets command-line flags override the configuration.
pub fn apply(cfg: &mut Config, args: ServeArgs) {
    if let Some(url) = args.database_url {
        cfg.database_url = Some(url);
    }
    if let Some(bind) = args.bind {
        cfg.bind = bind;
    }
    if let Some(port) = args.port {
        cfg.port = port;
    }
    if let Some(dir) = args.data_dir {
        cfg.data_dir = dir;
    }
}

/// Listens and serves until Ctrl-C or SIGTERM, then drains requests in flight.
pub async fn run(
    cfg: &Config,
    store: Arc<dyn Store>,
    files: Arc<dyn FileStore>,
    demo: bool,
) -> anyhow::Result<()> {
    let auth = cfg.auth_settings()?;
    let addr = SocketAddr::new(cfg.bind, cfg.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    // The handlers are in place before the server says it listens: until a
    // handler is registered, SIGTERM kills the process at once (seen when
    // the first poll of the shutdown future came after the first requests).
    let shutdown = shutdown_signal()?;
    motcua_web::telemetry::init();
    tracing::info!(address = %local, backend = store.backend(), demo, "motcua listening");
    // Scripts and tests read this line to learn the port when --port 0 is used.
    println!("motcua listening on http://{local}");
    if demo {
        println!("{}", crate::demo::LOGIN_HINT);
    }
    let mut channels: Channels = match &cfg.notifications {
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| anyhow::anyhow!("configuration: notifications: {e}"))?,
        None => Channels::default(),
    };
    if demo && channels.log_file.is_none() {
        // The demo writes every message to a file instead of sending it.
        channels.log_file = Some(cfg.data_dir.join("notifications.log"));
    }
    let notices = NoticeSettings {
        email: channels.smtp.is_some(),
        sms: channels.sms.is_some(),
        log: channels.log_file.is_some(),
        webhooks: channels.webhooks.iter().map(|w| w.name.clone()).collect(),
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let map = motcua_notify::channel_map(&channels, clock.clone())
        .map_err(|e| anyhow::anyhow!("configuration: notifications: {e}"))?;
    let dispatcher = Dispatcher::new(store.clone(), clock.clone(), map, DispatchPolicy::default())
        .map_err(|e| anyhow::anyhow!("notifications: {e}"))?;
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let dispatching = tokio::spawn(dispatcher.run(async move {
        let _ = stop_rx.changed().await;
    }));
    let mut services =
        Services::new(store, clock, notices, cfg.public_base_url.clone()).with_files(files);
    // VNeID: the configured provider; the demo runs a simulator on the
    // loopback (kept alive as long as the server).
    let mut _vneid_simulator = None;
    let vneid = match &cfg.vneid {
        Some(v) => Some(
            serde_json::from_value::<motcua_notify::vneid::OidcSettings>(v.clone())
                .map_err(|e| anyhow::anyhow!("configuration: vneid: {e}"))?,
        ),
        None if demo => {
            let sim = motcua_notify::simulators::VneidSimulator::start(
                "motcua-demo",
                "motcua-demo-secret",
                motcua_notify::simulators::demo_people(),
            )
            .await?;
            let settings = sim.settings("motcua-demo", "motcua-demo-secret");
            _vneid_simulator = Some(sim);
            Some(settings)
        }
        None => None,
    };
    let mut _gateway_simulator = None;
    let payment = match &cfg.payment {
        Some(v) => Some(
            serde_json::from_value::<motcua_notify::payment::GatewaySettings>(v.clone())
                .map_err(|e| anyhow::anyhow!("configuration: payment: {e}"))?,
        ),
        None if demo => {
            let sim = motcua_notify::simulators::PaymentGatewaySimulator::start(
                "MOTCUADEMO",
                "motcua-demo-payment-secret",
            )
            .await?;
            let settings = sim.settings("MOTCUADEMO", "motcua-demo-payment-secret");
            _gateway_simulator = Some(sim);
            Some(settings)
        }
        None => None,
    };
    if let Some(settings) = payment {
        let gateway = motcua_notify::payment::SignedGateway::new(settings)
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        services = services.with_payments(Arc::new(gateway));
    }
    if let Some(settings) = vneid {
        let provider = motcua_notify::vneid::OidcIdentity::new(settings)
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        services = services.with_identity(Arc::new(provider));
    }
    let mut state = AppState::with(services, cfg.lookups_per_minute).with_auth(auth);
    if let Some(slots) = cfg.render_slots {
        state = state.with_render_slots(slots);
    }
    let app = motcua_web::router(state);
    motcua_web::serve_with(
        listener,
        app,
        async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        },
        Duration::from_secs(10),
        cfg.server_limits(),
    )
    .await?;
    let _ = tokio::time::timeout(Duration::from_secs(5), dispatching).await;
    tracing::info!("motcua stopped");
    Ok(())
}

/// Registers the handlers for Ctrl-C (SIGINT) and SIGTERM now, and returns
/// the future that completes when either arrives.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = term.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
