//! A throwaway PostgreSQL cluster for a test run that names no server.
//!
//! When `MOTCUA_TEST_DATABASE_URL` is not set, the PostgreSQL half of the
//! suite runs on a cluster of its own, made from the installed server
//! binaries (Debian's `postgresql` package: `/usr/lib/postgresql/*/bin`):
//! `initdb` in a temporary folder with trust authentication, a server that
//! listens only on a unix socket in that folder, durability off (a test
//! database is thrown away anyway).
//!
//! One cluster serves the whole run: nextest runs every test in a process of
//! its own, so the first process to need PostgreSQL starts it under a file
//! lock in a folder named after the run (`NEXTEST_RUN_ID`, or the parent
//! process for `cargo test`), and the others find it there. A small watcher
//! started with it waits for the run (the parent process) to end, then stops
//! the server and removes the folder. Nothing is left behind, and nothing is
//! skipped: when no cluster can be had, every PostgreSQL test fails with
//! this module's reason.

use std::fs::{self, File};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use anyhow::{Context, bail};

/// The URL of the run's cluster, started on first use; the same error for
/// every test of the process when it cannot be started.
pub fn url() -> anyhow::Result<String> {
    static URL: OnceLock<Result<String, String>> = OnceLock::new();
    URL.get_or_init(|| start().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(|e| {
            anyhow::anyhow!(
                "PostgreSQL tests need a server and none could be had: {e}. Set \
                 MOTCUA_TEST_DATABASE_URL to a server where the suite may create \
                 databases, or install Debian's postgresql package (./test.sh does \
                 both) so that the test kit starts a throwaway cluster"
            )
        })
}

fn start() -> anyhow::Result<String> {
    let bin = bin_dir()?;
    let key = std::env::var("NEXTEST_RUN_ID")
        .ok()
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or_else(|| format!("ppid-{}", std::os::unix::process::parent_id()));
    // /tmp rather than TMPDIR: the socket path must stay under ~100 bytes.
    let dir = PathBuf::from("/tmp").join(format!("motcua-pg-{key}"));
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("lock"))
        .context("opening the cluster's lock file")?;
    lock.lock().context("locking the cluster's folder")?;
    let data = dir.join("data");
    let url = format!(
        "postgres://postgres@localhost/postgres?host={}",
        dir.display()
    );
    let as_root = is_root();
    if data.join("postmaster.pid").exists()
        && pg(&bin, "pg_ctl", as_root)
            .arg("status")
            .arg("-D")
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    {
        return Ok(url);
    }
    // A folder left by an earlier run whose parent had the same id: start over.
    if data.exists() {
        fs::remove_dir_all(&data).context("removing a stale cluster")?;
    }
    if as_root {
        // initdb and postgres refuse to run as root.
        run(Command::new("chown").arg("postgres").arg(&dir), &dir).context(
            "giving the cluster's folder to the postgres user (is the package installed?)",
        )?;
    }
    run(
        pg(&bin, "initdb", as_root)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ])
            .args(["--no-sync", "-D"])
            .arg(&data),
        &dir,
    )
    .context("initdb")?;
    let options = format!(
        "-k '{}' -c listen_addresses='' -c max_connections=300 -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off",
        dir.display()
    );
    run(
        pg(&bin, "pg_ctl", as_root)
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .args(["-o", &options, "start"]),
        &dir,
    )
    .with_context(|| {
        let log = fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        format!("starting the server: {}", log.trim())
    })?;
    watch(&bin, &dir, &data, as_root)?;
    Ok(url)
}

