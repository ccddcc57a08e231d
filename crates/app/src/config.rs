//! Configuration: defaults, then an optional `motcua.toml`, then `MOTCUA_*`
//! environment variables, then command-line flags (each overrides the one before).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Settings of a running motcua.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path` or `postgres://…`; defaults to the SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port to listen on.
    pub port: u16,
    /// Where the embedded database and files live.
    pub data_dir: PathBuf,
    /// Log filter, as `RUST_LOG` would take it.
    pub log: String,
    /// The address citizens reach this server at (`https://…`), for the
    /// status links printed in QR codes and messages; relative links without it.
    pub public_base_url: Option<String>,
    /// Public status lookups allowed per client address per minute.
    pub lookups_per_minute: u32,
    /// Days an API token lasts when its maker names none.
    pub api_token_days: u32,
    /// The longest lifetime, in days, an API token may be given.
    pub api_token_max_days: u32,
    /// Proxies (CIDRs or addresses) whose `X-Forwarded-For` names the
    /// client; none by default, so the header is ignored.
    pub trusted_proxies: Vec<String>,
    /// Whether cookies are sent over HTTPS only (`Secure`); unset means on
    /// unless the server is bound to a loopback address.
    pub cookie_secure: Option<bool>,
    /// Seconds a client may take to send a request's head; also how long a
    /// keep-alive connection may wait idle for its next request.
    pub header_read_timeout_secs: u64,
    /// Longest pause, in seconds, between two pieces of a request body.
    pub body_read_timeout_secs: u64,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// PDFs rendered at once (default: one per core); past them, 503.
    pub render_slots: Option<usize>,
    /// The `[notifications]` table: SMTP, SMS gateway, webhooks, log file
    /// (see docs/operations.md); checked when the server starts.
    pub notifications: Option<serde_json::Value>,
    /// The `[vneid]` table: the identity provider's endpoints and this
    /// client's id and secret (OpenID Connect); none disables VNeID
    /// sign-in, except in the demo, which runs a simulator.
    pub vneid: Option<serde_json::Value>,
    /// The `[payment]` table: the payment gateway's page, this merchant's
    /// code and the signing secret; none disables online payment, except
    /// in the demo, which runs a simulated gateway.
    pub payment: Option<serde_json::Value>,
    /// The `[files]` table: a directory under `data_dir` (default) or an
    /// S3-compatible bucket (see docs/operations.md).
    pub files: crate::file_store::FilesConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: None,
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            data_dir: PathBuf::from("motcua-data"),
            log: "info".to_owned(),
            public_base_url: None,
            lookups_per_minute: 120,
            api_token_days: 90,
            api_token_max_days: 365,
            trusted_proxies: Vec::new(),
            cookie_secure: None,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            max_connections: 512,
            render_slots: None,
            notifications: None,
            vneid: None,
            payment: None,
            files: crate::file_store::FilesConfig::default(),
        }
    }
}

