//! Citizens' and businesses' accounts on the portal (issue 19, point 2):
//! register, confirm the contact with the code sent to it, sign in and out,
//! reset a forgotten password, and the account page.
//!
//! Every form here is one template (`portal_form.html`) filled from a
//! [`FormPage`]: a title, fields with their labels, hints and errors, and
//! the button. Forms shown before signing in carry a double-submit token
//! (a cookie only `/cong-dan` receives, SameSite=Strict, and the same value
//! in a hidden field) and the `Origin` is checked, so another site cannot
//! post them; signed-in forms carry the session's own token. The portal's
//! session cookie is scoped to `/cong-dan` and is not the staff cookie:
//! neither opens the other's pages.

use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_service::ServiceError;
use motcua_service::applicants::{Applicant, CodeSent, Registration, SESSION_LIFETIME};
use serde::Deserialize;

use super::{HOME, PortalLayout, PortalState, Visitor};
use crate::auth::{check_origin, constant_time_eq, cookie};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::{local_path, render};

/// The portal's session cookie.
pub const SESSION_COOKIE: &str = "motcua_portal";
/// The double-submit cookie of the forms shown before signing in.
pub const FORM_COOKIE: &str = "motcua_portal_form";

/// Registration.
pub const REGISTER: &str = "/cong-dan/dang-ky";
/// Entering the code that confirms the contact.
pub const CONFIRM: &str = "/cong-dan/xac-nhan";
/// Asking for the confirmation code again.
pub const RESEND: &str = "/cong-dan/gui-lai-ma";
/// Signing in.
pub const SIGN_IN: &str = "/cong-dan/dang-nhap";
/// Signing out.
pub const SIGN_OUT: &str = "/cong-dan/dang-xuat";
/// Asking for a password-reset code.
pub const FORGOT: &str = "/cong-dan/quen-mat-khau";
/// Setting a new password with the code.
pub const RESET: &str = "/cong-dan/dat-lai-mat-khau";
/// The account page.
pub const ACCOUNT: &str = "/cong-dan/tai-khoan";
/// Signing in with VNeID (to the provider and back).
pub const VNEID: &str = "/cong-dan/vneid";
/// Where VNeID sends the browser back.
pub const VNEID_BACK: &str = "/cong-dan/vneid/ve";
/// The cookie holding the VNeID round trip's state.
pub const VNEID_COOKIE: &str = "motcua_portal_vneid";

/// Routes of this module.
pub fn routes() -> axum::Router<PortalState> {
    Router::new()
        .route(REGISTER, get(show_register).post(register))
        .route(CONFIRM, get(show_confirm).post(confirm))
        .route(RESEND, post(resend))
        .route(SIGN_IN, get(show_sign_in).post(sign_in))
        .route(SIGN_OUT, post(sign_out))
        .route(FORGOT, get(show_forgot).post(forgot))
        .route(RESET, post(reset))
        .route(ACCOUNT, get(account))
        .route(VNEID, get(vneid_start))
        .route(VNEID_BACK, get(vneid_back))
}

/// A select's choice.
pub struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

/// One field of a form.
pub struct Field {
    name: &'static str,
    label: String,
    /// `text`, `email`, `tel`, `password`, `select`, `hidden`.
    kind: &'static str,
    value: String,
    autocomplete: &'static str,
    inputmode: &'static str,
    hint: Option<String>,
    error: Option<String>,
    choices: Vec<Choice>,
}

impl Field {
    fn new(name: &'static str, label: String, kind: &'static str) -> Self {
        Self {
            name,
            label,
            kind,
            value: String::new(),
            autocomplete: "off",
            inputmode: "",
            hint: None,
            error: None,
            choices: Vec::new(),
        }
    }

    fn value(mut self, v: &str) -> Self {
        self.value = v.chars().take(300).collect();
        self
    }

    fn auto(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }

    fn hint(mut self, h: &str) -> Self {
        self.hint = Some(h.to_owned());
        self
    }
}

/// A link under a form.
pub struct Link {
    href: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "portal_form.html")]
