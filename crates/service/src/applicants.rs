//! Citizens' and businesses' accounts on the portal: registering with an
//! e-mail address or phone number and a password, proving the contact with
//! a one-time code, signing in and out, resetting a forgotten password.
//!
//! **No account enumeration.** Nothing a stranger can do tells whether an
//! account exists for a contact: registering a taken contact answers like a
//! new one (its owner is told by a message instead), asking for a reset
//! answers the same either way, a wrong password and an unknown contact are
//! one answer and cost one password check, and a code for a contact without
//! an account is as dead as an expired one. Only someone who knows an
//! account's password learns that it still waits for its code.
//!
//! **Throttling** is counted in the database (every node shares it), under
//! keys that hold a hash of the contact, never the contact: sign-in as for
//! staff, code messages per contact and per address, registration per
//! address, wrong codes per code.
//!
//! The signed-in caller is an [`Applicant`], a principal of its own: the
//! applicant's use cases take one, and no staff [`Actor`](crate::access::Actor)
//! can stand in for it.

use jiff::{SignedDuration, Timestamp};
use motcua_domain::contact::Contact;
use serde_json::json;

use crate::auth::{DUMMY_HASH, SignInLimits, new_secret, secret_hash, whole_seconds};
use crate::dossiers::NoticeSettings;
use crate::error::{ServiceError, ServiceResult};
use crate::passwords::{hash_password, verify_password};
use crate::services::Applicants;
use crate::store::{
    Account, AccountKind, AccountSession, AttemptRule, AuditContext, CodeCheck, CodePurpose,
    MessageChannel, NewAccount, NewCode, NewMessage, PublicStatus, Reservation, Store,
};

/// How long a portal session lasts.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(8);
/// How long a one-time code lives.
pub const CODE_LIFETIME: SignedDuration = SignedDuration::from_mins(10);
/// Wrong tries a code survives.
pub const CODE_ATTEMPTS: u32 = 5;
/// Digits of a one-time code.
pub const CODE_DIGITS: usize = 6;
/// The longest name accepted.
pub const MAX_NAME_CHARS: usize = 200;

/// The signed-in citizen or business: the principal of the applicant's use
/// cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    /// The account.
    pub account_id: i64,
    /// Person or organisation.
    pub kind: AccountKind,
    /// The name the account was registered with.
    pub full_name: String,
    /// The contact, mostly hidden, for pages.
    pub contact_masked: String,
    /// Whether an identity provider vouched for the owner (VNeID).
    pub identity_verified: bool,
}

impl Applicant {
    fn of(a: &Account) -> Self {
        let contact = a
            .email
            .clone()
            .map(Contact::Email)
            .or_else(|| a.phone.clone().map(Contact::Phone));
        Self {
            account_id: a.id,
            kind: a.kind,
            full_name: a.full_name.clone(),
            contact_masked: contact.map(|c| c.masked()).unwrap_or_default(),
            identity_verified: a.identity.is_some(),
        }
    }

    /// The name audit entries carry for this caller.
    pub fn audit_name(&self) -> String {
        format!("applicant:{}", self.account_id)
    }
}

/// What a supplement request asks of the applicant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplementAsked {
    /// Why.
    pub reason: String,
    /// How to complete the dossier.
    pub guidance: String,
    /// The documents asked for, each with what is wrong or missing.
    pub items: Vec<(String, String)>,
    /// The dossier's version, for the answer.
    pub version: i64,
}

/// An online application kept unfinished: what was typed and the files
/// already attached.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    /// The one-stop unit chosen.
    pub unit: String,
    /// The applicant's name.
    pub name: String,
    /// Identity number.
    pub identity: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Address.
    pub address: String,
    /// Result by post.
    pub postal: bool,
    /// Note for the desk.
    pub note: String,
    /// Files attached so far, by component.
    pub scans: Vec<crate::dossiers::particulars::Scan>,
}

