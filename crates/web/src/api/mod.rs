//! The JSON API under `/api/`, described by an OpenAPI 3.1 document at
//! `/api/openapi.json`. Errors are `application/problem+json`; validation
//! errors name the field at fault.

mod auth;
mod catalog_files;
mod corrections;
pub(crate) mod counter_forms;
mod docs;
pub(crate) mod dossiers;
mod feedback;
mod forms;
mod outbox;
mod params;
pub(crate) mod payments;
mod procedures;
mod processes;
mod reports;
pub mod routing;
mod units;
mod users;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;

/// What the JSON API's handlers reach: the services, the per-address limit
/// of public status lookups, the sign-in settings and the PDF slots. Built
/// from the application's state; the staff pages and the portal have their
/// own.
#[derive(Clone)]
pub struct ApiState {
    /// Every use case, with the one clock and the caches.
    pub services: std::sync::Arc<motcua_service::Services>,
    /// Per-address limit of public status lookups (shared with the portal).
    pub lookups: std::sync::Arc<crate::limits::RateLimiter>,
    /// Sign-in settings (throttling, tokens, proxies, cookies).
    pub auth: std::sync::Arc<crate::auth::AuthSettings>,
    /// Slots for PDF rendering.
    pub renders: crate::renders::Renders,
}

impl From<&AppState> for ApiState {
    fn from(s: &AppState) -> Self {
        Self {
            services: s.services.clone(),
            lookups: s.lookups.clone(),
            auth: s.auth.clone(),
            renders: s.renders.clone(),
        }
    }
}

impl ApiState {
    /// The current instant, from the services' clock.
    pub fn now(&self) -> jiff::Timestamp {
        self.services.now()
    }

    /// Today in Viet Nam, from the services' clock.
    pub fn today(&self) -> jiff::civil::Date {
        self.services.today()
    }
}

impl crate::auth::Sessions for ApiState {
    fn services(&self) -> &motcua_service::Services {
        &self.services
    }

    fn auth(&self) -> &crate::auth::AuthSettings {
        &self.auth
    }
}

/// The OpenAPI description of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "motcua API", description = "Một cửa và cải cách hành chính: đơn vị, người dùng, danh mục thủ tục hành chính, hồ sơ."),
    paths(
        auth::login, auth::logout, auth::me, auth::change_password, auth::create_token, auth::list_tokens, auth::revoke_token,
        units::list_units, units::get_unit, units::create_unit, units::change_unit,
        users::list_users, users::create_user, users::grant, users::revoke, users::reset_password,
        procedures::list, procedures::search, procedures::get_one, procedures::versions, procedures::create,
        procedures::add_version, procedures::assign, procedures::unassign, procedures::put_template, catalog_files::import, catalog_files::export,
        processes::create_process, processes::list_processes, processes::create_review, processes::list_reviews, processes::catalog_stats,
        routing::get_sectors, routing::put_sectors, routing::list_defaults, routing::put_default, routing::delete_default,
        dossiers::list, dossiers::receive, dossiers::get_one, dossiers::act, dossiers::public_status, dossiers::attach, dossiers::download, corrections::correct, forms::form, forms::register,
        counter_forms::guidance, counter_forms::refusal, outbox::list, outbox::retry,
        reports::dossiers,
        reports::satisfaction,
        reports::portal,
        feedback::list, feedback::get_one, feedback::act, feedback::report,
        payments::list, payments::refund, payments::receipt, payments::reconciliation, payments::reconcile,
    ),
    components(schemas(crate::error::Problem, payments::RefundOutDoc)),
    tags((name = "auth"), (name = "units"), (name = "users"), (name = "procedures"), (name = "catalog"), (name = "dossiers"), (name = "public"), (name = "notifications"), (name = "reports"), (name = "feedback"), (name = "payments")),
)]
pub struct ApiDoc;

/// Routes of the API.
pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .merge(auth::routes())
        .merge(units::routes())
        .merge(users::routes())
        .merge(catalog_files::routes())
        .merge(procedures::routes())
        .merge(processes::routes())
        .merge(routing::routes())
        .merge(dossiers::routes())
        .merge(corrections::routes())
        .merge(forms::routes())
        .merge(counter_forms::routes())
        .merge(outbox::routes())
        .merge(reports::routes())
        .merge(feedback::routes())
        .merge(payments::routes())
        .merge(docs::routes())
}