struct FormPage {
    t: Texts,
    layout: PortalLayout,
    title: String,
    intro: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    action: &'static str,
    csrf: String,
    fields: Vec<Field>,
    submit: String,
    /// A second form under the first (ask for the code again).
    extra: Option<(&'static str, String, String)>,
    links: Vec<Link>,
}

impl FormPage {
    fn new(lang: Lang, title_key: &str, action: &'static str, submit_key: &str) -> Self {
        let t = lang.texts();
        Self {
            layout: PortalLayout::new(lang, t.get(title_key), action),
            title: t.get(title_key).to_owned(),
            intro: None,
            notice: None,
            error: None,
            action,
            csrf: String::new(),
            fields: Vec::new(),
            submit: t.get(submit_key).to_owned(),
            extra: None,
            links: Vec::new(),
            t,
        }
    }

    fn link(mut self, href: &'static str, key: &str) -> Self {
        self.links.push(Link {
            href,
            label: self.t.get(key).to_owned(),
        });
        self
    }

    /// Shows a service error: on its field when the form has one, above
    /// the form otherwise.
    fn fail(&mut self, e: &ServiceError) {
        let t = self.t;
        let (field, text) = match e {
            ServiceError::Invalid { field, reason } => {
                let key = match field.as_str() {
                    "code" if reason.contains("expired") => "portal.account.err.code_dead",
                    "code" => "portal.account.err.code",
                    "contact" if reason.contains("not confirmed") => {
                        "portal.account.err.unconfirmed"
                    }
                    "contact" if reason.contains("sends no") => "portal.account.err.no_channel",
                    "contact" => "portal.account.err.contact",
                    "password" => "portal.account.err.password",
                    "full_name" => "portal.account.err.name",
                    "kind" => "portal.account.err.kind",
                    _ => "portal.error.bad_request",
                };
                (Some(field.clone()), t.get(key).to_owned())
            }
            ServiceError::Unauthenticated(_) => {
                (None, t.get("portal.account.err.sign_in").to_owned())
            }
            ServiceError::RateLimited { retry_after_secs } => (
                None,
                t.fill(
                    "portal.account.err.limited",
                    &[("minutes", &retry_after_secs.div_ceil(60).to_string())],
                ),
            ),
            _ => (None, t.get("error.internal").to_owned()),
        };
        match field.and_then(|f| self.fields.iter_mut().find(|x| x.name == f)) {
            Some(x) => x.error = Some(text),
            None => self.error = Some(text),
        }
    }
}

/// What a failure answers with: 429 for limits, 401 for a wrong password,
/// 422 for a field, 500 for the rest.
fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ServiceError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The request's head, for cookies and the origin check.
pub struct Head(pub Parts);

impl<S: Send + Sync> FromRequestParts<S> for Head {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.clone()))
    }
}

fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The double-submit token of a visitor's forms: the one in their cookie,
/// or a new one with the cookie that sets it.
pub(crate) fn form_token(
    head: &Parts,
    st: &PortalState,
) -> Result<(String, Option<String>), WebError> {
    if let Some(t) = cookie(head, FORM_COOKIE).filter(|t| is_token(t)) {
        return Ok((t, None));
    }
    let t = motcua_service::auth::new_secret()?;
    let set = format!(
        "{FORM_COOKIE}={t}; Path={HOME}; HttpOnly; SameSite=Strict; Max-Age=7200{}",
        st.auth.secure_attr()
    );
    Ok((t, Some(set)))
}

/// Whether a visitor's form came from this site: its token matches the
/// cookie and the `Origin`, if sent, is this host.
pub(crate) fn form_ok(head: &Parts, sent: &str) -> bool {
    check_origin(head).is_ok()
        && cookie(head, FORM_COOKIE)
            .is_some_and(|c| is_token(&c) && constant_time_eq(c.as_bytes(), sent.as_bytes()))
}

pub(crate) fn with_cookies(
    mut res: Response,
    cookies: impl IntoIterator<Item = String>,
) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// Renders a visitor's form with its token (setting the cookie if new).
fn visitor_form(
    st: &PortalState,
    head: &Parts,
    status: StatusCode,
    mut page: FormPage,
) -> Result<Response, WebError> {
    let (token, set) = form_token(head, st)?;
    page.csrf = token;
    Ok(with_cookies(render(status, &page), set))
}

/// The answer to a visitor's post whose token or origin is wrong.
fn expired(st: &PortalState, head: &Parts, mut page: FormPage) -> Result<Response, WebError> {
    page.error = Some(page.t.get("portal.account.err.expired").to_owned());
    visitor_form(st, head, StatusCode::FORBIDDEN, page)
}

