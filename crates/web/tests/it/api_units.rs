//! The unit tree over HTTP: creation, changes with effective dates, and the
//! tree as it stood on a date.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, TestApp, codes};
use serde_json::{Value, json};

use crate::api_auth::on_both;

on_both!(
    units_change_from_a_date_and_the_past_tree_is_kept,
    bad_unit_input_is_refused_with_the_field
);

async fn units_change_from_a_date_and_the_past_tree_is_kept(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let admin = app
        .client("admin", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let post = |path: String, body: Value| admin.http.post(admin.url(&path)).json(&body).send();

    let r = post(
        "/api/units".into(),
        json!({ "code": "000.12.21.H40", "name": "UBND xã Lạc Sơn", "kind": "commune", "parent": codes::DISTRICT_A, "valid_from": "2020-01-01" }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["level"], "commune", "level defaults from the kind");

    // The 2025 reform: the two communes merge into a new one under the
    // province from 1 July, then district A is abolished.
    let r = post(
        format!("/api/units/{}/changes", codes::COMMUNE_A),
        json!({ "change": "merge", "with": ["000.12.21.H40"], "effective": "2025-07-01",
                "new_unit": { "code": "000.30.00.H40", "name": "UBND xã Đô Lương", "kind": "commune", "parent": codes::PROVINCE, "valid_from": "2025-07-01" } }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // District A still has its desk and office: abolishing it now is a conflict.
    let r = post(
        format!("/api/units/{}/changes", codes::DISTRICT_A),
        json!({ "change": "abolish", "effective": "2025-07-01" }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 409);

    let tree = |on: &'static str| {
        let c = &admin;
        async move {
            let v: Value = c
                .http
                .get(c.url(&format!("/api/units?on={on}")))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .map(|u| u["code"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let before = tree("2025-06-30").await;
    assert!(
        before.contains(&codes::COMMUNE_A.to_owned())
            && before.contains(&"000.12.21.H40".to_owned())
    );
    assert!(!before.contains(&"000.30.00.H40".to_owned()));
    let after = tree("2025-07-01").await;
    assert!(after.contains(&"000.30.00.H40".to_owned()));
    assert!(
        !after.contains(&codes::COMMUNE_A.to_owned())
            && !after.contains(&"000.12.21.H40".to_owned())
    );

    let detail: Value = admin
        .http
        .get(admin.url(&format!("/api/units/{}", codes::COMMUNE_A)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["unit"]["valid_to"], "2025-06-30");
    assert_eq!(detail["successions"][0][2], "merge");
    app.close().await;
}

async fn bad_unit_input_is_refused_with_the_field(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let admin = app
        .client("admin", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let viewer = app
        .client("theodoi", Role::Viewer, codes::PROVINCE)
        .await
        .unwrap();
    let before = app
        .db
        .query_i64("SELECT count(*) FROM units")
        .await
        .unwrap();
    for (body, field) in [
        (
            json!({ "code": "21.H40", "name": "X", "kind": "commune", "parent": codes::DISTRICT_A, "valid_from": "2020-01-01" }),
            "code",
        ),
        (
            json!({ "code": "000.40.21.H40", "name": "X", "kind": "village", "parent": codes::DISTRICT_A, "valid_from": "2020-01-01" }),
            "kind",
        ),
        (
            json!({ "code": "000.40.21.H40", "name": "X", "kind": "commune", "parent": codes::DISTRICT_A, "valid_from": "01/01/2020" }),
            "valid_from",
        ),
        (
            json!({ "code": "000.40.21.H40", "name": "X", "kind": "commune", "parent": "999.99.99.H99", "valid_from": "2020-01-01" }),
            "parent",
        ),
        (
            json!({ "code": "000.40.21.H40", "name": "X", "kind": "commune", "parent": codes::DISTRICT_A, "valid_from": "2020-01-01", "extra": 1 }),
            "extra",
        ),
    ] {
        let r = admin
            .http
            .post(admin.url("/api/units"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let p: Value = r.json().await.unwrap();
        assert!(
            status == 422 || (field == "parent" && status == 404),
            "{field}: {status} {p}"
        );
        if status == 422 {
            assert_eq!(p["field"], field, "{p}");
        }
    }
    let r = admin.http.post(admin.url("/api/units")).json(&json!({ "code": codes::COMMUNE_A, "name": "X", "kind": "commune", "parent": codes::DISTRICT_A, "valid_from": "2020-01-01" })).send().await.unwrap();
    assert_eq!(r.status(), 409, "a duplicate code");
    let r = viewer.http.post(viewer.url("/api/units")).json(&json!({ "code": "000.40.21.H40", "name": "X", "kind": "commune", "parent": codes::DISTRICT_A, "valid_from": "2020-01-01" })).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = admin
        .http
        .get(admin.url("/api/units?on=2025-02-30"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = admin
        .http
        .get(admin.url("/api/units/999.99.99.H99"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM units")
            .await
            .unwrap(),
        before,
        "nothing was created"
    );
    app.close().await;
}
