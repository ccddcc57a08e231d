//! Settings by scope and key.

use motcua_service::ServiceError;
use serde_json::json;

use super::{TestDb, audit_count, ctx, entry_summary, expect_err, summary};

/// A value reads back as the same JSON, a second put replaces it, scopes are
/// apart, and an unset key is `None`.
pub async fn settings_round_trip_json_and_replace(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let c = ctx()?;
    assert_eq!(store.get_setting("global", "deadline.policy").await?, None);

    let policy = json!({
        "tên": "Quy định thời hạn",
        "days": [1, 2, 3],
        "ratio": 0.25,
        "big": 9_007_199_254_740_993_i64,
        "nested": { "on": true, "none": null },
    });
    store
        .put_setting(&c, "global", "deadline.policy", &policy)
        .await?;
    store
        .put_setting(&c, "unit:5", "deadline.policy", &json!("khác"))
        .await?;
    store
        .put_setting(&c, "global", "empty", &json!(null))
        .await?;
    assert_eq!(
        store.get_setting("global", "deadline.policy").await?,
        Some(policy)
    );
    assert_eq!(
        store.get_setting("unit:5", "deadline.policy").await?,
        Some(json!("khác"))
    );
    assert_eq!(
        store.get_setting("global", "empty").await?,
        Some(json!(null))
    );
    assert_eq!(store.get_setting("unit:6", "deadline.policy").await?, None);

    store
        .put_setting(&c, "global", "deadline.policy", &json!([42]))
        .await?;
    assert_eq!(
        store.get_setting("global", "deadline.policy").await?,
        Some(json!([42]))
    );
    assert_eq!(db.query_i64("SELECT count(*) FROM settings").await?, 3);
    assert_eq!(
        entry_summary(&*store).await?[3],
        summary(&[(4, "admin", "setting.put", "setting:global:deadline.policy")])[0]
    );
    Ok(())
}

/// A blank scope or key is `Invalid` and writes nothing.
pub async fn blank_setting_keys_are_invalid(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let c = ctx()?;
    for (scope, key, field) in [("", "k", "scope"), ("global", " ", "key")] {
        let err = expect_err(store.put_setting(&c, scope, key, &json!(1)).await, "blank")?;
        assert!(
            matches!(&err, ServiceError::Invalid { field: f, .. } if f == field),
            "{err:?}"
        );
    }
    assert_eq!(audit_count(&*store).await?, 0);
    Ok(())
}
