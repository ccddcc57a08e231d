//! User use cases: accounts and role grants.

use motcua_domain::role::Role;

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

/// Creates an account with an argon2id password hash.
pub async fn add_user(
    store: &dyn Store,
    ctx: &AuditContext,
    username: &str,
    full_name: &str,
    email: Option<&str>,
    password: &str,
) -> ServiceResult<User> {
    let username = parse_username(username)?;
    let full_name = full_name.trim();
    if full_name.is_empty() {
        return Err(ServiceError::invalid(
            "full_name",
            "a full name is required",
        ));
    }
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) if !e.contains('@') || e.len() > 254 => {
            return Err(ServiceError::invalid("email", "not an e-mail address"));
        }
        other => other.map(str::to_owned),
    };
    let password_hash = hash_password(password)?;
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

/// Grants a role on a unit (and so on its subtree).
pub async fn grant(
    store: &dyn Store,
    ctx: &AuditContext,
    user_id: i64,
    role: Role,
    unit_id: i64,
) -> ServiceResult<RoleGrant> {
    store.grant_role(ctx, user_id, role, unit_id).await
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
