//! The browser tests in `tests/e2e/` (playwright-core driving Debian's
//! chromium against this crate's `motcua` binary), run from the one test
//! command so that they are never left out. Without chromium the test fails
//! and says how to install it. `MOTCUA_SKIP_BROWSER=1` skips it, saying so,
//! for runs by hand; `./test.sh` (and so CI) refuses to run with it set.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The browser the suite drives (`MOTCUA_E2E_CHROMIUM` overrides).
fn chromium() -> PathBuf {
    std::env::var_os("MOTCUA_E2E_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e")
}

/// Stdout and stderr of a finished command, for a failure message.
fn both(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `npm ci` when the pinned playwright-core is not installed yet.
fn install_packages(dir: &Path) {
    if dir
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        return;
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("browser tests need npm to install tests/e2e ({e}): apt-get install npm")
        });
    assert!(
        out.status.success(),
        "`npm ci` in tests/e2e failed:\n{}",
        both(&out)
    );
}

#[test]
fn browser_journeys_pass() {
    if std::env::var("MOTCUA_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!(
            "SKIPPED: the browser tests did not run (MOTCUA_SKIP_BROWSER=1); ./test.sh runs them"
        );
        return;
    }
    let chromium = chromium();
    if !chromium.exists() {
        panic!(
            "browser tests need chromium at {}: install it with `apt-get install chromium` (or set MOTCUA_SKIP_BROWSER=1 to skip them)",
            chromium.display()
        );
    }
    let dir = e2e_dir();
    install_packages(&dir);
    let out = Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .current_dir(&dir)
        .env("MOTCUA_E2E_BIN", env!("CARGO_BIN_EXE_motcua"))
        .env("MOTCUA_E2E_CHROMIUM", &chromium)
        .output()
        .unwrap_or_else(|e| panic!("browser tests need node ({e}): apt-get install nodejs"));
    let text = both(&out);
    assert!(out.status.success(), "browser tests failed:\n{text}");
    // The spec reporter ends with "ℹ pass N": a run that found no test
    // file exits 0 too, and is no pass.
    let passed = text
        .lines()
        .find_map(|l| l.strip_prefix("ℹ pass "))
        .and_then(|n| n.trim().parse::<u32>().ok())
        .unwrap_or(0);
    assert!(passed > 0, "no browser test ran:\n{text}");
}
