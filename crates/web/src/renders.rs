//! PDF rendering off the async workers. Compiling a form with typst takes
//! tens of milliseconds to seconds of CPU; run on the async workers it
//! stalled every other request (16 receipts of a large dossier at once
//! made `/healthz` take 3 s). Forms are rendered on blocking threads, at
//! most a fixed number at once; when all slots stay busy for a short while
//! the answer is 503 with `Retry-After`, so a burst cannot queue without
//! bound.

use std::sync::Arc;
use std::time::Duration;

use motcua_render::RenderError;
use motcua_service::ServiceError;
use tokio::sync::Semaphore;

use crate::error::WebError;

/// Slots for PDF rendering.
#[derive(Clone)]
pub struct Renders {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl Renders {
    /// How long a request waits for a slot before it is answered 503.
    pub const WAIT: Duration = Duration::from_millis(500);
    /// Seconds a refused client is asked to wait.
    pub const RETRY_AFTER_SECS: u64 = 2;

    /// At most `slots` renders at once.
    pub fn new(slots: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots)),
            wait: Self::WAIT,
        }
    }

    /// One slot per core: rendering is CPU-bound.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// The semaphore, for tests that hold its slots.
    pub fn slots(&self) -> Arc<Semaphore> {
        self.slots.clone()
    }

    /// Renders on a blocking thread once a slot is free.
    pub async fn run<F>(&self, render: F) -> Result<Vec<u8>, WebError>
    where
        F: FnOnce() -> Result<Vec<u8>, RenderError> + Send + 'static,
    {
        let slot = match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(slot)) => slot,
            _ => {
                return Err(WebError::busy(
                    "every PDF renderer is busy; try again shortly",
                    Self::RETRY_AFTER_SECS,
                ));
            }
        };
        let done = tokio::task::spawn_blocking(move || {
            let out = render();
            drop(slot);
            out
        })
        .await
        .map_err(|e| WebError::from(ServiceError::Internal(format!("render task: {e}"))))?;
        done.map_err(|e| WebError::from(ServiceError::Internal(e.to_string())))
    }
}