// ---- Registration ----------------------------------------------------------

#[derive(Deserialize, Default)]
struct RegisterForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    password: String,
}

fn register_page(lang: Lang, f: &RegisterForm) -> FormPage {
    let mut p = FormPage::new(
        lang,
        "portal.account.register_title",
        REGISTER,
        "portal.account.register_submit",
    )
    .link(SIGN_IN, "portal.account.have_account");
    let t = p.t;
    p.intro = Some(t.get("portal.account.register_intro").to_owned());
    let kind = if f.kind == "organisation" {
        "organisation"
    } else {
        "citizen"
    };
    let mut k = Field::new("kind", t.get("portal.account.kind").to_owned(), "select");
    k.choices = [
        ("citizen", "portal.applicant.citizen"),
        ("organisation", "portal.applicant.organisation"),
    ]
    .into_iter()
    .map(|(value, key)| Choice {
        value,
        label: t.get(key).to_owned(),
        selected: value == kind,
    })
    .collect();
    p.fields = vec![
        k,
        Field::new(
            "full_name",
            t.get("portal.account.full_name").to_owned(),
            "text",
        )
        .value(&f.full_name)
        .auto("name"),
        contact_field(&t, &f.contact),
        Field::new(
            "password",
            t.get("portal.account.new_password").to_owned(),
            "password",
        )
        .auto("new-password")
        .hint(t.get("portal.account.password_hint")),
    ];
    p
}

fn contact_field(t: &Texts, value: &str) -> Field {
    Field::new(
        "contact",
        t.get("portal.account.contact").to_owned(),
        "text",
    )
    .value(value)
    .auto("username")
    .hint(t.get("portal.account.contact_hint"))
}

async fn show_register(
    State(st): State<PortalState>,
    lang: Lang,
    Head(head): Head,
) -> Result<Response, WebError> {
    visitor_form(
        &st,
        &head,
        StatusCode::OK,
        register_page(lang, &RegisterForm::default()),
    )
}

async fn register(
    State(st): State<PortalState>,
    lang: Lang,
    Visitor(addr): Visitor,
    Head(head): Head,
    Form(f): Form<RegisterForm>,
) -> Result<Response, WebError> {
    if !form_ok(&head, &f.csrf_token) {
        return expired(&st, &head, register_page(lang, &f));
    }
    let r = Registration {
        kind: f.kind.clone(),
        full_name: f.full_name.clone(),
        contact: f.contact.clone(),
        password: f.password.clone(),
    };
    match st.services.applicants().register(&r, &addr).await {
        Ok(sent) => visitor_form(&st, &head, StatusCode::OK, confirm_page(lang, &sent, "")),
        Err(e) => {
            let mut p = register_page(lang, &f);
            p.fail(&e);
            visitor_form(&st, &head, status_of(&e), p)
        }
    }
}

// ---- Confirming the contact ------------------------------------------------

#[derive(Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    code: String,
}

fn code_field(t: &Texts) -> Field {
    let mut f = Field::new("code", t.get("portal.account.code").to_owned(), "text")
        .auto("one-time-code")
        .hint(t.get("portal.account.code_hint"));
    f.inputmode = "numeric";
    f
}

fn confirm_page(lang: Lang, sent: &CodeSent, contact_typed: &str) -> FormPage {
    let mut p = FormPage::new(
        lang,
        "portal.account.confirm_title",
        CONFIRM,
        "portal.account.confirm_submit",
    );
    let t = p.t;
    let contact = if sent.contact.is_empty() {
        contact_typed
    } else {
        &sent.contact
    };
    if !sent.masked.is_empty() {
        p.notice = Some(t.fill("portal.account.code_sent", &[("to", &sent.masked)]));
    }
    p.fields = vec![contact_field(&t, contact), code_field(&t)];
    p.extra = Some((
        RESEND,
        t.get("portal.account.resend").to_owned(),
        contact.to_owned(),
    ));
    p
}

#[derive(Deserialize)]
struct ContactQuery {
    contact: Option<String>,
}

