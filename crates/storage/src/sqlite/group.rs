//! Group commit for SQLite's one writer.
//!
//! SQLite lets one transaction write at a time, so a busy node's writes
//! queue for the writer connection, and each of them used to pay a whole
//! transaction of its own: `BEGIN IMMEDIATE`, its statements, and a commit
//! that appends every page it touched to the WAL (the dossier row, a leaf of
//! each of its indexes, the tails of the events, steps, outbox and audit
//! tables). Here the queued writes are run one after another inside one
//! transaction, each in a savepoint of its own, and committed together: the
//! tail pages are written once per batch instead of once per write, and the
//! fixed cost of a transaction is shared.
//!
//! What each caller sees does not change:
//! - a write that fails is rolled back to its savepoint, so it changes
//!   nothing and the others in the batch go on;
//! - nobody hears of success before the commit that made their write
//!   durable; if that commit fails, every write of the batch fails;
//! - writes run in the order they were queued, each seeing the ones before.
//!
//! A batch that fails to begin, to end a savepoint or to commit (a full
//! disk, an I/O error) leaves the writer clean for the next one: its
//! transaction is rolled back, and when that fails too (SQLite may have
//! rolled back on its own, and sqlx then still counts the transaction as
//! open, so every later `BEGIN` failed until a restart) the connection is
//! discarded and the pool opens a fresh one. How the last batch ended is
//! recorded in [`WriteHealth`] for `/readyz`.
//!
//! Waiting adds no latency: a batch takes whatever is queued when its last
//! write ends (up to [`MAX_BATCH`]) and commits at once when nothing is.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;

use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{Connection, Sqlite, Transaction};
use tokio::sync::{mpsc, oneshot};

use crate::conn::{ConnFuture, TxState, Undo, Work};
use crate::error::db;
use crate::health::WriteHealth;

/// The most writes committed together. Large enough that the commit's cost
/// is shared; small enough that a batch's first write does not wait long
/// behind the others for its answer. Measured (`dossier-transitions`, 32
/// and 64 clients): 16 did 2,379–2,485/s, 8 did 2,193–2,261/s and 64 only
/// 1,775–1,973/s, as its long batches answered clients in bursts that then
/// came back together while the writer idled.
const MAX_BATCH: usize = 16;

/// Writes waiting for the writer; senders wait (asynchronously) beyond this.
const QUEUE: usize = 1024;

/// What the writer tells a finished write: `None` when the batch committed,
/// or why it did not.
type Deliver = Box<dyn FnOnce(Option<&str>) + Send>;

/// How a write ended, before the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ran {
    /// It succeeded; its changes stay for the commit.
    Kept,
    /// It was refused (a conflict, invalid input): the request's fault.
    Refused,
    /// It failed for a fault of the server (disk full, I/O error), which
    /// the writer's health records even when the batch commits.
    Faulted(String),
}

/// A queued write as the writer runs it: on the batch's connection and
/// state, saying how it ended and how to answer its caller after the
/// commit.
type Run = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection, &'c mut TxState) -> ConnFuture<'c, (Ran, Deliver)>
        + Send,
>;

/// One queued write and how it is undone when it fails.
struct Job {
    undo: Undo,
    run: Run,
}

/// The queue in front of the writer connection and the thread that drains
/// it.
pub(crate) struct GroupCommit {
    writer: SqlitePool,
    /// Transactions the writer has ended (committed or not).
    batches: Arc<AtomicU64>,
    /// How the last batch ended, for readiness.
    health: Arc<WriteHealth>,
    /// The writer thread's queue: started by the first write (a store that
    /// only reads, as most commands' do, starts none), and started again
    /// should that thread have ended.
    queue: Mutex<Option<mpsc::Sender<Job>>>,
}

impl GroupCommit {
    pub(crate) fn new(writer: SqlitePool) -> Self {
        Self {
            writer,
            batches: Arc::default(),
            health: Arc::default(),
            queue: Mutex::new(None),
        }
    }

    /// How the writer's last batch ended and whether one is running.
    pub(crate) fn health(&self) -> &WriteHealth {
        &self.health
    }

    /// How many batches have ended so far.
    #[cfg(test)]
    fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Writes waiting for the writer.
    #[cfg(test)]
    fn queued(&self) -> usize {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map_or(0, |q| q.max_capacity() - q.capacity())
    }

