//! Interface text in Vietnamese (the default) and English.
//!
//! Every word a staff page shows comes from a message catalog, `vi.toml` or
//! `en.toml` next to this file, compiled into the binary. A catalog is flat
//! text under dotted keys (`[dashboard]` + `overdue = "…"` is
//! `dashboard.overdue`); `{name}` marks a value filled in by [`Texts::fill`].
//! The two catalogs hold the same keys, which a unit test checks, so a page
//! never falls back to the other language.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// Name of the cookie that keeps the chosen language.
pub const LANG_COOKIE: &str = "lang";

const VI_SOURCE: &str = include_str!("vi.toml");
const EN_SOURCE: &str = include_str!("en.toml");

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    /// English, for staff who read it better and for visitors.
    En,
}

impl Lang {
    /// The language named by a code (`vi`, `en`), if it is one.
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "vi" => Some(Self::Vi),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The code used in the cookie and in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    /// The language the header's switch link offers.
    pub fn other(self) -> Self {
        match self {
            Self::Vi => Self::En,
            Self::En => Self::Vi,
        }
    }

    /// The language of a request: the `lang` cookie, else Vietnamese.
    pub fn of(parts: &Parts) -> Self {
        crate::auth::cookie(parts, LANG_COOKIE)
            .and_then(|c| Self::parse(&c))
            .unwrap_or_default()
    }

    /// This language's catalog.
    pub fn texts(self) -> Texts {
        let catalogs = &*CATALOGS;
        Texts {
            lang: self,
            catalog: match self {
                Self::Vi => &catalogs.0,
                Self::En => &catalogs.1,
            },
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts))
    }
}

/// Keys and texts of one language.
pub type Catalog = HashMap<String, String>;

/// Reads a catalog: TOML whose tables become dotted key prefixes and whose
/// leaves must all be strings.
pub fn parse_catalog(source: &str) -> Result<Catalog, String> {
    let table: toml::Table = toml::from_str(source).map_err(|e| e.to_string())?;
    let mut out = Catalog::new();
    flatten("", &table, &mut out)?;
    Ok(out)
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalog) -> Result<(), String> {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out)?,
            other => return Err(format!("{key}: expected text, found {}", other.type_str())),
        }
    }
    Ok(())
}

/// The catalogs, read once. A broken catalog cannot pass the unit tests; if
/// one ever shipped, pages would show keys rather than fail.
static CATALOGS: LazyLock<(Catalog, Catalog)> = LazyLock::new(|| {
    let load = |name: &str, src: &str| {
        parse_catalog(src).unwrap_or_else(|e| {
            tracing::error!(catalog = name, error = %e, "message catalog cannot be read");
            Catalog::new()
        })
    };
    (load("vi", VI_SOURCE), load("en", EN_SOURCE))
});

/// The texts of the request's language, handed to every template as `t`.
#[derive(Debug, Clone, Copy)]
pub struct Texts {
    lang: Lang,
    catalog: &'static Catalog,
}

impl Texts {
    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text under `key`; the key itself when missing, so a forgotten
    /// entry shows on the page and in tests instead of an empty space.
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        match self.catalog.get(key) {
            Some(text) => text.as_str(),
            None => {
                tracing::warn!(key, lang = self.lang.code(), "missing message");
                key
            }
        }
    }

    /// The text under `key` with each `{name}` replaced by its value.
    pub fn fill<V: AsRef<str>>(&self, key: &str, values: &[(&str, V)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value.as_ref());
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(c: &Catalog) -> BTreeSet<&str> {
        c.keys().map(String::as_str).collect()
    }

    #[test]
    fn both_catalogs_parse_and_hold_exactly_the_same_keys_with_text() {
        let vi = parse_catalog(VI_SOURCE).unwrap();
        let en = parse_catalog(EN_SOURCE).unwrap();
        let (kv, ke) = (keys(&vi), keys(&en));
        let only_vi: Vec<_> = kv.difference(&ke).collect();
        let only_en: Vec<_> = ke.difference(&kv).collect();
        assert!(only_vi.is_empty(), "keys missing in en.toml: {only_vi:?}");
        assert!(only_en.is_empty(), "keys missing in vi.toml: {only_en:?}");
        for (lang, c) in [("vi", &vi), ("en", &en)] {
            let empty: Vec<_> = c
                .iter()
                .filter(|(_, v)| v.trim().is_empty())
                .map(|(k, _)| k)
                .collect();
            assert!(empty.is_empty(), "{lang}: empty texts for {empty:?}");
        }
        assert!(vi.len() > 50, "the catalog was read whole");
    }

    #[test]
    fn placeholders_match_between_languages() {
        let vi = parse_catalog(VI_SOURCE).unwrap();
        let en = parse_catalog(EN_SOURCE).unwrap();
        let names = |s: &str| -> BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned()))
                .collect()
        };
        for (k, v) in &vi {
            assert_eq!(names(v), names(&en[k]), "placeholders of {k}");
        }
    }

    #[test]
    fn every_key_a_template_or_page_uses_is_in_the_catalog() {
        let vi = parse_catalog(VI_SOURCE).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["templates", "src/ui"] {
            let mut stack = vec![root.join(dir)];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).unwrap() {
                    let p = entry.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else {
                        files.push(p);
                    }
                }
            }
        }
        let mut used = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for call in ["t.get(", "t.fill("] {
                for part in text.split(call).skip(1) {
                    let Some(literal) = part.trim_start().strip_prefix('"') else {
                        continue;
                    };
                    let key = literal.split('"').next().unwrap();
                    assert!(
                        vi.contains_key(key),
                        "{} uses {key:?}, missing in the catalogs",
                        f.display()
                    );
                    used += 1;
                }
            }
        }
        assert!(used > 30, "the scan found the keys in use ({used})");
    }

    #[test]
    fn fill_replaces_named_values_and_missing_keys_show_themselves() {
        let t = Lang::Vi.texts();
        assert_eq!(t.get("no.such.key"), "no.such.key");
        assert_eq!(
            t.fill("login.rate_limited", &[("minutes", "15")]),
            "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."
        );
        assert_eq!(
            Lang::En
                .texts()
                .fill("login.rate_limited", &[("minutes", "15")]),
            "Too many failed sign-ins. Try again in 15 minutes."
        );
    }

    #[test]
    fn the_language_comes_from_its_code_and_defaults_to_vietnamese() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::default(), Lang::Vi);
        assert_eq!(Lang::Vi.other(), Lang::En);
    }
}