async fn show_confirm(
    State(st): State<PortalState>,
    lang: Lang,
    Head(head): Head,
    Query(q): Query<ContactQuery>,
) -> Result<Response, WebError> {
    let typed = q.contact.unwrap_or_default();
    let sent = CodeSent {
        contact: String::new(),
        masked: String::new(),
    };
    visitor_form(
        &st,
        &head,
        StatusCode::OK,
        confirm_page(lang, &sent, &typed),
    )
}

async fn confirm(
    State(st): State<PortalState>,
    lang: Lang,
    Head(head): Head,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    let none = CodeSent {
        contact: String::new(),
        masked: String::new(),
    };
    if !form_ok(&head, &f.csrf_token) {
        return expired(&st, &head, confirm_page(lang, &none, &f.contact));
    }
    match st.services.applicants().confirm(&f.contact, &f.code).await {
        Ok(()) => {
            let mut p = sign_in_page(
                lang,
                &f.contact,
                "",
                st.services.applicants().identity_available(),
            );
            p.notice = Some(p.t.get("portal.account.confirmed").to_owned());
            visitor_form(&st, &head, StatusCode::OK, p)
        }
        Err(e) => {
            let mut p = confirm_page(lang, &none, &f.contact);
            p.fail(&e);
            visitor_form(&st, &head, status_of(&e), p)
        }
    }
}

async fn resend(
    State(st): State<PortalState>,
    lang: Lang,
    Visitor(addr): Visitor,
    Head(head): Head,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    let none = CodeSent {
        contact: String::new(),
        masked: String::new(),
    };
    if !form_ok(&head, &f.csrf_token) {
        return expired(&st, &head, confirm_page(lang, &none, &f.contact));
    }
    match st
        .services
        .applicants()
        .resend_code(&f.contact, &addr)
        .await
    {
        Ok(sent) => visitor_form(&st, &head, StatusCode::OK, confirm_page(lang, &sent, "")),
        Err(e) => {
            let mut p = confirm_page(lang, &none, &f.contact);
            p.fail(&e);
            visitor_form(&st, &head, status_of(&e), p)
        }
    }
}

// ---- Signing in and out ----------------------------------------------------

