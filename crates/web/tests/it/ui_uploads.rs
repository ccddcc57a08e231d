//! Files uploaded through the staff pages (`multipart/form-data`), on both
//! databases, driven like a browser without JavaScript (and once like
//! htmx): a scan attached on the dossier page downloads byte for byte; the
//! CSRF token must come first in the form, and without it, with an empty,
//! unknown or too large file, or from a reader who may not attach, nothing
//! is stored. The catalog import takes an XLSX or CSV file and shows a bad
//! one's problems by row and column, importing nothing.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::api_auth::on_both;
use crate::ui_admin::{HEADER, procedures, row};
use crate::ui_desk::{CODE, browser, page, receive_by_api, world};

on_both!(
    a_scan_attached_on_the_dossier_page_downloads_byte_for_byte,
    attaching_needs_the_token_first_and_a_file_of_an_accepted_kind_and_size,
    attaching_is_refused_to_a_reader_who_may_not_attach,
    an_xlsx_catalog_uploaded_through_the_page_creates_its_procedures,
    a_bad_catalog_file_shows_rows_and_columns_and_imports_nothing,
);

pub(crate) const BOUNDARY: &str = "motcua-test-7d1f0c2b";

/// One part of a multipart form.
pub(crate) enum Part<'a> {
    Text(&'a str, &'a str),
    /// Field name, file name, declared type, content.
    File(&'a str, &'a str, &'a str, &'a [u8]),
}

/// A `multipart/form-data` body as a browser writes it.
pub(crate) fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match p {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, file_name, ctype, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {ctype}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// An answer to a post: status, `Location`, body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) location: String,
    pub(crate) body: String,
}

/// Posts a multipart form with `c`'s session cookie only (no CSRF header);
/// `htmx` adds what htmx sends: its marker and the token as a header.
pub(crate) async fn post(c: &Client, path: &str, parts: &[Part<'_>], htmx: bool) -> Answer {
    let mut req = browser(c)
        .post(c.url(path))
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(parts));
    if htmx {
        req = req
            .header("hx-request", "true")
            .header("x-csrf-token", &c.csrf);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = crate::ui_pages::unescape(&r.text().await.unwrap());
    Answer {
        status,
        location,
        body,
    }
}

/// The CSRF token the page's forms carry.
fn token(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("a form with a token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn files(app: &TestApp) -> i64 {
    app.db
        .query_i64("SELECT count(*) FROM files")
        .await
        .unwrap()
}

/// A PDF-looking file holding every byte value, so a download that changed
/// any byte (text decoding, line ends) is caught.
fn scan() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(3000));
    bytes
}

const ATTACH: &str = "/ho-so/000.01.21.H40-251124-0001/tep";

