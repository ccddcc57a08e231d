//! Signing in and out and changing one's password, as HTML forms.
//!
//! The sign-in form has no session to take a CSRF token from, so it uses a
//! double-submit cookie: showing the form sets a random token in a cookie
//! only `/dang-nhap` receives (SameSite=Strict) and in a hidden field; a
//! post is accepted only when both match and the `Origin`, if sent, is this
//! host. A page on another site can neither read the cookie nor set it, so
//! it cannot sign a browser into an account of its choosing.
//! The failed-login limits of `service::auth::login` apply as for the API.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_service::ServiceError;
use motcua_service::auth as svc;
use serde::Deserialize;

use super::layout::{Area, Layout};
use super::{Staff, local_path, render};
use crate::auth::{ClientAddress, MaybeAuthed, check_origin, constant_time_eq};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::StaffState;

/// The sign-in page.
pub const PATH: &str = "/dang-nhap";
/// Where signing out posts.
pub const LOGOUT_PATH: &str = "/dang-xuat";
/// The password change page.
pub const PASSWORD_PATH: &str = "/doi-mat-khau";
/// The double-submit cookie of the sign-in form.
pub const LOGIN_CSRF_COOKIE: &str = "motcua_login_csrf";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(show_login).post(login))
        .route(LOGOUT_PATH, post(logout))
        .route(PASSWORD_PATH, get(show_password).post(change_password))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Texts,
    layout: Layout,
    csrf: String,
    next: String,
    username: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    changed: Option<String>,
    signed_out: Option<String>,
}

/// The sign-in form with a fresh token in the field and in the cookie.
fn login_form(
    secure: &'static str,
    lang: Lang,
    status: StatusCode,
    next: &str,
    username: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let t = lang.texts();
    let token = svc::new_secret()?;
    let here = if next == "/" {
        PATH.to_owned()
    } else {
        format!(
            "{PATH}?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        )
    };
    let page = LoginPage {
        layout: Layout::public(lang, t.get("login.title"), &here),
        t,
        csrf: token.clone(),
        next: next.to_owned(),
        username: username.to_owned(),
        notice,
        error,
    };
    let mut res = render(status, &page);
    let cookie = format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path={PATH}; HttpOnly; SameSite=Strict; Max-Age=7200{secure}"
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// `GET /dang-nhap`: the form, or straight on when already signed in.
async fn show_login(
    State(st): State<StaffState>,
    lang: Lang,
    MaybeAuthed(who): MaybeAuthed,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    let next = local_path(q.next.as_deref());
    if who.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let t = lang.texts();
    let notice = if q.changed.is_some() {
        Some(t.get("login.changed").to_owned())
    } else if q.signed_out.is_some() {
        Some(t.get("login.signed_out").to_owned())
    } else {
        None
    };
    login_form(
        st.auth.secure_attr(),
        lang,
        StatusCode::OK,
        &next,
        "",
        notice,
        None,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    next: String,
}

/// Whether the form's token matches the cookie's.
fn login_token_ok(parts: &Parts, sent: &str) -> bool {
    let kept = crate::auth::cookie(parts, LOGIN_CSRF_COOKIE).unwrap_or_default();
    !kept.is_empty() && constant_time_eq(kept.as_bytes(), sent.as_bytes())
}

/// The request's head, for the checks that need headers and cookies.
struct Head(Parts);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Head {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.clone()))
    }
}

