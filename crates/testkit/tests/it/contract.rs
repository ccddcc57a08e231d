//! Every contract case on SQLite, and on PostgreSQL when
//! `MOTCUA_TEST_DATABASE_URL` is set (otherwise those tests pass after saying
//! they were skipped). Each case gets a database of its own.

use motcua_testkit::contract::{admin, units, users};
use motcua_testkit::{Backend, DATABASE_URL_VAR, TestDb};

/// Opens a fresh database, runs the case, removes the database.
async fn run(
    backend: Backend,
    migrated: bool,
    case: impl AsyncFnOnce(&TestDb) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let db = if migrated {
        TestDb::migrated(backend).await?
    } else {
        TestDb::unmigrated(backend).await?
    };
    let Some(db) = db else {
        eprintln!("skipped: {DATABASE_URL_VAR} is not set");
        return Ok(());
    };
    let outcome = case(&db).await;
    db.close().await;
    outcome
}

/// `mod <case> { sqlite, postgres }` for each case.
macro_rules! on_both {
    ($migrated:expr => $($area:ident :: $case:ident),* $(,)?) => {$(
        mod $case {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> anyhow::Result<()> {
                run(Backend::Sqlite, $migrated, async |db| $area::$case(db).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> anyhow::Result<()> {
                run(Backend::Postgres, $migrated, async |db| $area::$case(db).await).await
            }
        }
    )*};
}

on_both!(false =>
    admin::readiness_flips_on_migrate_and_migrating_again_is_a_no_op,
    admin::nodes_migrating_together_apply_each_migration_once,
);

on_both!(true =>
    admin::backend_is_named,
    units::units_read_back_by_id_code_and_in_code_order,
    units::duplicate_unit_code_is_conflict_and_changes_nothing,
    units::bad_parent_or_validity_is_invalid_and_changes_nothing,
    units::unknown_units_are_not_found,
    units::subtree_ids_cover_a_three_level_tree,
    users::users_read_back_by_username,
    users::duplicate_or_malformed_usernames_are_refused,
    users::password_hash_is_replaced_and_not_audited,
    users::role_grants_are_added_listed_and_revoked,
);
