//! The test-database helpers: URLs that open, raw SQL, and clean-up.

use motcua_service::ServiceError;
use motcua_testkit::{Backend, TestDb};

/// The URL of a fresh database opens a second store that sees the same data,
/// and raw SQL reaches the same tables.
async fn url_and_raw_sql_reach_the_same_database(backend: Backend) -> anyhow::Result<()> {
    let db = TestDb::migrated(backend).await?;
    let other = motcua_storage::open(db.url()).await?;
    assert!(other.readiness().await?.is_ready());
    assert_eq!(db.query_i64("SELECT count(*) FROM units").await?, 0);
    assert_eq!(
        db.execute("INSERT INTO settings (scope, key, value, updated_at_ms) VALUES ('global', 'k', '[1]', 0)")
            .await?,
        1
    );
    assert_eq!(
        other.get_setting("global", "k").await?,
        Some(serde_json::json!([1]))
    );
    db.close().await;
    Ok(())
}

#[tokio::test]
async fn sqlite_url_and_raw_sql_reach_the_same_database() -> anyhow::Result<()> {
    url_and_raw_sql_reach_the_same_database(Backend::Sqlite).await
}

#[tokio::test]
async fn postgres_url_and_raw_sql_reach_the_same_database() -> anyhow::Result<()> {
    url_and_raw_sql_reach_the_same_database(Backend::Postgres).await
}

/// A closed PostgreSQL test database is gone from the server.
#[tokio::test]
async fn postgres_test_databases_are_dropped_when_closed() -> anyhow::Result<()> {
    let db = TestDb::migrated(Backend::Postgres).await?;
    let url = db.url().to_owned();
    db.close().await;
    let err = match motcua_storage::open(&url).await {
        Ok(_) => anyhow::bail!("{url} still opens after close"),
        Err(e) => e,
    };
    assert!(matches!(err, ServiceError::Unavailable(_)), "{err:?}");
    Ok(())
}

/// A server nobody listens on is `Unavailable`, not a crash or a hang.
#[tokio::test]
async fn an_unreachable_postgres_server_is_unavailable() -> anyhow::Result<()> {
    let err = match motcua_storage::open("postgres://postgres@127.0.0.1:1/motcua").await {
        Ok(_) => anyhow::bail!("opened a database on port 1"),
        Err(e) => e,
    };
    assert!(matches!(err, ServiceError::Unavailable(_)), "{err:?}");
    Ok(())
}

/// A SQLite URL whose directory does not exist yet is created.
#[tokio::test]
async fn sqlite_creates_the_file_and_its_directory() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("nested/data/motcua.db");
    let store = motcua_storage::open(&format!("sqlite://{}", path.display())).await?;
    assert!(!store.readiness().await?.is_ready());
    assert_eq!(
        store.migrate().await?.applied_now,
        motcua_testkit::contract::admin::MIGRATIONS
    );
    assert!(path.exists());
    let again = motcua_storage::open_sqlite(&path).await?;
    assert!(again.readiness().await?.is_ready());
    Ok(())
}

/// `sqlite::memory:` gives a private database that lives as long as the store.
#[tokio::test]
async fn sqlite_in_memory_keeps_its_data_across_calls() -> anyhow::Result<()> {
    let store = motcua_storage::open("sqlite::memory:").await?;
    assert_eq!(
        store.migrate().await?.applied_now,
        motcua_testkit::contract::admin::MIGRATIONS
    );
    let c = motcua_testkit::contract::ctx()?;
    store
        .put_setting(&c, "global", "k", &serde_json::json!(1))
        .await?;
    assert_eq!(
        store.get_setting("global", "k").await?,
        Some(serde_json::json!(1))
    );
    assert!(store.readiness().await?.is_ready());
    Ok(())
}