#[derive(Deserialize, Default)]
struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The sign-in form; `vneid` offers signing in with VNeID too.
fn sign_in_page(lang: Lang, contact: &str, next: &str, vneid: bool) -> FormPage {
    let mut p = FormPage::new(
        lang,
        "portal.account.sign_in_title",
        SIGN_IN,
        "portal.account.sign_in_submit",
    );
    if vneid {
        p = p.link(VNEID, "portal.account.vneid");
    }
    let mut p = p
        .link(REGISTER, "portal.account.no_account")
        .link(FORGOT, "portal.account.forgot");
    let t = p.t;
    let mut next_field = Field::new("next", String::new(), "hidden");
    next_field.value = next.to_owned();
    p.fields = vec![
        contact_field(&t, contact),
        Field::new(
            "password",
            t.get("portal.account.password").to_owned(),
            "password",
        )
        .auto("current-password"),
        next_field,
    ];
    p
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a portal page, else the account page.
fn portal_next(next: Option<&str>) -> String {
    let p = local_path(next);
    if p.starts_with("/cong-dan/") {
        p
    } else {
        ACCOUNT.to_owned()
    }
}

async fn show_sign_in(
    State(st): State<PortalState>,
    lang: Lang,
    Head(head): Head,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let next = portal_next(q.next.as_deref());
    visitor_form(
        &st,
        &head,
        StatusCode::OK,
        sign_in_page(
            lang,
            "",
            &next,
            st.services.applicants().identity_available(),
        ),
    )
}

async fn sign_in(
    State(st): State<PortalState>,
    lang: Lang,
    Visitor(addr): Visitor,
    Head(head): Head,
    Form(f): Form<SignInForm>,
) -> Result<Response, WebError> {
    let next = portal_next(Some(&f.next));
    if !form_ok(&head, &f.csrf_token) {
        return expired(
            &st,
            &head,
            sign_in_page(
                lang,
                &f.contact,
                &next,
                st.services.applicants().identity_available(),
            ),
        );
    }
    match st
        .services
        .applicants()
        .sign_in(&f.contact, &f.password, &addr)
        .await
    {
        Ok(signed) => {
            let session = format!(
                "{SESSION_COOKIE}={}; Path={HOME}; HttpOnly; SameSite=Lax; Max-Age={}{}",
                signed.secret,
                SESSION_LIFETIME.as_secs(),
                st.auth.secure_attr()
            );
            Ok(with_cookies(Redirect::to(&next).into_response(), [session]))
        }
        Err(e @ ServiceError::Invalid { .. }) if e.to_string().contains("not confirmed") => {
            let sent = CodeSent {
                contact: String::new(),
                masked: String::new(),
            };
            let mut p = confirm_page(lang, &sent, &f.contact);
            p.error = Some(p.t.get("portal.account.err.unconfirmed").to_owned());
            visitor_form(&st, &head, StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(e) => {
            let mut p = sign_in_page(
                lang,
                &f.contact,
                &next,
                st.services.applicants().identity_available(),
            );
            p.fail(&e);
            visitor_form(&st, &head, status_of(&e), p)
        }
    }
}

/// The signed-in citizen or business on a portal page; a visitor without
/// a live portal session is sent to the sign-in page and back.
pub struct SignedApplicant {
    /// Who.
    pub applicant: Applicant,
    /// The session's CSRF token, for the page's forms.
    pub csrf: String,
    secret: String,
}

impl FromRequestParts<PortalState> for SignedApplicant {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        st: &PortalState,
    ) -> Result<Self, Self::Rejection> {
        let to_sign_in = || {
            let here = parts.uri.path_and_query().map_or(ACCOUNT, |p| p.as_str());
            let q = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
            Redirect::to(&format!("{SIGN_IN}?{q}")).into_response()
        };
        let Some(secret) = cookie(parts, SESSION_COOKIE) else {
            return Err(to_sign_in());
        };
        match st.services.applicants().session(&secret).await {
            Ok(Some((applicant, csrf))) => Ok(Self {
                applicant,
                csrf,
                secret,
            }),
            Ok(None) => Err(to_sign_in()),
            Err(e) => Err(WebError::from(e).into_response()),
        }
    }
}

#[derive(Deserialize, Default)]
struct TokenOnly {
    #[serde(default)]
    csrf_token: String,
}

async fn sign_out(
    State(st): State<PortalState>,
    who: SignedApplicant,
    Head(head): Head,
    Form(f): Form<TokenOnly>,
) -> Result<Response, WebError> {
    if check_origin(&head).is_err()
        || !constant_time_eq(who.csrf.as_bytes(), f.csrf_token.as_bytes())
    {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "Phiên làm việc đã hết hạn",
            "the form's token does not match the session",
        ));
    }
    st.services.applicants().sign_out(&who.secret).await?;
    let clear = format!(
        "{SESSION_COOKIE}=; Path={HOME}; HttpOnly; SameSite=Lax; Max-Age=0{}",
        st.auth.secure_attr()
    );
    Ok(with_cookies(Redirect::to(HOME).into_response(), [clear]))
}

// ---- Password reset --------------------------------------------------------

#[derive(Deserialize, Default)]
struct ResetForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

fn forgot_page(lang: Lang, contact: &str) -> FormPage {
    let mut p = FormPage::new(
        lang,
        "portal.account.forgot_title",
        FORGOT,
        "portal.account.forgot_submit",
    )
    .link(SIGN_IN, "portal.account.have_account");
    let t = p.t;
    p.intro = Some(t.get("portal.account.forgot_intro").to_owned());
    p.fields = vec![contact_field(&t, contact)];
    p
}

fn reset_page(lang: Lang, sent: &CodeSent, contact_typed: &str) -> FormPage {
    let mut p = FormPage::new(
        lang,
        "portal.account.reset_title",
        RESET,
        "portal.account.reset_submit",
    );
    let t = p.t;
    let contact = if sent.contact.is_empty() {
        contact_typed
    } else {
        &sent.contact
    };
    if !sent.masked.is_empty() {
        p.notice = Some(t.fill("portal.account.reset_sent", &[("to", &sent.masked)]));
    }
    p.fields = vec![
        contact_field(&t, contact),
        code_field(&t),
        Field::new(
            "password",
            t.get("portal.account.new_password").to_owned(),
            "password",
        )
        .auto("new-password")
        .hint(t.get("portal.account.password_hint")),
    ];
    p
}

async fn show_forgot(
    State(st): State<PortalState>,
    lang: Lang,
    Head(head): Head,
) -> Result<Response, WebError> {
    visitor_form(&st, &head, StatusCode::OK, forgot_page(lang, ""))
}

