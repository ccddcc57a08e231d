//! The applicant's own dossiers (issue 19): the page of a dossier they
//! submitted or hold (`/cong-dan/ho-so/{code}`), its files, the answer to a
//! supplement request, the rating after return, paying the fee online and
//! the e-receipt. Only the owner can open any of them: another's code reads
//! as missing (`OWNED_ROUTES`, the two-account test).

use super::account::SignedApplicant;
use super::{PortalLayout, PortalState};
use crate::auth::constant_time_eq;
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::stream::FieldSource;
use crate::ui::{format, render};
use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use motcua_service::ServiceError;
use motcua_service::dossiers::particulars::Scan;

use super::submit::{BODY_LIMIT, Broken, MAX_FILES, TEXT_BUDGET, token_first};

/// The applicant's own dossiers (`/cong-dan/ho-so/{code}`).
pub const MINE: &str = "/cong-dan/ho-so";
/// An owner's dossier page.
pub const MINE_PAGE: &str = "/cong-dan/ho-so/{code}";
/// One of its files.
pub const MINE_FILE: &str = "/cong-dan/ho-so/{code}/tep/{id}";
/// The answer to a supplement request.
pub const MINE_SUPPLY: &str = "/cong-dan/ho-so/{code}/bo-sung";
/// The rating after return.
pub const MINE_RATE: &str = "/cong-dan/ho-so/{code}/danh-gia";
/// Paying the fee online (to the gateway).
pub const MINE_PAY: &str = "/cong-dan/ho-so/{code}/thanh-toan";
/// Where the payment gateway sends the browser back.
pub const PAY_BACK: &str = "/cong-dan/thanh-toan/ve";
/// The e-receipt of a payment (by its reference), as PDF.
pub const MINE_RECEIPT: &str = "/cong-dan/ho-so/{code}/bien-lai/{payment}";
/// Every route that takes an owned dossier's code, with its method: the
/// router registers exactly these, and the two-account access test
/// (`tests/it/portal_matrix.rs`) tries each with another's code.
pub const OWNED_ROUTES: [(&str, &str); 6] = [
    ("GET", MINE_PAGE),
    ("GET", MINE_FILE),
    ("POST", MINE_SUPPLY),
    ("POST", MINE_RATE),
    ("POST", MINE_PAY),
    ("GET", MINE_RECEIPT),
];

/// Routes of this module.
pub fn routes() -> Router<PortalState> {
    Router::new()
        .route(MINE_PAGE, get(mine))
        .route(MINE_FILE, get(download))
        .route(MINE_RATE, axum::routing::post(rate))
        .route(MINE_PAY, axum::routing::post(pay))
        .route(PAY_BACK, get(paid))
        .route(MINE_RECEIPT, get(receipt))
        .route(
            MINE_SUPPLY,
            axum::routing::post(supply).layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT)),
        )
}

#[derive(Template)]
#[template(path = "portal_my_dossier.html")]
struct MinePage {
    t: Texts,
    layout: PortalLayout,
    status: String,
    explain: String,
    facts: Vec<(String, String)>,
    fresh: bool,
    /// Files to download: (href, name, is the result).
    files: Vec<(String, String, bool)>,
    /// The supplement request to answer, if the dossier waits for one.
    asked: Option<motcua_service::applicants::SupplementAsked>,
    /// Why the last answer was not taken.
    asked_error: Option<String>,
    code: String,
    csrf: String,
    /// The rating form (or thanks) once the result is returned.
    rating: Option<super::rating::RatingView>,
    /// The fee: amount, paid online, payable now.
    fee: Option<(String, bool, bool)>,
    /// Links to the e-receipts of the payments made.
    receipts: Vec<String>,
    /// What the gateway's answer did, when the browser comes back from it.
    payment_notice: Option<String>,
}

#[derive(serde::Deserialize)]
struct MineQuery {
    moi: Option<String>,
    /// Back from the gateway: `ok`, `huy` or `lai`.
    tt: Option<String>,
}

