//! User use cases: accounts and role grants.
//!
//! Who may manage whom (issue 16): the system and system administrators
//! manage everyone; a unit administrator manages only people whose every
//! grant lies inside the units they administer (their grants' subtrees) and
//! who hold no system-administrator grant, and grants only on those units.
//! Anything looser lets an administrator of one district grant themselves a
//! foothold on someone else's account (a viewer role on the account of the
//! system administrator), reset its password and sign in as them.

use jiff::Timestamp;
use motcua_domain::role::Role;

use crate::access::{Actor, Permission, deny, require, require_somewhere};
use crate::auth::set_password;
use crate::error::{ServiceError, ServiceResult};
use crate::passwords::hash_password;
use crate::store::{AuditContext, NewUser, RoleGrant, Store, User};

/// Normalises and checks a login name: lower-case ASCII letters, digits, dot,
/// dash and underscore, 3 to 64 characters, so names are easy to type at a desk
/// and cannot be confused by case.
pub fn parse_username(input: &str) -> ServiceResult<String> {
    let u = input.trim().to_ascii_lowercase();
    let ok = (3..=64).contains(&u.len())
        && u.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        });
    if ok {
        Ok(u)
    } else {
        Err(ServiceError::invalid(
            "username",
            "use 3 to 64 letters a-z, digits, '.', '-' or '_'",
        ))
    }
}

/// Creates an account with an argon2id password hash, without an access
/// check: private to the crate, for [`add_user_as`] and [`add_account_as`]
/// after they checked.
async fn add_user(
    store: &dyn Store,
    ctx: &AuditContext,
    username: &str,
    full_name: &str,
    email: Option<&str>,
    password: &str,
) -> ServiceResult<User> {
    let username = parse_username(username)?;
    let full_name = full_name.trim();
    if full_name.is_empty() || full_name.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "full_name",
            "a full name of 1 to 200 characters is required",
        ));
    }
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) if !e.contains('@') || e.len() > 254 => {
            return Err(ServiceError::invalid("email", "not an e-mail address"));
        }
        other => other.map(str::to_owned),
    };
    let pw = password.to_owned();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| ServiceError::Internal(format!("password hash: {e}")))??;
    store
        .insert_user(
            ctx,
            &NewUser {
                username,
                full_name: full_name.to_owned(),
                email,
                password_hash,
            },
        )
        .await
}

/// Creates an account for someone who will work on `unit_id` with `role`,
/// on behalf of an actor who manages users there; user and grant together.
#[allow(clippy::too_many_arguments)]
pub async fn add_user_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    username: &str,
    full_name: &str,
    email: Option<&str>,
    password: &str,
    role: Role,
    unit_id: i64,
) -> ServiceResult<(User, RoleGrant)> {
    check_may_grant(store, actor, now, role, unit_id).await?;
    let user = add_user(
        store,
        &actor.context(now),
        username,
        full_name,
        email,
        password,
    )
    .await?;
    let grant = store
        .grant_role(&actor.context(now), user.id, role, unit_id)
        .await?;
    Ok((user, grant))
}

/// Creates an account with no role yet, on behalf of an actor who manages
/// users somewhere (a person without grants is anyone's to manage, see
/// [`may_manage`]); roles are given with [`grant_as`].
pub async fn add_account_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    username: &str,
    full_name: &str,
    email: Option<&str>,
    password: &str,
) -> ServiceResult<User> {
    require_somewhere(store, actor, now, Permission::ManageUsers).await?;
    add_user(
        store,
        &actor.context(now),
        username,
        full_name,
        email,
        password,
    )
    .await
}

/// Whether the actor manages everyone: the system or a system administrator.
pub fn manages_everyone(actor: &Actor) -> bool {
    actor.is_system() || actor.holds(Role::SystemAdmin)
}

/// Whether the actor may manage a person holding `grants` (see the module
/// documentation): every grant inside the units where the actor manages
/// users, none of them `system_admin`. A person without grants is managed by
/// anyone who manages users somewhere, so that they can be given a first role.
pub fn may_manage(actor: &Actor, grants: &[RoleGrant]) -> bool {
    manages_everyone(actor)
        || (actor.may_somewhere(Permission::ManageUsers)
            && grants.iter().all(|g| {
                g.role != Role::SystemAdmin && actor.may(Permission::ManageUsers, g.unit_id)
            }))
}

/// The account's grants if the actor may manage it, else the refusal,
/// recorded.
pub async fn require_manage(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    user: &User,
) -> ServiceResult<Vec<RoleGrant>> {
    let grants = store.roles_of(user.id).await?;
    if may_manage(actor, &grants) {
        return Ok(grants);
    }
    deny(
        store,
        actor,
        now,
        Permission::ManageUsers,
        &format!("user:{}", user.username),
    )
    .await
}

async fn check_may_grant(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    role: Role,
    unit_id: i64,
) -> ServiceResult<()> {
    require(store, actor, now, Permission::ManageUsers, unit_id).await?;
    // Only system administrators make system administrators.
    if role == Role::SystemAdmin && !actor.holds(Role::SystemAdmin) {
        return deny(
            store,
            actor,
            now,
            Permission::ManageUsers,
            "role:system_admin",
        )
        .await;
    }
    Ok(())
}