async fn forgot(
    State(st): State<PortalState>,
    lang: Lang,
    Visitor(addr): Visitor,
    Head(head): Head,
    Form(f): Form<ResetForm>,
) -> Result<Response, WebError> {
    if !form_ok(&head, &f.csrf_token) {
        return expired(&st, &head, forgot_page(lang, &f.contact));
    }
    match st
        .services
        .applicants()
        .request_reset(&f.contact, &addr)
        .await
    {
        Ok(sent) => visitor_form(&st, &head, StatusCode::OK, reset_page(lang, &sent, "")),
        Err(e) => {
            let mut p = forgot_page(lang, &f.contact);
            p.fail(&e);
            visitor_form(&st, &head, status_of(&e), p)
        }
    }
}

async fn reset(
    State(st): State<PortalState>,
    lang: Lang,
    Head(head): Head,
    Form(f): Form<ResetForm>,
) -> Result<Response, WebError> {
    let none = CodeSent {
        contact: String::new(),
        masked: String::new(),
    };
    if !form_ok(&head, &f.csrf_token) {
        return expired(&st, &head, reset_page(lang, &none, &f.contact));
    }
    match st
        .services
        .applicants()
        .reset_password(&f.contact, &f.code, &f.password)
        .await
    {
        Ok(()) => {
            let mut p = sign_in_page(
                lang,
                &f.contact,
                ACCOUNT,
                st.services.applicants().identity_available(),
            );
            p.notice = Some(p.t.get("portal.account.reset_done").to_owned());
            visitor_form(&st, &head, StatusCode::OK, p)
        }
        Err(e) => {
            let mut p = reset_page(lang, &none, &f.contact);
            p.fail(&e);
            visitor_form(&st, &head, status_of(&e), p)
        }
    }
}

// ---- The account page ------------------------------------------------------

#[derive(Template)]
#[template(path = "portal_account.html")]
struct AccountPage {
    t: Texts,
    layout: PortalLayout,
    name: String,
    kind: String,
    contact: String,
    identity: String,
    csrf: String,
    dossiers: Vec<MineRow>,
    /// Unfinished applications: (procedure code, name).
    drafts: Vec<(String, String)>,
    /// Feedback sent (code, status, title).
    feedback: Vec<MineRow>,
}

/// One of the applicant's dossiers (or feedbacks: the title stands for
/// the procedure) in the account page's lists.
struct MineRow {
    code: String,
    status: String,
    procedure: String,
}