    /// Runs `work` in the writer's current or next batch and answers once
    /// that batch is committed. An error from `work` rolls back its own
    /// changes only.
    pub(crate) async fn run<T, F>(&self, undo: Undo, work: F) -> ServiceResult<T>
    where
        T: Send + 'static,
        F: Work<SqliteConnection, T>,
    {
        let (answer, answered) = oneshot::channel::<ServiceResult<T>>();
        let run: Run = Box::new(move |c, st| {
            Box::pin(async move {
                match work(c, st).await {
                    Ok(value) => {
                        let deliver: Deliver = Box::new(move |failed| {
                            let _ = answer.send(match failed {
                                None => Ok(value),
                                Some(why) => Err(ServiceError::Unavailable(format!(
                                    "the write was not committed: {why}"
                                ))),
                            });
                        });
                        (Ran::Kept, deliver)
                    }
                    Err(e) => {
                        let ran = match &e {
                            ServiceError::Unavailable(why) => Ran::Faulted(why.clone()),
                            _ => Ran::Refused,
                        };
                        let deliver: Deliver = Box::new(move |_| {
                            let _ = answer.send(Err(e));
                        });
                        (ran, deliver)
                    }
                }
            })
        });
        self.sender()?
            .send(Job { undo, run })
            .await
            .map_err(|_| ServiceError::Unavailable("the database writer has stopped".into()))?;
        answered.await.map_err(|_| {
            ServiceError::Unavailable(
                "the database writer could not run this write (see the log)".into(),
            )
        })?
    }

    /// The queue of a running writer, starting one if there is none.
    ///
    /// The writer runs on a thread of its own, not as a task of the server's
    /// runtime: each of its statements is a round trip to the connection's
    /// SQLite thread, and as a task it would wait behind every request in the
    /// runtime's queue after each one, which left the database idle between
    /// statements while writes queued.
    fn sender(&self) -> ServiceResult<mpsc::Sender<Job>> {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(q) = queue.as_ref().filter(|q| !q.is_closed()) {
            return Ok(q.clone());
        }
        let (q, jobs) = mpsc::channel(QUEUE);
        let (writer, batches, health) = (
            self.writer.clone(),
            self.batches.clone(),
            self.health.clone(),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ServiceError::Unavailable(format!("cannot start the writer: {e}")))?;
        std::thread::Builder::new()
            .name("motcua-sqlite-writer".into())
            .spawn(move || runtime.block_on(drain(writer, jobs, batches, health)))
            .map_err(|e| ServiceError::Unavailable(format!("cannot start the writer: {e}")))?;
        *queue = Some(q.clone());
        Ok(q)
    }
}

/// The writer: a batch per turn while writes are queued, until the store
/// is dropped.
async fn drain(
    writer: SqlitePool,
    mut jobs: mpsc::Receiver<Job>,
    batches: Arc<AtomicU64>,
    health: Arc<WriteHealth>,
) {
    while let Some(first) = jobs.recv().await {
        let writes = batch(&writer, &health, first, &mut jobs).await;
        batches.fetch_add(1, Ordering::Relaxed);
        metrics::histogram!("motcua_sqlite_batch_writes").record(writes as f64);
    }
}

/// Runs `first` and whatever else is queued, up to [`MAX_BATCH`], in one
/// transaction on the writer connection, then answers them all and leaves
/// the connection outside any transaction; returns how many writes it ran.
async fn batch(
    writer: &SqlitePool,
    health: &WriteHealth,
    first: Job,
    jobs: &mut mpsc::Receiver<Job>,
) -> usize {
    let mut conn = match writer.acquire().await {
        Ok(c) => c,
        Err(e) => {
            // The write's answer is sent by what it returns once it has run;
            // dropping it unrun closes its caller's channel, which the caller
            // reports as a write the writer could not run.
            let why = db(e).to_string();
            tracing::error!(error = why, "the writer connection could not be had");
            health.fail(&why);
            drop(first);
            return 0;
        }
    };
    health.busy(true);
    let (writes, outcome) = batch_on(&mut conn, first, jobs).await;
    health.busy(false);
    match outcome {
        Ok(()) => health.record(&Ok(())),
        Err(why) => {
            health.fail(&why);
            settle(&mut conn).await;
        }
    }
    writes
}

/// After a failed batch: lets the ROLLBACK its dropped transaction queued
/// run, and discards the connection if it is still inside a transaction.
async fn settle(conn: &mut PoolConnection<Sqlite>) {
    if conn.is_in_transaction() {
        // The connection's thread runs commands in order: once the ping is
        // answered, the queued ROLLBACK has run.
        let _ = conn.ping().await;
    }
    if conn.is_in_transaction() {
        tracing::error!("the writer's ROLLBACK failed; its connection is discarded and reopened");
        conn.close_on_drop();
    }
}

