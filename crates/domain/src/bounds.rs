//! How much outside input may hold: the size of every identifier, name, free
//! text and list that a person or a program can send, in one place.
//!
//! Two layers use these numbers. The edge (the web layer's JSON and form
//! readers) refuses any string longer than [`EDGE_STRING_CHARS`], any list
//! longer than [`EDGE_LIST_ITEMS`] and any nesting deeper than
//! [`EDGE_DEPTH`] before a request reaches a use case, so that no unbounded
//! value is ever parsed into a command, logged, or written anywhere (the
//! audit log is append-only: what lands there stays). The use cases then
//! apply the tighter bound of each field ([`CODE_CHARS`], [`NAME_CHARS`],
//! [`TEXT_CHARS`], [`LIST_ITEMS`]) and name the field when it is exceeded.
//!
//! The edge bounds sit above every field bound, so a request that a field
//! check would accept is never refused at the edge.

/// Codes and identifiers: unit and procedure codes, dossier codes, user
/// names, identity numbers. The longest real one (a dossier code such as
/// `000.21.30.H99-250415-0007`) has 25 characters.
pub const CODE_CHARS: usize = 64;

/// Names of people, organisations, units, procedures, components, steps.
pub const NAME_CHARS: usize = 500;

/// Free text: notes, reasons, addresses, guidance.
pub const TEXT_CHARS: usize = 2_000;

/// Lists a person fills in one form: components received, items missing,
/// steps of a process, dossiers picked for a bulk action.
pub const LIST_ITEMS: usize = 200;

/// The longest string accepted anywhere at the edge (the longest field, an
/// administrator's settings text, has 10,000 bytes).
pub const EDGE_STRING_CHARS: usize = 10_000;

/// The longest list accepted anywhere at the edge.
pub const EDGE_LIST_ITEMS: usize = 1_000;

/// The deepest nesting of lists and objects accepted at the edge (the
/// deepest command nests four levels).
pub const EDGE_DEPTH: usize = 16;

/// The most fields a page form may carry (a bulk hand-over of
/// [`LIST_ITEMS`] dossiers sends two fields a dossier).
pub const EDGE_FORM_FIELDS: usize = 2 * LIST_ITEMS + 50;

// A value a use case accepts must never be refused at the edge: checked
// when the crate compiles.
const _: () = assert!(CODE_CHARS < EDGE_STRING_CHARS);
const _: () = assert!(NAME_CHARS < EDGE_STRING_CHARS);
const _: () = assert!(TEXT_CHARS < EDGE_STRING_CHARS);
const _: () = assert!(LIST_ITEMS < EDGE_LIST_ITEMS);

/// Where a value breaks an edge bound, and which bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeViolation {
    /// The path of the value (`components[3].name`), `body` for the whole.
    pub path: String,
    /// What the bound allows, in words.
    pub reason: String,
}

/// The first string of more than [`EDGE_STRING_CHARS`] characters, list of
/// more than [`EDGE_LIST_ITEMS`] items or nesting deeper than [`EDGE_DEPTH`]
/// in a JSON value, with its path.
pub fn check_edge_json(value: &serde_json::Value) -> Result<(), EdgeViolation> {
    walk(value, &mut String::new(), 0)
}