/// What a registration asks for.
#[derive(Debug, Clone)]
pub struct Registration {
    /// `citizen` or `organisation`.
    pub kind: String,
    /// Full name.
    pub full_name: String,
    /// E-mail address or phone number, as typed.
    pub contact: String,
    /// The chosen password.
    pub password: String,
}

/// Where a code went: the contact in normal form and as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSent {
    /// The contact as stored (the next form carries it).
    pub contact: String,
    /// The contact mostly hidden, for the page.
    pub masked: String,
}

/// A successful sign-in: the cookie secret (shown once) and who.
#[derive(Debug, Clone)]
pub struct ApplicantSignedIn {
    /// Goes into the portal's session cookie; never stored.
    pub secret: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Who signed in.
    pub applicant: Applicant,
}

/// A keyed hash of a contact for throttling keys: the key table never
/// holds a contact, and an e-mail address of 254 characters still fits.
fn contact_key(prefix: &str, c: &Contact) -> String {
    format!("{prefix}:{}", &secret_hash(c.as_str())[..24])
}

/// The address as a throttling key part (the web layer hands over a parsed
/// IP address; anything longer is one key).
fn address_part(address: &str) -> &str {
    if address.len() <= 45 {
        address
    } else {
        "unknown"
    }
}

/// How code messages are limited: per contact (a person's phone is not to
/// be flooded) and per address (nor a gateway's budget spent by one visitor).
fn code_rules(c: &Contact, address: &str) -> [AttemptRule; 2] {
    let hour = SignedDuration::from_hours(1);
    [
        AttemptRule {
            key: contact_key("code", c),
            window: hour,
            free: 5,
            backoff: None,
        },
        AttemptRule {
            key: format!("code-ip:{}", address_part(address)),
            window: hour,
            free: 20,
            backoff: None,
        },
    ]
}

/// A new code of [`CODE_DIGITS`] digits, uniformly drawn.
fn new_code() -> ServiceResult<String> {
    let mut out = String::with_capacity(CODE_DIGITS);
    while out.len() < CODE_DIGITS {
        let mut b = [0u8; 1];
        getrandom::fill(&mut b)
            .map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
        // 250 is the largest multiple of 10 below 256: no digit is likelier.
        if b[0] < 250 {
            out.push(char::from(b'0' + b[0] % 10));
        }
    }
    Ok(out)
}

/// What is kept of a code: bound to its contact and purpose, so a code
/// sent for one cannot be used for another.
fn code_hash(c: &Contact, purpose: CodePurpose, code: &str) -> String {
    secret_hash(&format!("{}|{}|{code}", c.as_str(), purpose.as_str()))
}

/// The channel that reaches `c` on this server: e-mail or SMS when it is
/// configured, the log file of the demo otherwise; a server with neither
/// cannot reach that kind of contact, which the visitor is told before
/// anything is written (it depends on the kind of contact, never on
/// whether an account exists).
pub(crate) fn channel_of(n: &NoticeSettings, c: &Contact) -> ServiceResult<MessageChannel> {
    match c {
        Contact::Email(_) if n.email => Ok(MessageChannel::Email),
        Contact::Phone(_) if n.sms => Ok(MessageChannel::Sms),
        _ if n.log => Ok(MessageChannel::Log),
        Contact::Email(_) => Err(ServiceError::invalid(
            "contact",
            "this server sends no e-mail: use a phone number",
        )),
        Contact::Phone(_) => Err(ServiceError::invalid(
            "contact",
            "this server sends no SMS: use an e-mail address",
        )),
    }
}

fn code_message(
    channel: MessageChannel,
    c: &Contact,
    purpose: CodePurpose,
    code: &str,
) -> NewMessage {
    let minutes = CODE_LIFETIME.as_mins();
    let (subject, body) = match purpose {
        CodePurpose::Verify => (
            "Mã xác nhận tài khoản dịch vụ công",
            format!(
                "Mã xác nhận tài khoản dịch vụ công của bạn là {code}, có hiệu lực {minutes} phút. \
                 Không cung cấp mã này cho bất kỳ ai."
            ),
        ),
        CodePurpose::Reset => (
            "Mã đặt lại mật khẩu dịch vụ công",
            format!(
                "Mã đặt lại mật khẩu tài khoản dịch vụ công của bạn là {code}, có hiệu lực \
                 {minutes} phút. Nếu bạn không yêu cầu, hãy bỏ qua tin này."
            ),
        ),
    };
    NewMessage {
        channel,
        recipient: c.as_str().to_owned(),
        subject: subject.to_owned(),
        body,
    }
}