/// `GET /cong-dan/ho-so/{code}`: one of the applicant's dossiers; another's
/// or a missing one is the same 404.
async fn mine(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<MineQuery>,
) -> Result<Response, WebError> {
    let payment_notice = q.tt.as_deref().map(|t| {
        let key = match t {
            "ok" => "portal.pay.done",
            "lai" => "portal.pay.again",
            _ => "portal.pay.cancelled",
        };
        lang.texts().get(key).to_owned()
    });
    mine_page(
        &st,
        lang,
        &who,
        &code,
        Extra {
            fresh: q.moi.is_some(),
            payment_notice,
            ..Extra::default()
        },
    )
    .await
}

/// What the owner's page shows beyond the dossier, after an action.
#[derive(Default)]
struct Extra {
    /// A fresh submission's notice.
    fresh: bool,
    /// Why a supplement was not taken.
    asked_error: Option<String>,
    /// Why a rating was not taken.
    rating_error: Option<ServiceError>,
    /// What the gateway's answer did.
    payment_notice: Option<String>,
    /// The status to answer with (200 by default).
    status: Option<StatusCode>,
}

/// The owner's page of a dossier, with what `extra` says to show.
async fn mine_page(
    st: &PortalState,
    lang: Lang,
    who: &SignedApplicant,
    code: &str,
    extra: Extra,
) -> Result<Response, WebError> {
    let Extra {
        fresh,
        asked_error,
        rating_error,
        payment_notice,
        status,
    } = extra;
    let status = status.unwrap_or(StatusCode::OK);
    let s = match st
        .services
        .applicants()
        .my_dossier(&who.applicant, code)
        .await
    {
        Ok(s) => s,
        Err(ServiceError::NotFound { .. }) => {
            return Ok(super::error_page(lang, StatusCode::NOT_FOUND));
        }
        Err(e) => return Err(e.into()),
    };
    let t = lang.texts();
    let mut facts = vec![
        (
            t.get("portal.status.procedure").to_owned(),
            s.procedure_name.clone(),
        ),
        (t.get("portal.status.unit").to_owned(), s.unit_name.clone()),
    ];
    for (key, at) in [
        ("portal.status.received", s.received_at),
        ("portal.status.due", s.current_due),
        ("portal.status.ended", s.ended_at),
        ("portal.status.returned", s.returned_at),
    ] {
        if let Some(at) = at {
            facts.push((t.get(key).to_owned(), format::moment(lang, at)));
        }
    }
    let files = st
        .services
        .applicants()
        .my_files(&who.applicant, &s.code)
        .await?
        .into_iter()
        .map(|f| {
            (
                format!("{MINE}/{}/tep/{}", s.code, f.id),
                f.name,
                f.kind == "result",
            )
        })
        .collect();
    let asked = st
        .services
        .applicants()
        .supplement_asked(&who.applicant, &s.code)
        .await?;
    let rating = if motcua_service::ratings::rateable(s.status) {
        let mut view = super::rating::RatingView::new(
            &t,
            format!("{MINE}/{}/danh-gia", s.code),
            who.csrf.clone(),
            Vec::new(),
            s.rating,
        );
        if let Some(e) = &rating_error {
            view.fail(&t, e);
        }
        Some(view)
    } else {
        None
    };
    let fee_state = st
        .services
        .applicants()
        .fee_state(&who.applicant, &s.code)
        .await?;
    let receipts = fee_state
        .receipts
        .iter()
        .map(|r| format!("{MINE}/{}/bien-lai/{r}", s.code))
        .collect();
    let fee = match fee_state {
        f if f.fee_dong > 0 => Some((format::money(lang, f.fee_dong), f.paid, f.payable)),
        _ => None,
    };
    let title = t.fill("portal.status.title", &[("code", &s.code)]);
    let page = MinePage {
        fee,
        receipts,
        payment_notice,
        rating,
        files,
        asked,
        asked_error,
        code: s.code.clone(),
        csrf: who.csrf.clone(),
        layout: PortalLayout::new(lang, &title, &format!("{MINE}/{}", s.code)),
        status: crate::ui::dashboard::status_label(&t, s.status),
        explain: t.get(super::lookup::explain_key(s.status)).to_owned(),
        facts,
        fresh,
        t,
    };
    Ok(render(status, &page))
}

