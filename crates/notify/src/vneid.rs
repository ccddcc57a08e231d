//! The VNeID adapter: OpenID Connect's authorisation-code flow over HTTP.
//! The browser is sent to the provider's authorisation page; the code it
//! brings back is exchanged at the token endpoint (with the client's
//! secret) for an access token, which reads the person's claims at the
//! userinfo endpoint. The claims come straight from the provider over the
//! connection this client opened, so no token signature needs checking
//! here; the code is single-use and bound to the redirect address.

use async_trait::async_trait;
use motcua_service::error::{ServiceError, ServiceResult};
use motcua_service::identity::{IdentityProvider, VouchedIdentity};
use serde::Deserialize;

use crate::config::Secret;

/// Where the provider is and who this client is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// The authorisation page (the browser goes there).
    pub authorize_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// The userinfo endpoint.
    pub userinfo_url: String,
    /// This client's id.
    pub client_id: String,
    /// This client's secret.
    pub client_secret: Secret,
    /// Seconds before a call to the provider is given up.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    10
}

/// The adapter.
pub struct OidcIdentity {
    settings: OidcSettings,
    client: reqwest::Client,
    token_url: reqwest::Url,
    userinfo_url: reqwest::Url,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    name: String,
    identity_number: String,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default = "one")]
    level: u8,
}

fn one() -> u8 {
    1
}

impl OidcIdentity {
    /// The adapter for `settings`; bad addresses name their field.
    pub fn new(settings: OidcSettings) -> ServiceResult<Self> {
        crate::http::url("vneid.authorize_url", &settings.authorize_url)?;
        let token_url = crate::http::url("vneid.token_url", &settings.token_url)?;
        let userinfo_url = crate::http::url("vneid.userinfo_url", &settings.userinfo_url)?;
        let client = crate::http::client("vneid.timeout_secs", settings.timeout_secs)?;
        Ok(Self {
            settings,
            client,
            token_url,
            userinfo_url,
        })
    }
}

fn refused(why: &str) -> ServiceError {
    ServiceError::Unauthenticated(format!("the identity provider refused: {why}"))
}

fn unreachable(e: &reqwest::Error) -> ServiceError {
    ServiceError::Unavailable(format!("the identity provider did not answer: {e}"))
}

#[async_trait]
impl IdentityProvider for OidcIdentity {
    fn authorize_url(&self, state: &str, redirect_uri: &str) -> String {
        let q = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", self.settings.client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("scope", "openid profile phone"),
            ("state", state),
        ])
        .unwrap_or_default();
        format!("{}?{q}", self.settings.authorize_url)
    }

    async fn exchange(&self, code: &str, redirect_uri: &str) -> ServiceResult<VouchedIdentity> {
        if code.is_empty() || code.len() > 512 {
            return Err(refused("no code"));
        }
        let form = serde_urlencoded::to_string([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.settings.client_secret.expose()),
        ])
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let r = self
            .client
            .post(self.token_url.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        if r.status().is_server_error() {
            return Err(ServiceError::Unavailable(format!(
                "the identity provider answered {}",
                r.status()
            )));
        }
        if !r.status().is_success() {
            return Err(refused(&format!("token {}", r.status())));
        }
        let token: TokenAnswer = r.json().await.map_err(|_| refused("token answer"))?;
        let r = self
            .client
            .get(self.userinfo_url.clone())
            .bearer_auth(&token.access_token)
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        if !r.status().is_success() {
            return Err(refused(&format!("userinfo {}", r.status())));
        }
        let c: Claims = r.json().await.map_err(|_| refused("userinfo answer"))?;
        if c.sub.trim().is_empty() || c.sub.len() > 200 {
            return Err(refused("no subject"));
        }
        Ok(VouchedIdentity {
            subject: c.sub,
            full_name: c.name.chars().take(200).collect(),
            identity_number: c.identity_number.chars().take(20).collect(),
            phone: c.phone_number,
            level: c.level.clamp(1, 2),
        })
    }
}