/// The note to an account's owner when someone registers with their
/// contact: the stranger learns nothing, the owner learns what happened.
fn taken_message(channel: MessageChannel, c: &Contact) -> NewMessage {
    NewMessage {
        channel,
        recipient: c.as_str().to_owned(),
        subject: "Thông báo về tài khoản dịch vụ công".to_owned(),
        body: "Có người vừa dùng thông tin liên hệ này để đăng ký tài khoản dịch vụ công, \
               nhưng đã có tài khoản với thông tin này. Nếu là bạn, hãy đăng nhập hoặc dùng \
               chức năng quên mật khẩu."
            .to_owned(),
    }
}

fn parse_contact(text: &str) -> ServiceResult<Contact> {
    Contact::parse(text).map_err(ServiceError::from)
}

fn parse_code(text: &str) -> ServiceResult<String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.len() == CODE_DIGITS && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t)
    } else {
        Err(ServiceError::invalid(
            "code",
            format!("the {CODE_DIGITS} digits sent to you"),
        ))
    }
}

fn parse_name(text: &str) -> ServiceResult<String> {
    let t = text.trim();
    let n = t.chars().count();
    if n == 0 || n > MAX_NAME_CHARS || t.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "full_name",
            format!("a name of 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(motcua_domain::catalog::text::normalize(t))
}

async fn reserve(store: &dyn Store, rules: &[AttemptRule], now: Timestamp) -> ServiceResult<()> {
    match store.reserve_login_attempt(rules, now).await? {
        Reservation::Granted => Ok(()),
        Reservation::Refused { retry_after } => Err(ServiceError::RateLimited {
            retry_after_secs: whole_seconds(retry_after),
        }),
    }
}

async fn hash_off_thread(password: String) -> ServiceResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ServiceError::Internal(format!("password hash: {e}")))?
}

async fn verify_off_thread(password: &str, hash: String) -> ServiceResult<bool> {
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| ServiceError::Internal(format!("password check: {e}")))
}