/// [`batch`] on a connection: how many writes ran, and why the batch was
/// not committed if it was not.
async fn batch_on(
    conn: &mut PoolConnection<Sqlite>,
    first: Job,
    jobs: &mut mpsc::Receiver<Job>,
) -> (usize, Result<(), String>) {
    let mut tx = match (**conn).begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => {
            let why = db(e).to_string();
            tracing::error!(error = why, "a write batch could not begin");
            drop(first);
            return (0, Err(why));
        }
    };
    let mut answers: Vec<Deliver> = Vec::new();
    let mut state = TxState::default();
    let mut fault = None;
    let mut next = Some(first);
    while let Some(job) = next.take() {
        match run_one(&mut tx, &mut state, job).await {
            Ok((ran, deliver)) => {
                if let Ran::Faulted(why) = ran {
                    fault = Some(why);
                }
                answers.push(deliver);
            }
            Err((deliver, why)) => {
                // The savepoint could not be ended: the transaction's state
                // is unknown, so nothing of this batch is kept.
                drop(tx);
                deliver(Some(&why));
                let writes = answers.len() + 1;
                for d in answers {
                    d(Some(&why));
                }
                return (writes, Err(why));
            }
        }
        if answers.len() < MAX_BATCH {
            next = jobs.try_recv().ok();
        }
    }
    let failed = tx.commit().await.err().map(|e| db(e).to_string());
    if let Some(why) = &failed {
        tracing::error!(
            error = why,
            writes = answers.len(),
            "a write batch did not commit"
        );
    }
    let writes = answers.len();
    for d in answers {
        d(failed.as_deref());
    }
    match failed.or(fault) {
        Some(why) => (writes, Err(why)),
        None => (writes, Ok(())),
    }
}

/// Runs one write; when it fails, what it changed is undone (by its
/// savepoint, or by itself) and the batch's state is as before it.
async fn run_one(
    tx: &mut Transaction<'_, Sqlite>,
    state: &mut TxState,
    job: Job,
) -> Result<(Ran, Deliver), (Deliver, String)> {
    let before = state.clone();
    if job.undo == Undo::Itself {
        let (ran, deliver) = caught((job.run)(tx, state)).await?;
        if ran != Ran::Kept {
            *state = before;
        }
        return Ok((ran, deliver));
    }
    let mut sp = match (**tx).begin().await {
        Ok(sp) => sp,
        Err(e) => {
            let why = db(e).to_string();
            return Err((Box::new(|_| {}), why));
        }
    };
    let (ran, deliver) = caught((job.run)(&mut sp, state)).await?;
    let ended = if ran == Ran::Kept {
        sp.commit().await
    } else {
        *state = before;
        sp.rollback().await
    };
    match ended {
        Ok(()) => Ok((ran, deliver)),
        Err(e) => Err((deliver, db(e).to_string())),
    }
}

