//! The identity port: VNeID (the national electronic identity) signs a
//! citizen in, OpenID Connect style (authorisation code, then the
//! person's claims). `motcua-notify` holds the adapter
//! (`vneid::OidcIdentity`) and a simulator of the provider for the demo
//! and the tests.

use async_trait::async_trait;

use crate::error::ServiceResult;

/// What the provider vouches for about the person who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VouchedIdentity {
    /// The provider's stable subject for the person.
    pub subject: String,
    /// Full name.
    pub full_name: String,
    /// The personal identification number (12 digits).
    pub identity_number: String,
    /// The phone number registered with the provider, if it gives one.
    pub phone: Option<String>,
    /// Level of assurance (VNeID's levels 1 and 2).
    pub level: u8,
}

/// An identity provider.
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// Where the browser goes to sign in, carrying `state` (checked on the
    /// way back) and `redirect_uri` (where the provider sends it back).
    fn authorize_url(&self, state: &str, redirect_uri: &str) -> String;
    /// The identity behind the code the provider sent back; a code that is
    /// unknown, used or issued for another address is `Unauthenticated`.
    async fn exchange(&self, code: &str, redirect_uri: &str) -> ServiceResult<VouchedIdentity>;
}
