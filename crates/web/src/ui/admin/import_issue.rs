//! A procedure-import problem worded in the reader's language. The service
//! words each issue in English (for logs, the CLI and the API) and classifies
//! it ([`IssueCode`], its values, the template column); the staff page words
//! it from the message catalogs and, for a value its column cannot take, adds
//! what the column expects.

use motcua_domain::catalog::text::template::Column;
use motcua_domain::catalog::{ApplicantKind, ComponentForm, OnlineLevel, Requirement, ResultType};
use motcua_service::catalog::{ImportIssue, IssueCode};

use crate::i18n::Texts;

/// The issue as the page shows it.
pub fn wording(t: Texts, issue: &ImportIssue) -> String {
    if issue.code == IssueCode::Other {
        return issue.reason.clone();
    }
    let mut values: Vec<(&str, String)> = issue.args.iter().map(|(k, v)| (*k, v.clone())).collect();
    if issue.code == IssueCode::UnknownColumn {
        values.push(("columns", Column::ALL.map(Column::header).join(", ")));
    }
    let mut text = t.fill(&format!("import.issue.{}", issue.code.as_str()), &values);
    let hinted = matches!(
        issue.code,
        IssueCode::BadValue
            | IssueCode::RuleBroken
            | IssueCode::Required
            | IssueCode::RequiredWithComponent
    );
    if hinted && let Some(field) = issue.field {
        text.push(' ');
        text.push_str(&t.fill(
            &format!("import.hint.{field}"),
            &[("choices", choices(field))],
        ));
    }
    text
}

/// The labels a choice column accepts, as the template writes them.
fn choices(field: &str) -> String {
    fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> String {
        all.iter().map(|v| label(*v)).collect::<Vec<_>>().join(", ")
    }
    match field {
        "online_level" => labels(OnlineLevel::ALL, OnlineLevel::label_vi),
        "result_type" => labels(ResultType::ALL, ResultType::label_vi),
        "applicant" => labels(ApplicantKind::ALL, ApplicantKind::label_vi),
        "component_form" => labels(ComponentForm::ALL, ComponentForm::label_vi),
        "requirement" => labels(Requirement::ALL, Requirement::label_vi),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::i18n::Lang;

    fn issue(code: IssueCode, field: Option<&'static str>) -> ImportIssue {
        let mut i = ImportIssue::new(7, Some("F".into()), None, "english reason");
        i.code = code;
        i.field = field;
        i
    }

    /// A forgotten entry would show its key on the page.
    #[test]
    fn every_code_and_column_has_a_wording_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let t = lang.texts();
            for code in IssueCode::ALL.iter().filter(|c| **c != IssueCode::Other) {
                let key = format!("import.issue.{}", code.as_str());
                assert_ne!(t.get(&key), key, "{lang:?}");
            }
            for c in Column::ALL {
                let key = format!("import.hint.{}", c.alias());
                assert_ne!(t.get(&key), key, "{lang:?}");
            }
        }
    }

    #[test]
    fn a_bad_value_is_quoted_and_followed_by_what_the_column_takes() {
        let mut i = issue(IssueCode::BadValue, Some("requirement"));
        i.args = BTreeMap::from([("value", "Tùy".to_owned())]);
        let text = wording(Lang::Vi.texts(), &i);
        assert!(text.starts_with("Giá trị «Tùy» không hợp lệ."), "{text}");
        assert!(
            text.contains("Bắt buộc, Không bắt buộc, Có điều kiện"),
            "{text}"
        );
        assert!(!text.contains("english"), "{text}");
    }

    #[test]
    fn values_are_filled_and_unclassified_issues_keep_their_reason() {
        let mut i = issue(IssueCode::RepeatedCode, Some("code"));
        i.args = BTreeMap::from([("code", "1.001193".into()), ("first", "3".into())]);
        assert_eq!(
            wording(Lang::Vi.texts(), &i),
            "Mã thủ tục 1.001193 đã có ở dòng 3."
        );
        assert_eq!(
            wording(Lang::Vi.texts(), &issue(IssueCode::Other, None)),
            "english reason"
        );
    }
}