/// `POST /cong-dan/ho-so/{code}/bo-sung`: the owner answers a supplement
/// request with files (multipart, the token first).
async fn supply(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Path(code): Path<String>,
    req: Request,
) -> Result<Response, WebError> {
    let t = lang.texts();
    let Ok(mut m) = Multipart::from_request(req, &st).await else {
        return Ok(super::error_page(lang, StatusCode::BAD_REQUEST));
    };
    // Only the owner's dossier takes files: another's is a 404 before any
    // file is read.
    if let Err(ServiceError::NotFound { .. }) = st
        .services
        .applicants()
        .my_dossier(&who.applicant, &code)
        .await
    {
        return Ok(super::error_page(lang, StatusCode::NOT_FOUND));
    }
    let read = read_supply(&st, &who, &mut m).await;
    while let Ok(Some(mut f)) = m.next_field().await {
        while let Ok(Some(_)) = f.chunk().await {}
    }
    let (scans, version, note) = match read {
        Ok(x) => x,
        Err(Broken::Token) => return Ok(super::error_page(lang, StatusCode::FORBIDDEN)),
        Err(Broken::Malformed) => return Ok(super::error_page(lang, StatusCode::BAD_REQUEST)),
        Err(Broken::Service(e)) => {
            let status = if matches!(e, ServiceError::TooLarge { .. }) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let msg = t.get("portal.submit.err_file").to_owned();
            return mine_page(
                &st,
                lang,
                &who,
                &code,
                Extra {
                    asked_error: Some(msg),
                    status: Some(status),
                    ..Extra::default()
                },
            )
            .await;
        }
    };
    match st
        .services
        .applicants()
        .supply(&who.applicant, &code, version, &scans, &note)
        .await
    {
        Ok(d) => Ok(Redirect::to(&format!("{MINE}/{}", d.code)).into_response()),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            let key = if matches!(e, ServiceError::Conflict(_)) {
                "portal.supply.err_state"
            } else {
                "portal.supply.err_files"
            };
            let msg = t.get(key).to_owned();
            let status = crate::error::status_of(&e);
            mine_page(
                &st,
                lang,
                &who,
                &code,
                Extra {
                    asked_error: Some(msg),
                    status: Some(status),
                    ..Extra::default()
                },
            )
            .await
        }
        Err(ServiceError::NotFound { .. }) => Ok(super::error_page(lang, StatusCode::NOT_FOUND)),
        Err(e) => Err(e.into()),
    }
}

/// The supplement form's parts: the token (first), files, the version
/// and a note.
async fn read_supply(
    st: &PortalState,
    who: &SignedApplicant,
    m: &mut Multipart,
) -> Result<(Vec<Scan>, i64, String), Broken> {
    token_first(m, &who.csrf).await?;
    let (mut scans, mut version, mut note) = (Vec::new(), 0_i64, String::new());
    while let Some(field) = m.next_field().await.map_err(|_| Broken::Malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            let file_name = file_name
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or("")
                .trim()
                .to_owned();
            let mut source = FieldSource::new(field);
            if file_name.is_empty() {
                while motcua_service::files::ByteSource::next_chunk(&mut source)
                    .await
                    .map_err(Broken::Service)?
                    .is_some()
                {}
                continue;
            }
            if scans.len() >= MAX_FILES {
                return Err(Broken::Malformed);
            }
            let scan = st
                .services
                .applicants()
                .stage_file(&who.applicant, scans.len(), &file_name, &mut source)
                .await
                .map_err(Broken::Service)?;
            scans.push(scan);
            continue;
        }
        let text = field.text().await.map_err(|_| Broken::Malformed)?;
        if text.len() > TEXT_BUDGET {
            return Err(Broken::Malformed);
        }
        match name.as_str() {
            "version" => version = text.trim().parse().map_err(|_| Broken::Malformed)?,
            "note" => note = text,
            _ => {}
        }
    }
    Ok((scans, version, note))
}

