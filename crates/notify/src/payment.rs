//! The payment-gateway adapter, in the style of Vietnamese gateways
//! (VNPay): the payment page's address and the answer the browser brings
//! back are query parameters signed with HMAC-SHA512 over the `vnp_`
//! parameters sorted by name (`k=v` joined by `&`, values form-encoded),
//! with a secret shared with the gateway. Anything whose signature does not
//! hold is refused, so a citizen cannot mark a dossier paid by editing the
//! address they come back with.
//!
//! Server to server, at the merchant API (`api_url`): a refund is a signed
//! form `POST` (`vnp_Command=refund`) answered by signed form parameters;
//! the day's transactions (`vnp_Command=transactions`) come as a JSON body
//! whose HMAC-SHA512 is in the `vnp_SecureHash` header. The adapter checks
//! every answer's signature, and that it answers the request it sent.

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::payments::{
    GatewayAnswer, GatewayTransaction, PaymentGateway, PaymentRequest, RefundAnswer, RefundRequest,
    TransactionKind,
};
use serde::Deserialize;
use sha2::Sha512;

use crate::config::Secret;

/// Where the gateway is and who this merchant is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySettings {
    /// The gateway's payment page.
    pub pay_url: String,
    /// The gateway's merchant API (refunds, the day's transactions); by
    /// default `/merchant_webapi/api/transaction` at `pay_url`'s host.
    #[serde(default)]
    pub api_url: Option<String>,
    /// This merchant's code at the gateway.
    pub merchant: String,
    /// The shared signing secret.
    pub secret: Secret,
    /// Seconds before a call to the merchant API is given up.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    10
}

/// The adapter.
pub struct SignedGateway {
    settings: GatewaySettings,
    api_url: reqwest::Url,
    client: reqwest::Client,
}

/// The merchant API's path at the gateway's host, when not configured.
pub const API_PATH: &str = "/merchant_webapi/api/transaction";

impl SignedGateway {
    /// The adapter for `settings`; a bad address names its field.
    pub fn new(settings: GatewaySettings) -> ServiceResult<Self> {
        let pay = crate::http::url("payment.pay_url", &settings.pay_url)?;
        if settings.merchant.trim().is_empty() {
            return Err(ServiceError::invalid(
                "payment.merchant",
                "must not be empty",
            ));
        }
        let api_url = match &settings.api_url {
            Some(u) => crate::http::url("payment.api_url", u)?,
            None => {
                let mut u = pay;
                u.set_path(API_PATH);
                u.set_query(None);
                u
            }
        };
        let client = crate::http::client("payment.timeout_secs", settings.timeout_secs)?;
        Ok(Self {
            settings,
            api_url,
            client,
        })
    }

    fn secret(&self) -> &[u8] {
        self.settings.secret.expose().as_bytes()
    }

    /// Posts signed `params` to the merchant API; the answer's body and
    /// its `vnp_SecureHash` header.
    async fn post(&self, mut params: Vec<(String, String)>) -> ServiceResult<(Vec<u8>, String)> {
        let hash = sign(self.secret(), &params);
        params.push(("vnp_SecureHash".into(), hash));
        let body = serde_urlencoded::to_string(&params)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let r = self
            .client
            .post(self.api_url.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| {
                ServiceError::Unavailable(format!(
                    "the payment gateway did not answer: {}",
                    e.without_url()
                ))
            })?;
        let status = r.status();
        let header = r
            .headers()
            .get("vnp_SecureHash")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = r.bytes().await.map_err(|e| {
            ServiceError::Unavailable(format!("the payment gateway's answer broke off: {e}"))
        })?;
        if !status.is_success() {
            return Err(ServiceError::Unavailable(format!(
                "the payment gateway answered {status}"
            )));
        }
        if bytes.len() > 8 << 20 {
            return Err(invalid("the answer is too large"));
        }
        Ok((bytes.to_vec(), header))
    }
}

/// A moment as the gateway writes it: `yyyyMMddHHmmss`, Viet Nam time.
pub fn gateway_time(t: Timestamp) -> String {
    motcua_domain::time::to_local(t)
        .strftime("%Y%m%d%H%M%S")
        .to_string()
}

/// Reads a moment the gateway wrote.
pub fn parse_gateway_time(s: &str) -> Option<Timestamp> {
    let dt = jiff::civil::DateTime::strptime("%Y%m%d%H%M%S", s).ok()?;
    motcua_domain::time::from_local(dt).ok()
}

/// The hex HMAC-SHA512 of raw bytes under `secret` (the list's signature).
pub fn sign_bytes(secret: &[u8], bytes: &[u8]) -> String {
    let mut mac = match <Hmac<Sha512> as KeyInit>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => <Hmac<Sha512> as KeyInit>::new(&Default::default()),
    };
    mac.update(bytes);
    hex::encode(mac.finalize().into_bytes())
}

