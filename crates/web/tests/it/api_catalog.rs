//! The procedure catalog over HTTP: creation, versions, lists, search,
//! assignments, and bad input.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, TestApp, codes};
use serde_json::{Value, json};

use crate::api_auth::on_both;

on_both!(
    processes_and_reviews_give_their_figures,
    files_import_all_or_nothing_and_export_round_trips,
    procedures_are_created_versioned_listed_and_found,
    bad_procedures_name_the_field_and_change_nothing,
    the_openapi_document_describes_the_api
);

fn procedure(code: &str, name: &str, field: &str, level: &str, from: &str) -> Value {
    json!({
        "code": code, "name": name, "field": field, "levels": [level], "agency": "UBND cấp xã",
        "time_limit": "3 working_days", "online_level": "full_process", "fee": 0,
        "result_type": "certificate", "applicant": "citizen", "effective_from": from,
        "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": true }]
    })
}

async fn procedures_are_created_versioned_listed_and_found(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let keeper = app
        .client("kiemsoat", Role::UnitAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let names = [
        ("1.000001", "Cấp giấy phép xây dựng", "Xây dựng"),
        ("1.000002", "Cấp lại giấy phép xây dựng", "Xây dựng"),
        ("1.000003", "Đăng ký khai sinh", "Hộ tịch"),
        ("1.000004", "Cấp giấy phép sửa chữa nhà ở", "Xây dựng"),
        (
            "1.000005",
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
            "Chứng thực",
        ),
    ];
    for (code, name, field) in names {
        let r = keeper
            .http
            .post(keeper.url("/api/procedures"))
            .json(&procedure(code, name, field, "commune", "2024-01-01"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    // A new version from 2025: 3 → 2 working days.
    let mut v2 = procedure(
        "1.000003",
        "Đăng ký khai sinh",
        "Hộ tịch",
        "commune",
        "2025-01-01",
    );
    v2["time_limit"] = json!("2 working_days");
    let r = keeper
        .http
        .post(keeper.url("/api/procedures/1.000003/versions"))
        .json(&v2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let anon = reqwest::Client::new();
    let get = |path: String| anon.get(app.url(&path)).send();
    let old: Value = get("/api/procedures/1.000003?on=2024-06-01".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(old["time_limit"], "3 working_days");
    assert_eq!(old["effective_to"], "2024-12-31");
    let new: Value = get("/api/procedures/1.000003".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (new["time_limit"].as_str(), new["version_no"].as_u64()),
        (Some("2 working_days"), Some(2))
    );

    // Paging: 2 per page over 5 codes gives 3 pages without repeats.
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page: Value = get(format!("/api/procedures?limit=2{after}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["code"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(n) => after = format!("&after={n}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["1.000001", "1.000002", "1.000003", "1.000004", "1.000005"]
    );
    let xd: Value = get("/api/procedures?field=X%C3%A2y%20d%E1%BB%B1ng".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(xd["items"].as_array().unwrap().len(), 3);

    // Vietnamese search: without diacritics, in capitals, with a typo.
    for q in [
        "giay phep xay dung",
        "GIẤY PHÉP xây dựng",
        "xay dung",
        "giay phep xay dungg",
    ] {
        let hits: Value = anon
            .get(app.url("/api/procedures/search"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(hits[0]["code"], "1.000001", "{q}: {hits}");
    }

    // Assignment to a commune, then the list filtered by unit.
    let r = keeper
        .http
        .post(keeper.url(&format!(
            "/api/procedures/1.000003/units/{}",
            codes::COMMUNE_A
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let mine: Value = get(format!("/api/procedures?unit={}", codes::COMMUNE_A))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    app.close().await;
}

async fn bad_procedures_name_the_field_and_change_nothing(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let keeper = app
        .client("kiemsoat", Role::UnitAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let district_admin = app
        .client("quantri.a", Role::UnitAdmin, codes::DISTRICT_A)
        .await
        .unwrap();
    let good = procedure(
        "1.000010",
        "Đăng ký kết hôn",
        "Hộ tịch",
        "commune",
        "2024-01-01",
    );
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut set = |k: &str, v: Value, field: &'static str| {
        let mut p = good.clone();
        p[k] = v;
        cases.push((p, field));
    };
    set("code", json!("3.000010"), "code");
    set("time_limit", json!("5 ngày lam viec"), "time_limit");
    set("levels", json!(["commune", "hamlet"]), "levels[1]");
    set("fee", json!(-1), "fee");
    set("effective_from", json!("31/12/2024"), "effective_from");
    set("online_level", json!("level 5"), "online_level");
    set(
        "components",
        json!([{ "name": "Tờ khai", "form": "original", "copies": 0, "requirement": "mandatory", "must_digitise": true }]),
        "components.copies",
    );
    set(
        "components",
        json!([{ "name": "Tờ khai", "form": "photo", "copies": 1, "requirement": "mandatory", "must_digitise": true }]),
        "components[0].form",
    );
    set(
        "components",
        json!([{ "name": "Tờ khai", "form": "original", "copies": "một", "requirement": "mandatory", "must_digitise": true }]),
        "components[0].copies",
    );
    // What only answers carry is refused in a request, naming it.
    set("version_no", json!(7), "version_no");
    set("effective_to", json!("2030-01-01"), "effective_to");
    let before = app.audit_count().await.unwrap();
    for (body, field) in cases {
        let r = keeper
            .http
            .post(keeper.url("/api/procedures"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{field}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["field"], field, "{p}");
    }
    assert_eq!(
        app.audit_count().await.unwrap(),
        before,
        "nothing was written"
    );
    // A district administrator keeps assignments, not the provincial catalog.
    let r = district_admin
        .http
        .post(district_admin.url("/api/procedures"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = keeper
        .http
        .post(keeper.url("/api/procedures"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = keeper
        .http
        .post(keeper.url("/api/procedures"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // A version must start after the current one.
    let r = keeper
        .http
        .post(keeper.url("/api/procedures/1.000010/versions"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["field"], "effective_from");
    let r = reqwest::get(app.url("/api/procedures/9.999999"))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = reqwest::get(app.url("/api/procedures/1.999999"))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    app.close().await;
}

async fn the_openapi_document_describes_the_api(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/auth/login",
        "/api/units",
        "/api/units/{code}/changes",
        "/api/users",
        "/api/procedures",
        "/api/procedures/search",
        "/api/procedures/{code}/versions",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["components"]["schemas"].get("Problem").is_some());
    // A procedure as answered: every field it carries is declared (the schema
    // forbids others), those only answers carry as read-only. The fuzzer
    // found `version_no` and `effective_to` missing.
    let io = &doc["components"]["schemas"]["ProcedureIo"];
    assert_eq!(io["additionalProperties"], false);
    for field in [
        "code",
        "name",
        "field",
        "levels",
        "agency",
        "time_limit",
        "online_time_limit",
        "online_level",
        "fee",
        "fee_note",
        "result_type",
        "legal_basis",
        "applicant",
        "effective_from",
        "components",
        "version_no",
        "effective_to",
    ] {
        assert!(io["properties"].get(field).is_some(), "{field} undeclared");
    }
    for field in ["version_no", "effective_to"] {
        assert_eq!(io["properties"][field]["readOnly"], true, "{field}");
    }
    // The list's filters declare what the server checks, so that generated
    // clients and fuzzers send dates and page sizes it accepts.
    let list = doc["paths"]["/api/dossiers"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let param = |name: &str| {
        list.iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} undeclared"))["schema"]
            .clone()
    };
    for name in [
        "due_from",
        "due_to",
        "received_from",
        "received_to",
        "ended_from",
        "ended_to",
    ] {
        assert_eq!(param(name)["format"], "date", "{name}");
    }
    assert_eq!(
        (
            param("limit")["minimum"].as_i64(),
            param("limit")["maximum"].as_i64()
        ),
        (Some(1), Some(200))
    );
    app.close().await;
}

const EXAMPLE: &str = include_str!("../../../../docs/import/procedures-example.csv");

async fn files_import_all_or_nothing_and_export_round_trips(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let keeper = app
        .client("kiemsoat", Role::UnitAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let desk = app
        .client("motcua", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let codes_in_file = EXAMPLE
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with(','))
        .count() as u64;
    let post = |c: &motcua_testkit::Client, body: Vec<u8>, ct: &'static str| {
        c.http
            .post(c.url("/api/procedures/import"))
            .header("content-type", ct)
            .body(body)
            .send()
    };

    let r = post(&desk, EXAMPLE.as_bytes().to_vec(), "text/csv")
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "desk officers do not keep the catalog");

    let r = post(&keeper, EXAMPLE.as_bytes().to_vec(), "text/csv")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let out: Value = r.json().await.unwrap();
    assert_eq!(
        (out["procedures"].as_u64(), out["created"].as_u64()),
        (Some(codes_in_file), Some(codes_in_file))
    );

    // A file whose second procedure row has a bad online level and fee: both
    // problems listed, nothing imported.
    let mut lines: Vec<&str> = EXAMPLE.lines().collect();
    lines.truncate(2);
    let bad = lines[1]
        .replacen(&lines[1][..8], "1.999990", 1)
        .replace("Toàn trình", "Mức 9");
    let body = format!(
        "{}\n{}\n{}\n",
        lines[0],
        lines[1].replacen(&lines[1][..8], "1.999989", 1),
        bad
    );
    let before = app
        .db
        .query_i64("SELECT count(*) FROM procedures")
        .await
        .unwrap();
    let r = post(&keeper, body.into_bytes(), "text/csv").await.unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["field"], "file");
    let errors: Vec<String> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    assert!(
        errors.iter().any(|e| e.starts_with("row 3, column H")),
        "{errors:?}"
    );
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM procedures")
            .await
            .unwrap(),
        before
    );

    // The XLSX export imports back unchanged.
    let xlsx = reqwest::get(app.url("/api/procedures/export?format=xlsx"))
        .await
        .unwrap();
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let r = post(
        &keeper,
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await
    .unwrap();
    let out: Value = r.json().await.unwrap();
    assert_eq!(
        (out["unchanged"].as_u64(), out["created"].as_u64()),
        (Some(codes_in_file), Some(0)),
        "{out}"
    );
    let r = reqwest::get(app.url("/api/procedures/export?format=pdf"))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    app.close().await;
}

async fn processes_and_reviews_give_their_figures(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let keeper = app
        .client("kiemsoat", Role::UnitAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let leader = app
        .client("lanhdao", Role::Leader, codes::DISTRICT_A)
        .await
        .unwrap();
    let evaluator = app
        .client("noivu", Role::ReformEvaluator, codes::PROVINCE)
        .await
        .unwrap();
    let desk = app
        .client("motcua", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut p = procedure(
        "1.000020",
        "Cấp giấy chứng nhận quyền sử dụng đất",
        "Đất đai",
        "district",
        "2024-01-01",
    );
    p["time_limit"] = json!("2 working_days");
    assert_eq!(
        keeper
            .http
            .post(keeper.url("/api/procedures"))
            .json(&p)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    for (code, limit) in [
        ("1.000021", "15 working_days"),
        ("1.000022", "20 calendar_days"),
    ] {
        let mut p = procedure(code, "Thủ tục", "Đất đai", "district", "2024-01-01");
        p["time_limit"] = json!(limit);
        assert_eq!(
            keeper
                .http
                .post(keeper.url("/api/procedures"))
                .json(&p)
                .send()
                .await
                .unwrap()
                .status(),
            201
        );
    }
    let process = |hours: [u32; 2]| {
        json!({ "procedure": "1.000020", "unit": codes::DISTRICT_A, "decision": "Quyết định số 12/QĐ-UBND", "effective_from": "2024-03-01",
                "steps": [
                    { "name": "Tiếp nhận", "unit": codes::DESK_A, "role": "desk_officer", "allotted": format!("{} working_hours", hours[0]) },
                    { "name": "Thẩm định, phê duyệt", "unit": codes::OFFICE_A, "role": "specialist", "allotted": format!("{} working_hours", hours[1]), "external": false }
                ] })
    };
    // 8 h + 9 h exceeds 2 working days (16 h) by one hour.
    let r = leader
        .http
        .post(leader.url("/api/processes"))
        .json(&process([8, 9]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let pb: Value = r.json().await.unwrap();
    assert!(pb["detail"].as_str().unwrap().contains("17"), "{pb}");
    let r = desk
        .http
        .post(desk.url("/api/processes"))
        .json(&process([8, 8]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    for version in [1, 2] {
        let r = leader
            .http
            .post(leader.url("/api/processes"))
            .json(&process([8, 8]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let out: Value = r.json().await.unwrap();
        assert_eq!(out["version_no"], version);
    }
    let list: Value = leader
        .http
        .get(leader.url(&format!(
            "/api/processes?unit={}&on=2024-06-01",
            codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the latest version only: {list}"
    );
    let none: Value = leader
        .http
        .get(leader.url(&format!(
            "/api/processes?unit={}&on=2024-02-01",
            codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none.as_array().unwrap().len(), 0, "not yet in force");

    // Reviews: 15 → 10 working days, 20 → 12 calendar days, 16 → 8 working hours.
    for (code, before, after) in [
        ("1.000021", "15 working_days", "10 working_days"),
        ("1.000022", "20 calendar_days", "12 calendar_days"),
        ("1.000020", "16 working_hours", "8 working_hours"),
    ] {
        let r = evaluator
            .http
            .post(evaluator.url("/api/reviews"))
            .json(&json!({ "unit": codes::DISTRICT_A, "procedure": code, "year": 2024, "limit_before": before, "limit_after": after,
                           "decision": "Quyết định số 99/QĐ-UBND", "effective": "2025-01-01" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let rep: Value = evaluator
        .http
        .get(evaluator.url(&format!(
            "/api/reviews?unit={}&year=2024",
            codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rep["reviewed"], 3);
    assert_eq!(
        rep["days_cut"], 13,
        "5 working + 8 calendar days; hours are shown apart"
    );
    assert_eq!(rep["working_days_cut"], 5);
    assert_eq!(rep["calendar_days_cut"], 8);
    assert_eq!(rep["hours_cut"], 8);
    assert_eq!(rep["relative_cut"], "37,14% (13/35)");
    let other: Value = evaluator
        .http
        .get(evaluator.url("/api/reviews?unit=000.00.22.H40&year=2024"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(other["reviewed"], 0);
    let r = desk
        .http
        .get(desk.url(&format!(
            "/api/reviews?unit={}&year=2024",
            codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Catalog figures: the three procedures assigned to district A.
    for code in ["1.000020", "1.000021", "1.000022"] {
        let r = keeper
            .http
            .post(keeper.url(&format!(
                "/api/procedures/{code}/units/{}",
                codes::DISTRICT_A
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }
    let stats: Value = leader
        .http
        .get(leader.url(&format!(
            "/api/catalog/stats?unit={}&on=2024-06-01",
            codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let d = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == "district")
        .unwrap();
    assert_eq!(
        (
            d["procedures"].as_u64(),
            d["full_process"].as_u64(),
            d["processes"].as_u64()
        ),
        (Some(3), Some(3), Some(1)),
        "{stats}"
    );
    app.close().await;
}
