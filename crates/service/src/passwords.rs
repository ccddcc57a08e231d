//! Password hashing with argon2id.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};

use crate::error::{ServiceError, ServiceResult};

/// Hashes a password into a PHC string with argon2id and a random salt.
pub fn hash_password(password: &str) -> ServiceResult<String> {
    if password.chars().count() < 8 {
        return Err(ServiceError::invalid(
            "password",
            "must have at least 8 characters",
        ));
    }
    if password.len() > crate::auth::MAX_PASSWORD_BYTES {
        return Err(ServiceError::invalid(
            "password",
            format!("at most {} bytes", crate::auth::MAX_PASSWORD_BYTES),
        ));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("hashing a password: {e}")))
}

/// Whether a password matches a stored PHC string. A malformed stored hash
/// answers false rather than an error, so it cannot be told apart from a wrong
/// password by a caller.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash_password("mật-khẩu-1").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("mật-khẩu-1", &h));
        assert!(!verify_password("mật-khẩu-2", &h));
        assert!(!verify_password("mật-khẩu-1", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("short"),
            Err(ServiceError::Invalid { .. })
        ));
    }
}