fn bytes_signed(secret: &[u8], bytes: &[u8], given: &str) -> bool {
    let Ok(given) = hex::decode(given) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha512> as KeyInit>::new_from_slice(secret) else {
        return false;
    };
    mac.update(bytes);
    mac.verify_slice(&given).is_ok()
}

/// The gateway's list of a day's transactions, as its JSON body reads.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct TransactionList {
    /// The merchant.
    pub merchant: String,
    /// The day, `yyyyMMdd`.
    pub date: String,
    /// Its transactions.
    pub transactions: Vec<ListedTransaction>,
}

/// One transaction in [`TransactionList`].
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct ListedTransaction {
    /// `payment` or `refund`.
    pub kind: String,
    /// The payment's reference (`vnp_TxnRef`).
    pub txn_ref: String,
    /// For a refund, the merchant's refund reference (`vnp_RequestId`).
    #[serde(default)]
    pub request_id: Option<String>,
    /// The gateway's transaction number.
    pub transaction_no: String,
    /// In hundredths of a đồng.
    pub amount: i64,
    /// When, `yyyyMMddHHmmss` Viet Nam time.
    pub date: String,
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

#[async_trait]
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
            ("vnp_CreateDate".into(), gateway_time(r.created_at)),
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

    async fn refund(&self, r: &RefundRequest) -> ServiceResult<RefundAnswer> {
        let hundredths = r.amount_dong.saturating_mul(100).to_string();
        let params: Vec<(String, String)> = vec![
            ("vnp_RequestId".into(), r.reference.clone()),
            ("vnp_Version".into(), "2.1.0".into()),
            ("vnp_Command".into(), "refund".into()),
            ("vnp_TmnCode".into(), self.settings.merchant.clone()),
            (
                "vnp_TransactionType".into(),
                if r.full { "02" } else { "03" }.into(),
            ),
            ("vnp_TxnRef".into(), r.payment_reference.clone()),
            ("vnp_Amount".into(), hundredths.clone()),
            ("vnp_TransactionNo".into(), r.transaction.clone()),
            ("vnp_OrderInfo".into(), r.reason.clone()),
            ("vnp_CreateBy".into(), r.requested_by.clone()),
            ("vnp_CreateDate".into(), gateway_time(r.at)),
        ];
        let (body, _) = self.post(params).await?;
        let answer: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| invalid("the refund's answer is not form parameters"))?;
        if answer.len() > 50 || !signed(self.secret(), &answer) {
            return Err(invalid("the gateway's signature does not hold"));
        }
        let get = |k: &str| {
            answer
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or_default()
        };
        if get("vnp_TmnCode") != self.settings.merchant
            || get("vnp_RequestId") != r.reference
            || get("vnp_TxnRef") != r.payment_reference
            || get("vnp_Amount") != hundredths
        {
            return Err(invalid("the answer is not to this refund"));
        }
        Ok(match get("vnp_ResponseCode") {
            "00" => RefundAnswer::Done {
                transaction: get("vnp_TransactionNo").to_owned(),
            },
            code => RefundAnswer::Refused {
                why: format!("{code}: {}", get("vnp_Message")),
            },
        })
    }

    async fn transactions(&self, day: Date) -> ServiceResult<Vec<GatewayTransaction>> {
        let date = day.strftime("%Y%m%d").to_string();
        let params: Vec<(String, String)> = vec![
            ("vnp_Version".into(), "2.1.0".into()),
            ("vnp_Command".into(), "transactions".into()),
            ("vnp_TmnCode".into(), self.settings.merchant.clone()),
            ("vnp_Date".into(), date.clone()),
        ];
        let (body, hash) = self.post(params).await?;
        if !bytes_signed(self.secret(), &body, &hash) {
            return Err(invalid("the gateway's signature does not hold"));
        }
        let list: TransactionList = serde_json::from_slice(&body)
            .map_err(|e| invalid(&format!("the list does not read: {e}")))?;
        if list.merchant != self.settings.merchant || list.date != date {
            return Err(invalid("the list is not this merchant's of this day"));
        }
        list.transactions
            .into_iter()
            .map(|t| {
                let at = parse_gateway_time(&t.date)
                    .ok_or_else(|| invalid("a transaction without a readable time"))?;
                let (kind, reference) = match (t.kind.as_str(), t.request_id) {
                    ("payment", _) => (TransactionKind::Payment, t.txn_ref.clone()),
                    ("refund", Some(id)) => (TransactionKind::Refund, id),
                    _ => return Err(invalid("a transaction of an unknown kind")),
                };
                Ok(GatewayTransaction {
                    kind,
                    reference,
                    payment_reference: t.txn_ref,
                    transaction: t.transaction_no,
                    amount_dong: t.amount / 100,
                    at,
                })
            })
            .collect()
    }
}
