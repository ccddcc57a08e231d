//! `motcua init`: the first steps of a fresh install, which nobody could
//! take before it (adding a user needs a unit, adding a unit needs a
//! signed-in user): migrate, add the province unit and its first system
//! administrator. Everything is checked before anything is written; it
//! refuses to run once a system administrator exists. Values not given as
//! flags are asked for when standard input is a terminal; the password is
//! never a flag (other users of the machine could read it).

use std::io::{BufRead, IsTerminal, Write};

use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::access::Actor;
use motcua_service::store::NewUnit;
use motcua_service::{ServiceError, units, users};

use crate::cli::InitArgs;
use crate::config::Config;

/// Runs `init`.
pub async fn run(cfg: &mut Config, a: InitArgs) -> anyhow::Result<()> {
    if let Some(url) = &a.database_url {
        cfg.database_url = Some(url.clone());
    } else if cfg.database_url.is_none() {
        cfg.ensure_data_dir()?;
    }
    let ask = std::io::stdin().is_terminal();
    let code = value(
        a.unit_code,
        "--unit-code",
        "Mã đơn vị của tỉnh (000.00.00.H40)",
        ask,
    )?;
    let code = UnitCode::parse(&code).map_err(|e| invalid("--unit-code", e))?;
    let name = value(a.unit_name, "--unit-name", "Tên đơn vị (UBND tỉnh …)", ask)?;
    if name.chars().count() > 300 {
        anyhow::bail!("--unit-name: a unit name has at most 300 characters");
    }
    let valid_from = match &a.valid_from {
        Some(d) => super::unit::parse_day("--valid-from", d)?,
        None => super::unit::today(),
    };
    let username = value(
        a.username,
        "--username",
        "Tên đăng nhập của quản trị hệ thống",
        ask,
    )?;
    let username = users::parse_username(&username).map_err(|e| rename(e, "--username"))?;
    let full_name = value(a.full_name, "--full-name", "Họ và tên", ask)?;
    if full_name.chars().count() > 200 {
        anyhow::bail!("--full-name: a full name has at most 200 characters");
    }
    let email = match a.email {
        Some(e) => Some(e),
        None if ask => Some(prompt("E-mail (có thể bỏ trống)")?).filter(|e| !e.is_empty()),
        None => None,
    };
    if let Some(e) = &email
        && (!e.contains('@') || e.len() > 254)
    {
        anyhow::bail!("--email: '{e}' is not an e-mail address");
    }
    let password = password(a.password_stdin, ask)?;
    if password.chars().count() < 8 {
        anyhow::bail!("password: must have at least 8 characters");
    }

    let store = super::open_migrated(&cfg.database_url()).await?;
    if store.system_admin_exists().await? {
        anyhow::bail!(
            "init: this database already has a system administrator; add units with `motcua unit` and people with `motcua user`"
        );
    }
    let ctx = super::cli_context();
    let actor = Actor::system(ctx.actor);
    // An earlier run may have added the unit and stopped before the
    // administrator (the database went away): its root unit is taken up.
    let unit = match store.unit_by_code(&code).await {
        Ok(u) if u.parent_id.is_none() => u,
        Ok(_) => anyhow::bail!("--unit-code: {code} is already a unit under another one"),
        Err(ServiceError::NotFound { .. }) => {
            units::add_unit(
                store.as_ref(),
                &actor,
                ctx.at,
                NewUnit {
                    code,
                    name,
                    kind: UnitKind::Province,
                    level: Level::Province,
                    parent_id: None,
                    valid_from,
                    valid_to: None,
                },
            )
            .await?
        }
        Err(e) => return Err(e.into()),
    };
    let (user, _) = users::add_user_as(
        store.as_ref(),
        &actor,
        ctx.at,
        &username,
        &full_name,
        email.as_deref(),
        &password,
        Role::SystemAdmin,
        unit.id,
    )
    .await?;
    println!(
        "initialised {}: unit {} {}; system administrator {}",
        store.backend(),
        unit.code,
        unit.name,
        user.username
    );
    Ok(())
}

/// A flag's value, or the answer to a prompt on a terminal.
fn value(given: Option<String>, flag: &str, question: &str, ask: bool) -> anyhow::Result<String> {
    let v = match given {
        Some(v) => v,
        None if ask => prompt(question)?,
        None => anyhow::bail!("{flag} is required (or run init on a terminal to be asked)"),
    };
    let v = v.trim().to_owned();
    if v.is_empty() {
        anyhow::bail!("{flag}: must not be blank");
    }
    Ok(v)
}

/// Asks on stderr (stdout is for results) and reads a line of stdin.
fn prompt(question: &str) -> anyhow::Result<String> {
    eprint!("{question}: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

/// The password: the first line of standard input, or typed twice at a
/// prompt that does not echo it.
fn password(from_stdin: bool, ask: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        if pw.is_empty() {
            anyhow::bail!("--password-stdin: standard input gave no password");
        }
        return Ok(pw);
    }
    if !ask {
        anyhow::bail!(
            "password: give it on standard input with --password-stdin (never as a flag), or run init on a terminal"
        );
    }
    let first = rpassword::prompt_password("Mật khẩu: ")?;
    let again = rpassword::prompt_password("Nhập lại mật khẩu: ")?;
    if first != again {
        anyhow::bail!("password: the two entries differ");
    }
    Ok(first)
}

fn invalid(flag: &'static str, e: motcua_domain::DomainError) -> ServiceError {
    rename(e.into(), flag)
}

/// An invalid-input error named by the flag it came from.
fn rename(e: ServiceError, flag: &str) -> ServiceError {
    match e {
        ServiceError::Invalid { reason, .. } => ServiceError::invalid(flag, reason),
        other => other,
    }
}
