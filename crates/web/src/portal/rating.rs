//! The rating form shown on a returned dossier's page (domain.md §8): to
//! whoever holds the receipt on the status page, and to the owner on the
//! portal. One rating per dossier; once given, the page thanks instead.

use motcua_domain::stats::satisfaction::ASPECTS;
use motcua_service::ServiceError;
use motcua_service::ratings::RatingInput;

use crate::i18n::Texts;

/// One question of the form.
pub struct Question {
    /// The field.
    pub name: &'static str,
    /// What it asks.
    pub label: String,
    /// Whether it must be answered.
    pub required: bool,
}

/// The rating part of a page.
pub struct RatingView {
    /// Where the form posts.
    pub action: String,
    /// The form's token.
    pub csrf: String,
    /// Other hidden fields (the check value on the status page).
    pub hidden: Vec<(String, String)>,
    /// The questions.
    pub questions: Vec<Question>,
    /// The thanks, once rated.
    pub given: Option<String>,
    /// Why the last rating was not taken.
    pub error: Option<String>,
}

impl RatingView {
    /// The form (or the thanks for `given`).
    pub fn new(
        t: &Texts,
        action: String,
        csrf: String,
        hidden: Vec<(String, String)>,
        given: Option<u8>,
    ) -> Self {
        let mut questions = vec![Question {
            name: "overall",
            label: t.get("portal.rate.overall").to_owned(),
            required: true,
        }];
        for a in ASPECTS {
            questions.push(Question {
                name: a,
                label: t.get(&format!("portal.rate.aspect_{a}")).to_owned(),
                required: false,
            });
        }
        Self {
            action,
            csrf,
            hidden,
            questions,
            given: given
                .map(|score| t.fill("portal.rate.thanks", &[("score", &score.to_string())])),
            error: None,
        }
    }

    /// Shows why a rating was refused.
    pub fn fail(&mut self, t: &Texts, e: &ServiceError) {
        self.error = Some(
            t.get(match e {
                ServiceError::Conflict(_) => "portal.rate.err_once",
                ServiceError::Invalid { field, .. } if field == "comment" => {
                    "portal.rate.err_comment"
                }
                _ => "portal.rate.err_score",
            })
            .to_owned(),
        );
    }
}

/// The rating a form sent.
pub fn input(fields: &[(String, String)]) -> RatingInput {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    RatingInput {
        overall: get("overall"),
        aspects: ASPECTS.map(get),
        comment: get("comment"),
    }
}
