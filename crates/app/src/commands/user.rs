//! `motcua user add|grant|revoke|reset-password`: the command line acts as the
//! system (whoever can run it can reach the database anyway), and every change
//! is audited under `cli:<login>`.

use std::io::BufRead;

use motcua_domain::role::Role;
use motcua_service::access::Actor;
use motcua_service::auth::new_secret;
use motcua_service::{ServiceError, units, users};

use crate::cli::{UserAddArgs, UserCommand, UserPasswordArgs, UserRoleArgs};
use crate::config::Config;

/// Runs a user command.
pub async fn run(cfg: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let actor = Actor::system(super::cli_context().actor);
    let now = super::cli_context().at;
    match cmd {
        UserCommand::Add(a) => add(cfg, &actor, now, a).await,
        UserCommand::Grant(a) => {
            let (store, role, unit) = role_args(cfg, &a).await?;
            users::grant_as(store.as_ref(), &actor, now, &a.username, role, unit).await?;
            println!(
                "granted {} on {} to {}",
                role.as_str(),
                a.unit.trim(),
                a.username.trim()
            );
            Ok(())
        }
        UserCommand::Revoke(a) => {
            let (store, role, unit) = role_args(cfg, &a).await?;
            users::revoke_as(store.as_ref(), &actor, now, &a.username, role, unit).await?;
            println!(
                "revoked {} on {} from {}",
                role.as_str(),
                a.unit.trim(),
                a.username.trim()
            );
            Ok(())
        }
        UserCommand::ResetPassword(a) => reset(cfg, &actor, now, a).await,
    }
}

fn parse_role(r: &str) -> Result<Role, ServiceError> {
    Role::parse(r).map_err(|e| {
        ServiceError::invalid(
            "--role",
            e.to_string().trim_start_matches("role: ").to_owned(),
        )
    })
}

async fn role_args(
    cfg: &Config,
    a: &UserRoleArgs,
) -> anyhow::Result<(std::sync::Arc<dyn motcua_service::store::Store>, Role, i64)> {
    let role = parse_role(&a.role)?;
    let store =
        super::open_ready(&a.database_url.clone().unwrap_or_else(|| cfg.database_url())).await?;
    let unit = units::find_unit(store.as_ref(), "--unit", &a.unit).await?;
    Ok((store, role, unit.id))
}

/// The password from standard input, or a new random one to print.
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        if pw.is_empty() {
            anyhow::bail!("--password-stdin: standard input gave no password");
        }
        Ok((pw, false))
    } else {
        Ok((new_secret()?[..20].to_owned(), true))
    }
}

async fn add(
    cfg: &Config,
    actor: &Actor,
    now: jiff::Timestamp,
    a: UserAddArgs,
) -> anyhow::Result<()> {
    let role = parse_role(&a.role)?;
    let store =
        super::open_ready(&a.database_url.clone().unwrap_or_else(|| cfg.database_url())).await?;
    let unit = units::find_unit(store.as_ref(), "--unit", &a.unit).await?;
    let (pw, generated) = password(a.password_stdin)?;
    let (user, _) = users::add_user_as(
        store.as_ref(),
        actor,
        now,
        &a.username,
        &a.full_name,
        a.email.as_deref(),
        &pw,
        role,
        unit.id,
    )
    .await?;
    println!(
        "created {} with {} on {}",
        user.username,
        role.as_str(),
        unit.code
    );
    if generated {
        println!("password: {pw}");
    }
    Ok(())
}

async fn reset(
    cfg: &Config,
    actor: &Actor,
    now: jiff::Timestamp,
    a: UserPasswordArgs,
) -> anyhow::Result<()> {
    let store =
        super::open_ready(&a.database_url.clone().unwrap_or_else(|| cfg.database_url())).await?;
    let (pw, generated) = password(a.password_stdin)?;
    users::reset_password_as(store.as_ref(), actor, now, &a.username, &pw).await?;
    println!(
        "password of {} reset; their sessions and API tokens ended",
        a.username.trim().to_ascii_lowercase()
    );
    if generated {
        println!("password: {pw}");
    }
    Ok(())
}
