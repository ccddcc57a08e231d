//! Routing without an internal process (issue 18, point 3) over HTTP on
//! both databases: the hand-over of a dossier whose procedure has no
//! process offers the offices of the receiving unit's tree that handle the
//! procedure's field (every office when none does), with their people; a
//! default process per field and level routes such dossiers step by step.
//!
//! The clock is Monday 24/11/2025 09:00 (Vietnam), office hours 07:00–11:30
//! and 13:30–17:00; the expected due moments are counted by hand.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::access_matrix::{form, no_redirect};
use crate::api_auth::on_both;

on_both!(
    a_dossier_without_a_process_is_offered_the_offices_of_its_field,
    a_default_process_routes_by_field_and_level,
    only_those_who_manage_processes_set_routing
);

/// District A's second office, created by the test.
const CULTURE_A: &str = "000.03.21.H40";

fn vn(s: &str) -> String {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .unwrap()
        .timestamp()
        .to_string()
}

struct World {
    app: TestApp,
    desk: Client,
    leader: Client,
    admin: Client,
}

/// Procedure 1.000004 "Chứng thực bản sao" (field Chứng thực, 3 working
/// days, no process) assigned to district A; a second office under the
/// district with its specialist; the justice office's specialist.
async fn world(b: Backend) -> World {
    let app = TestApp::start(b).await.unwrap();
    app.clock.set(vn("2025-11-24T09:00").parse().unwrap());
    let admin = app
        .client("quantri", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let r = admin
        .http
        .post(admin.url("/api/procedures"))
        .json(&json!({
            "code": "1.000004", "name": "Chứng thực bản sao từ bản chính", "field": "Chứng thực", "levels": ["district"],
            "agency": "UBND cấp huyện", "time_limit": "3 working_days", "online_level": "full_process",
            "fee": 2000, "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
            "components": [{ "name": "Bản chính giấy tờ", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = admin
        .http
        .post(admin.url(&format!(
            "/api/procedures/1.000004/units/{}",
            codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let r = admin
        .http
        .post(admin.url("/api/units"))
        .json(&json!({ "code": CULTURE_A, "name": "Phòng Văn hóa và Thông tin huyện Đô Lương", "kind": "district_office",
            "parent": codes::DISTRICT_A, "valid_from": "2020-01-01" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    app.user("cv.tuphap", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    app.user("cv.vanhoa", Role::Specialist, CULTURE_A)
        .await
        .unwrap();
    let desk = app
        .client("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let leader = app
        .client("lanhdao", Role::Leader, codes::DISTRICT_A)
        .await
        .unwrap();
    World {
        app,
        desk,
        leader,
        admin,
    }
}

async fn receive(desk: &Client) -> String {
    let r = desk
        .http
        .post(desk.url("/api/dossiers"))
        .json(&json!({
            "unit": codes::DESK_A, "procedure": "1.000004", "channel": "in_person",
            "applicant": { "kind": "citizen", "name": "Trần Thị Bình", "identity": "040095000123", "phone": "0912345678", "email": "", "address": "Đô Lương" },
            "components": [{ "name": "Bản chính giấy tờ", "form": "original", "copies": 1, "digitised": false, "reused": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    v["code"].as_str().unwrap().to_owned()
}

async fn json_of(r: reqwest::Response) -> (StatusCode, Value) {
    let s = r.status();
    let text = r.text().await.unwrap();
    (
        s,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn put(c: &Client, path: &str, body: Value) -> (StatusCode, Value) {
    json_of(c.http.put(c.url(path)).json(&body).send().await.unwrap()).await
}

/// The `<optgroup>` labels and option values of the hand-over's office
/// choice on the dossier page, in order.
fn offer(page: &str) -> (Vec<String>, Vec<String>) {
    let Some(start) = page.find("name=\"to_target\"") else {
        return (Vec::new(), Vec::new());
    };
    let end = start + page[start..].find("</select>").unwrap();
    let part = &page[start..end];
    let grab = |marker: &str| -> Vec<String> {
        part.split(marker)
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_owned())
            .collect()
    };
    (grab("<optgroup label=\""), grab("<option value=\""))
}

async fn page(c: &Client, code: &str) -> String {
    let r = c
        .http
        .get(c.url(&format!("/ho-so/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

async fn a_dossier_without_a_process_is_offered_the_offices_of_its_field(b: Backend) {
    let w = world(b).await;
    let code = receive(&w.desk).await;

    // No office says it handles "Chứng thực": every office of the
    // district's tree, then the district itself; not the desk.
    let html = page(&w.desk, &code).await;
    let (groups, values) = offer(&html);
    assert_eq!(
        groups,
        vec![
            "Phòng Tư pháp huyện Đô Lương".to_owned(),
            "Phòng Văn hóa và Thông tin huyện Đô Lương".to_owned(),
            "UBND huyện Đô Lương".to_owned()
        ],
        "{html}"
    );
    assert!(html.contains("chưa phòng, ban nào đăng ký phụ trách lĩnh vực này"));
    for v in [
        codes::OFFICE_A.to_owned(),
        format!("{}|cv.tuphap", codes::OFFICE_A),
        CULTURE_A.to_owned(),
        format!("{CULTURE_A}|cv.vanhoa"),
        codes::DISTRICT_A.to_owned(),
    ] {
        assert!(values.contains(&v), "{v} in {values:?}");
    }
    // The justice office's specialist is not offered at the culture office.
    assert!(!values.contains(&format!("{CULTURE_A}|cv.tuphap")));

    // The culture office says it handles the field (written in another case).
    let (s, v) = put(
        &w.leader,
        &format!("/api/units/{CULTURE_A}/sectors"),
        json!({ "sectors": [" chứng thực ", "Văn hóa", "Chứng Thực"] }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["sectors"], json!(["chứng thực", "Văn hóa"]));
    let html = page(&w.desk, &code).await;
    let (groups, values) = offer(&html);
    assert_eq!(
        groups,
        vec![
            "Phòng Văn hóa và Thông tin huyện Đô Lương · phụ trách lĩnh vực".to_owned(),
            "UBND huyện Đô Lương".to_owned()
        ]
    );
    assert!(!values.iter().any(|v| v.starts_with(codes::OFFICE_A)));
    assert!(html.contains("chọn phòng, ban phụ trách lĩnh vực này"));

    // The desk sends it to the culture office's specialist from the page.
    let dossier: Value = w
        .desk
        .http
        .get(w.desk.url(&format!("/api/dossiers/{code}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let version = dossier["version"].as_i64().unwrap().to_string();
    let r = no_redirect(&w.desk)
        .post(w.desk.url(&format!("/ho-so/{code}/hanh-dong")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrf_token", &w.desk.csrf),
            ("version", &version),
            ("action", "hand_over"),
            ("to_target", &format!("{CULTURE_A}|cv.vanhoa")),
        ]))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status() == 303,
        "{}",
        r.status()
    );
    let d: Value = w
        .desk
        .http
        .get(w.desk.url(&format!("/api/dossiers/{code}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["status"], "processing", "{d}");
    let step = d["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(step["unit_code"], CULTURE_A, "{step}");
    assert_eq!(step["holder"], "cv.vanhoa", "{step}");
    // An office of the receiving unit's own tree is not another agency.
    assert_eq!(step["external"], false, "{step}");
}

fn template(sector: &str, office_time: &str) -> Value {
    json!({ "sector": sector, "level": "district", "steps": [
        { "name": "Tiếp nhận, kiểm tra", "place": "desk", "role": "desk_officer", "allotted": "4 working_hours" },
        { "name": "Thẩm định, trình ký", "place": "office", "role": "specialist", "allotted": office_time },
        { "name": "Ký kết quả", "place": "head", "role": "leader", "allotted": "1 working_days" }
    ] })
}

async fn a_default_process_routes_by_field_and_level(b: Backend) {
    let w = world(b).await;
    let (s, _) = put(
        &w.leader,
        &format!("/api/units/{CULTURE_A}/sectors"),
        json!({ "sectors": ["Chứng thực"] }),
    )
    .await;
    assert_eq!(s, 200);
    // Bad templates: each names its field and nothing is stored.
    let mut two_rests = template("Chứng thực", "rest");
    two_rests["steps"][2]["allotted"] = json!("rest");
    let mut admin_role = template("Chứng thực", "rest");
    admin_role["steps"][0]["role"] = json!("unit_admin");
    let mut nowhere = template("Chứng thực", "rest");
    nowhere["steps"][1]["place"] = json!("elsewhere");
    let mut hamlet = template("Chứng thực", "rest");
    hamlet["level"] = json!("hamlet");
    let mut calendar = template("Chứng thực", "rest");
    calendar["steps"][0]["allotted"] = json!("3 calendar_days");
    for (body, field) in [
        (two_rests, "steps"),
        (admin_role, "steps[0].role"),
        (nowhere, "steps[1].place"),
        (hamlet, "level"),
        (calendar, "steps[0].allotted"),
        (template(" ", "rest"), "sector"),
    ] {
        let (s, v) = put(&w.admin, "/api/default-processes", body).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["field"], field, "{v}");
    }
    let (s, v) = json_of(
        w.admin
            .http
            .get(w.admin.url("/api/default-processes"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, v), (StatusCode::OK, json!([])));

    let (s, v) = put(
        &w.admin,
        "/api/default-processes",
        template("chứng thực", "rest"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["steps"][1]["allotted"], "rest");

    let code = receive(&w.desk).await;
    // 10:00, the desk hands over: step 2, at the office handling the field.
    w.app.clock.set(vn("2025-11-24T10:00").parse().unwrap());
    let r = w
        .desk
        .http
        .post(w.desk.url(&format!("/api/dossiers/{code}/actions")))
        .json(&json!({ "action": "hand_over", "version": 1 }))
        .send()
        .await
        .unwrap();
    let (s, v) = json_of(r).await;
    assert_eq!(s, 200, "{v}");
    let steps = v["dossier"]["steps"].as_array().unwrap().clone();
    assert_eq!(steps.len(), 2, "{v}");
    assert_eq!(steps[0]["name"], "Tiếp nhận, kiểm tra");
    assert_eq!(steps[0]["unit_code"], codes::DESK_A);
    // Received 09:00 with 4 working hours: 09:00–11:30 is 2.5 h, then
    // 13:30 + 1.5 h = 15:00.
    assert_eq!(steps[0]["due"], vn("2025-11-24T15:00"), "{v}");
    assert_eq!(steps[1]["step_no"], 2);
    assert_eq!(steps[1]["unit_code"], CULTURE_A);
    assert_eq!(steps[1]["role"], "specialist");
    // The rest: 3 working days (24 h) less 4 h and 8 h = 12 working hours
    // from Monday 10:00: 1.5 h + 3.5 h on Monday, 4.5 h on Tuesday
    // morning, then 2.5 h from 13:30: Tuesday 16:00.
    assert_eq!(steps[1]["due"], vn("2025-11-25T16:00"), "{v}");
    let version = v["dossier"]["version"].as_i64().unwrap();

    // The specialist sends it on: step 3 is the district's leader.
    let specialist = w.app.login("cv.vanhoa").await.unwrap();
    let r = specialist
        .http
        .post(specialist.url(&format!("/api/dossiers/{code}/actions")))
        .json(&json!({ "action": "hand_over", "version": version }))
        .send()
        .await
        .unwrap();
    let (s, v) = json_of(r).await;
    assert_eq!(s, 200, "{v}");
    let last = v["dossier"]["steps"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["step_no"], 3, "{last}");
    assert_eq!(last["unit_code"], codes::DISTRICT_A, "{last}");
    assert_eq!(last["role"], "leader");
    assert_eq!(last["name"], "Ký kết quả");

    // Naming a unit is refused while a (default) process decides.
    let other = receive(&w.desk).await;
    let r = w
        .desk
        .http
        .post(w.desk.url(&format!("/api/dossiers/{other}/actions")))
        .json(&json!({ "action": "hand_over", "version": 1, "to_unit": codes::OFFICE_A }))
        .send()
        .await
        .unwrap();
    let (s, v) = json_of(r).await;
    assert_eq!(
        (s.as_u16(), v["field"].clone()),
        (422, json!("to_unit")),
        "{v}"
    );

    // Removed, it no longer routes: the page offers offices again.
    let r = w
        .admin
        .http
        .delete(
            w.admin
                .url("/api/default-processes?sector=Ch%E1%BB%A9ng%20th%E1%BB%B1c&level=district"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = w
        .admin
        .http
        .delete(
            w.admin
                .url("/api/default-processes?sector=Ch%E1%BB%A9ng%20th%E1%BB%B1c&level=district"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (groups, _) = offer(&page(&w.desk, &other).await);
    assert_eq!(groups.len(), 2, "{groups:?}");
}

async fn only_those_who_manage_processes_set_routing(b: Backend) {
    let w = world(b).await;
    let other_leader = w
        .app
        .client("lanhdao.b", Role::Leader, codes::DISTRICT_B)
        .await
        .unwrap();
    let province_admin = w
        .app
        .client("quantri.tinh", Role::UnitAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let body = json!({ "sectors": ["Chứng thực"] });
    let path = format!("/api/units/{CULTURE_A}/sectors");
    // Who sets an office's fields: processes managed on it (its district's
    // leader, the province's administrator, a system administrator).
    for (c, allowed) in [
        (&w.desk, false),
        (&other_leader, false),
        (&w.leader, true),
        (&province_admin, true),
        (&w.admin, true),
    ] {
        let (s, v) = put(c, &path, body.clone()).await;
        assert_eq!(s.is_success(), allowed, "{s} {v}");
        if !allowed {
            assert_eq!(s, 403, "{v}");
        }
    }
    // Who sets a default: a system administrator or the province's
    // administrator (processes managed on every root); not a district.
    for (c, allowed) in [
        (&w.desk, false),
        (&w.leader, false),
        (&province_admin, true),
        (&w.admin, true),
    ] {
        let (s, v) = put(c, "/api/default-processes", template("Hộ tịch", "rest")).await;
        assert_eq!(s.is_success(), allowed, "{s} {v}");
        if !allowed {
            assert_eq!(s, 403, "{v}");
        }
    }
    // The processes page's forms answer as the API: a district's leader
    // may not set or remove a default, the province's administrator may.
    let page_form = |level: &'static str| {
        vec![
            ("sector", "Hộ tịch".to_owned()),
            ("level", level.to_owned()),
            ("step_name", "Thẩm định".to_owned()),
            ("step_unit", "office".to_owned()),
            ("step_role", "specialist".to_owned()),
            ("step_amount", String::new()),
            ("step_measure", "rest".to_owned()),
        ]
    };
    for (c, path, allowed) in [
        (&w.leader, "/quan-tri/quy-trinh/mac-dinh", false),
        (&w.desk, "/quan-tri/quy-trinh/mac-dinh/xoa", false),
        (&w.leader, "/quan-tri/quy-trinh/mac-dinh/xoa", false),
        (&province_admin, "/quan-tri/quy-trinh/mac-dinh", true),
        (&province_admin, "/quan-tri/quy-trinh/mac-dinh/xoa", true),
    ] {
        let mut f = page_form("district");
        f.push(("csrf_token", c.csrf.clone()));
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = no_redirect(c)
            .post(c.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&pairs))
            .send()
            .await
            .unwrap();
        let want = if allowed { 303 } else { 403 };
        assert_eq!(r.status().as_u16(), want, "{path}");
    }
    // Bad input changes nothing: a desk is not an office, too many or
    // blank fields, an unknown unit.
    let desk_path = format!("/api/units/{}/sectors", codes::DESK_A);
    let (s, v) = put(&w.admin, &desk_path, body.clone()).await;
    assert_eq!(
        (s.as_u16(), v["field"].clone()),
        (422, json!("unit")),
        "{v}"
    );
    let many: Vec<String> = (0..101).map(|i| format!("Lĩnh vực {i}")).collect();
    let (s, v) = put(&w.admin, &path, json!({ "sectors": many })).await;
    assert_eq!(
        (s.as_u16(), v["field"].clone()),
        (422, json!("sectors")),
        "{v}"
    );
    let (s, v) = put(&w.admin, &path, json!({ "sectors": ["  "] })).await;
    assert_eq!(
        (s.as_u16(), v["field"].clone()),
        (422, json!("sectors")),
        "{v}"
    );
    let (s, _) = put(&w.admin, "/api/units/999.99.99.H99/sectors", body.clone()).await;
    assert_eq!(s, 404);
    let (s, v) = json_of(w.desk.http.get(w.desk.url(&path)).send().await.unwrap()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["sectors"], json!(["Chứng thực"]));
    // The office's page shows its fields as ticked boxes and changes them.
    let r = w
        .leader
        .http
        .get(w.leader.url(&format!("/quan-tri/don-vi/{CULTURE_A}")))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("name=\"sector\" value=\"Chứng thực\" checked"),
        "{html}"
    );
    let r = no_redirect(&w.leader)
        .post(
            w.leader
                .url(&format!("/quan-tri/don-vi/{CULTURE_A}/linh-vuc")),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrf_token", &w.leader.csrf),
            ("sector", "Xây dựng"),
            ("sector", "Chứng thực"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, v) = json_of(w.desk.http.get(w.desk.url(&path)).send().await.unwrap()).await;
    assert_eq!(v["sectors"], json!(["Xây dựng", "Chứng thực"]));
    // The desk has no such form and is refused the change.
    let r = no_redirect(&w.desk)
        .post(
            w.desk
                .url(&format!("/quan-tri/don-vi/{CULTURE_A}/linh-vuc")),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("csrf_token", &w.desk.csrf), ("sector", "Đất đai")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The generic settings form cannot write routing settings past their
    // checks (a bad value there would break every hand-over page).
    let r = no_redirect(&w.admin)
        .post(w.admin.url("/quan-tri/cai-dat"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrf_token", &w.admin.csrf),
            ("kind", "unit"),
            ("code", CULTURE_A),
            ("key", "routing.sectors"),
            ("value", "{\"not\": \"a list\"}"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let (_, v) = json_of(w.desk.http.get(w.desk.url(&path)).send().await.unwrap()).await;
    assert_eq!(v["sectors"], json!(["Xây dựng", "Chứng thực"]));
    // Every change is in the audit trail.
    let n = w
        .app
        .db
        .query_i64("SELECT count(*) FROM audit_log WHERE action = 'setting.put' AND subject LIKE '%:routing.%'")
        .await
        .unwrap();
    assert!(n >= 5, "{n} audited routing changes");
}