async fn openapi() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use motcua_domain::role::Role;
    use motcua_domain::unit::{Level, UnitKind};
    use serde_json::Value;
    use utoipa::OpenApi;

    use super::ApiDoc;

    fn property<'a>(doc: &'a Value, schema: &str, field: &str) -> &'a Value {
        &doc["components"]["schemas"][schema]["properties"][field]
    }

    fn alternatives(keys: impl IntoIterator<Item = &'static str>) -> String {
        format!("^({})$", keys.into_iter().collect::<Vec<_>>().join("|"))
    }

    /// The patterns the document declares for role, kind and level keys are
    /// the domain's own lists, so a key added to the domain cannot be left
    /// out of what generated clients and the fuzzer may send.
    #[test]
    fn declared_keys_are_the_domains_lists() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let roles = alternatives(Role::ALL.map(Role::as_str));
        for (schema, field) in [("UserIn", "role"), ("GrantIn", "role"), ("StepIo", "role")] {
            assert_eq!(
                property(&doc, schema, field)["pattern"],
                roles.as_str(),
                "{schema}.{field}"
            );
        }
        let kinds = alternatives(UnitKind::ALL.map(UnitKind::as_str));
        assert_eq!(property(&doc, "UnitIn", "kind")["pattern"], kinds.as_str());
        let levels = alternatives(Level::ALL.map(Level::as_str));
        let level = property(&doc, "UnitIn", "level");
        let declared = level["pattern"]
            .as_str()
            .or_else(|| level["oneOf"][0]["pattern"].as_str())
            .or_else(|| level["anyOf"][0]["pattern"].as_str());
        assert_eq!(declared, Some(levels.as_str()), "{level}");
    }

    /// Every code pattern accepts the codes the domain parses and refuses a
    /// malformed one, checked on the document's own strings.
    #[test]
    fn code_patterns_are_declared_on_the_bodies() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let unit = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$";
        for (schema, field) in [
            ("UserIn", "unit"),
            ("GrantIn", "unit"),
            ("UnitIn", "code"),
            ("StepIo", "unit"),
            ("ProcessIn", "unit"),
        ] {
            assert_eq!(
                property(&doc, schema, field)["pattern"],
                unit,
                "{schema}.{field}"
            );
        }
        assert_eq!(
            property(&doc, "UserIn", "username")["pattern"],
            r"^[a-z0-9._-]{3,64}$"
        );
        assert_eq!(property(&doc, "UnitIn", "valid_from")["format"], "date");
        assert_eq!(
            property(&doc, "ProcessIn", "effective_from")["format"],
            "date"
        );
        assert_eq!(property(&doc, "UserIn", "full_name")["maxLength"], 200);
        assert_eq!(property(&doc, "ResetIn", "password")["minLength"], 8);
    }

    /// The keys a dossier body may hold are declared from the domain's own
    /// lists (actions, channels, return methods, proposals), so that a key
    /// added there cannot be missing from what clients and the fuzzer send.
    #[test]
    fn dossier_bodies_declare_the_domains_keys() {
        use motcua_domain::dossier::{Channel, ReturnMethod};
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let keys = |v: &Value| -> Vec<String> {
            let p = v["pattern"]
                .as_str()
                .or_else(|| v["oneOf"][0]["pattern"].as_str())
                .or_else(|| v["anyOf"][0]["pattern"].as_str())
                .unwrap_or_else(|| panic!("no pattern in {v}"));
            let mut k: Vec<String> = p
                .trim_start_matches("^(")
                .trim_end_matches(")$")
                .split('|')
                .map(str::to_owned)
                .collect();
            k.sort();
            k
        };
        let sorted = |list: &[&str]| {
            let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
            v.sort();
            v
        };
        assert_eq!(
            keys(property(&doc, "ActionDoc", "action")),
            sorted(crate::ui::dossier::actions::ALL)
        );
        let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            keys(property(&doc, "ReceiveDoc", "channel")),
            sorted(&channels)
        );
        let methods: Vec<&str> = ReturnMethod::ALL.iter().map(|c| c.as_str()).collect();
        for (schema, field) in [("ReceiveDoc", "return_method"), ("ActionDoc", "method")] {
            assert_eq!(
                keys(property(&doc, schema, field)),
                sorted(&methods),
                "{schema}.{field}"
            );
        }
        let proposals: Vec<String> = [
            motcua_domain::dossier::Proposal::Supplement,
            motcua_domain::dossier::Proposal::Refusal,
            motcua_domain::dossier::Proposal::Extension,
            motcua_domain::dossier::Proposal::FinancialObligation,
        ]
        .iter()
        .map(|p| {
            serde_json::to_value(p)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
        let mut proposals = proposals;
        proposals.sort();
        assert_eq!(keys(property(&doc, "ActionDoc", "proposal")), proposals);
        assert_eq!(property(&doc, "ReceiveDoc", "components")["maxItems"], 200);
        // The catalog's keys.
        use motcua_domain::catalog::{
            ApplicantKind, ComponentForm, OnlineLevel, Requirement, ResultType,
        };
        let list = |v: Vec<&'static str>| sorted(&v);
        for (schema, field, want) in [
            (
                "ProcedureIo",
                "online_level",
                list(OnlineLevel::ALL.iter().map(|v| v.as_str()).collect()),
            ),
            (
                "ProcedureIo",
                "result_type",
                list(ResultType::ALL.iter().map(|v| v.as_str()).collect()),
            ),
            (
                "ProcedureIo",
                "applicant",
                list(ApplicantKind::ALL.iter().map(|v| v.as_str()).collect()),
            ),
            (
                "ComponentIo",
                "form",
                list(ComponentForm::ALL.iter().map(|v| v.as_str()).collect()),
            ),
            (
                "ComponentIo",
                "requirement",
                list(Requirement::ALL.iter().map(|v| v.as_str()).collect()),
            ),
        ] {
            assert_eq!(
                keys(property(&doc, schema, field)),
                want,
                "{schema}.{field}"
            );
        }
    }
}
