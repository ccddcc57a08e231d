//! The payment-gateway adapter, in the style of Vietnamese gateways
//! (VNPay): the payment page's address and the answer the browser brings
//! back are query parameters signed with HMAC-SHA512 over the `vnp_`
//! parameters sorted by name (`k=v` joined by `&`, values form-encoded),
//! with a secret shared with the gateway. Anything whose signature does not
//! hold is refused, so a citizen cannot mark a dossier paid by editing the
//! address they come back with.

use hmac::{Hmac, KeyInit, Mac};
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::payments::{GatewayAnswer, PaymentGateway, PaymentRequest};
use serde::Deserialize;
use sha2::Sha512;

use crate::config::Secret;

/// Where the gateway is and who this merchant is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySettings {
    /// The gateway's payment page.
    pub pay_url: String,
    /// This merchant's code at the gateway.
    pub merchant: String,
    /// The shared signing secret.
    pub secret: Secret,
}

/// The adapter.
pub struct SignedGateway {
    settings: GatewaySettings,
}

impl SignedGateway {
    /// The adapter for `settings`; a bad address names its field.
    pub fn new(settings: GatewaySettings) -> ServiceResult<Self> {
        crate::http::url("payment.pay_url", &settings.pay_url)?;
        if settings.merchant.trim().is_empty() {
            return Err(ServiceError::invalid(
                "payment.merchant",
                "must not be empty",
            ));
        }
        Ok(Self { settings })
    }
}

/// The signed form of `params` (the `vnp_` ones, without the signature),
/// sorted by name.
fn canonical(params: &[(String, String)]) -> String {
    let mut p: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k.starts_with("vnp_") && k != "vnp_SecureHash")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    p.sort_unstable();
    serde_urlencoded::to_string(&p).unwrap_or_default()
}

/// The hex HMAC-SHA512 of `params` under `secret`.
pub fn sign(secret: &[u8], params: &[(String, String)]) -> String {
    // HMAC takes keys of any length; the error case cannot happen.
    let mut mac = match <Hmac<Sha512> as KeyInit>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => <Hmac<Sha512> as KeyInit>::new(&Default::default()),
    };
    mac.update(canonical(params).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `params` carry a valid signature under `secret` (constant time).
pub fn signed(secret: &[u8], params: &[(String, String)]) -> bool {
    let Some(given) = params
        .iter()
        .find(|(k, _)| k == "vnp_SecureHash")
        .and_then(|(_, v)| hex::decode(v).ok())
    else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha512> as KeyInit>::new_from_slice(secret) else {
        return false;
    };
    mac.update(canonical(params).as_bytes());
    mac.verify_slice(&given).is_ok()
}

fn invalid(why: &str) -> ServiceError {
    ServiceError::invalid("signature", why.to_owned())
}

impl PaymentGateway for SignedGateway {
    fn pay_url(&self, r: &PaymentRequest) -> String {
        let mut params: Vec<(String, String)> = vec![
            ("vnp_Version".into(), "2.1.0".into()),
            ("vnp_Command".into(), "pay".into()),
            ("vnp_TmnCode".into(), self.settings.merchant.clone()),
            // Gateways count in hundredths of a đồng.
            (
                "vnp_Amount".into(),
                (r.amount_dong.saturating_mul(100)).to_string(),
            ),
            ("vnp_CurrCode".into(), "VND".into()),
            ("vnp_TxnRef".into(), r.reference.clone()),
            ("vnp_OrderInfo".into(), r.description.clone()),
            ("vnp_ReturnUrl".into(), r.return_url.clone()),
            ("vnp_Locale".into(), "vn".into()),
        ];
        let hash = sign(self.settings.secret.expose().as_bytes(), &params);
        params.push(("vnp_SecureHash".into(), hash));
        format!(
            "{}?{}",
            self.settings.pay_url,
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    }

    fn verify(&self, params: &[(String, String)]) -> ServiceResult<GatewayAnswer> {
        if params.len() > 50 {
            return Err(invalid("too many parameters"));
        }
        if !signed(self.settings.secret.expose().as_bytes(), params) {
            return Err(invalid("the gateway's signature does not hold"));
        }
        let get = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        if get("vnp_TmnCode") != self.settings.merchant {
            return Err(invalid("another merchant's answer"));
        }
        let hundredths: i64 = get("vnp_Amount")
            .parse()
            .map_err(|_| invalid("no amount"))?;
        Ok(GatewayAnswer {
            reference: get("vnp_TxnRef"),
            amount_dong: hundredths / 100,
            transaction: get("vnp_TransactionNo"),
            paid: get("vnp_ResponseCode") == "00" && get("vnp_TransactionStatus") == "00",
        })
    }
}
