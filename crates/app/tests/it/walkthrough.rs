//! docs/operations.md's walkthrough, run: a new province from an empty
//! database to its first received dossier with the commands it names
//! (`init`, `unit import`, `unit add`, `user add`, `import procedures`,
//! `serve`) and the API. On SQLite the database lives on a small tmpfs the
//! test mounts (root, as in CI), which is then filled: receptions answer 503
//! with Retry-After and `/readyz` says the node cannot write; once space is
//! freed the next reception succeeds and the node is ready again.

use std::path::Path;
use std::process::Command;

use motcua_testkit::{Backend, TestDb};
use serde_json::{Value, json};

use crate::server::Server;
use crate::user_cli::with_stdin;
use crate::{assert_one_line_error, motcua, stdout};

const PROVINCE: &str = "000.00.00.H40";
const COMMUNE: &str = "000.00.22.H40";
const COMMUNE_DESK: &str = "000.01.22.H40";
const ADMIN_PASSWORD: &str = "quản-trị-tỉnh-2026";
const STAFF_PASSWORD: &str = "cán-bộ-xã-2026";

fn docs(file: &str) -> String {
    format!("{}/../../docs/import/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command that must succeed; returns its stdout.
fn ok(args: &[&str]) -> String {
    let o = motcua(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(&o)
}

/// `motcua unit list` as rows.
fn unit_list(db: &[&str]) -> Vec<String> {
    ok(&[&["unit", "list"][..], db].concat())
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The example procedure file with its first procedure assigned to the
/// commune (the template's last column).
fn procedures_file(dir: &Path) -> String {
    let text = std::fs::read_to_string(docs("procedures-example.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        if i == 1 {
            assert!(
                line.starts_with("1.001193,") && line.ends_with(','),
                "{line}"
            );
            out.push_str(COMMUNE);
        }
        out.push('\n');
    }
    let path = dir.join("procedures.csv");
    std::fs::write(&path, out).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The command-line half: from an empty database to staff and a catalog.
fn set_up(url: &str, dir: &Path) {
    let db = ["--database-url", url];
    let init = |extra: &[&str]| {
        with_stdin(
            &[
                &[
                    "init",
                    "--unit-code",
                    PROVINCE,
                    "--unit-name",
                    "UBND tỉnh Nghệ An",
                    "--valid-from",
                    "2008-01-01",
                    "--username",
                    "quantri",
                    "--full-name",
                    "Nguyễn Văn Quản",
                    "--password-stdin",
                ][..],
                extra,
                &db,
            ]
            .concat(),
            &format!("{ADMIN_PASSWORD}\n"),
        )
    };
    // Bad input first: nothing is written, not even the unit.
    let o = init(&["--email", "not-an-address"]);
    assert_one_line_error(&o, &["--email"]);
    let o = init(&[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).contains("system administrator quantri"),
        "{}",
        stdout(&o)
    );
    // Once only.
    assert_one_line_error(&init(&[]), &["already has a system administrator"]);

    // The tree: a bad file changes nothing and names the row and column.
    let bad = dir.join("bad-units.csv");
    std::fs::write(
        &bad,
        "Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên,Hiệu lực từ\n\
         000.00.22.H40,UBND xã Đô Lương,commune,000.00.00.H40,2025-07-01\n\
         000.01.22.H40,Bộ phận Một cửa,desk,000.00.99.H40,2025-07-01\n",
    )
    .unwrap();
    let o = motcua(&[&["unit", "import", bad.to_str().unwrap()][..], &db].concat());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("row 3, column D") && err.contains("000.00.99.H40"),
        "{err}"
    );
    assert_eq!(unit_list(&db).len(), 2, "header and the province only");
    let out = ok(&[&["unit", "import", &docs("units-example.csv")][..], &db].concat());
    assert_eq!(out.trim(), "imported 6 units");
    let out = ok(&[
        &[
            "unit",
            "add",
            "--code",
            "000.21.22.H40",
            "--name",
            "Công chức Tư pháp - Hộ tịch xã Đô Lương",
            "--kind",
            "district_office",
            "--level",
            "commune",
            "--parent",
            COMMUNE,
            "--valid-from",
            "2025-07-01",
        ][..],
        &db,
    ]
    .concat());
    assert!(out.starts_with("added 000.21.22.H40"), "{out}");
    let o = motcua(
        &[
            &[
                "unit",
                "add",
                "--code",
                "000.22.22.H40",
                "--name",
                "X",
                "--kind",
                "ward",
            ][..],
            &db,
        ]
        .concat(),
    );
    assert_one_line_error(&o, &["--kind", "ward"]);
    let list = unit_list(&db);
    assert_eq!(list.len(), 1 + 1 + 6 + 1, "{list:?}");
    assert!(
        list.contains(&format!(
            "{COMMUNE_DESK},Bộ phận Một cửa xã Đô Lương,desk,commune,{COMMUNE},2025-07-01,"
        )),
        "{list:?}"
    );

    for (user, role, unit) in [
        ("tiepnhan.xa", "desk_officer", COMMUNE_DESK),
        ("chuyenvien.xa", "specialist", "000.21.22.H40"),
        ("lanhdao.xa", "leader", COMMUNE),
    ] {
        let o = with_stdin(
            &[
                &[
                    "user",
                    "add",
                    "--username",
                    user,
                    "--full-name",
                    "Cán bộ xã",
                    "--role",
                    role,
                    "--unit",
                    unit,
                    "--password-stdin",
                ][..],
                &db,
            ]
            .concat(),
            &format!("{STAFF_PASSWORD}\n"),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let out = ok(&[&["import", "procedures", &procedures_file(dir)][..], &db].concat());
    assert!(out.starts_with("imported 5 procedures"), "{out}");
}

/// A signed-in API client: the session cookie and the CSRF token.
async fn login(base: &str, user: &str, password: &str) -> reqwest::Client {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{user}");
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body: Value = r.json().await.unwrap();
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("cookie", cookie.parse().unwrap());
    h.insert(
        "x-csrf-token",
        body["csrf_token"].as_str().unwrap().parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(h)
        .build()
        .unwrap()
}

fn reception(name: &str) -> Value {
    json!({
        "unit": COMMUNE_DESK, "procedure": "1.001193", "channel": "in_person",
        "applicant": { "kind": "citizen", "name": name, "identity": "040095000123",
            "phone": "0912 345 678", "email": "nguoidan@example.org", "address": "Xã Đô Lương, tỉnh Nghệ An" },
        "components": [
            { "name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1, "digitised": true, "reused": false },
            { "name": "Giấy chứng sinh hoặc văn bản của người làm chứng xác nhận về việc sinh", "form": "original", "copies": 1, "digitised": true, "reused": false }
        ]
    })
}

/// The API half: the process, then the first dossier. Returns the desk's
/// client.
async fn first_dossier(base: &str) -> reqwest::Client {
    let leader = login(base, "lanhdao.xa", STAFF_PASSWORD).await;
    let r = leader
        .post(format!("{base}/api/processes"))
        .json(&json!({ "procedure": "1.001193", "unit": COMMUNE, "decision": "Quyết định số 1/QĐ-UBND",
            "effective_from": "2025-07-01",
            "steps": [
                { "name": "Thẩm định", "unit": "000.21.22.H40", "role": "specialist", "allotted": "4 working_hours" },
                { "name": "Phê duyệt", "unit": COMMUNE, "role": "leader", "allotted": "2 working_hours" }
            ] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let desk = login(base, "tiepnhan.xa", STAFF_PASSWORD).await;
    let r = desk
        .post(format!("{base}/api/dossiers"))
        .json(&reception("Hồ Thị Mai"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["status"], "received", "{d}");
    assert!(d["code"].as_str().unwrap().starts_with(COMMUNE_DESK), "{d}");
    desk
}

async fn dossiers(desk: &reqwest::Client, base: &str) -> usize {
    let page: Value = desk
        .get(format!("{base}/api/dossiers?limit=100"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().len()
}

async fn readyz(base: &str) -> (u16, Value) {
    let r = reqwest::get(format!("{base}/readyz")).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_new_province_from_an_empty_postgres_database_to_its_first_dossier() {
    let db = TestDb::unmigrated(Backend::Postgres).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    set_up(db.url(), dir.path());
    let server = Server::start(
        dir.path(),
        &["serve", "--database-url", db.url(), "--port", "0"],
    );
    let desk = first_dossier(&server.base).await;
    assert_eq!(dossiers(&desk, &server.base).await, 1);
    server.stop();
    db.close().await;
}

/// A tmpfs mounted on a temporary folder, unmounted when dropped.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "this test puts the database on a {size} tmpfs it mounts, which needs root (CI runs as root): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Tmpfs(dir)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.0.path()).status();
    }
}

/// Writes a file until the file system refuses more.
fn fill(dir: &Path) -> std::path::PathBuf {
    use std::io::Write;
    let filler = dir.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0x5au8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    while f.write_all(&chunk[..512]).is_ok() {}
    filler
}

/// A new province set up on `url` and served, with its first dossier
/// received and the server ready: the folder it runs in, the server and
/// the desk officer's client.
async fn serving(url: &str) -> (tempfile::TempDir, Server, reqwest::Client) {
    let dir = tempfile::tempdir().unwrap();
    set_up(url, dir.path());
    let server = Server::start(dir.path(), &["serve", "--database-url", url, "--port", "0"]);
    let desk = first_dossier(&server.base).await;
    assert_eq!(readyz(&server.base).await.0, 200);
    (dir, server, desk)
}

#[tokio::test]
async fn a_new_province_on_sqlite_survives_a_full_disk() {
    let fs = Tmpfs::mount("64m");
    let url = format!("sqlite://{}", fs.0.path().join("motcua.db").display());
    let (_dir, server, desk) = serving(&url).await;
    let base = server.base.clone();

    let filler = fill(fs.0.path());
    let (status, body) = readyz(&base).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "cannot write", "{body}");
    // A reception writes its dossier, events and audit entry: too much for
    // the few bytes left.
    for name in ["Lê Văn An", "Trần Thị Bình"] {
        let r = desk
            .post(format!("{base}/api/dossiers"))
            .json(&reception(name))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 503, "{name}");
        assert_eq!(r.headers()["retry-after"], "5");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }

    std::fs::remove_file(&filler).unwrap();
    let r = desk
        .post(format!("{base}/api/dossiers"))
        .json(&reception("Phạm Văn Cường"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let (status, body) = readyz(&base).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        dossiers(&desk, &base).await,
        2,
        "the refused receptions left nothing"
    );
    server.stop();
}

/// The same on PostgreSQL: a server of the test's own with its data on a
/// small tmpfs, durable settings. When the disk is full, receptions answer
/// 503 with `Retry-After` (not 500) and change nothing; once space is
/// freed the next reception works, without restarting anything.
#[tokio::test]
async fn a_new_province_on_postgres_survives_a_full_disk() {
    let fs = Tmpfs::mount("160m");
    let pg = motcua_testkit::cluster::Private::start(fs.0.path()).unwrap();
    let url = pg.url.clone();
    let (_dir, server, desk) = serving(&url).await;
    let base = server.base.clone();

    let filler = fill(fs.0.path());
    let mut refused = 0;
    for i in 0..400 {
        if refused >= 3 {
            break;
        }
        let r = desk
            .post(format!("{base}/api/dossiers"))
            .json(&reception(&format!("Lê Văn An {i}")))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        // A reception may still fit in pages the server has (PostgreSQL
        // extends files in steps); none may be a server fault.
        assert!(
            status == 201 || status == 503,
            "{status}: {}",
            r.text().await.unwrap()
        );
        if status == 503 {
            assert_eq!(r.headers()["retry-after"], "5");
            refused += 1;
        }
    }
    assert!(refused > 0, "a full disk refused no reception");
    let before = dossiers(&desk, &base).await;

    std::fs::remove_file(&filler).unwrap();
    let r = desk
        .post(format!("{base}/api/dossiers"))
        .json(&reception("Phạm Văn Cường"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let (status, body) = readyz(&base).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(dossiers(&desk, &base).await, before + 1);
    server.stop();
    drop(pg);
}
