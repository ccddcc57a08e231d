//! `motcua audit verify`.

use std::process::ExitCode;

use motcua_domain::audit::{ChainBreak, verify_chain};

use crate::cli::DbArgs;
use crate::config::Config;

/// Reads the whole chain page by page and checks it. Prints `ok: N entries` and
/// exits 0, or names the first broken entry and exits 1.
pub async fn verify(cfg: &Config, args: DbArgs) -> anyhow::Result<ExitCode> {
    let url = args.database_url.unwrap_or_else(|| cfg.database_url());
    let store = super::open_ready(&url).await?;
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        entries.extend(page);
    }
    match verify_chain(&entries) {
        Ok(n) => {
            println!("ok: {n} audit entries, chain intact");
            Ok(ExitCode::SUCCESS)
        }
        Err(b) => {
            let msg = match b {
                ChainBreak::Edited { seq } => {
                    format!("entry {seq} was edited: its content no longer matches its hash")
                }
                ChainBreak::Gap {
                    expected_seq,
                    found_seq,
                } => {
                    format!(
                        "entry {expected_seq} is missing or out of order: found entry {found_seq} in its place"
                    )
                }
                ChainBreak::Relinked { seq } => {
                    format!(
                        "entry {seq} does not link to the entry before it: entries were removed or reordered"
                    )
                }
            };
            eprintln!("audit chain broken: {msg}");
            Ok(ExitCode::FAILURE)
        }
    }
}