/// `GET /cong-dan/ho-so/{code}/tep/{id}`: a file of the applicant's own
/// dossier, as an attachment; another's, or none, is the same 404.
async fn download(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(super::error_page(lang, StatusCode::NOT_FOUND));
    };
    let (rec, content) = match st
        .services
        .applicants()
        .my_file(&who.applicant, &code, id)
        .await
    {
        Ok(x) => x,
        Err(ServiceError::NotFound { .. }) => {
            return Ok(super::error_page(lang, StatusCode::NOT_FOUND));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(crate::api::dossiers::file_response(&rec, content))
}

/// `POST /cong-dan/ho-so/{code}/danh-gia`: the owner rates a returned
/// dossier.
async fn rate(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Path(code): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let token = fields
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if !constant_time_eq(token.as_bytes(), who.csrf.as_bytes()) {
        return Ok(super::error_page(lang, StatusCode::FORBIDDEN));
    }
    let input = super::rating::input(&fields);
    match st
        .services
        .applicants()
        .rate(&who.applicant, &code, &input)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{MINE}/{}", code.trim())).into_response()),
        Err(ServiceError::NotFound { .. }) => Ok(super::error_page(lang, StatusCode::NOT_FOUND)),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            let status = crate::error::status_of(&e);
            mine_page(
                &st,
                lang,
                &who,
                &code,
                Extra {
                    rating_error: Some(e),
                    status: Some(status),
                    ..Extra::default()
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /cong-dan/ho-so/{code}/thanh-toan`: to the gateway to pay the fee.
async fn pay(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    super::account::Head(head): super::account::Head,
    Path(code): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let token = fields
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if !constant_time_eq(token.as_bytes(), who.csrf.as_bytes()) {
        return Ok(super::error_page(lang, StatusCode::FORBIDDEN));
    }
    let back = super::account::public_url(&st, &head, PAY_BACK);
    match st
        .services
        .applicants()
        .start_payment(&who.applicant, &code, &back)
        .await
    {
        // A page with a link rather than a redirect: the pages' policy lets
        // forms post to this server only, and a browser applies it to where
        // a form's answer redirects too; a link is the citizen's own step.
        Ok(url) => {
            let t = lang.texts();
            Ok(render(
                StatusCode::OK,
                &PayGo {
                    layout: PortalLayout::new(lang, t.get("portal.pay.go_title"), MINE),
                    url,
                    code: code.trim().to_owned(),
                    t,
                },
            ))
        }
        Err(ServiceError::NotFound { .. }) => Ok(super::error_page(lang, StatusCode::NOT_FOUND)),
        Err(ServiceError::Conflict(_)) => {
            mine_page(
                &st,
                lang,
                &who,
                &code,
                Extra {
                    status: Some(StatusCode::CONFLICT),
                    ..Extra::default()
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal_pay_go.html")]
struct PayGo {
    t: Texts,
    layout: PortalLayout,
    url: String,
    code: String,
}

/// `GET /cong-dan/thanh-toan/ve?…`: the gateway's signed answer. A forged
/// or altered one changes nothing and says so; otherwise back to the
/// dossier's page with what happened.
async fn paid(
    State(st): State<PortalState>,
    lang: Lang,
    axum::extract::Query(params): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    use motcua_service::payments::Returned;
    match st.services.portal().payment_returned(&params).await {
        Ok((code, outcome)) => {
            let tt = match outcome {
                Returned::Paid => "ok",
                Returned::NotPaid => "huy",
                Returned::Again => "lai",
            };
            Ok(Redirect::to(&format!("{MINE}/{code}?tt={tt}")).into_response())
        }
        Err(ServiceError::Invalid { .. } | ServiceError::NotFound { .. }) => {
            Ok(super::error_page(lang, StatusCode::BAD_REQUEST))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /cong-dan/ho-so/{code}/bien-lai/{payment}`: the e-receipt of one of
/// the owner's payments as PDF; another's dossier or payment, or one not
/// paid, is the same 404 as a missing one.
async fn receipt(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Path((code, payment)): Path<(String, String)>,
) -> Result<Response, WebError> {
    match st
        .services
        .applicants()
        .my_receipt(&who.applicant, &code, &payment)
        .await
    {
        Ok(r) => crate::api::payments::receipt_pdf(&st.renders, r).await,
        Err(ServiceError::NotFound { .. }) => Ok(super::error_page(lang, StatusCode::NOT_FOUND)),
        Err(e) => Err(e.into()),
    }
}