/// `POST /dang-nhap`: checks the form's token and origin, then the
/// password; success sets the session cookie and goes to `next`.
async fn login(
    State(st): State<StaffState>,
    lang: Lang,
    ClientAddress(addr): ClientAddress,
    Head(head): Head,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let t = lang.texts();
    let next = local_path(Some(&f.next));
    if check_origin(&head).is_err() || !login_token_ok(&head, &f.csrf_token) {
        let msg = t.get("login.expired").to_owned();
        return login_form(
            st.auth.secure_attr(),
            lang,
            StatusCode::FORBIDDEN,
            &next,
            &f.username,
            None,
            Some(msg),
        );
    }
    let keep = |status, msg: String| -> Result<Response, WebError> {
        // The same token stays valid: the cookie is still in the browser.
        let page = LoginPage {
            layout: Layout::public(lang, t.get("login.title"), PATH),
            t,
            csrf: f.csrf_token.clone(),
            next: next.clone(),
            username: f.username.chars().take(64).collect(),
            notice: None,
            error: Some(msg),
        };
        Ok(render(status, &page))
    };
    if f.username.trim().is_empty() || f.password.is_empty() {
        return keep(
            StatusCode::UNPROCESSABLE_ENTITY,
            t.get("login.missing").to_owned(),
        );
    }
    match st
        .services
        .auth()
        .login(&f.username, &f.password, &addr, &st.auth.limits)
        .await
    {
        Ok(signed) => {
            let session = st
                .auth
                .session_cookie(&signed.secret, svc::SESSION_LIFETIME.as_secs());
            let clear = format!(
                "{LOGIN_CSRF_COOKIE}=; Path={PATH}; HttpOnly; SameSite=Strict; Max-Age=0{}",
                st.auth.secure_attr()
            );
            let mut res = Redirect::to(&next).into_response();
            for c in [session, clear] {
                if let Ok(v) = HeaderValue::from_str(&c) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            Ok(res)
        }
        // A name that cannot be one or an overlong password: the same
        // message as a wrong password, nothing recorded.
        Err(ServiceError::Unauthenticated(_) | ServiceError::Invalid { .. }) => keep(
            StatusCode::UNPROCESSABLE_ENTITY,
            t.get("login.wrong").to_owned(),
        ),
        Err(ServiceError::RateLimited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).max(1).to_string();
            let mut res = keep(
                StatusCode::TOO_MANY_REQUESTS,
                t.fill("login.rate_limited", &[("minutes", &minutes)]),
            )?;
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /dang-xuat`: ends the session on the server and clears the cookie.
async fn logout(State(st): State<StaffState>, staff: Staff) -> Result<Response, WebError> {
    if let Some(secret) = &staff.secret {
        st.services.auth().logout(secret).await?;
    }
    Ok(signed_out_to(&st, &format!("{PATH}?signed_out=1")))
}

/// A redirect that also clears the session cookie.
fn signed_out_to(st: &StaffState, target: &str) -> Response {
    let clear = st.auth.session_cookie("", 0);
    let mut res = Redirect::to(target).into_response();
    if let Ok(v) = HeaderValue::from_str(&clear) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    t: Texts,
    layout: Layout,
    errors: PasswordErrors,
}

/// A message per field of the password form.
#[derive(Default)]
struct PasswordErrors {
    current: Option<String>,
    new: Option<String>,
    confirm: Option<String>,
}

impl PasswordErrors {
    fn any(&self) -> bool {
        self.current.is_some() || self.new.is_some() || self.confirm.is_some()
    }
}

async fn password_page(
    st: &StaffState,
    staff: &Staff,
    status: StatusCode,
    errors: PasswordErrors,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let layout = Layout::staff(
        st,
        staff,
        Area::Dashboard,
        t.get("password.title"),
        None,
        PASSWORD_PATH,
    )
    .await?;
    Ok(render(status, &PasswordPage { t, layout, errors }))
}

/// `GET /doi-mat-khau`.
async fn show_password(State(st): State<StaffState>, staff: Staff) -> Result<Response, WebError> {
    password_page(&st, &staff, StatusCode::OK, PasswordErrors::default()).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// `POST /doi-mat-khau`: checks the current password, sets the new one
/// and, since every session of the person ends, asks them to sign in again.
async fn change_password(
    State(st): State<StaffState>,
    staff: Staff,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let mut errors = PasswordErrors::default();
    if f.new_password.chars().count() < 8 {
        errors.new = Some(t.get("password.too_short").to_owned());
    } else if f.new_password != f.confirm_password {
        errors.confirm = Some(t.get("password.mismatch").to_owned());
    }
    if errors.any() {
        return password_page(&st, &staff, StatusCode::UNPROCESSABLE_ENTITY, errors).await;
    }
    match st
        .services
        .auth()
        .change_password(&staff.actor, &f.current_password, &f.new_password)
        .await
    {
        Ok(()) => Ok(signed_out_to(&st, &format!("{PATH}?changed=1"))),
        Err(ServiceError::Invalid { field, .. }) => {
            if field == "current_password" {
                errors.current = Some(t.get("password.wrong_current").to_owned());
            } else {
                errors.new = Some(t.get("password.too_short").to_owned());
            }
            password_page(&st, &staff, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
