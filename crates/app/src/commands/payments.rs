//! `motcua payments reconcile`: a day's reconciliation with the payment
//! gateway configured in `[payment]`, as a table or JSON.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use motcua_service::Services;
use motcua_service::access::Actor;
use motcua_service::payments::reconcile::{Line, Reconciliation};

use crate::cli::ReconcileArgs;
use crate::config::Config;

/// Runs the reconciliation and prints it; exit 1 when a line differs.
pub async fn reconcile(cfg: &Config, args: ReconcileArgs) -> anyhow::Result<ExitCode> {
    let date: jiff::civil::Date = args
        .date
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("--date: '{}' is not a date YYYY-MM-DD", args.date))?;
    let json = match args.format.as_str() {
        "table" => false,
        "json" => true,
        other => anyhow::bail!("--format: '{other}' is not table or json"),
    };
    let Some(settings) = &cfg.payment else {
        anyhow::bail!("payment: no payment gateway is configured ([payment] in motcua.toml)");
    };
    let settings: motcua_notify::payment::GatewaySettings =
        serde_json::from_value(settings.clone())
            .map_err(|e| anyhow::anyhow!("configuration: payment: {e}"))?;
    let gateway = motcua_notify::payment::SignedGateway::new(settings)
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    let url = args.db.database_url.unwrap_or_else(|| cfg.database_url());
    let services = Services::plain(super::open_ready(&url).await?).with_payments(Arc::new(gateway));
    let actor = Actor::system(super::cli_context().actor);
    let r = services
        .payments()
        .reconcile(&actor, date, args.record)
        .await
        .map_err(|e| anyhow::anyhow!("{}", super::field_error(&e, "--")))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", table(&r));
    }
    Ok(if r.agrees() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn amount(a: Option<i64>) -> String {
    a.map_or_else(|| "-".to_owned(), |a| a.to_string())
}

/// The lines as a plain table, one section per outcome.
fn table(r: &Reconciliation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "reconciliation of {}", r.date);
    let sections: [(&str, &[Line]); 4] = [
        ("matched", &r.matched),
        ("only at the gateway", &r.only_at_gateway),
        ("only with us", &r.only_with_us),
        ("amount mismatches", &r.amount_mismatches),
    ];
    for (title, lines) in sections {
        let _ = writeln!(out, "{title}: {}", lines.len());
        for l in lines {
            let kind = match l.kind {
                motcua_service::payments::TransactionKind::Payment => "payment",
                motcua_service::payments::TransactionKind::Refund => "refund",
            };
            let _ = writeln!(
                out,
                "  {kind:<7} {:<20} {:<26} ours {:>12} gateway {:>12} {}{}",
                l.reference,
                l.dossier_code.as_deref().unwrap_or("-"),
                amount(l.our_amount_dong),
                amount(l.gateway_amount_dong),
                l.our_status.as_deref().unwrap_or("unknown"),
                if l.recorded {
                    " (recorded as paid)"
                } else {
                    ""
                },
            );
        }
    }
    out
}