fn walk(value: &serde_json::Value, path: &mut String, depth: usize) -> Result<(), EdgeViolation> {
    use serde_json::Value;
    let violation = |path: &str, reason: String| EdgeViolation {
        path: if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        },
        reason,
    };
    match value {
        Value::String(s) => {
            if exceeds_chars(s, EDGE_STRING_CHARS) {
                return Err(violation(
                    path,
                    format!("at most {EDGE_STRING_CHARS} characters"),
                ));
            }
        }
        Value::Array(items) => {
            if depth >= EDGE_DEPTH {
                return Err(violation(path, format!("nested deeper than {EDGE_DEPTH}")));
            }
            if items.len() > EDGE_LIST_ITEMS {
                return Err(violation(path, format!("at most {EDGE_LIST_ITEMS} items")));
            }
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, depth + 1)?;
                path.truncate(len);
            }
        }
        Value::Object(fields) => {
            if depth >= EDGE_DEPTH {
                return Err(violation(path, format!("nested deeper than {EDGE_DEPTH}")));
            }
            if fields.len() > EDGE_LIST_ITEMS {
                return Err(violation(path, format!("at most {EDGE_LIST_ITEMS} fields")));
            }
            for (key, item) in fields {
                let len = path.len();
                if exceeds_chars(key, CODE_CHARS) {
                    return Err(violation(
                        path,
                        format!("field names of at most {CODE_CHARS} characters"),
                    ));
                }
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(item, path, depth + 1)?;
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

/// Whether `s` has more than `max` characters, without counting past `max`
/// (a long string is judged after `max + 1` characters).
pub fn exceeds_chars(s: &str, max: usize) -> bool {
    // A string of at most `max` bytes has at most `max` characters.
    s.len() > max && s.chars().nth(max).is_some()
}

/// The first field of a url-encoded form that breaks an edge bound: more
/// than [`EDGE_FORM_FIELDS`] fields, or a name or value longer than
/// [`EDGE_STRING_CHARS`] characters.
pub fn check_edge_form<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), EdgeViolation> {
    for (count, (name, value)) in fields.into_iter().enumerate() {
        if count >= EDGE_FORM_FIELDS {
            return Err(EdgeViolation {
                path: "body".to_owned(),
                reason: format!("at most {EDGE_FORM_FIELDS} fields"),
            });
        }
        if exceeds_chars(name, CODE_CHARS) {
            return Err(EdgeViolation {
                path: "body".to_owned(),
                reason: format!("field names of at most {CODE_CHARS} characters"),
            });
        }
        if exceeds_chars(value, EDGE_STRING_CHARS) {
            return Err(EdgeViolation {
                path: name.to_owned(),
                reason: format!("at most {EDGE_STRING_CHARS} characters"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn characters_are_counted_not_bytes() {
        // "ệ" is three bytes in UTF-8: 10 of them are 30 bytes but 10 characters.
        let s = "ệ".repeat(10);
        assert!(!exceeds_chars(&s, 10));
        assert!(exceeds_chars(&s, 9));
        assert!(!exceeds_chars("", 0));
        assert!(exceeds_chars("a", 0));
    }

    #[test]
    fn the_edge_names_the_path_of_the_first_value_too_long() {
        let long = "a".repeat(EDGE_STRING_CHARS + 1);
        let v = json!({"applicant": {"name": "An"}, "components": [{"name": "x"}, {"name": long}]});
        let e = check_edge_json(&v).unwrap_err();
        assert_eq!(e.path, "components[1].name");
        assert_eq!(e.reason, "at most 10000 characters");
        let exact = "ệ".repeat(EDGE_STRING_CHARS);
        assert!(check_edge_json(&json!({ "note": exact })).is_ok());
    }

    #[test]
    fn the_edge_refuses_long_lists_and_deep_nesting() {
        let many: Vec<u32> = (0..=EDGE_LIST_ITEMS as u32).collect();
        let e = check_edge_json(&json!({ "items": many })).unwrap_err();
        assert_eq!(e.path, "items");
        let ok: Vec<u32> = (0..EDGE_LIST_ITEMS as u32).collect();
        assert!(check_edge_json(&json!({ "items": ok })).is_ok());

        let mut deep = json!(1);
        for _ in 0..EDGE_DEPTH {
            deep = json!([deep]);
        }
        assert!(check_edge_json(&deep).is_ok(), "{EDGE_DEPTH} levels pass");
        let deeper = json!([deep]);
        assert!(
            check_edge_json(&deeper)
                .unwrap_err()
                .reason
                .contains("nested")
        );
        let e = check_edge_json(&json!("x".repeat(EDGE_STRING_CHARS + 1))).unwrap_err();
        assert_eq!(e.path, "body");
    }

    #[test]
    fn the_edge_refuses_long_form_values_and_too_many_fields() {
        let long = "b".repeat(EDGE_STRING_CHARS + 1);
        let e = check_edge_form([("csrf_token", "t"), ("note", long.as_str())]).unwrap_err();
        assert_eq!(e.path, "note");
        let fields: Vec<(String, String)> = (0..=EDGE_FORM_FIELDS)
            .map(|i| (format!("f{i}"), "v".to_owned()))
            .collect();
        let e = check_edge_form(fields.iter().map(|(a, b)| (a.as_str(), b.as_str()))).unwrap_err();
        assert_eq!(e.path, "body");
        assert!(
            check_edge_form(
                fields[..EDGE_FORM_FIELDS]
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
            )
            .is_ok()
        );
    }
}
