//! Integration tests of the `motcua` binary, run as a user or a script would
//! run it. One test binary for the crate (link time on two cores).

// A test binary: a failed unwrap is a failed test, with its cause shown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod browser;
mod calendar_cli;
mod catalog_cli;
mod cli_errors;
mod dossier_import_cli;
mod files_config;
mod payments_cli;
mod server;
mod user_cli;
mod walkthrough;

use std::process::{Command, Output};

/// Runs the binary with arguments, with no configuration file or `MOTCUA_*`
/// variables leaking in from the developer's shell.
pub fn motcua(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    motcua_in(dir.path(), args)
}

/// Runs the binary in a working directory.
pub fn motcua_in(dir: &std::path::Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(args).current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("MOTCUA_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.output().unwrap()
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Asserts the command failed with exactly one line on stderr containing every
/// piece, and no panic.
pub fn assert_one_line_error(o: &Output, pieces: &[&str]) {
    let err = stderr(o);
    assert!(
        !o.status.success(),
        "expected failure, got success; stdout: {}",
        stdout(o)
    );
    assert!(!err.contains("panicked"), "panic: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err:?}");
    for p in pieces {
        assert!(err.contains(p), "{p:?} not in {err:?}");
    }
    assert!(
        o.stdout.is_empty(),
        "stdout not empty on error: {}",
        stdout(o)
    );
}
