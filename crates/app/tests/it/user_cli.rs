//! `motcua user …` against a real database.

use std::io::Write;
use std::process::{Command, Stdio};

use motcua_testkit::{Backend, TestApp, codes};

use crate::{assert_one_line_error, stdout};

/// Runs the binary with a line on standard input.
pub(crate) fn with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars() {
        if k.starts_with("MOTCUA_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn users_on(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let url = app.db.url().to_owned();
    let db = ["--database-url", url.as_str()];

    let o = with_stdin(
        &[
            &[
                "user",
                "add",
                "--username",
                "Lan.Nguyen",
                "--full-name",
                "Nguyễn Thị Lan",
                "--role",
                "desk_officer",
                "--unit",
                codes::DESK_A,
                "--password-stdin",
            ][..],
            &db,
        ]
        .concat(),
        "mật-khẩu-của-Lan\n",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout(&o).trim(),
        format!("created lan.nguyen with desk_officer on {}", codes::DESK_A)
    );
    // The account works with the password given on standard input.
    let r = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({ "username": "lan.nguyen", "password": "mật-khẩu-của-Lan" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let o = crate::motcua(
        &[
            &[
                "user",
                "grant",
                "--username",
                "lan.nguyen",
                "--role",
                "specialist",
                "--unit",
                codes::OFFICE_A,
            ][..],
            &db,
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let grants = app.db.query_i64("SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'lan.nguyen'").await.unwrap();
    assert_eq!(grants, 2);
    let o = crate::motcua(
        &[
            &[
                "user",
                "revoke",
                "--username",
                "lan.nguyen",
                "--role",
                "specialist",
                "--unit",
                codes::OFFICE_A,
            ][..],
            &db,
        ]
        .concat(),
    );
    assert!(o.status.success());
    let grants = app.db.query_i64("SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'lan.nguyen'").await.unwrap();
    assert_eq!(grants, 1);

    // Without --password-stdin a password is made up and printed once.
    let o = crate::motcua(
        &[
            &["user", "reset-password", "--username", "lan.nguyen"][..],
            &db,
        ]
        .concat(),
    );
    assert!(o.status.success());
    let out = stdout(&o);
    let pw = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap()
        .to_owned();
    assert_eq!(pw.len(), 20);
    let r = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({ "username": "lan.nguyen", "password": pw }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Bad input: one line, nothing changed.
    let users_before = app
        .db
        .query_i64("SELECT count(*) FROM users")
        .await
        .unwrap();
    let o = crate::motcua(
        &[
            &[
                "user",
                "add",
                "--username",
                "x y",
                "--full-name",
                "X",
                "--role",
                "leader",
                "--unit",
                codes::DESK_A,
            ][..],
            &db,
        ]
        .concat(),
    );
    assert_one_line_error(&o, &["username"]);
    let o = crate::motcua(
        &[
            &[
                "user",
                "add",
                "--username",
                "xy.z",
                "--full-name",
                "X",
                "--role",
                "king",
                "--unit",
                codes::DESK_A,
            ][..],
            &db,
        ]
        .concat(),
    );
    assert_one_line_error(&o, &["--role", "king"]);
    let o = crate::motcua(
        &[
            &[
                "user",
                "add",
                "--username",
                "xy.z",
                "--full-name",
                "X",
                "--role",
                "leader",
                "--unit",
                "999.99.99.H99",
            ][..],
            &db,
        ]
        .concat(),
    );
    assert_one_line_error(&o, &["unit not found"]);
    let o = with_stdin(
        &[
            &[
                "user",
                "add",
                "--username",
                "xy.z",
                "--full-name",
                "X",
                "--role",
                "leader",
                "--unit",
                codes::DESK_A,
                "--password-stdin",
            ][..],
            &db,
        ]
        .concat(),
        "short\n",
    );
    assert_one_line_error(&o, &["password", "8"]);
    let o = crate::motcua(
        &[
            &[
                "user",
                "add",
                "--username",
                "lan.nguyen",
                "--full-name",
                "X",
                "--role",
                "leader",
                "--unit",
                codes::DESK_A,
            ][..],
            &db,
        ]
        .concat(),
    );
    assert_one_line_error(&o, &["lan.nguyen"]);
    let o = crate::motcua(
        &[
            &[
                "user",
                "grant",
                "--username",
                "nobody",
                "--role",
                "leader",
                "--unit",
                codes::DESK_A,
            ][..],
            &db,
        ]
        .concat(),
    );
    assert_one_line_error(&o, &["nobody"]);
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM users")
            .await
            .unwrap(),
        users_before
    );
    app.close().await;
}

#[tokio::test]
async fn user_commands_on_sqlite() {
    users_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn user_commands_on_postgres() {
    users_on(Backend::Postgres).await;
}