async fn a_scan_attached_on_the_dossier_page_downloads_byte_for_byte(b: Backend) {
    let w = world(b).await;
    receive_by_api(&w.desk).await;
    let (status, html) = page(&w.desk, &format!("/ho-so/{CODE}")).await;
    assert_eq!(status, 200);
    // The form posts multipart to the page's own route, with a label on
    // every control and the token as its first field.
    let form = &html[html.find(&format!(r#"action="{ATTACH}""#)).expect(&html)..];
    assert!(form.contains(r#"enctype="multipart/form-data""#));
    let fields = form.split("</form>").next().unwrap();
    assert!(
        fields.find(r#"name="csrf_token""#).unwrap() < fields.find(r#"name="kind""#).unwrap()
            && fields.find(r#"name="kind""#).unwrap() < fields.find(r#"name="file""#).unwrap()
    );
    for id in ["attach-kind", "attach-file"] {
        assert!(fields.contains(&format!(r#"<label for="{id}">"#)), "{id}");
    }
    assert!(fields.contains("tối đa 20 MB"));
    let csrf = token(&html);
    let pdf = scan();
    let a = post(
        &w.desk,
        ATTACH,
        &[
            Part::Text("csrf_token", &csrf),
            Part::Text("kind", "result"),
            Part::File("file", "Quyết định cấp phép.pdf", "application/pdf", &pdf),
        ],
        false,
    )
    .await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(a.location, format!("/ho-so/{CODE}?tep=1"));
    let (_, html) = page(&w.desk, &a.location).await;
    assert!(html.contains("Đã đính kèm tệp vào hồ sơ."), "{html}");
    let marker = format!(r#"<a href="/api/dossiers/{CODE}/files/"#);
    let at = html.find(&marker).expect(&html) + marker.len();
    let id = html[at..].split('"').next().unwrap().to_owned();
    assert!(
        html[at..].starts_with(&format!(
            r#"{id}">Quyết định cấp phép.pdf</a> <span class="hint">Kết quả · 3 KB"#
        )),
        "{}",
        &html[at..at + 200]
    );
    // The link downloads the very bytes sent, with their type.
    let r = browser(&w.desk)
        .get(w.desk.url(&format!("/api/dossiers/{CODE}/files/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);

    // With htmx the token comes as a header and the answer is the page's
    // main part; a JPEG scan of a component is told by its content even
    // when the browser calls it something else.
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"JFIF scan of the form"].concat();
    let a = post(
        &w.desk,
        ATTACH,
        &[
            Part::Text("kind", "component"),
            Part::File(
                "file",
                "to-khai.jpg",
                "application/octet-stream",
                jpeg.as_slice(),
            ),
        ],
        true,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(!a.body.contains("<html"), "a fragment");
    assert!(a.body.contains("Đã đính kèm tệp vào hồ sơ."));
    assert!(
        a.body
            .contains(">to-khai.jpg</a> <span class=\"hint\">Thành phần hồ sơ · 1 KB")
    );
    assert_eq!(files(&w.app).await, 2);
    let d: serde_json::Value = w
        .desk
        .http
        .get(w.desk.url(&format!("/api/dossiers/{CODE}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<(&str, &str)> = d["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap(),
                f["content_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("result", "application/pdf"), ("component", "image/jpeg")]
    );
    w.app.close().await;
}

async fn attaching_needs_the_token_first_and_a_file_of_an_accepted_kind_and_size(b: Backend) {
    let w = world(b).await;
    receive_by_api(&w.desk).await;
    let (_, html) = page(&w.desk, &format!("/ho-so/{CODE}")).await;
    let csrf = token(&html);
    let pdf = scan();
    // No token, a wrong one, or the token after the file: the 403 page,
    // nothing stored.
    for parts in [
        vec![Part::Text("kind", "result"), file_part(&pdf)],
        vec![
            Part::Text("csrf_token", "sai"),
            Part::Text("kind", "result"),
            file_part(&pdf),
        ],
        vec![
            Part::Text("kind", "result"),
            file_part(&pdf),
            Part::Text("csrf_token", &csrf),
        ],
    ] {
        let a = post(&w.desk, ATTACH, &parts, false).await;
        assert_eq!(a.status, 403, "{}", a.body);
        assert!(a.body.contains("Biểu mẫu đã hết hạn"), "{}", a.body);
    }
    assert_eq!(files(&w.app).await, 0);

    let refused = |name: &'static str, bytes: Vec<u8>| {
        let csrf = csrf.clone();
        let desk = &w.desk;
        async move {
            post(
                desk,
                ATTACH,
                &[
                    Part::Text("csrf_token", &csrf),
                    Part::Text("kind", "component"),
                    Part::File("file", name, "application/pdf", &bytes),
                ],
                false,
            )
            .await
        }
    };
    // An empty file, and a program renamed to .pdf.
    let a = refused("trang-trang.pdf", Vec::new()).await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(
        a.body
            .contains("Tệp “trang-trang.pdf” rỗng (0 byte) nên chưa được đính kèm."),
        "{}",
        a.body
    );
    assert!(a.body.contains(r#"id="dossier-main""#), "the page again");
    let a = refused("ho-so.pdf", b"MZ\x90\x00\x03 program".to_vec()).await;
    assert_eq!(a.status, 422);
    assert!(
        a.body
            .contains("Tệp “ho-so.pdf” không phải PDF, ảnh JPEG, PNG hay tệp XML"),
        "{}",
        a.body
    );
    // No file chosen: the browser sends an empty part without a name.
    let a = post(
        &w.desk,
        ATTACH,
        &[
            Part::Text("csrf_token", &csrf),
            Part::Text("kind", "component"),
            Part::File("file", "", "application/octet-stream", b""),
        ],
        false,
    )
    .await;
    assert_eq!(a.status, 422);
    assert!(a.body.contains("Chưa chọn tệp."), "{}", a.body);
    // The API's limit, 20 MiB: one byte more is refused with the reason,
    // exactly 20 MiB is taken.
    let mut big = scan();
    big.resize((20 << 20) + 1, b' ');
    let a = refused("ban-quet.pdf", big.clone()).await;
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(
        a.body.contains("Tệp lớn hơn 20 MB nên chưa được đính kèm."),
        "{}",
        a.body
    );
    assert_eq!(files(&w.app).await, 0);
    let d: serde_json::Value = w
        .desk
        .http
        .get(w.desk.url(&format!("/api/dossiers/{CODE}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["version"], 1, "the dossier is unchanged");
    big.truncate(20 << 20);
    let a = refused("ban-quet.pdf", big).await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(files(&w.app).await, 1);
    w.app.close().await;
}

fn file_part(pdf: &[u8]) -> Part<'_> {
    Part::File("file", "ket-qua.pdf", "application/pdf", pdf)
}

async fn attaching_is_refused_to_a_reader_who_may_not_attach(b: Backend) {
    let w = world(b).await;
    receive_by_api(&w.desk).await;
    let viewer = w
        .app
        .client("theodoi", Role::Viewer, codes::DISTRICT_A)
        .await
        .unwrap();
    let (status, html) = page(&viewer, &format!("/ho-so/{CODE}")).await;
    assert_eq!(status, 200, "a viewer reads the dossier");
    assert!(!html.contains(ATTACH), "and is not offered the form");
    let before = w.app.audit_count().await.unwrap();
    let pdf = scan();
    let a = post(
        &viewer,
        ATTACH,
        &[
            Part::Text("csrf_token", &token(&html)),
            Part::Text("kind", "result"),
            file_part(&pdf),
        ],
        false,
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(
        a.body
            .contains("Bạn không có quyền xem trang này hoặc thực hiện thao tác này."),
        "{}",
        a.body
    );
    assert!(
        !a.body.contains("Biểu mẫu đã hết hạn"),
        "not a token problem"
    );
    assert_eq!(files(&w.app).await, 0);
    assert_eq!(
        w.app.audit_count().await.unwrap(),
        before + 1,
        "only the refusal is recorded"
    );
    w.app.close().await;
}

/// The template's columns, from the CSV header (one quoted name holds a
/// comma).
fn columns() -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    for ch in HEADER.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    out.push(cell);
    out
}

/// A workbook as a person types it: text, a fee and copies as numbers, the
/// effective date as a date. Rows are (code, name, time limit).
fn workbook(rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let cols = columns();
    assert_eq!(cols.len(), 21);
    for (c, h) in cols.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    let day = ExcelDateTime::from_ymd(2024, 1, 1).unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (i, (code, name, limit)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, text) in [
            (0, *code),
            (1, *name),
            (2, "Hộ tịch"),
            (3, "Cấp huyện"),
            (4, "UBND cấp huyện"),
            (5, *limit),
            (7, "Toàn trình"),
            (10, "Giấy chứng nhận"),
            (11, "Luật Hộ tịch 2014"),
            (12, "Công dân"),
            (14, "Tờ khai"),
            (15, "Bản chính"),
            (17, "Bắt buộc"),
            (18, "Không"),
        ] {
            sheet.write_string(r, c, text).unwrap();
        }
        sheet.write_number(r, 8, 0.0).unwrap();
        sheet
            .write_datetime_with_format(r, 13, &day, &date)
            .unwrap();
        sheet.write_number(r, 16, 1.0).unwrap();
    }
    book.save_to_buffer().unwrap()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const IMPORT: &str = "/quan-tri/thu-tuc/nhap";

async fn admin(app: &TestApp) -> (Client, String) {
    let c = app
        .client("quantri", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let (status, html) = page(&c, "/quan-tri/thu-tuc").await;
    assert_eq!(status, 200);
    let form = &html[html.find(&format!(r#"action="{IMPORT}""#)).expect(&html)..];
    assert!(form.contains(r#"enctype="multipart/form-data""#));
    assert!(form.contains(r#"<label for="imp-file">Tệp danh mục (CSV hoặc XLSX)</label>"#));
    assert!(form.contains(r#"<label for="imp-content">"#));
    let csrf = token(&html);
    (c, csrf)
}

async fn an_xlsx_catalog_uploaded_through_the_page_creates_its_procedures(b: Backend) {
    let app = crate::ui_pages::start(b).await;
    let (c, csrf) = admin(&app).await;
    let book = workbook(&[
        ("1.000101", "Thủ tục thử A", "5 ngày làm việc"),
        ("1.000102", "Thủ tục thử B", "3 ngày làm việc"),
    ]);
    let a = post(
        &c,
        IMPORT,
        &[
            Part::Text("csrf_token", &csrf),
            Part::File("file", "danh-muc.xlsx", XLSX, &book),
            Part::Text("content", ""),
        ],
        false,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.body
            .contains("Đã nhập 2 thủ tục: 2 thủ tục mới, 0 phiên bản mới, 0 không thay đổi."),
        "{}",
        a.body
    );
    assert_eq!(procedures(&app).await, 2);
    let (_, html) = page(&c, "/quan-tri/thu-tuc/1.000102").await;
    assert!(html.contains("Thủ tục thử B") && html.contains("Từ 01/01/2024"));
    assert!(html.contains("3 ngày làm việc"), "{html}");
    // The same workbook again changes nothing; the CSV text box still works.
    let a = post(
        &c,
        IMPORT,
        &[
            Part::Text("csrf_token", &csrf),
            Part::File("file", "danh-muc.xlsx", XLSX, &book),
        ],
        false,
    )
    .await;
    assert!(
        a.body
            .contains("Đã nhập 2 thủ tục: 0 thủ tục mới, 0 phiên bản mới, 2 không thay đổi."),
        "{}",
        a.body
    );
    let pasted = format!(
        "{HEADER}\n{}\n",
        row("1.000103", "Thủ tục thử C", "2 ngày làm việc")
    );
    let a = post(
        &c,
        IMPORT,
        &[
            Part::Text("csrf_token", &csrf),
            Part::File("file", "", "application/octet-stream", b""),
            Part::Text("content", &pasted),
        ],
        false,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(procedures(&app).await, 3);
    app.close().await;
}

async fn a_bad_catalog_file_shows_rows_and_columns_and_imports_nothing(b: Backend) {
    let app = crate::ui_pages::start(b).await;
    let (c, csrf) = admin(&app).await;
    // Row 3 (the header is row 1) has a time limit nobody can read.
    let book = workbook(&[
        ("1.000101", "Thủ tục thử A", "5 ngày làm việc"),
        ("1.000102", "Thủ tục thử B", "năm ngày làm việc"),
    ]);
    let csv = format!(
        "{HEADER}\n{}\n{}\n",
        row("1.000101", "Thủ tục thử A", "5 ngày làm việc"),
        row("1.000102", "Thủ tục thử B", "năm ngày làm việc")
    );
    for (name, ctype, bytes) in [
        ("danh-muc.xlsx", XLSX, book.as_slice()),
        ("danh-muc.csv", "text/csv", csv.as_bytes()),
    ] {
        let a = post(
            &c,
            IMPORT,
            &[
                Part::Text("csrf_token", &csrf),
                Part::File("file", name, ctype, bytes),
                Part::Text("content", ""),
            ],
            false,
        )
        .await;
        assert_eq!(a.status, 422, "{name}: {}", a.body);
        assert!(
            a.body
                .contains("<td>dòng 3, cột F (Thời hạn giải quyết)</td>"),
            "{name}: {}",
            a.body
        );
        assert!(a.body.contains("Tệp chưa được nhập"));
        assert!(a.body.contains(&format!("Tệp đã gửi: {name}")));
    }
    // An old Excel workbook, an empty file, nothing chosen: said plainly.
    for (name, bytes, says) in [
        (
            "danh-muc.xls",
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
            "Tệp “danh-muc.xls” là bảng tính Excel 97–2003 (.xls), chưa được hỗ trợ.",
        ),
        ("rong.csv", &[][..], "Tệp “rong.csv” rỗng (0 byte)."),
        ("", &[][..], "Chưa chọn tệp."),
    ] {
        let a = post(
            &c,
            IMPORT,
            &[
                Part::Text("csrf_token", &csrf),
                Part::File("file", name, "application/octet-stream", bytes),
                Part::Text("content", ""),
            ],
            false,
        )
        .await;
        assert_eq!(a.status, 422, "{name}: {}", a.body);
        assert!(a.body.contains(says), "{name}: {}", a.body);
    }
    // Without the token, or by someone who may not import: refused.
    let good = workbook(&[("1.000101", "Thủ tục thử A", "5 ngày làm việc")]);
    let a = post(
        &c,
        IMPORT,
        &[Part::File("file", "danh-muc.xlsx", XLSX, &good)],
        false,
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.body);
    let specialist = app
        .client("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    let (_, html) = page(&specialist, "/").await;
    let a = post(
        &specialist,
        IMPORT,
        &[
            Part::Text("csrf_token", &token(&html)),
            Part::File("file", "danh-muc.xlsx", XLSX, &good),
        ],
        false,
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.body);
    assert_eq!(procedures(&app).await, 0, "nothing imported");
    app.close().await;
}
