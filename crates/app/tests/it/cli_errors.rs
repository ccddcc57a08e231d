//! Bad input on the command line: one line on stderr, a non-zero exit, no panic.

use crate::{assert_one_line_error, motcua};

#[test]
fn a_malformed_date_names_the_flag() {
    let o = motcua(&[
        "calendar",
        "due",
        "--from",
        "2025-13-01T09:00",
        "--working-days",
        "5",
    ]);
    assert_one_line_error(&o, &["--from", "2025-13-01T09:00"]);
    let o = motcua(&[
        "calendar",
        "days",
        "--from",
        "01/01/2024",
        "--to",
        "2024-12-31",
    ]);
    assert_one_line_error(&o, &["--from", "01/01/2024"]);
}

#[test]
fn negative_and_absurd_durations_are_refused() {
    let o = motcua(&[
        "calendar",
        "due",
        "--from",
        "2025-04-25T09:00",
        "--working-days",
        "-5",
    ]);
    assert_one_line_error(&o, &["--working-days", "-5"]);
    let o = motcua(&[
        "calendar",
        "due",
        "--from",
        "2025-04-25T09:00",
        "--working-days",
        "1000000",
    ]);
    assert_one_line_error(&o, &["--working-days", "1000000", "3650"]);
    let o = motcua(&[
        "calendar",
        "due",
        "--from",
        "2025-04-25T09:00",
        "--hours",
        "99999999999",
    ]);
    assert_one_line_error(&o, &["--hours", "99999999999"]);
}

#[test]
fn a_limit_is_required_and_only_one() {
    let o = motcua(&["calendar", "due", "--from", "2025-04-25T09:00"]);
    assert_one_line_error(&o, &["error"]);
    assert_eq!(o.status.code(), Some(2));
    let o = motcua(&[
        "calendar",
        "due",
        "--from",
        "2025-04-25T09:00",
        "--working-days",
        "1",
        "--hours",
        "2",
    ]);
    assert_one_line_error(&o, &["--hours"]);
}

#[test]
fn ranges_out_of_order_or_out_of_years_are_refused() {
    let o = motcua(&[
        "calendar",
        "days",
        "--from",
        "2024-12-31",
        "--to",
        "2024-01-01",
    ]);
    assert_one_line_error(&o, &["--to", "before"]);
    let o = motcua(&[
        "calendar",
        "days",
        "--from",
        "1800-01-01",
        "--to",
        "1800-01-02",
    ]);
    assert_one_line_error(&o, &["1800-01-01", "1900"]);
    let o = motcua(&[
        "calendar",
        "due",
        "--from",
        "2100-12-31T09:00",
        "--working-days",
        "30",
    ]);
    assert_one_line_error(&o, &["2100"]);
}

#[test]
fn an_unreachable_database_is_one_line() {
    let o = motcua(&[
        "migrate",
        "--database-url",
        "postgres://motcua@127.0.0.1:1/motcua",
    ]);
    assert_one_line_error(&o, &["database"]);
    let o = motcua(&["migrate", "--database-url", "mysql://localhost/motcua"]);
    assert_one_line_error(&o, &["database_url"]);
}

#[test]
fn a_bad_configuration_value_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("motcua.toml"), "port = \"eighty\"\n").unwrap();
    let o = crate::motcua_in(dir.path(), &["migrate"]);
    assert_one_line_error(&o, &["configuration", "port"]);
    let o = crate::motcua_in(
        dir.path(),
        &["--config", "/nonexistent/motcua.toml", "migrate"],
    );
    assert_one_line_error(&o, &["--config"]);
}
