//! How a citizen or business is reached: an e-mail address or a Vietnamese
//! phone number, in one normal form.
//!
//! Accounts are found by their contact, so the same person must not get two
//! accounts from "An@Example.org" and "an@example.org", or from
//! "+84 912 345 678" and "0912.345.678". The normal form is what is stored,
//! looked up and sent to.

use std::fmt;

use crate::error::DomainError;

/// The longest e-mail address accepted (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;

/// An e-mail address or a phone number in normal form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Contact {
    /// Lower case, trimmed: `an@example.org`.
    Email(String),
    /// Ten digits starting with 0: `0912345678`.
    Phone(String),
}

impl Contact {
    /// Reads what a person typed as their e-mail address or phone number.
    /// Anything with an `@` is taken as an address; the rest must be a
    /// Vietnamese mobile or landline number, with spaces, dots, dashes or
    /// brackets as people write them, and `+84` or `84` for the leading 0.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(DomainError::invalid(
                "contact",
                "an e-mail address or a phone number",
            ));
        }
        if t.contains('@') {
            return parse_email(t).map(Self::Email);
        }
        parse_phone(t).map(Self::Phone)
    }

    /// The stored and looked-up form.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(s) | Self::Phone(s) => s,
        }
    }

    /// The form shown back to its owner, most of it hidden, for pages that
    /// say where a code went: `a***@example.org`, `091****678`.
    pub fn masked(&self) -> String {
        match self {
            Self::Email(s) => {
                let (local, domain) = s.split_once('@').unwrap_or((s, ""));
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            Self::Phone(s) => {
                let head: String = s.chars().take(3).collect();
                let tail: String = s
                    .chars()
                    .skip(s.chars().count().saturating_sub(3))
                    .collect();
                format!("{head}****{tail}")
            }
        }
    }
}

impl fmt::Display for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn parse_email(t: &str) -> Result<String, DomainError> {
    let bad = |why: &str| Err(DomainError::invalid("contact", why.to_owned()));
    if t.len() > MAX_EMAIL {
        return bad("an e-mail address of at most 254 characters");
    }
    let lower = t.to_lowercase();
    let Some((local, domain)) = lower.split_once('@') else {
        return bad("an e-mail address");
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2 && labels.iter().all(|l| label_ok(l));
    if !local_ok || !domain_ok {
        return bad("an e-mail address such as ten@vidu.vn");
    }
    Ok(lower)
}

fn parse_phone(t: &str) -> Result<String, DomainError> {
    let bad = || {
        Err(DomainError::invalid(
            "contact",
            "a phone number of 10 digits starting with 0, such as 0912 345 678",
        ))
    };
    if t.chars().count() > 30 {
        return bad();
    }
    let mut digits = String::new();
    for (i, c) in t.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return bad(),
        }
    }
    let national = if t.starts_with('+') || (digits.starts_with("84") && digits.len() == 11) {
        match digits.strip_prefix("84") {
            Some(rest) => format!("0{rest}"),
            None => return bad(),
        }
    } else {
        digits
    };
    if national.len() != 10 || !national.starts_with('0') || national.starts_with("00") {
        return bad();
    }
    Ok(national)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ways_people_write_one_contact_give_one_form() {
        for typed in [
            "0912345678",
            "0912 345 678",
            "0912.345.678",
            "091-234-5678",
            "+84 912 345 678",
            "+84912345678",
            "84912345678",
            " (091) 2345678 ",
        ] {
            assert_eq!(
                Contact::parse(typed).unwrap(),
                Contact::Phone("0912345678".into()),
                "{typed}"
            );
        }
        assert_eq!(
            Contact::parse("  Nguyen.An+hs@Example.ORG ").unwrap(),
            Contact::Email("nguyen.an+hs@example.org".into())
        );
    }

    #[test]
    fn what_is_no_contact_names_the_field() {
        for typed in [
            "",
            "   ",
            "091234567",
            "09123456789",
            "0012345678",
            "+1 415 555 0100",
            "0912x345678",
            "an@",
            "@example.org",
            "an@example",
            "an@@example.org",
            "a..n@example.org",
            "an@-example.org",
            "an @example.org",
            "ạn@example.org",
            &format!("{}@example.org", "a".repeat(250)),
            &"9".repeat(40),
        ] {
            let DomainError::Invalid { field, .. } = Contact::parse(typed).unwrap_err();
            assert_eq!(field, "contact", "{typed}");
        }
    }

    #[test]
    fn masked_forms_hide_the_middle() {
        assert_eq!(Contact::Phone("0912345678".into()).masked(), "091****678");
        assert_eq!(
            Contact::Email("nguyen.an@example.org".into()).masked(),
            "n***@example.org"
        );
    }
}
