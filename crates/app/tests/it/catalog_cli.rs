//! `motcua import procedures` and `motcua export procedures` against a real
//! database: all-or-nothing imports with row and column errors, and exports
//! that import back unchanged.

use motcua_testkit::{Backend, TestApp};

use crate::{motcua, stdout};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/import/procedures-example.csv"
);

async fn import_export_on(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let url = app.db.url().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--database-url", &url]);
        motcua(&all)
    };
    // The documented example imports as is. Its procedures are counted here
    // from the file itself: rows with a code in the first column.
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let codes = example
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with(','))
        .count();
    let o = run(&["import", "procedures", EXAMPLE]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout(&o).trim(),
        format!("imported {codes} procedures: {codes} created, 0 versioned, 0 unchanged")
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("warning: row"),
        "the bare 'ngày' is flagged"
    );

    // Export, then import the export: nothing changes.
    let csv_path = dir.path().join("catalog.csv");
    let o = run(&[
        "export",
        "procedures",
        "--output",
        csv_path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["import", "procedures", csv_path.to_str().unwrap()]);
    assert_eq!(
        stdout(&o).trim(),
        format!("imported {codes} procedures: 0 created, 0 versioned, {codes} unchanged")
    );
    // The same through XLSX.
    let xlsx_path = dir.path().join("catalog.xlsx");
    let o = run(&[
        "export",
        "procedures",
        "--output",
        xlsx_path.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(
        std::fs::read(&xlsx_path).unwrap().starts_with(b"PK"),
        "an XLSX workbook"
    );
    let o = run(&["import", "procedures", xlsx_path.to_str().unwrap()]);
    assert_eq!(
        stdout(&o).trim(),
        format!("imported {codes} procedures: 0 created, 0 versioned, {codes} unchanged")
    );

    // A file with two bad rows among good ones: every problem reported with its
    // row and column, and nothing imported.
    let mut lines: Vec<String> = example.lines().map(str::to_owned).collect();
    let header = lines[0].clone();
    let first_row = lines
        .iter()
        .position(|l| !l.starts_with(',') && l != &header)
        .unwrap();
    let good = lines[first_row].replacen(&lines[first_row][..8], "1.999991", 1);
    let bad_limit = lines[first_row]
        .replacen(&lines[first_row][..8], "1.999992", 1)
        .replace("Trong ngày", "5 tuần");
    let bad_code = lines[first_row].replacen(&lines[first_row][..8], "9.99999", 1);
    lines = vec![header, good, bad_limit, bad_code];
    let bad_path = dir.path().join("bad.csv");
    std::fs::write(&bad_path, lines.join("\n")).unwrap();
    let before = app
        .db
        .query_i64("SELECT count(*) FROM procedures")
        .await
        .unwrap();
    let o = run(&["import", "procedures", bad_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("row 3, column F"), "{err}");
    assert!(err.contains("row 4, column A"), "{err}");
    assert!(!err.contains("panicked"));
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM procedures")
            .await
            .unwrap(),
        before,
        "nothing imported"
    );

    let o = run(&["import", "procedures", "/nonexistent/file.csv"]);
    crate::assert_one_line_error(&o, &["cannot read", "/nonexistent/file.csv"]);
    let o = run(&["export", "procedures", "--format", "pdf"]);
    crate::assert_one_line_error(&o, &["--format", "pdf"]);
    app.close().await;
}

#[tokio::test]
async fn import_and_export_on_sqlite() {
    import_export_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn import_and_export_on_postgres() {
    import_export_on(Backend::Postgres).await;
}