/// Starts the watcher that stops the server and removes `dir` once the
/// run's parent process is gone. In a process group of its own, so that
/// neither a Ctrl-C in the terminal nor a test timeout kills it before it
/// has cleaned up.
fn watch(bin: &Path, dir: &Path, data: &Path, as_root: bool) -> anyhow::Result<()> {
    let as_postgres = if as_root {
        "runuser -u postgres -- "
    } else {
        ""
    };
    let script = format!(
        "while kill -0 {parent} 2>/dev/null; do sleep 1; done; \
         {as_postgres}'{pg_ctl}' -D '{data}' -m immediate -w stop; rm -rf '{dir}'",
        parent = std::os::unix::process::parent_id(),
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .context("starting the cluster's watcher")?;
    Ok(())
}

/// A command of the server's binaries, as the postgres user when root.
fn pg(bin: &Path, name: &str, as_root: bool) -> Command {
    let program = bin.join(name);
    let mut c = if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    // Its own process group: the server it starts outlives this test
    // process and must not receive the signals meant for it.
    c.process_group(0);
    c
}

/// Runs a command to its end, its output going to a file in `dir` (never
/// to a pipe a daemon it starts would hold open).
fn run(cmd: &mut Command, dir: &Path) -> anyhow::Result<()> {
    let log_path = dir.join("setup.log");
    let log = File::options()
        .create(true)
        .append(true)
        .open(&log_path)
        .context("opening setup.log")?;
    let status = cmd
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .status()
        .with_context(|| format!("running {:?}", cmd.get_program()))?;
    if !status.success() {
        let out = fs::read_to_string(&log_path).unwrap_or_default();
        bail!("{:?} failed ({status}): {}", cmd.get_program(), out.trim());
    }
    Ok(())
}

/// The folder of `initdb` and `pg_ctl`: `MOTCUA_TEST_PG_BINDIR` when set
/// (another version), else the newest Debian server package, else
/// `pg_config --bindir`, else the PATH.
fn bin_dir() -> anyhow::Result<PathBuf> {
    let has_tools = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Some(d) = std::env::var_os("MOTCUA_TEST_PG_BINDIR") {
        let d = PathBuf::from(d);
        if has_tools(&d) {
            return Ok(d);
        }
        bail!(
            "no initdb and pg_ctl in MOTCUA_TEST_PG_BINDIR ({})",
            d.display()
        );
    }
    let mut debian: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, d)| has_tools(d))
        .collect();
    debian.sort();
    if let Some((_, d)) = debian.pop() {
        return Ok(d);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_tools(&d) {
            return Ok(d);
        }
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|d| has_tools(d))
        .context(
            "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin \
             or on the PATH",
        )
}

/// Whether this process runs as root (the owner of `/proc/self`).
fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A PostgreSQL server of one test's own, with its data in a folder the
/// test chose (a small file system it mounted, to fill): durable settings
/// as in production (fsync on), stopped when dropped.
pub struct Private {
    bin: PathBuf,
    data: PathBuf,
    as_root: bool,
    /// The URL of its `postgres` database.
    pub url: String,
}

impl Private {
    /// Makes and starts the cluster in `dir` (which must be empty).
    pub fn start(dir: &Path) -> anyhow::Result<Private> {
        let bin = bin_dir()?;
        let as_root = is_root();
        if as_root {
            run(Command::new("chown").arg("postgres").arg(dir), dir)
                .context("giving the folder to the postgres user")?;
        }
        let data = dir.join("data");
        run(
            pg(&bin, "initdb", as_root)
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ])
                .args(["--no-sync", "-D"])
                .arg(&data),
            dir,
        )
        .context("initdb")?;
        let options = format!(
            "-k '{}' -c listen_addresses='' -c max_connections=40 -c shared_buffers=16MB",
            dir.display()
        );
        run(
            pg(&bin, "pg_ctl", as_root)
                .args(["-w", "-t", "60", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(dir.join("server.log"))
                .args(["-o", &options, "start"]),
            dir,
        )
        .with_context(|| {
            let log = fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            format!("starting the server: {}", log.trim())
        })?;
        Ok(Private {
            url: format!(
                "postgres://postgres@localhost/postgres?host={}",
                dir.display()
            ),
            bin,
            data,
            as_root,
        })
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        let _ = pg(&self.bin, "pg_ctl", self.as_root)
            .args(["-m", "immediate", "-w", "-D"])
            .arg(&self.data)
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