impl Applicants<'_> {
    fn ctx(&self, actor: String) -> AuditContext {
        AuditContext {
            actor,
            at: self.now(),
        }
    }

    fn sign_in_now(&self) -> Timestamp {
        self.services().sign_in_now()
    }

    fn channel(&self, c: &Contact) -> ServiceResult<MessageChannel> {
        channel_of(self.services().dossiers().notices(), c)
    }

    /// Keeps a new code for `contact` and queues its message.
    async fn send_code(&self, contact: &Contact, purpose: CodePurpose) -> ServiceResult<()> {
        let channel = self.channel(contact)?;
        let now = self.sign_in_now();
        let code = new_code()?;
        let record = NewCode {
            contact: contact.clone(),
            purpose,
            code_hash: code_hash(contact, purpose, &code),
            expires_at: now + CODE_LIFETIME,
        };
        self.store()
            .put_code(
                &record,
                &code_message(channel, contact, purpose, &code),
                now,
            )
            .await
    }

    /// Registers an account and sends a code to prove its contact. A taken
    /// contact answers the same, and its owner is told instead. Bad fields
    /// are named (`kind`, `full_name`, `contact`, `password`) before
    /// anything is counted or written.
    pub async fn register(&self, r: &Registration, address: &str) -> ServiceResult<CodeSent> {
        let kind = AccountKind::parse(r.kind.trim())
            .ok_or_else(|| ServiceError::invalid("kind", "citizen or organisation"))?;
        let full_name = parse_name(&r.full_name)?;
        let contact = parse_contact(&r.contact)?;
        if r.password.len() > crate::auth::MAX_PASSWORD_BYTES || r.password.chars().count() < 8 {
            return Err(ServiceError::invalid(
                "password",
                "a password of at least 8 characters",
            ));
        }
        self.channel(&contact)?;
        let now = self.sign_in_now();
        reserve(self.store(), &code_rules(&contact, address), now).await?;
        let sent = CodeSent {
            contact: contact.as_str().to_owned(),
            masked: contact.masked(),
        };
        let password_hash = hash_off_thread(r.password.clone()).await?;
        let new = NewAccount {
            kind,
            full_name,
            contact: contact.clone(),
            password_hash,
        };
        match self
            .store()
            .insert_account(&self.ctx("portal".into()), &new)
            .await
        {
            Ok(_) => self.send_code(&contact, CodePurpose::Verify).await?,
            Err(ServiceError::Conflict(_)) => {
                self.store()
                    .queue_contact_message(&taken_message(self.channel(&contact)?, &contact), now)
                    .await?;
            }
            Err(e) => return Err(e),
        }
        Ok(sent)
    }

    /// Sends a new code to an account that has not proved its contact yet;
    /// answers the same for any contact.
    pub async fn resend_code(&self, contact: &str, address: &str) -> ServiceResult<CodeSent> {
        let contact = parse_contact(contact)?;
        self.channel(&contact)?;
        reserve(
            self.store(),
            &code_rules(&contact, address),
            self.sign_in_now(),
        )
        .await?;
        if let Some(a) = self.store().account_by_contact(&contact).await?
            && a.verified_at.is_none()
        {
            self.send_code(&contact, CodePurpose::Verify).await?;
        }
        Ok(CodeSent {
            contact: contact.as_str().to_owned(),
            masked: contact.masked(),
        })
    }

    async fn take_code(
        &self,
        contact: &Contact,
        purpose: CodePurpose,
        code: &str,
    ) -> ServiceResult<()> {
        let code = parse_code(code)?;
        let check = self
            .store()
            .check_code(
                contact,
                purpose,
                &code_hash(contact, purpose, &code),
                self.sign_in_now(),
                CODE_ATTEMPTS,
            )
            .await?;
        match check {
            CodeCheck::Accepted => Ok(()),
            CodeCheck::Wrong => Err(ServiceError::invalid("code", "the code is not right")),
            CodeCheck::Dead => Err(ServiceError::invalid(
                "code",
                "the code has expired or was tried too often: ask for a new one",
            )),
        }
    }

    /// Proves an account's contact with the code sent to it.
    pub async fn confirm(&self, contact: &str, code: &str) -> ServiceResult<()> {
        let contact = parse_contact(contact)?;
        self.take_code(&contact, CodePurpose::Verify, code).await?;
        // A live code exists only where an account was registered.
        let a = self
            .store()
            .account_by_contact(&contact)
            .await?
            .ok_or_else(|| ServiceError::invalid("code", "the code is not right"))?;
        self.store()
            .mark_account_verified(&self.ctx(format!("applicant:{}", a.id)), a.id)
            .await
    }

    /// Signs in with a contact and password. An unknown contact, a wrong
    /// password and a closed account are one answer; an account whose
    /// contact is not proved yet is told so only with the right password.
    pub async fn sign_in(
        &self,
        contact: &str,
        password: &str,
        address: &str,
    ) -> ServiceResult<ApplicantSignedIn> {
        let contact = parse_contact(contact)?;
        if password.len() > crate::auth::MAX_PASSWORD_BYTES {
            return Err(ServiceError::invalid("password", "at most 1024 bytes"));
        }
        let now = self.sign_in_now();
        let name = contact_key("applicant", &contact);
        let rules = SignInLimits::default().rules(&name, address_part(address));
        reserve(self.store(), &rules, now).await?;
        let account = self.store().account_by_contact(&contact).await?;
        let hash = account
            .as_ref()
            .map_or(DUMMY_HASH, |a| a.password_hash.as_str())
            .to_owned();
        let matches = verify_off_thread(password, hash).await?;
        let account = match account {
            Some(a) if matches && a.active => a,
            _ => {
                return Err(ServiceError::Unauthenticated(
                    "wrong contact or password".into(),
                ));
            }
        };
        let [pair, by_address, by_account] = rules.map(|r| r.key);
        self.store()
            .release_login_attempt(&[by_address, by_account], &[pair])
            .await?;
        if account.verified_at.is_none() {
            return Err(ServiceError::invalid(
                "contact",
                "not confirmed yet: enter the code sent to it",
            ));
        }
        self.start_session(&account, address).await
    }

    /// A new portal session for `account`, audited.
    async fn start_session(
        &self,
        account: &Account,
        address: &str,
    ) -> ServiceResult<ApplicantSignedIn> {
        let now = self.sign_in_now();
        let secret = new_secret()?;
        let csrf = new_secret()?;
        self.store()
            .create_account_session(&AccountSession {
                id_hash: secret_hash(&secret),
                account_id: account.id,
                csrf_token: csrf.clone(),
                created_at: now,
                expires_at: now + SESSION_LIFETIME,
            })
            .await?;
        self.store()
            .append_audit(
                &self.ctx(format!("applicant:{}", account.id)),
                "applicant.sign_in",
                &format!("applicant:{}", account.id),
                &json!({ "address": address_part(address) }),
            )
            .await?;
        Ok(ApplicantSignedIn {
            secret,
            csrf,
            applicant: Applicant::of(account),
        })
    }

    /// The applicant behind a portal session cookie and the session's CSRF
    /// token, if the session is live and the account active.
    pub async fn session(&self, secret: &str) -> ServiceResult<Option<(Applicant, String)>> {
        if secret.len() > 128 {
            return Ok(None);
        }
        Ok(self
            .store()
            .account_session(&secret_hash(secret), self.sign_in_now())
            .await?
            .map(|(s, a)| (Applicant::of(&a), s.csrf_token)))
    }

    /// Ends a portal session.
    pub async fn sign_out(&self, secret: &str) -> ServiceResult<()> {
        self.store()
            .delete_account_session(&secret_hash(secret))
            .await
    }

    /// Sends a password-reset code when an account exists for the contact;
    /// answers the same when none does.
    pub async fn request_reset(&self, contact: &str, address: &str) -> ServiceResult<CodeSent> {
        let contact = parse_contact(contact)?;
        self.channel(&contact)?;
        reserve(
            self.store(),
            &code_rules(&contact, address),
            self.sign_in_now(),
        )
        .await?;
        if let Some(a) = self.store().account_by_contact(&contact).await?
            && a.active
        {
            self.send_code(&contact, CodePurpose::Reset).await?;
        }
        Ok(CodeSent {
            contact: contact.as_str().to_owned(),
            masked: contact.masked(),
        })
    }

    /// Sets a new password with a reset code. Owning the contact proves it,
    /// so an unconfirmed account is confirmed too; every session ends.
    pub async fn reset_password(
        &self,
        contact: &str,
        code: &str,
        new_password: &str,
    ) -> ServiceResult<()> {
        let contact = parse_contact(contact)?;
        if new_password.len() > crate::auth::MAX_PASSWORD_BYTES || new_password.chars().count() < 8
        {
            return Err(ServiceError::invalid(
                "password",
                "a password of at least 8 characters",
            ));
        }
        self.take_code(&contact, CodePurpose::Reset, code).await?;
        let a = self
            .store()
            .account_by_contact(&contact)
            .await?
            .ok_or_else(|| ServiceError::invalid("code", "the code is not right"))?;
        let hash = hash_off_thread(new_password.to_owned()).await?;
        let ctx = self.ctx(format!("applicant:{}", a.id));
        self.store().set_account_password(&ctx, a.id, &hash).await?;
        self.store().mark_account_verified(&ctx, a.id).await
    }

    /// Submits a dossier online as `who` (see
    /// [`DossierService::submit_online`](crate::dossiers::DossierService::submit_online)).
    pub async fn submit(
        &self,
        who: &Applicant,
        cmd: crate::dossiers::Receive,
    ) -> ServiceResult<crate::store::Dossier> {
        self.services().dossiers().submit_online(who, cmd).await
    }

    /// Keeps a file `who` uploads for a submission.
    pub async fn stage_file(
        &self,
        who: &Applicant,
        component: usize,
        name: &str,
        source: &mut dyn crate::files::ByteSource,
    ) -> ServiceResult<crate::dossiers::particulars::Scan> {
        self.services()
            .dossiers()
            .stage_online_file(who, component, name, source)
            .await
    }

    /// The dossiers `who` submitted, newest first.
    pub async fn my_dossiers(&self, who: &Applicant) -> ServiceResult<Vec<PublicStatus>> {
        self.store().account_dossiers(who.account_id, 100).await
    }

    /// One of `who`'s dossiers; another's, or none, is `NotFound` alike.
    pub async fn my_dossier(&self, who: &Applicant, code: &str) -> ServiceResult<PublicStatus> {
        let code = code.trim();
        if code.len() > 100 {
            return Err(ServiceError::not_found("dossier", "?"));
        }
        self.store()
            .account_dossier(who.account_id, code)
            .await?
            .ok_or_else(|| ServiceError::not_found("dossier", code))
    }

    /// The files of one of `who`'s dossiers they may download: what they
    /// submitted, and the result once the dossier is decided (done or
    /// returned).
    pub async fn my_files(
        &self,
        who: &Applicant,
        code: &str,
    ) -> ServiceResult<Vec<crate::store::FileRecord>> {
        let s = self.my_dossier(who, code).await?;
        let id = self
            .store()
            .account_dossier_id(who.account_id, &s.code)
            .await?
            .ok_or_else(|| ServiceError::not_found("dossier", code))?;
        let decided = matches!(
            s.status,
            motcua_domain::dossier::Status::Done | motcua_domain::dossier::Status::Returned
        );
        Ok(self
            .store()
            .dossier_files(id)
            .await?
            .into_iter()
            .filter(|f| f.kind == "component" || (f.kind == "result" && decided))
            .collect())
    }

    /// One file of [`my_files`](Self::my_files) with its content; any other
    /// is `NotFound`.
    pub async fn my_file(
        &self,
        who: &Applicant,
        code: &str,
        file_id: i64,
    ) -> ServiceResult<(crate::store::FileRecord, Vec<u8>)> {
        let rec = self
            .my_files(who, code)
            .await?
            .into_iter()
            .find(|f| f.id == file_id)
            .ok_or_else(|| ServiceError::not_found("file", file_id.to_string()))?;
        let content = self.services().dossiers().file_content(&rec.sha256).await?;
        Ok((rec, content))
    }

    /// What the latest supplement request on one of `who`'s dossiers asks
    /// for, while the dossier waits for it.
    pub async fn supplement_asked(
        &self,
        who: &Applicant,
        code: &str,
    ) -> ServiceResult<Option<SupplementAsked>> {
        let d = self.services().dossiers().owned(who, code).await?;
        if d.state.status != motcua_domain::dossier::Status::AwaitingSupplement {
            return Ok(None);
        }
        let events = self.store().dossier_events(d.id).await?;
        let Some(e) = events
            .iter()
            .rev()
            .find(|e| e.event.action == "request_supplement")
        else {
            return Ok(None);
        };
        let detail = &e.event.detail;
        let text = |k: &str| detail[k].as_str().unwrap_or_default().to_owned();
        let items = detail["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| {
                        (
                            i["name"].as_str().unwrap_or_default().to_owned(),
                            i["note"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(SupplementAsked {
            reason: text("reason"),
            guidance: text("guidance"),
            items,
            version: d.version,
        }))
    }

    /// `who` answers the supplement request with files (see
    /// [`DossierService::supply_online`](crate::dossiers::DossierService::supply_online)).
    pub async fn supply(
        &self,
        who: &Applicant,
        code: &str,
        version: i64,
        scans: &[crate::dossiers::particulars::Scan],
        note: &str,
    ) -> ServiceResult<crate::store::Dossier> {
        self.services()
            .dossiers()
            .supply_online(who, code, version, scans, note)
            .await
    }

    /// Whether citizens may sign in with VNeID here.
    pub fn identity_available(&self) -> bool {
        self.services().identity().is_some()
    }

    /// Where to send a browser to sign in with VNeID (`None` when no
    /// provider is configured).
    pub fn identity_url(&self, state: &str, redirect_uri: &str) -> Option<String> {
        self.services()
            .identity()
            .map(|p| p.authorize_url(state, redirect_uri))
    }

    /// Signs in with the code VNeID sent back. The person's account is the
    /// one linked to their subject; else the signed-in `current` account,
    /// which gets linked; else the account of the phone VNeID registered
    /// (the provider proved it), linked; else a new confirmed account on
    /// that phone. Owning the identity is what every path relies on.
    pub async fn identity_sign_in(
        &self,
        code: &str,
        redirect_uri: &str,
        current: Option<&Applicant>,
        address: &str,
    ) -> ServiceResult<ApplicantSignedIn> {
        let provider = self.services().identity().ok_or_else(|| {
            ServiceError::Unavailable("no identity provider is configured".into())
        })?;
        let who = provider.exchange(code, redirect_uri).await?;
        let vouched = crate::store::VerifiedIdentity {
            subject: who.subject.clone(),
            level: who.level,
            at: self.now(),
        };
        let account = match self.store().account_by_identity(&who.subject).await? {
            Some(a) => a,
            None => {
                let target = match current {
                    Some(c) => Some(self.store().account_by_id(c.account_id).await?),
                    None => match who.phone.as_deref().map(Contact::parse) {
                        Some(Ok(phone)) => self.store().account_by_contact(&phone).await?,
                        _ => None,
                    },
                };
                let account = match target {
                    Some(a) => a,
                    None => {
                        let phone = who
                            .phone
                            .as_deref()
                            .map(Contact::parse)
                            .and_then(Result::ok)
                            .ok_or_else(|| {
                                ServiceError::invalid(
                                    "contact",
                                    "VNeID gave no phone number: register first, then link VNeID",
                                )
                            })?;
                        let unusable = hash_off_thread(new_secret()?).await?;
                        self.store()
                            .insert_account(
                                &self.ctx("vneid".into()),
                                &NewAccount {
                                    kind: AccountKind::Citizen,
                                    full_name: parse_name(&who.full_name)?,
                                    contact: phone,
                                    password_hash: unusable,
                                },
                            )
                            .await?
                    }
                };
                self.store()
                    .link_identity(
                        &self.ctx(format!("applicant:{}", account.id)),
                        account.id,
                        &vouched,
                    )
                    .await?;
                self.store().account_by_id(account.id).await?
            }
        };
        if !account.active {
            return Err(ServiceError::Unauthenticated(
                "the account is closed".into(),
            ));
        }
        self.start_session(&account, address).await
    }

    /// The documents `who` handed in before (and results received), newest
    /// first, offered for reuse in a new dossier.
    pub async fn my_documents(
        &self,
        who: &Applicant,
    ) -> ServiceResult<Vec<crate::store::StoredDocument>> {
        self.store().account_documents(who.account_id, 200).await
    }

    /// One of `who`'s documents taken again for `component` of a new
    /// dossier; a document that is not theirs is refused like one that
    /// does not exist.
    pub async fn reuse_document(
        &self,
        who: &Applicant,
        component: usize,
        sha256: &str,
    ) -> ServiceResult<crate::dossiers::particulars::Scan> {
        let doc = self
            .my_documents(who)
            .await?
            .into_iter()
            .find(|d| d.sha256 == sha256.trim())
            .ok_or_else(|| {
                ServiceError::invalid(
                    format!("components[{component}]"),
                    "no such document of yours to reuse",
                )
            })?;
        Ok(crate::dossiers::particulars::Scan {
            component,
            name: doc.name,
            content_type: doc.content_type,
            size_bytes: doc.size_bytes,
            sha256: doc.sha256,
        })
    }

    /// Keeps `who`'s unfinished application for `procedure`.
    pub async fn save_draft(
        &self,
        who: &Applicant,
        procedure: &str,
        d: &Draft,
    ) -> ServiceResult<()> {
        let code = crate::procedures::parse_code("procedure", procedure.trim())?;
        let body = serde_json::to_string(d).map_err(|e| ServiceError::Internal(e.to_string()))?;
        if body.len() > 65_536 {
            return Err(ServiceError::invalid("draft", "too long to keep"));
        }
        self.store()
            .put_draft(who.account_id, code.as_str(), &body, self.now())
            .await
    }

    /// `who`'s unfinished application for `procedure`, if any.
    pub async fn draft(&self, who: &Applicant, procedure: &str) -> ServiceResult<Option<Draft>> {
        let code = crate::procedures::parse_code("procedure", procedure.trim())?;
        Ok(self
            .store()
            .draft(who.account_id, code.as_str())
            .await?
            .and_then(|b| serde_json::from_str(&b).ok()))
    }

    /// Drops `who`'s unfinished application for `procedure`.
    pub async fn discard_draft(&self, who: &Applicant, procedure: &str) -> ServiceResult<()> {
        let code = crate::procedures::parse_code("procedure", procedure.trim())?;
        self.store()
            .delete_draft(who.account_id, code.as_str())
            .await
    }

    /// The procedures `who` has unfinished applications for.
    pub async fn my_drafts(&self, who: &Applicant) -> ServiceResult<Vec<(String, Timestamp)>> {
        self.store().account_drafts(who.account_id).await
    }

    /// The signed-in applicant's own account, read again (a page shows it).
    pub async fn me(&self, who: &Applicant) -> ServiceResult<Applicant> {
        Ok(Applicant::of(
            &self.store().account_by_id(who.account_id).await?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| new_code().unwrap()).collect();
        for c in &codes {
            assert_eq!(c.len(), 6, "{c}");
            assert!(c.bytes().all(|b| b.is_ascii_digit()), "{c}");
        }
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(
            distinct.len() > 40,
            "50 draws gave {} codes",
            distinct.len()
        );
    }

    #[test]
    fn a_code_is_bound_to_its_contact_and_purpose() {
        let a = Contact::Phone("0912345678".into());
        let b = Contact::Phone("0912345679".into());
        let h = code_hash(&a, CodePurpose::Verify, "123456");
        assert_ne!(h, code_hash(&b, CodePurpose::Verify, "123456"));
        assert_ne!(h, code_hash(&a, CodePurpose::Reset, "123456"));
        assert_ne!(h, code_hash(&a, CodePurpose::Verify, "123457"));
    }

    #[test]
    fn typed_codes_are_read_with_spaces_and_refused_otherwise() {
        assert_eq!(parse_code(" 123 456 ").unwrap(), "123456");
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_go_by_the_channel_the_server_has() {
        let phone = Contact::Phone("0912345678".into());
        let mail = Contact::Email("an@example.org".into());
        let on = |email, sms, log| NoticeSettings {
            email,
            sms,
            log,
            webhooks: Vec::new(),
        };
        assert_eq!(
            channel_of(&on(true, true, true), &phone).unwrap(),
            MessageChannel::Sms
        );
        assert_eq!(
            channel_of(&on(true, true, true), &mail).unwrap(),
            MessageChannel::Email
        );
        assert_eq!(
            channel_of(&on(false, false, true), &phone).unwrap(),
            MessageChannel::Log
        );
        assert!(channel_of(&on(true, false, false), &phone).is_err());
        assert!(channel_of(&on(false, true, false), &mail).is_err());
    }

    #[test]
    fn throttling_keys_never_hold_the_contact() {
        let c = Contact::Email(format!("{}@example.org", "a".repeat(240)));
        let k = contact_key("code", &c);
        assert!(!k.contains("example"), "{k}");
        assert!(k.len() < 40, "{k}");
    }
}
