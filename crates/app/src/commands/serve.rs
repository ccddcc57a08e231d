//! `motcua serve` and the server half of `motcua demo`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use motcua_service::clock::SystemClock;
use motcua_service::dossiers::{DossierService, NoticeSettings};
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
pub async fn run(cfg: &Config, store: Arc<dyn Store>, demo: bool) -> anyhow::Result<()> {
    let addr = SocketAddr::new(cfg.bind, cfg.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    motcua_web::telemetry::init();
    tracing::info!(address = %local, backend = store.backend(), demo, "motcua listening");
    // Scripts and tests read this line to learn the port when --port 0 is used.
    println!("motcua listening on http://{local}");
    if demo {
        println!("{}", crate::demo::LOGIN_HINT);
    }
    let files = Arc::new(motcua_storage::LocalFileStore::new(cfg.data_dir.join("files")));
    let notices = NoticeSettings {
        // The demo writes every message to a log file instead of sending it.
        log: demo,
        ..NoticeSettings::default()
    };
    let dossiers = DossierService::new(
        store.clone(),
        Arc::new(SystemClock),
        notices,
        cfg.public_base_url.clone(),
    )
    .with_files(files);
    let app = motcua_web::router(AppState::with(store, dossiers, cfg.lookups_per_minute));
    motcua_web::serve(listener, app, shutdown_signal(), Duration::from_secs(10)).await?;
    tracing::info!("motcua stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