async fn account(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
) -> Result<Response, WebError> {
    let me = st.services.applicants().me(&who.applicant).await?;
    let mut drafts = Vec::new();
    for (code, _) in st.services.applicants().my_drafts(&who.applicant).await? {
        let name = match st.services.portal().procedure(&code).await {
            Ok(p) => p.version.draft.name,
            Err(_) => code.clone(),
        };
        drafts.push((code, name));
    }
    let t = lang.texts();
    let dossiers = st
        .services
        .applicants()
        .my_dossiers(&who.applicant)
        .await?
        .into_iter()
        .map(|d| MineRow {
            status: crate::ui::dashboard::status_label(&t, d.status),
            code: d.code,
            procedure: d.procedure_name,
        })
        .collect();
    let page = AccountPage {
        layout: PortalLayout::new(lang, t.get("portal.account.title"), ACCOUNT),
        name: me.full_name.clone(),
        kind: t
            .get(match me.kind {
                motcua_service::store::AccountKind::Citizen => "portal.applicant.citizen",
                motcua_service::store::AccountKind::Organisation => "portal.applicant.organisation",
            })
            .to_owned(),
        contact: me.contact_masked.clone(),
        identity: t
            .get(if me.identity_verified {
                "portal.account.identity_yes"
            } else {
                "portal.account.identity_no"
            })
            .to_owned(),
        feedback: st
            .services
            .applicants()
            .my_feedback(&who.applicant)
            .await?
            .into_iter()
            .map(|f| MineRow {
                status: super::feedback::status_label(&t, f.status),
                code: f.code,
                procedure: f.title,
            })
            .collect(),
        csrf: who.csrf,
        dossiers,
        drafts,
        t,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---- VNeID ------------------------------------------------------------------

/// Where VNeID sends the browser back.
fn vneid_back_url(st: &PortalState, head: &Parts) -> String {
    public_url(st, head, VNEID_BACK)
}

/// `path` on this server as an outside service sends a browser back to
/// it: the configured public address, else this request's host.
pub(crate) fn public_url(st: &PortalState, head: &Parts, path: &str) -> String {
    let base = match st.services.dossiers().public_base_url() {
        Some(b) => b.trim_end_matches('/').to_owned(),
        None => {
            let host = head
                .headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("127.0.0.1");
            format!("http://{host}")
        }
    };
    format!("{base}{path}")
}

/// `GET /cong-dan/vneid`: to the provider, with a fresh state kept in a
/// cookie only this round trip reads.
async fn vneid_start(
    State(st): State<PortalState>,
    lang: Lang,
    Head(head): Head,
) -> Result<Response, WebError> {
    let state = motcua_service::auth::new_secret()?;
    let back = vneid_back_url(&st, &head);
    let Some(url) = st.services.applicants().identity_url(&state, &back) else {
        return Ok(super::error_page(lang, StatusCode::NOT_FOUND));
    };
    let cookie = format!(
        "{VNEID_COOKIE}={state}; Path={VNEID}; HttpOnly; SameSite=Lax; Max-Age=600{}",
        st.auth.secure_attr()
    );
    Ok(with_cookies(Redirect::to(&url).into_response(), [cookie]))
}

#[derive(Deserialize)]
struct VneidBack {
    code: Option<String>,
    state: Option<String>,
}

/// `GET /cong-dan/vneid/ve?code&state`: the state must be this browser's;
/// the code becomes the person's identity, and a session.
async fn vneid_back(
    State(st): State<PortalState>,
    lang: Lang,
    Visitor(addr): Visitor,
    Head(head): Head,
    Query(q): Query<VneidBack>,
) -> Result<Response, WebError> {
    let clear = format!(
        "{VNEID_COOKIE}=; Path={VNEID}; HttpOnly; SameSite=Lax; Max-Age=0{}",
        st.auth.secure_attr()
    );
    let sent = q.state.unwrap_or_default();
    let kept = cookie(&head, VNEID_COOKIE).unwrap_or_default();
    if kept.is_empty() || !constant_time_eq(kept.as_bytes(), sent.as_bytes()) {
        let mut p = sign_in_page(
            lang,
            "",
            ACCOUNT,
            st.services.applicants().identity_available(),
        );
        p.error = Some(p.t.get("portal.account.err.vneid_expired").to_owned());
        let res = visitor_form(&st, &head, StatusCode::FORBIDDEN, p)?;
        return Ok(with_cookies(res, [clear]));
    }
    let current = match cookie(&head, SESSION_COOKIE) {
        Some(secret) => st
            .services
            .applicants()
            .session(&secret)
            .await?
            .map(|(a, _)| a),
        None => None,
    };
    let back = vneid_back_url(&st, &head);
    let code = q.code.unwrap_or_default();
    match st
        .services
        .applicants()
        .identity_sign_in(&code, &back, current.as_ref(), &addr)
        .await
    {
        Ok(signed) => {
            let session = format!(
                "{SESSION_COOKIE}={}; Path={HOME}; HttpOnly; SameSite=Lax; Max-Age={}{}",
                signed.secret,
                SESSION_LIFETIME.as_secs(),
                st.auth.secure_attr()
            );
            Ok(with_cookies(
                Redirect::to(ACCOUNT).into_response(),
                [session, clear],
            ))
        }
        Err(
            e @ (ServiceError::Unauthenticated(_)
            | ServiceError::Invalid { .. }
            | ServiceError::Conflict(_)),
        ) => {
            let mut p = sign_in_page(
                lang,
                "",
                ACCOUNT,
                st.services.applicants().identity_available(),
            );
            let key = match &e {
                ServiceError::Invalid { .. } => "portal.account.err.vneid_phone",
                ServiceError::Conflict(_) => "portal.account.err.vneid_linked",
                _ => "portal.account.err.vneid",
            };
            p.error = Some(p.t.get(key).to_owned());
            let res = visitor_form(&st, &head, StatusCode::UNAUTHORIZED, p)?;
            Ok(with_cookies(res, [clear]))
        }
        Err(e) => Err(e.into()),
    }
}