impl Config {
    /// Loads the layers. `file` is the `--config` flag; without it `motcua.toml`
    /// in the working directory is read if present. A named file that does not
    /// exist is an error, a missing default file is not.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.is_file() {
                    anyhow::bail!("--config: {} is not a readable file", path.display());
                }
                fig = fig.merge(Toml::file_exact(path));
            }
            None if Path::new("motcua.toml").is_file() => {
                fig = fig.merge(Toml::file_exact("motcua.toml"));
            }
            None => {}
        }
        // Only the keys of this struct: other MOTCUA_* variables (the test
        // suite's MOTCUA_TEST_DATABASE_URL, MOTCUA_CONFIG) are not settings.
        let fig = fig.merge(Env::prefixed("MOTCUA_").only(&[
            "database_url",
            "bind",
            "port",
            "data_dir",
            "log",
            "public_base_url",
            "lookups_per_minute",
            "api_token_days",
            "api_token_max_days",
            "trusted_proxies",
            "cookie_secure",
            "header_read_timeout_secs",
            "body_read_timeout_secs",
            "max_connections",
            "render_slots",
        ]));
        fig.extract()
            .map_err(|e| anyhow::anyhow!("configuration: {}", first_line(&e.to_string())))
    }

    /// The listener's limits.
    pub fn server_limits(&self) -> motcua_web::ServerLimits {
        motcua_web::ServerLimits {
            header_read_timeout: std::time::Duration::from_secs(
                self.header_read_timeout_secs.max(1),
            ),
            body_read_timeout: std::time::Duration::from_secs(self.body_read_timeout_secs.max(1)),
            max_connections: self.max_connections.max(1),
        }
    }

    /// The database URL in force: the configured one, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("motcua.db").display()))
    }

    /// Whether cookies carry `Secure`: as configured, else on unless bound
    /// to a loopback address (a browser on the same machine reaches it over
    /// plain HTTP; anything else is expected behind HTTPS).
    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure.unwrap_or(!self.bind.is_loopback())
    }

    /// The sign-in settings the web layer runs with; an unreadable proxy
    /// entry or token lifetimes out of order are errors naming the key.
    pub fn auth_settings(&self) -> anyhow::Result<motcua_web::auth::AuthSettings> {
        let trusted_proxies = motcua_web::auth::AuthSettings::parse_proxies(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        if self.api_token_days == 0 || self.api_token_days > self.api_token_max_days {
            anyhow::bail!(
                "configuration: api_token_days must be 1 to api_token_max_days ({})",
                self.api_token_max_days
            );
        }
        Ok(motcua_web::auth::AuthSettings {
            limits: motcua_service::auth::SignInLimits::default(),
            tokens: motcua_service::auth::TokenLifetime {
                default_days: self.api_token_days,
                max_days: self.api_token_max_days,
            },
            trusted_proxies,
            cookie_secure: self.cookie_secure(),
        })
    }

    /// Makes sure the data directory exists, for the embedded database.
    pub fn ensure_data_dir(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("data_dir: cannot create {}", self.data_dir.display()))
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail closures return its own large error type
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order_defaults_file_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("motcua.toml", "port = 9000\nlog = \"debug\"\n")?;
            jail.set_env("MOTCUA_PORT", "9100");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(c.port, 9100, "environment beats the file");
            assert_eq!(c.log, "debug", "the file beats the defaults");
            assert_eq!(c.bind, IpAddr::from([127, 0, 0, 1]));
            Ok(())
        });
    }

    #[test]
    fn a_bad_value_is_one_line_naming_the_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("MOTCUA_PORT", "eighty");
            let e = Config::load(None).unwrap_err().to_string();
            assert!(
                e.starts_with("configuration:")
                    && e.to_lowercase().contains("port")
                    && !e.contains('\n'),
                "{e}"
            );
            Ok(())
        });
    }

    #[test]
    fn cookies_are_secure_unless_bound_to_loopback_or_told() {
        let mut c = Config::default();
        assert!(!c.cookie_secure(), "127.0.0.1 is loopback");
        c.bind = IpAddr::from([0, 0, 0, 0]);
        assert!(c.cookie_secure(), "every interface");
        c.bind = IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]);
        assert!(!c.cookie_secure(), "::1 is loopback");
        c.cookie_secure = Some(true);
        assert!(c.auth_settings().unwrap().cookie_secure, "told on");
        c.bind = IpAddr::from([10, 0, 0, 5]);
        c.cookie_secure = Some(false);
        assert!(!c.auth_settings().unwrap().cookie_secure, "told off");
    }

    #[test]
    fn cookie_secure_and_proxies_load_from_file_and_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "motcua.toml",
                "trusted_proxies = [\"10.0.0.0/8\", \"192.0.2.1\"]\n",
            )?;
            jail.set_env("MOTCUA_COOKIE_SECURE", "false");
            jail.set_env("MOTCUA_BIND", "0.0.0.0");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            let a = c.auth_settings().map_err(|e| e.to_string())?;
            assert!(!a.cookie_secure);
            assert_eq!(a.trusted_proxies.len(), 2);
            assert_eq!(a.tokens.default_days, 90);
            assert_eq!(a.tokens.max_days, 365);
            Ok(())
        });
    }

    #[test]
    fn bad_proxies_and_token_days_are_refused_naming_the_key() {
        let c = Config {
            trusted_proxies: vec!["10.0.0.0/33".to_owned()],
            ..Config::default()
        };
        let e = c.auth_settings().unwrap_err().to_string();
        assert!(
            e.contains("trusted_proxies") && e.contains("10.0.0.0/33"),
            "{e}"
        );
        let c = Config {
            api_token_days: 400,
            ..Config::default()
        };
        let e = c.auth_settings().unwrap_err().to_string();
        assert!(e.contains("api_token_days"), "{e}");
    }

    #[test]
    fn files_are_local_unless_the_s3_table_is_given() {
        use crate::file_store::{Backend, UrlStyleConfig};
        figment::Jail::expect_with(|jail| {
            assert_eq!(
                Config::load(None).map_err(|e| e.to_string())?.files.backend,
                Backend::Local
            );
            jail.create_file(
                "motcua.toml",
                "[files]\nbackend = \"s3\"\n[files.s3]\nendpoint = \"http://127.0.0.1:9000\"\n\
                 bucket = \"motcua-files\"\naccess_key_id = \"motcua\"\nurl_style = \"virtual_host\"\n",
            )?;
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(c.files.backend, Backend::S3);
            let s3 = c.files.s3.ok_or_else(|| "no [files.s3]".to_owned())?;
            assert_eq!(s3.region, "us-east-1");
            assert_eq!(s3.url_style, UrlStyleConfig::VirtualHost);
            assert_eq!(s3.timeout_secs, 60);
            Ok(())
        });
    }

    #[test]
    fn an_unknown_files_backend_or_a_secret_in_the_file_is_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("motcua.toml", "[files]\nbackend = \"ftp\"\n")?;
            let e = Config::load(None).unwrap_err().to_string();
            assert!(e.contains("ftp") && !e.contains('\n'), "{e}");
            jail.create_file(
                "motcua.toml",
                "[files]\nbackend = \"s3\"\n[files.s3]\nendpoint = \"http://h\"\nbucket = \"b-1\"\n\
                 access_key_id = \"k\"\nsecret_access_key = \"never here\"\n",
            )?;
            let e = Config::load(None).unwrap_err().to_string();
            assert!(
                e.contains("secret_access_key") && !e.contains("never here"),
                "{e}"
            );
            Ok(())
        });
    }

    #[test]
    fn the_default_database_is_sqlite_in_the_data_dir() {
        let c = Config::default();
        assert_eq!(c.database_url(), "sqlite://motcua-data/motcua.db");
    }
}
