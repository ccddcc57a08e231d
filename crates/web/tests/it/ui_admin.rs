//! Administration pages over HTTP on both databases, driven like a browser
//! without JavaScript: the procedure import shows every problem by row and
//! column and imports nothing until the file is right; someone without an
//! administrator's role gets 403 and no link; units, accounts and grants are
//! made through the forms, and a bad value re-shows the form with nothing
//! changed; a calendar correction shows up and goes away.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, TestApp, codes};
use reqwest::StatusCode;

use crate::api_auth::on_both;
use crate::ui_pages::{Browser, start};

on_both!(
    a_procedure_file_with_a_bad_row_imports_nothing_and_a_good_one_imports,
    administration_is_refused_to_others_and_not_offered,
    units_accounts_and_grants_are_made_through_the_forms,
    a_calendar_correction_shows_up_and_is_refused_where_it_is_not_yours,
    processes_settings_office_hours_and_new_versions_through_the_forms,
);

pub(crate) const HEADER: &str = "Mã thủ tục,Tên thủ tục,Lĩnh vực,Cấp thực hiện,Cơ quan thực hiện,Thời hạn giải quyết,Thời hạn trực tuyến,Mức độ DVC trực tuyến,\"Phí, lệ phí\",Ghi chú phí,Kết quả,Căn cứ pháp lý,Đối tượng,Ngày hiệu lực,Thành phần hồ sơ,Loại bản,Số bản,Yêu cầu,Số hóa,Mẫu đơn,Đơn vị áp dụng";

pub(crate) fn row(code: &str, name: &str, limit: &str) -> String {
    format!(
        "{code},{name},Hộ tịch,Cấp huyện,UBND cấp huyện,{limit},,Toàn trình,0,,Giấy chứng nhận,Luật Hộ tịch 2014,Công dân,01/01/2024,Tờ khai,Bản chính,1,Bắt buộc,Không,,"
    )
}

/// How many procedures the catalog holds, through the API.
pub(crate) async fn procedures(app: &TestApp) -> usize {
    let c = app.login("quantri").await.unwrap();
    let r = c
        .http
        .get(c.url("/api/procedures?limit=500"))
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    v["items"].as_array().unwrap().len()
}

