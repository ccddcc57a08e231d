//! The home dashboard over HTTP on both databases: counts equal to what the
//! test received through the API, their links giving the same dossiers
//! through the list API, the next day's figures after moving the clock,
//! units picked and refused, the htmx fragment and the navigation by role.
//!
//! The clock starts on Monday 24/11/2025 at 09:00 (Vietnam), office hours
//! 07:00–11:30 and 13:30–17:00. Procedure 1.000003 takes 5 working days
//! (due Monday 01/12 09:00); 1.000004 takes 1 working day (due Tuesday
//! 25/11 09:00, near due two office hours before, at 07:00).

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_auth::on_both;
use crate::ui_pages::{Browser, start};

on_both!(
    the_dashboard_counts_what_was_received_and_links_to_the_same_dossiers,
    units_are_picked_among_the_roles_and_others_are_refused,
    the_navigation_shows_only_what_the_roles_open,
);

fn procedure(code: &str, name: &str, limit: &str) -> Value {
    json!({
        "code": code, "name": name, "field": "Hộ tịch", "levels": ["district"],
        "agency": "UBND cấp huyện", "time_limit": limit, "online_level": "full_process",
        "fee": 0, "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
        "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": false }]
    })
}

/// Two procedures assigned to district A and a desk officer at its desk.
async fn world(app: &TestApp) -> Client {
    let keeper = app
        .client("kiemsoat", Role::UnitAdmin, codes::PROVINCE)
        .await
        .unwrap();
    for (code, limit) in [
        ("1.000003", "5 working_days"),
        ("1.000004", "1 working_days"),
    ] {
        let r = keeper
            .http
            .post(keeper.url("/api/procedures"))
            .json(&procedure(code, "Đăng ký khai sinh", limit))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let r = keeper
            .http
            .post(keeper.url(&format!(
                "/api/procedures/{code}/units/{}",
                codes::DISTRICT_A
            )))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    app.client("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap()
}

async fn receive(desk: &Client, procedure: &str, channel: &str) {
    let r = desk
        .http
        .post(desk.url("/api/dossiers"))
        .json(&json!({
            "unit": codes::DESK_A, "procedure": procedure, "channel": channel,
            "applicant": { "kind": "citizen", "name": "Nguyễn Văn An", "identity": "040095000123",
                "phone": "0912 345 678", "email": "", "address": "Đô Lương" },
            "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "digitised": false, "reused": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

/// A figure of the page: its count and link, by label.
struct Figure {
    value: String,
    href: String,
}

/// The unit's figures (the person's work tiles above them are not the
/// unit's and link to the queues).
fn figures(body: &str) -> Vec<(String, Figure)> {
    let body = body.find(r#"id="dashboard""#).map_or(body, |i| &body[i..]);
    body.split(r#"<li class="figure"#)
        .skip(1)
        .map(|chunk| {
            let after = |marker: &str| {
                chunk
                    .split(marker)
                    .nth(1)
                    .unwrap()
                    .split(['"', '<'])
                    .next()
                    .unwrap()
                    .to_owned()
            };
            (
                after(r#"<span class="label">"#),
                Figure {
                    value: after(r#"<span class="value">"#),
                    href: after(r#"<a href=""#),
                },
            )
        })
        .collect()
}

fn figure<'a>(all: &'a [(String, Figure)], label: &str) -> &'a Figure {
    &all.iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no figure {label}"))
        .1
}

/// How many dossiers the list API gives for a link's filters.
async fn listed(c: &Client, href: &str) -> usize {
    let query = href.strip_prefix("/ho-so?").unwrap();
    let r = c
        .http
        .get(c.url(&format!("/api/dossiers?{query}&limit=200")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{href}: {}", r.text().await.unwrap());
    let page: Value = r.json().await.unwrap();
    page["items"].as_array().unwrap().len()
}

fn vn(s: &str) -> jiff::Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .unwrap()
        .timestamp()
}

async fn the_dashboard_counts_what_was_received_and_links_to_the_same_dossiers(b: Backend) {
    let app = start(b).await;
    let desk = world(&app).await;
    receive(&desk, "1.000003", "in_person").await;
    receive(&desk, "1.000003", "postal").await;
    receive(&desk, "1.000004", "in_person").await;
    receive(&desk, "1.000003", "online").await;

    let mut br = Browser::signed_in(&app, "tiepnhan").await;
    let home = br.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Hôm nay, 24/11/2025"), "{}", home.body);
    let f = figures(&home.body);
    let want = [
        ("Tiếp nhận hôm nay", "3"),
        ("Đến hạn hôm nay", "0"),
        ("Sắp đến hạn", "0"),
        ("Quá hạn", "0"),
        ("Chờ bổ sung", "0"),
        ("Chờ tiếp nhận trực tuyến", "1"),
    ];
    for (label, value) in want {
        assert_eq!(figure(&f, label).value, value, "{label}");
    }
    assert_eq!(
        figure(&f, "Tiếp nhận hôm nay").href,
        "/ho-so?unit=000.01.21.H40&received_from=2025-11-24&received_to=2025-11-24"
    );
    assert_eq!(
        figure(&f, "Đến hạn hôm nay").href,
        "/ho-so?unit=000.01.21.H40&status=received%2Cprocessing&due_from=2025-11-24&due_to=2025-11-24"
    );
    assert_eq!(
        figure(&f, "Quá hạn").href,
        "/ho-so?unit=000.01.21.H40&overdue=true"
    );
    // Every link gives, through the list API, the dossiers counted.
    for (label, fig) in &f {
        let n: usize = fig.value.parse().unwrap();
        assert_eq!(listed(&desk, &fig.href).await, n, "{label}: {}", fig.href);
    }
    // This month: nothing resolved yet; 3 received, none online.
    assert!(home.body.contains("Kết quả tháng 11/2025"));
    assert!(
        home.body.contains(r#"<p class="value">0,0 %</p>"#),
        "online rate 0 of 3: {}",
        home.body
    );
    assert!(home.body.contains(">0 tiếp nhận trực tuyến</a> / <a "));
    assert!(home.body.contains(">3 đã tiếp nhận</a>"));
    assert!(
        home.body.contains("Chưa có hồ sơ"),
        "no on-time rate without a base"
    );
    assert!(
        home.body.contains(
            r#"href="/ho-so?unit=000.01.21.H40&received_from=2025-11-01&received_to=2025-11-24&received_only=true&channel=online""#
        )
    );
    // The month's figures come from the statistics layer; each links to
    // the dossiers the unit received with the same definition.
    let mut month_links = 0;
    for chunk in home.body.split(r#"<a href="/ho-so?"#).skip(1) {
        let href = chunk.split('"').next().unwrap().replace("&amp;", "&");
        if !href.contains("received_only=true") {
            continue;
        }
        let n: usize = chunk
            .split('>')
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(listed(&desk, &format!("/ho-so?{href}")).await, n, "{href}");
        month_links += 1;
    }
    assert_eq!(month_links, 4, "both rates' parts and wholes");
    // The charts with their text alternatives.
    assert!(home.body.contains(r#"<svg viewBox="0 0 560 190" role="img" aria-labelledby="chart-received-t chart-received-d""#));
    assert!(home.body.contains(
        "Từ 11/11/2025 đến 24/11/2025, tổng 3 hồ sơ; nhiều nhất 3 hồ sơ trong một ngày."
    ));
    assert!(home.body.contains("<title>24/11: 3</title>"));
    assert!(home.body.contains("<title>Mới tiếp nhận: 3</title>"));
    assert!(home.body.contains("<title>Chờ tiếp nhận: 1</title>"));
    assert!(home.body.contains(
        r#"<td>24/11/2025</td><td class="num"><a href="/ho-so?unit=000.01.21.H40&received_from=2025-11-24&received_to=2025-11-24">3</a>"#
    ));

    // Tuesday 10:00: the one-day dossier was due at 09:00.
    app.clock.set(vn("2025-11-25T10:00"));
    let home = br.get("/").await;
    let f = figures(&home.body);
    let want = [
        ("Tiếp nhận hôm nay", "0"),
        ("Đến hạn hôm nay", "1"),
        ("Sắp đến hạn", "0"),
        ("Quá hạn", "1"),
        ("Chờ tiếp nhận trực tuyến", "1"),
    ];
    for (label, value) in want {
        assert_eq!(figure(&f, label).value, value, "{label} on Tuesday");
    }
    for (label, fig) in &f {
        let n: usize = fig.value.parse().unwrap();
        assert_eq!(listed(&desk, &fig.href).await, n, "{label} on Tuesday");
    }
    assert!(
        home.body.contains("<title>24/11: 3</title>"),
        "Monday stays in the series"
    );
    assert!(home.body.contains("<title>25/11: 0</title>"));
    app.close().await;
}

async fn units_are_picked_among_the_roles_and_others_are_refused(b: Backend) {
    let app = start(b).await;
    let desk = world(&app).await;
    receive(&desk, "1.000003", "in_person").await;
    receive(&desk, "1.000003", "in_person").await;

    // A specialist of district B sees B's dashboard and cannot open A's.
    app.user("chuyenvien.b", Role::Specialist, codes::DISTRICT_B)
        .await
        .unwrap();
    let mut other = Browser::signed_in(&app, "chuyenvien.b").await;
    let home = other.get("/").await;
    assert!(home.body.contains("UBND huyện Nam Đàn"));
    assert_eq!(figure(&figures(&home.body), "Tiếp nhận hôm nay").value, "0");
    let before = app.audit_count().await.unwrap();
    let p = other.get("/?unit=000.01.21.H40").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("Bạn không có quyền"), "{}", p.body);
    assert!(
        !p.body.contains("Tiếp nhận hôm nay"),
        "no figure of A leaks"
    );
    assert_eq!(
        app.audit_count().await.unwrap(),
        before + 1,
        "the refusal is audited"
    );

    // Someone without any role is told so instead of seeing figures.
    let services = motcua_testkit::system_services(&app.db);
    services
        .users()
        .add_account_as(
            &motcua_testkit::system(),
            "khach",
            "Khách",
            None,
            motcua_testkit::TEST_PASSWORD,
        )
        .await
        .unwrap();
    let mut nobody = Browser::signed_in(&app, "khach").await;
    let home = nobody.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body
            .contains("Bạn chưa được phân quyền xem hồ sơ của đơn vị nào")
    );
    assert!(!home.body.contains(r#"class="figures""#));

    // A person with roles on two units picks one; the desk (daily work)
    // is the default before the district watched, district B on request, and with htmx only the
    // fragment comes back, with the header's unit swapped alongside.
    app.user("hai.donvi", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let b_id = app.unit_id(codes::DISTRICT_B).await.unwrap();
    services
        .users()
        .grant_as(&motcua_testkit::system(), "hai.donvi", Role::Viewer, b_id)
        .await
        .unwrap();
    let mut two = Browser::signed_in(&app, "hai.donvi").await;
    let home = two.get("/").await;
    assert!(home.body.contains(r#"<select id="unit" name="unit">"#));
    assert!(home.body.contains(
        r#"<option value="000.01.21.H40" selected>Bộ phận Một cửa huyện Đô Lương</option>"#
    ));
    assert!(
        home.body
            .contains(r#"<option value="000.00.22.H40">UBND huyện Nam Đàn</option>"#)
    );
    assert_eq!(figure(&figures(&home.body), "Tiếp nhận hôm nay").value, "2");
    let p = two.get("/?unit=000.00.22.H40").await;
    assert!(
        p.body
            .contains(r#"<option value="000.00.22.H40" selected>"#)
    );
    assert_eq!(figure(&figures(&p.body), "Tiếp nhận hôm nay").value, "0");
    let frag = two
        .get_with("/?unit=000.01.21.H40", "hx-request", "true")
        .await;
    assert_eq!(frag.status, StatusCode::OK);
    assert!(!frag.body.contains("<html"), "a fragment, not a page");
    assert!(frag.body.contains(r#"id="header-unit" hx-swap-oob="true""#));
    assert_eq!(figure(&figures(&frag.body), "Tiếp nhận hôm nay").value, "2");
    app.close().await;
}

async fn the_navigation_shows_only_what_the_roles_open(b: Backend) {
    let app = start(b).await;
    let nav = |body: &str| -> Vec<String> {
        let nav = body
            .split(r#"<nav class="main""#)
            .nth(1)
            .unwrap()
            .split("</nav>")
            .next()
            .unwrap();
        nav.split(r#"<li><a href=""#)
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect()
    };
    let cases = [
        (
            "tiepnhan",
            Role::DeskOfficer,
            codes::DESK_A,
            vec!["/", "/tiep-nhan", "/ho-so", "/hang-doi", "/phan-anh"],
        ),
        (
            "chuyenvien",
            Role::Specialist,
            codes::OFFICE_A,
            vec!["/", "/ho-so", "/hang-doi", "/phan-anh"],
        ),
        (
            "lanhdao",
            Role::Leader,
            codes::DISTRICT_A,
            vec![
                "/",
                "/ho-so",
                "/hang-doi",
                "/phan-anh",
                "/bao-cao",
                "/quan-tri",
            ],
        ),
        (
            "quantri",
            Role::UnitAdmin,
            codes::DISTRICT_A,
            vec!["/", "/ho-so", "/bao-cao", "/quan-tri"],
        ),
        (
            "xem",
            Role::Viewer,
            codes::PROVINCE,
            vec!["/", "/ho-so", "/bao-cao"],
        ),
    ];
    for (user, role, unit, want) in cases {
        app.user(user, role, unit).await.unwrap();
        let mut br = Browser::signed_in(&app, user).await;
        let home = br.get("/").await;
        assert_eq!(nav(&home.body), want, "{user}");
        assert!(
            home.body.contains(
                r#"<li><a href="/" data-key="h" aria-current="page">Bàn làm việc</a></li>"#
            ),
            "{user}"
        );
    }
    app.close().await;
}
