//! The demo's channel: one JSON line per message appended to a file, so the
//! whole flow (outbox, dispatcher, retries) runs without outside services.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use motcua_service::clock::Clock;
use motcua_service::notify::{Channel, DeliveryError};
use motcua_service::store::OutboxMessage;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

/// Appends `{"at", "id", "dossier_id", "channel", "recipient", "subject",
/// "body"}` lines to a file.
pub struct LogChannel {
    path: PathBuf,
    clock: Arc<dyn Clock>,
    /// One writer at a time in this process, so lines never interleave.
    lock: Mutex<()>,
}

impl std::fmt::Debug for LogChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogChannel")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl LogChannel {
    /// A channel writing to `path`, created on the first message.
    pub fn new(path: &Path, clock: Arc<dyn Clock>) -> Self {
        Self {
            path: path.to_owned(),
            clock,
            lock: Mutex::new(()),
        }
    }
}

#[async_trait]
impl Channel for LogChannel {
    async fn deliver(&self, m: &OutboxMessage) -> Result<(), DeliveryError> {
        let line = json!({
            "at": self.clock.now().to_string(),
            "id": m.id,
            "dossier_id": m.dossier_id,
            "channel": m.message.channel.as_str(),
            "recipient": m.message.recipient,
            "subject": m.message.subject,
            "body": m.message.body,
        });
        let mut text = line.to_string();
        text.push('\n');
        let _guard = self.lock.lock().await;
        let failed = |e: std::io::Error| {
            DeliveryError::Temporary(format!("writing {}: {e}", self.path.display()))
        };
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .map_err(failed)?;
        file.write_all(text.as_bytes()).await.map_err(failed)?;
        file.flush().await.map_err(failed)
    }
}
