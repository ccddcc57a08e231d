//! Small closed vocabularies of the catalog, stored as text.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, shorten};

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($(#[$vm:meta])* $v:ident => $s:literal / $vi:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The stable text stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            /// The Vietnamese label users see.
            pub fn label_vi(self) -> &'static str {
                match self { $($name::$v => $vi),+ }
            }

            /// Parses the stored text or the Vietnamese label (case and
            /// diacritics must match the label exactly; imports fold first).
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                let t = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == t || v.label_vi() == t)
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        DomainError::invalid($field, format!("unknown value '{}'; allowed: {}", shorten(s), allowed.join(", ")))
                    })
            }
        }
    };
}

text_enum!(
    /// How far a procedure is offered online (Decree 42/2022/NĐ-CP).
    OnlineLevel, "online_level" {
        /// Not offered online (legacy levels 1–2).
        None => "none" / "Không",
        /// Partial online service: a step needs paper or a visit (legacy level 3).
        Partial => "partial" / "Một phần",
        /// Full-process online service: no visit, result online or by post (legacy level 4).
        FullProcess => "full_process" / "Toàn trình",
    }
);

impl OnlineLevel {
    /// Maps the pre-2022 levels 1–4 (configurable in domain.md; default 4→full,
    /// 3→partial, 1–2→none).
    pub fn from_legacy(level: u8) -> Result<Self, DomainError> {
        match level {
            1 | 2 => Ok(Self::None),
            3 => Ok(Self::Partial),
            4 => Ok(Self::FullProcess),
            n => Err(DomainError::invalid(
                "online_level",
                format!("legacy level {n} is not 1 to 4"),
            )),
        }
    }
}

text_enum!(
    /// The form in which a component is submitted.
    ComponentForm, "form" {
        /// Bản chính.
        Original => "original" / "Bản chính",
        /// Bản sao.
        Copy => "copy" / "Bản sao",
        /// Bản sao có chứng thực.
        CertifiedCopy => "certified_copy" / "Bản sao có chứng thực",
        /// Bản chính hoặc bản sao.
        OriginalOrCopy => "original_or_copy" / "Bản chính hoặc bản sao",
    }
);

text_enum!(
    /// Whether a component must be submitted.
    Requirement, "requirement" {
        /// Bắt buộc.
        Mandatory => "mandatory" / "Bắt buộc",
        /// Không bắt buộc.
        Optional => "optional" / "Không bắt buộc",
        /// Có điều kiện: only in some cases.
        Conditional => "conditional" / "Có điều kiện",
    }
);

text_enum!(
    /// What the procedure produces.
    ResultType, "result_type" {
        /// Quyết định.
        Decision => "decision" / "Quyết định",
        /// Giấy chứng nhận.
        Certificate => "certificate" / "Giấy chứng nhận",
        /// Giấy phép.
        Licence => "licence" / "Giấy phép",
        /// Văn bản trả lời, xác nhận.
        Reply => "reply" / "Văn bản trả lời",
        /// Bản sao, trích lục.
        CertifiedCopy => "certified_copy" / "Bản sao, trích lục",
        /// Anything else.
        Other => "other" / "Khác",
    }
);

text_enum!(
    /// Who may apply.
    ApplicantKind, "applicant" {
        /// Công dân.
        Citizen => "citizen" / "Công dân",
        /// Tổ chức, doanh nghiệp.
        Organisation => "organisation" / "Tổ chức",
        /// Both.
        Both => "both" / "Công dân, tổ chức",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_by_key_and_label() {
        for v in OnlineLevel::ALL {
            assert_eq!(OnlineLevel::parse(v.as_str()).unwrap(), *v);
            assert_eq!(OnlineLevel::parse(v.label_vi()).unwrap(), *v);
        }
        assert_eq!(ResultType::parse("Giấy phép").unwrap(), ResultType::Licence);
        let e = Requirement::parse("maybe").unwrap_err().to_string();
        assert!(
            e.starts_with("requirement:") && e.contains("mandatory"),
            "{e}"
        );
    }

    #[test]
    fn legacy_levels_map_by_the_default_table() {
        assert_eq!(
            OnlineLevel::from_legacy(4).unwrap(),
            OnlineLevel::FullProcess
        );
        assert_eq!(OnlineLevel::from_legacy(3).unwrap(), OnlineLevel::Partial);
        assert_eq!(OnlineLevel::from_legacy(2).unwrap(), OnlineLevel::None);
        assert_eq!(OnlineLevel::from_legacy(1).unwrap(), OnlineLevel::None);
        assert!(OnlineLevel::from_legacy(5).is_err());
    }
}