/// Grants a role on behalf of an actor who manages users on that unit.
pub async fn grant_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    username: &str,
    role: Role,
    unit_id: i64,
) -> ServiceResult<RoleGrant> {
    check_may_grant(store, actor, now, role, unit_id).await?;
    let user = store.user_by_username(&parse_username(username)?).await?;
    require_manage(store, actor, now, &user).await?;
    store
        .grant_role(&actor.context(now), user.id, role, unit_id)
        .await
}

/// Revokes a role on behalf of an actor who manages users on that unit.
pub async fn revoke_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    username: &str,
    role: Role,
    unit_id: i64,
) -> ServiceResult<()> {
    check_may_grant(store, actor, now, role, unit_id).await?;
    let user = store.user_by_username(&parse_username(username)?).await?;
    require_manage(store, actor, now, &user).await?;
    store
        .revoke_role(&actor.context(now), user.id, role, unit_id)
        .await?;
    // Sessions carry the grants they were opened with; end them so the
    // revoked role stops working now, not at the next sign-in.
    store.delete_user_sessions(user.id).await?;
    Ok(())
}

/// Resets the password of someone the actor manages ([`may_manage`]). Their
/// sessions end and their API tokens are revoked: whoever held the account
/// before the reset holds nothing of it after.
pub async fn reset_password_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    username: &str,
    new_password: &str,
) -> ServiceResult<()> {
    let user = store.user_by_username(&parse_username(username)?).await?;
    require_manage(store, actor, now, &user).await?;
    // Ends the person's sessions and API tokens with the old password.
    set_password(store, &actor.context(now), user.id, new_password).await
}

/// The accounts the actor manages ([`may_manage`]), a page after `after`.
pub async fn list_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    after: Option<&str>,
    limit: u32,
) -> ServiceResult<Vec<User>> {
    if !actor.may_somewhere(Permission::ManageUsers) {
        return deny(store, actor, now, Permission::ManageUsers, "users").await;
    }
    let limit = limit.clamp(1, 500);
    match actor.units_for(Permission::ManageUsers) {
        Some(units) if !manages_everyone(actor) => {
            let mut ids: Vec<i64> = units.into_iter().collect();
            ids.sort_unstable();
            store.list_users_within(&ids, after, limit).await
        }
        _ => store.list_users(after, limit).await,
    }
}

impl crate::services::Users<'_> {
    /// [`add_user_as`](self::add_user_as) with the services' store and
    /// clock (the same fields as the sign-up form, one argument each).
    #[allow(clippy::too_many_arguments)]
    pub async fn add_user_as(
        &self,
        actor: &Actor,
        username: &str,
        full_name: &str,
        email: Option<&str>,
        password: &str,
        role: Role,
        unit_id: i64,
    ) -> ServiceResult<(User, RoleGrant)> {
        self::add_user_as(
            self.store(),
            actor,
            self.now(),
            username,
            full_name,
            email,
            password,
            role,
            unit_id,
        )
        .await
    }

    /// [`add_account_as`](self::add_account_as): an account with no role
    /// yet, for an actor who manages users somewhere.
    pub async fn add_account_as(
        &self,
        actor: &Actor,
        username: &str,
        full_name: &str,
        email: Option<&str>,
        password: &str,
    ) -> ServiceResult<User> {
        self::add_account_as(
            self.store(),
            actor,
            self.now(),
            username,
            full_name,
            email,
            password,
        )
        .await
    }

    /// Grants a role on behalf of an actor who manages users on that unit.
    pub async fn grant_as(
        &self,
        actor: &Actor,
        username: &str,
        role: Role,
        unit_id: i64,
    ) -> ServiceResult<RoleGrant> {
        self::grant_as(self.store(), actor, self.now(), username, role, unit_id).await
    }

    /// Revokes a role on behalf of an actor who manages users on that unit.
    pub async fn revoke_as(
        &self,
        actor: &Actor,
        username: &str,
        role: Role,
        unit_id: i64,
    ) -> ServiceResult<()> {
        self::revoke_as(self.store(), actor, self.now(), username, role, unit_id).await
    }

    /// Resets the password of someone the actor manages ([`may_manage`]). Their
    /// sessions end and their API tokens are revoked: whoever held the account
    /// before the reset holds nothing of it after.
    pub async fn reset_password_as(
        &self,
        actor: &Actor,
        username: &str,
        new_password: &str,
    ) -> ServiceResult<()> {
        self::reset_password_as(self.store(), actor, self.now(), username, new_password).await
    }

    /// The accounts the actor manages ([`may_manage`]), a page after `after`.
    pub async fn list_as(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: u32,
    ) -> ServiceResult<Vec<User>> {
        self::list_as(self.store(), actor, self.now(), after, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_restricted() {
        assert_eq!(parse_username(" Mot.Cua_01 ").unwrap(), "mot.cua_01");
        for bad in ["ab", "có-dấu", "a b c", &"x".repeat(65)] {
            assert!(parse_username(bad).is_err(), "{bad}");
        }
    }
}