async fn admin(app: &TestApp) -> Browser {
    app.user("quantri", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    Browser::signed_in(app, "quantri").await
}

async fn a_procedure_file_with_a_bad_row_imports_nothing_and_a_good_one_imports(b: Backend) {
    let app = start(b).await;
    let mut br = admin(&app).await;
    let page = br.get("/quan-tri/thu-tuc").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Nhập danh mục từ tệp"));
    let csrf = page.field("csrf_token");
    // Row 3 (the header is row 1) has a time limit nobody can read.
    let bad = format!(
        "{HEADER}\n{}\n{}\n",
        row("1.000101", "Thủ tục thử A", "5 ngày làm việc"),
        row("1.000102", "Thủ tục thử B", "năm ngày làm việc")
    );
    let p = br
        .post(
            "/quan-tri/thu-tuc/nhap",
            &[("csrf_token", &csrf), ("content", &bad)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(
        p.body
            .contains("<td>dòng 3, cột F (Thời hạn giải quyết)</td>"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Tệp chưa được nhập"));
    // The problem is worded in Vietnamese, with what the column expects;
    // the service's English reason stays for the CLI and the API.
    assert!(
        p.body.contains(
            "Giá trị «năm ngày làm việc» không hợp lệ. Ghi ví dụ «5 ngày làm việc», «8 giờ làm \
             việc»"
        ),
        "{}",
        p.body
    );
    assert!(!p.body.contains("is not a time limit"), "{}", p.body);
    assert!(p.body.contains("năm ngày làm việc"), "the text is kept");
    assert_eq!(procedures(&app).await, 0, "nothing imported");

    let good = bad.replace("năm ngày làm việc", "3 ngày làm việc");
    let p = br
        .post(
            "/quan-tri/thu-tuc/nhap",
            &[("csrf_token", &csrf), ("content", &good)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains("Đã nhập 2 thủ tục: 2 thủ tục mới, 0 phiên bản mới, 0 không thay đổi."),
        "{}",
        p.body
    );
    assert_eq!(procedures(&app).await, 2);
    // The list and the search show them; a procedure's page its version.
    let p = br.get("/quan-tri/thu-tuc").await;
    assert!(
        p.body
            .contains(r#"<a href="/quan-tri/thu-tuc/1.000102">1.000102</a>"#)
    );
    assert!(p.body.contains("3 ngày làm việc"), "{}", p.body);
    let p = br.get("/quan-tri/thu-tuc?q=thu+tuc+thu+b").await;
    assert!(p.body.contains("1.000102"), "{}", p.body);
    // A hit shows its time limit and version like a listed row.
    assert!(p.body.contains("3 ngày làm việc"), "{}", p.body);
    assert!(p.body.contains("Phiên bản 1"), "{}", p.body);
    let p = br.get("/quan-tri/thu-tuc/1.000101").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Thủ tục thử A") && p.body.contains("Từ 01/01/2024"));
    // A missing procedure is a 404 page, a malformed code too.
    assert_eq!(
        br.get("/quan-tri/thu-tuc/1.999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        br.get("/quan-tri/thu-tuc/xyz").await.status,
        StatusCode::NOT_FOUND
    );
    app.close().await;
}

async fn administration_is_refused_to_others_and_not_offered(b: Backend) {
    let app = start(b).await;
    app.user("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    let mut br = Browser::signed_in(&app, "chuyenvien").await;
    let home = br.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.body.contains(r#"href="/quan-tri""#), "no admin link");
    for path in [
        "/quan-tri",
        "/quan-tri/don-vi",
        "/quan-tri/don-vi/000.00.21.H40",
        "/quan-tri/nguoi-dung",
        "/quan-tri/thu-tuc",
        "/quan-tri/thu-tuc/1.000101",
        "/quan-tri/quy-trinh",
        "/quan-tri/lich",
        "/quan-tri/gio-lam-viec",
        "/quan-tri/cai-dat",
    ] {
        let p = br.get(path).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
        assert!(p.body.contains("<html"), "{path}: an HTML page");
        // Still signed in: the page keeps the person's navigation (the
        // queues they may open) and sign-out, never the admin link.
        assert!(p.body.contains(r#"href="/hang-doi""#), "{path}: {}", p.body);
        assert!(!p.body.contains(r#"href="/quan-tri""#), "{path}");
        assert!(p.body.contains("/dang-xuat"), "{path}");
    }
    // A form posted anyway changes nothing.
    let csrf = home.field("csrf_token");
    let before = app
        .db
        .query_i64("SELECT count(*) FROM units")
        .await
        .unwrap();
    let p = br
        .post(
            "/quan-tri/don-vi",
            &[
                ("csrf_token", &csrf),
                ("code", "000.12.21.H40"),
                ("name", "UBND xã Bồi Sơn"),
                ("kind", "commune"),
                ("parent", codes::DISTRICT_A),
                ("valid_from", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = br
        .post(
            "/quan-tri/lich",
            &[
                ("csrf_token", &csrf),
                ("date", "2026-11-23"),
                ("working", "false"),
                ("reason", "Thử"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM units")
            .await
            .unwrap(),
        before
    );
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM calendar_overrides")
            .await
            .unwrap(),
        0
    );
    // The administrator sees the link and the sections.
    let mut adm = admin(&app).await;
    let home = adm.get("/").await;
    assert!(home.body.contains(r#"href="/quan-tri""#));
    let p = adm.get("/quan-tri").await;
    assert_eq!(p.status, StatusCode::OK);
    for s in [
        "Đơn vị",
        "Người dùng và phân quyền",
        "Danh mục thủ tục",
        "Lịch làm việc",
    ] {
        assert!(p.body.contains(s), "{s}");
    }
    app.close().await;
}

async fn units_accounts_and_grants_are_made_through_the_forms(b: Backend) {
    let app = start(b).await;
    let mut br = admin(&app).await;
    let page = br.get("/quan-tri/don-vi").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("UBND huyện Đô Lương") && page.body.contains("000.01.21.H40"));
    let csrf = page.field("csrf_token");
    let units = || async {
        app.db
            .query_i64("SELECT count(*) FROM units")
            .await
            .unwrap()
    };
    let before = units().await;
    let unit_form = |code: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("code", code.to_owned()),
            ("name", "UBND xã Bồi Sơn".to_owned()),
            ("kind", "commune".to_owned()),
            ("level", String::new()),
            ("parent", codes::DISTRICT_A.to_owned()),
            ("valid_from", "2025-01-01".to_owned()),
        ]
    };
    // A bad code: the form comes back as typed, with the message, nothing made.
    let f = unit_form("12.21");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = br.post("/quan-tri/don-vi", &pairs).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("Mã định danh không hợp lệ"), "{}", p.body);
    assert!(
        p.body.contains(r#"value="UBND xã Bồi Sơn""#),
        "typed values kept"
    );
    assert!(p.body.contains(r#"aria-invalid="true""#));
    assert_eq!(units().await, before);
    // A good one is made and listed under its parent.
    let f = unit_form("000.12.21.H40");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = br.post("/quan-tri/don-vi", &pairs).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/quan-tri/don-vi?ok=created");
    assert_eq!(units().await, before + 1);
    let p = br.get(p.location()).await;
    assert!(p.body.contains("Đã tạo."));
    assert!(
        p.body.contains(
            r#"<td class="depth-2"><a href="/quan-tri/don-vi/000.12.21.H40">UBND xã Bồi Sơn</a>"#
        ),
        "{}",
        p.body
    );
    assert!(p.body.contains("Từ 01/01/2025"));
    // The same code again is refused by name.
    let p = br.post("/quan-tri/don-vi", &pairs).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("đã được dùng"), "{}", p.body);
    assert_eq!(units().await, before + 1);
    // Renamed from a date: two versions.
    let p = br
        .post(
            "/quan-tri/don-vi/000.12.21.H40",
            &[
                ("csrf_token", &csrf),
                ("name", "UBND xã Bồi Sơn mới"),
                ("new_code", ""),
                ("effective", "2025-07-01"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = br.get("/quan-tri/don-vi/000.12.21.H40").await;
    assert!(
        p.body.contains("Từ 01/01/2025 đến 30/06/2025"),
        "{}",
        p.body
    );
    assert!(p.body.contains("UBND xã Bồi Sơn mới"));

    // An account with its first role, then a second role, revoked again.
    let p = br
        .post(
            "/quan-tri/nguoi-dung",
            &[
                ("csrf_token", &csrf),
                ("username", "Bad Name"),
                ("full_name", "Phạm Văn Đức"),
                ("email", ""),
                ("password", "mat-khau-dai-1"),
                ("role", "specialist"),
                ("unit", codes::OFFICE_A),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body.contains("Tên đăng nhập gồm 3–64 ký tự"),
        "{}",
        p.body
    );
    assert!(p.body.contains(r#"value="Phạm Văn Đức""#));
    let p = br
        .post(
            "/quan-tri/nguoi-dung",
            &[
                ("csrf_token", &csrf),
                ("username", "chuyenvien3"),
                ("full_name", "Phạm Văn Đức"),
                ("email", "duc@example.org"),
                ("password", "mat-khau-dai-1"),
                ("role", "specialist"),
                ("unit", codes::OFFICE_A),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = br
        .post(
            "/quan-tri/nguoi-dung/chuyenvien3/quyen",
            &[
                ("csrf_token", &csrf),
                ("role", "leader"),
                ("unit", codes::COMMUNE_A),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = br.get("/quan-tri/nguoi-dung").await;
    assert!(
        p.body
            .contains("Chuyên viên · Phòng Tư pháp huyện Đô Lương"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Lãnh đạo đơn vị · UBND xã Đà Sơn"));
    let grants = || async {
        app.db
            .query_i64(
                "SELECT count(*) FROM role_grants r JOIN users u ON u.id = r.user_id WHERE u.username = 'chuyenvien3'",
            )
            .await
            .unwrap()
    };
    assert_eq!(grants().await, 2);
    let p = br
        .post(
            "/quan-tri/nguoi-dung/chuyenvien3/thu-hoi",
            &[
                ("csrf_token", &csrf),
                ("role", "leader"),
                ("unit", codes::COMMUNE_A),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(grants().await, 1);
    // The new account signs in; deactivated, it cannot.
    let mut them = Browser::new(&app);
    let p = them.sign_in("chuyenvien3", "mat-khau-dai-1", "/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = br
        .post(
            "/quan-tri/nguoi-dung/chuyenvien3/kich-hoat",
            &[("csrf_token", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(
        br.get("/quan-tri/nguoi-dung")
            .await
            .body
            .contains("Đã khóa")
    );
    let mut again = Browser::new(&app);
    let p = again.sign_in("chuyenvien3", "mat-khau-dai-1", "/").await;
    assert_ne!(
        p.status,
        StatusCode::SEE_OTHER,
        "a deactivated account stays out"
    );
    app.close().await;
}

async fn a_calendar_correction_shows_up_and_is_refused_where_it_is_not_yours(b: Backend) {
    let app = start(b).await;
    let mut br = admin(&app).await;
    let page = br.get("/quan-tri/lich?year=2026").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The official schedule: Reunification Day is a day off.
    assert!(page.body.contains("30/04/2026"), "{}", page.body);
    assert!(!page.body.contains("23/11/2026"));
    let csrf = page.field("csrf_token");
    // No reason: refused, nothing stored.
    let p = br
        .post(
            "/quan-tri/lich",
            &[
                ("csrf_token", &csrf),
                ("unit", ""),
                ("date", "2026-11-23"),
                ("working", "false"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Nhập lý do"), "{}", p.body);
    let overrides = || async {
        app.db
            .query_i64("SELECT count(*) FROM calendar_overrides")
            .await
            .unwrap()
    };
    assert_eq!(overrides().await, 0);
    let p = br
        .post(
            "/quan-tri/lich",
            &[
                ("csrf_token", &csrf),
                ("unit", ""),
                ("date", "2026-11-23"),
                ("working", "false"),
                ("reason", "Thông báo nghỉ thử nghiệm"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/quan-tri/lich?year=2026&ok=saved");
    let p = br.get(p.location()).await;
    assert!(p.body.contains("Đã lưu."));
    let corrections = p.body.split("Điều chỉnh của quản trị viên").nth(1).unwrap();
    assert!(
        corrections.contains("23/11/2026") && corrections.contains("Thông báo nghỉ thử nghiệm")
    );
    let days = p.body.split("Điều chỉnh của quản trị viên").next().unwrap();
    assert!(
        days.contains("Thứ Hai 23/11/2026"),
        "in the year's days off too"
    );
    assert_eq!(overrides().await, 1);
    // Removed again.
    let p = br
        .post(
            "/quan-tri/lich/xoa",
            &[("csrf_token", &csrf), ("unit", ""), ("date", "2026-11-23")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(
        !br.get("/quan-tri/lich?year=2026")
            .await
            .body
            .contains("23/11/2026")
    );
    assert_eq!(overrides().await, 0);

    // A district's administrator corrects the district, not every unit.
    app.user("qtdoluong", Role::UnitAdmin, codes::DISTRICT_A)
        .await
        .unwrap();
    let mut district = Browser::signed_in(&app, "qtdoluong").await;
    let p = district.get("/quan-tri/lich?year=2026").await;
    let csrf = p.field("csrf_token");
    let form = |unit: &'static str| {
        [
            ("csrf_token", csrf.clone()),
            ("unit", unit.to_owned()),
            ("date", "2026-11-23".to_owned()),
            ("working", "false".to_owned()),
            ("reason", "Nghỉ bù lễ hội huyện".to_owned()),
        ]
    };
    let f = form("");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        district.post("/quan-tri/lich", &pairs).await.status,
        StatusCode::FORBIDDEN
    );
    let f = form(codes::DISTRICT_B);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        district.post("/quan-tri/lich", &pairs).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(overrides().await, 0);
    let f = form(codes::DISTRICT_A);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = district.post("/quan-tri/lich", &pairs).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = district.get(p.location()).await;
    assert!(p.body.contains("Nghỉ bù lễ hội huyện"));
    assert_eq!(overrides().await, 1);
    app.close().await;
}

async fn processes_settings_office_hours_and_new_versions_through_the_forms(b: Backend) {
    let app = start(b).await;
    let mut br = admin(&app).await;
    let page = br.get("/quan-tri/thu-tuc").await;
    let csrf = page.field("csrf_token");
    let file = format!(
        "{HEADER}\n{}\n",
        row("1.000101", "Thủ tục thử A", "5 ngày làm việc")
    );
    let p = br
        .post(
            "/quan-tri/thu-tuc/nhap",
            &[("csrf_token", &csrf), ("content", &file)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    // A new version from a date, with a new limit and fee.
    let p = br
        .post(
            "/quan-tri/thu-tuc/1.000101",
            &[
                ("csrf_token", &csrf),
                ("name", "Thủ tục thử A (sửa)"),
                ("time_limit", "nonsense"),
                ("fee", "50.000"),
                ("effective_from", "2025-06-01"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Thời hạn không hợp lệ"), "{}", p.body);
    // The form shows the limit as the legal text writes it, and a bare
    // "ngày" (working or calendar?) is refused rather than guessed.
    let form = br.get("/quan-tri/thu-tuc/1.000101").await;
    assert!(
        form.body
            .contains(r#"name="time_limit" value="5 ngày làm việc""#),
        "{}",
        form.body
    );
    assert!(!form.body.contains("working_days"), "{}", form.body);
    let p = br
        .post(
            "/quan-tri/thu-tuc/1.000101",
            &[
                ("csrf_token", &csrf),
                ("name", "Thủ tục thử A (sửa)"),
                ("time_limit", "15 ngày"),
                ("fee", "50.000"),
                ("effective_from", "2025-06-01"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Thời hạn không hợp lệ"), "{}", p.body);
    let p = br
        .post(
            "/quan-tri/thu-tuc/1.000101",
            &[
                ("csrf_token", &csrf),
                ("name", "Thủ tục thử A (sửa)"),
                ("time_limit", "3 ngày làm việc"),
                ("fee", "50.000"),
                ("effective_from", "2025-06-01"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = br.get("/quan-tri/thu-tuc/1.000101").await;
    assert!(
        p.body.contains("Từ 01/01/2024 đến 31/05/2025"),
        "{}",
        p.body
    );
    assert!(p.body.contains("50.000 đ") && p.body.contains("Thủ tục thử A (sửa)"));

    // A process whose steps exceed the limit is refused; one that fits is
    // kept. Steps are rows of the form: name, unit, role, amount, measure.
    let form = |rows: &[[&str; 5]]| {
        let mut f = vec![
            ("csrf_token", csrf.clone()),
            ("unit", codes::DISTRICT_A.to_owned()),
            ("procedure", "1.000101".to_owned()),
            ("decision", "Quyết định số 12/QĐ-UBND".to_owned()),
            ("effective_from", "2025-07-01".to_owned()),
        ];
        for r in rows {
            for (k, v) in [
                "step_name",
                "step_unit",
                "step_role",
                "step_amount",
                "step_measure",
            ]
            .into_iter()
            .zip(r)
            {
                f.push((k, (*v).to_owned()));
            }
        }
        f
    };
    let blank = ["", codes::OFFICE_A, "specialist", "", "hours"];
    let too_long = [
        ["Thẩm định", codes::OFFICE_A, "specialist", "3", "days"],
        blank,
        ["Phê duyệt", codes::DISTRICT_A, "leader", "1", "days"],
    ];
    let f = form(&too_long);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = br.post("/quan-tri/quy-trinh", &pairs).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    // The rows come back as typed.
    assert!(p.body.contains("value=\"Thẩm định\""), "{}", p.body);
    let f = form(&[blank, ["Thẩm định", codes::OFFICE_A, "chef", "1", "days"]]);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = br.post("/quan-tri/quy-trinh", &pairs).await;
    assert!(p.body.contains("Bước 2: vai trò phải là"), "{}", p.body);
    let f = form(&[["Thẩm định", codes::OFFICE_A, "specialist", "0", "days"]]);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = br.post("/quan-tri/quy-trinh", &pairs).await;
    assert!(p.body.contains("Bước 1: nhập thời gian"), "{}", p.body);
    let mut fits = too_long;
    fits[0][3] = "2";
    let f = form(&fits);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = br.post("/quan-tri/quy-trinh", &pairs).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = br.get(p.location()).await;
    assert!(
        p.body.contains("Quyết định số 12/QĐ-UBND")
            && p.body.contains("Phê duyệt")
            && p.body.contains("2 ngày làm việc"),
        "{}",
        p.body
    );
    // No English keys or codes of roles on the page.
    assert!(!p.body.contains("working_days") && !p.body.contains(">specialist<"));

    // A default process for a field, set by the system administrator.
    let mut f = vec![
        ("csrf_token", csrf.clone()),
        ("unit", codes::DISTRICT_A.to_owned()),
        ("sector", "Hộ tịch".to_owned()),
        ("level", "commune".to_owned()),
    ];
    for r in [
        ["Tiếp nhận", "desk", "desk_officer", "4", "hours"],
        ["Thẩm định", "office", "specialist", "", "rest"],
        ["Ký", "nowhere", "leader", "1", "days"],
    ] {
        for (k, v) in [
            "step_name",
            "step_unit",
            "step_role",
            "step_amount",
            "step_measure",
        ]
        .into_iter()
        .zip(r)
        {
            f.push((k, v.to_owned()));
        }
    }
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = br.post("/quan-tri/quy-trinh/mac-dinh", &pairs).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("Bước 3: chọn nơi thực hiện."), "{}", p.body);
    let fixed: Vec<(&str, String)> = f
        .into_iter()
        .map(|(k, v)| (k, if v == "nowhere" { "head".to_owned() } else { v }))
        .collect();
    let pairs: Vec<(&str, &str)> = fixed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = br.post("/quan-tri/quy-trinh/mac-dinh", &pairs).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = br.get(p.location()).await;
    assert!(
        p.body.contains("Hộ tịch · Cấp xã")
            && p.body.contains("Phòng, ban phụ trách lĩnh vực")
            && p.body.contains("thời gian còn lại"),
        "{}",
        p.body
    );

    // Office hours: a bad session list is refused, a good one listed.
    let bad = [
        ("csrf_token", csrf.as_str()),
        ("unit", codes::DESK_A),
        ("from", "2026-01-01"),
        ("to", ""),
        ("sessions", "sáng"),
    ];
    let p = br.post("/quan-tri/gio-lam-viec", &bad).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let mut good = bad;
    good[4] = ("sessions", "07:30-11:30,13:30-17:00");
    let p = br.post("/quan-tri/gio-lam-viec", &good).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = br.get(p.location()).await;
    assert!(p.body.contains("07:30–11:30, 13:30–17:00"), "{}", p.body);

    // Settings: the suspension policy of a procedure.
    let p = br
        .post(
            "/quan-tri/cai-dat",
            &[
                ("csrf_token", &csrf),
                ("kind", "procedure"),
                ("code", "1.000101"),
                ("key", "clock.suspension"),
                ("value", "sometimes"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let p = br
        .post(
            "/quan-tri/cai-dat",
            &[
                ("csrf_token", &csrf),
                ("kind", "procedure"),
                ("code", "1.000101"),
                ("key", "clock.suspension"),
                ("value", "restart"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = br.get(p.location()).await;
    // Shown in words, the key only beside them.
    assert!(
        p.body
            .contains("<td>Tính lại từ đầu khi nhận bổ sung (restart)</td>"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains(
            r#"<option value="clock.suspension">Cách tính thời hạn khi chờ bổ sung hồ sơ"#
        )
    );
    app.close().await;
}