/// Runs a write, turning a panic (a bug) into the failure of its batch, so
/// that the writer thread and the writes queued behind it live on. The
/// panicking write's caller hears that its write could not run when its
/// future is dropped here.
async fn caught(
    mut run: ConnFuture<'_, (Ran, Deliver)>,
) -> Result<(Ran, Deliver), (Deliver, String)> {
    std::future::poll_fn(|cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| run.as_mut().poll(cx))) {
            Ok(Poll::Ready(done)) => Poll::Ready(Ok(done)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => {
                tracing::error!("a write panicked; its batch is rolled back");
                let nobody: Deliver = Box::new(|_| {});
                Poll::Ready(Err((
                    nobody,
                    "another write of its batch failed".to_owned(),
                )))
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    use super::*;

    async fn pool() -> SqlitePool {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .expect("url")
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .expect("pool");
        sqlx::raw_sql(
            "CREATE TABLE t (n INTEGER PRIMARY KEY); \
             CREATE TABLE parent (id INTEGER PRIMARY KEY); \
             CREATE TABLE child (id INTEGER PRIMARY KEY, \
                parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
        )
        .execute(&pool)
        .await
        .expect("schema");
        pool
    }

    async fn insert(c: &mut SqliteConnection, n: i64) -> ServiceResult<i64> {
        sqlx::query("INSERT INTO t (n) VALUES ($1)")
            .bind(n)
            .execute(c)
            .await
            .map_err(db)?;
        Ok(n)
    }

    async fn rows(pool: &SqlitePool) -> Vec<i64> {
        sqlx::query_scalar("SELECT n FROM t ORDER BY n")
            .fetch_all(pool)
            .await
            .expect("rows")
    }

    /// Starts a write that holds the writer until `gate` opens, and waits
    /// until it runs, so that the writes queued next form one batch after it.
    async fn hold(
        g: &Arc<GroupCommit>,
        n: i64,
    ) -> (
        tokio::task::JoinHandle<ServiceResult<i64>>,
        oneshot::Sender<()>,
    ) {
        let (gate_open, gate) = oneshot::channel::<()>();
        let (started, running) = oneshot::channel::<oneshot::Sender<()>>();
        let g2 = g.clone();
        let held = tokio::spawn(async move {
            g2.run(Undo::Savepoint, move |c, _| {
                Box::pin(async move {
                    let _ = started.send(gate_open);
                    let _ = gate.await;
                    insert(c, n).await
                })
            })
            .await
        });
        (held, running.await.expect("the first write runs"))
    }

    async fn queue<F>(g: &Arc<GroupCommit>, work: F) -> tokio::task::JoinHandle<ServiceResult<i64>>
    where
        F: Work<SqliteConnection, i64>,
    {
        let before = g.queued();
        let g2 = g.clone();
        let h = tokio::spawn(async move { g2.run(Undo::Savepoint, work).await });
        while g.queued() == before {
            tokio::task::yield_now().await;
        }
        h
    }

    #[tokio::test]
    async fn a_failed_write_changes_nothing_and_the_batch_commits_the_rest_together() {
        let pool = pool().await;
        let g = Arc::new(GroupCommit::new(pool.clone()));
        let (first, gate) = hold(&g, 1).await;
        let ok = queue(&g, |c, _| Box::pin(insert(c, 2))).await;
        let failing = queue(&g, |c, _| {
            Box::pin(async move {
                insert(c, 3).await?;
                Err(ServiceError::Conflict("refused after writing".into()))
            })
        })
        .await;
        let after = queue(&g, |c, _| Box::pin(insert(c, 4))).await;
        gate.send(()).expect("the first write waits");
        assert_eq!(first.await.expect("join").expect("first"), 1);
        assert_eq!(ok.await.expect("join").expect("second"), 2);
        let refused = failing.await.expect("join").expect_err("refused");
        assert!(
            matches!(&refused, ServiceError::Conflict(m) if m == "refused after writing"),
            "{refused}"
        );
        assert_eq!(after.await.expect("join").expect("fourth"), 4);
        assert_eq!(rows(&pool).await, vec![1, 2, 4]);
        assert_eq!(g.batches(), 1, "the four writes were committed together");
    }

    #[tokio::test]
    async fn when_the_commit_fails_no_write_of_the_batch_succeeds_or_stays() {
        let pool = pool().await;
        let g = Arc::new(GroupCommit::new(pool.clone()));
        let (first, gate) = hold(&g, 1).await;
        // Accepted by its statement; the deferred foreign key refuses the
        // whole transaction at COMMIT.
        let orphan = queue(&g, |c, _| {
            Box::pin(async move {
                sqlx::query("INSERT INTO child (id, parent) VALUES (1, 99)")
                    .execute(c)
                    .await
                    .map_err(db)?;
                Ok(0)
            })
        })
        .await;
        let third = queue(&g, |c, _| Box::pin(insert(c, 3))).await;
        gate.send(()).expect("the first write waits");
        for h in [first, orphan, third] {
            let e = h.await.expect("join").expect_err("not committed");
            assert!(
                matches!(&e, ServiceError::Unavailable(m) if m.contains("not committed")),
                "{e}"
            );
        }
        assert!(rows(&pool).await.is_empty());
        let children: i64 = sqlx::query_scalar("SELECT count(*) FROM child")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(children, 0);
        // The writer goes on with the next batch.
        assert_eq!(
            g.run(Undo::Savepoint, |c, _| Box::pin(insert(c, 5)))
                .await
                .expect("next"),
            5
        );
        assert_eq!(rows(&pool).await, vec![5]);
    }

    #[tokio::test]
    async fn a_write_that_panics_fails_and_the_writer_goes_on() {
        let pool = pool().await;
        let g = Arc::new(GroupCommit::new(pool.clone()));
        let e = g
            .run::<i64, _>(Undo::Savepoint, |c, _| {
                Box::pin(async move {
                    insert(c, 1).await?;
                    panic!("a bug in a write");
                })
            })
            .await
            .expect_err("the panicking write fails");
        assert!(matches!(e, ServiceError::Unavailable(_)), "{e}");
        assert_eq!(
            g.run(Undo::Savepoint, |c, _| Box::pin(insert(c, 2)))
                .await
                .expect("next"),
            2
        );
        assert_eq!(rows(&pool).await, vec![2]);
    }
}
