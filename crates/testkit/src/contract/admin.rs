//! Migrations and readiness. The cases here that say "unmigrated" must be
//! given a database on which no migration has run.

use std::sync::Arc;

use anyhow::Context;
use motcua_service::ServiceError;
use motcua_service::store::{MigrationReport, Readiness, Store};

use super::TestDb;

/// Migration pairs in `crates/storage/migrations/{sqlite,postgres}`; raise it
/// with each new pair.
pub const MIGRATIONS: u32 = 20;

/// The store names its database.
pub async fn backend_is_named(db: &TestDb) -> anyhow::Result<()> {
    assert_eq!(db.store().backend(), db.backend().name());
    Ok(())
}

/// Unmigrated: not ready until `migrate` has run; then ready, and a second
/// `migrate` applies nothing.
pub async fn readiness_flips_on_migrate_and_migrating_again_is_a_no_op(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let backend = db.backend().name();
    let before = store.readiness().await?;
    assert_eq!(
        before,
        Readiness {
            backend,
            expected_migrations: MIGRATIONS,
            applied_migrations: 0,
            write_problem: None,
        }
    );
    assert!(!before.is_ready());
    let err = super::expect_err(store.list_units().await, "query before migrating")?;
    assert!(
        matches!(&err, ServiceError::Unavailable(m) if m.contains("migrate")),
        "{err:?}"
    );

    let first = store.migrate().await?;
    assert_eq!(
        first,
        MigrationReport {
            applied_now: MIGRATIONS,
            total: MIGRATIONS
        }
    );
    let after = store.readiness().await?;
    assert_eq!(
        after,
        Readiness {
            backend,
            expected_migrations: MIGRATIONS,
            applied_migrations: MIGRATIONS,
            write_problem: None,
        }
    );
    assert!(after.is_ready());

    let second = store.migrate().await?;
    assert_eq!(
        second,
        MigrationReport {
            applied_now: 0,
            total: MIGRATIONS
        }
    );
    assert!(store.readiness().await?.is_ready());
    Ok(())
}

/// Unmigrated: four nodes (stores of their own on the same database) migrate
/// at once; each migration is applied exactly once and all end ready.
pub async fn nodes_migrating_together_apply_each_migration_once(db: &TestDb) -> anyhow::Result<()> {
    let mut nodes: Vec<Arc<dyn Store>> = Vec::new();
    for _ in 0..4 {
        nodes.push(motcua_storage::open(db.url()).await?);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for node in &nodes {
        let node = Arc::clone(node);
        tasks.spawn(async move { node.migrate().await });
    }
    let mut applied = 0;
    while let Some(joined) = tasks.join_next().await {
        let report = joined.context("migrate task")??;
        assert_eq!(report.total, MIGRATIONS);
        applied += report.applied_now;
    }
    assert_eq!(applied, MIGRATIONS);
    for node in &nodes {
        assert!(node.readiness().await?.is_ready());
    }
    // The tables exist once: a unit written through one node is read by another.
    let unit = super::new_unit(
        "000.00.00.H99",
        "Ủy ban nhân dân tỉnh Mẫu",
        motcua_domain::unit::UnitKind::Province,
        motcua_domain::unit::Level::Province,
        None,
    )?;
    let a = nodes[0].insert_unit(&super::ctx()?, &unit).await?;
    assert_eq!(nodes[3].unit_by_id(a.id).await?, a);
    Ok(())
}
