//! Administrative units and their official codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, shorten};

/// The four-part electronic agency code of Circular 10/2016/TT-BTTTT
/// (mã định danh điện tử của cơ quan, đơn vị): `V1V2V3.Z1Z2.Y1Y2.MX1X2`, for
/// example `000.21.30.H99`. The first three parts are digits; the last is one
/// upper-case letter (the kind of body at the top of the tree, `H` for a
/// province's People's Committee) followed by two digits. Dossier codes start
/// with this code, so it must be exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

impl UnitCode {
    /// Parses a code, accepting surrounding white space and a lower-case letter.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim().to_ascii_uppercase();
        let parts: Vec<&str> = s.split('.').collect();
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        let ok = parts.len() == 4
            && digits(parts[0], 3)
            && digits(parts[1], 2)
            && digits(parts[2], 2)
            && parts[3].len() == 3
            && parts[3].as_bytes()[0].is_ascii_uppercase()
            && digits(&parts[3][1..], 2);
        if ok {
            Ok(Self(s))
        } else {
            Err(DomainError::invalid(
                "unit_code",
                format!(
                    "'{}' is not a unit code of the form 000.00.00.H00 (three digits, two, two, a letter and two digits)",
                    shorten(input)
                ),
            ))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UnitCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for UnitCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<UnitCode> for String {
    fn from(c: UnitCode) -> String {
        c.0
    }
}

/// What kind of body a unit is (domain.md §3). Level is kept apart from kind,
/// because a service centre or a branch of a central agency sits at a level
/// without being that level's People's Committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// A province, represented by its People's Committee (UBND tỉnh).
    Province,
    /// A department or board of a province (sở, ban, ngành).
    Department,
    /// A public administrative service centre (Trung tâm Phục vụ hành chính công).
    ServiceCentre,
    /// A district People's Committee (UBND huyện, quận, thị xã, thành phố).
    District,
    /// A specialised office of a district (phòng chuyên môn).
    DistrictOffice,
    /// A commune People's Committee (UBND xã, phường, thị trấn, đặc khu).
    Commune,
    /// A public service unit such as a land registration branch.
    PublicServiceUnit,
    /// A local branch of a central agency (tax, social insurance, police).
    CentralBranch,
    /// A one-stop desk (Bộ phận Một cửa) hosted by its parent unit.
    Desk,
}

impl UnitKind {
    /// Every kind, in the order the interface lists them.
    pub const ALL: [UnitKind; 9] = [
        UnitKind::Province,
        UnitKind::Department,
        UnitKind::ServiceCentre,
        UnitKind::District,
        UnitKind::DistrictOffice,
        UnitKind::Commune,
        UnitKind::PublicServiceUnit,
        UnitKind::CentralBranch,
        UnitKind::Desk,
    ];

    /// The stable text stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::Department => "department",
            UnitKind::ServiceCentre => "service_centre",
            UnitKind::District => "district",
            UnitKind::DistrictOffice => "district_office",
            UnitKind::Commune => "commune",
            UnitKind::PublicServiceUnit => "public_service_unit",
            UnitKind::CentralBranch => "central_branch",
            UnitKind::Desk => "desk",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                DomainError::invalid("kind", format!("unknown unit kind '{}'", shorten(s)))
            })
    }
}

/// Administrative level of a unit (cấp). The district level existed until
/// 30 June 2025; data from before keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Central government bodies.
    Central,
    /// Province (cấp tỉnh).
    Province,
    /// District (cấp huyện), until mid-2025.
    District,
    /// Commune (cấp xã).
    Commune,
}

impl Level {
    /// Every level, top first.
    pub const ALL: [Level; 4] = [
        Level::Central,
        Level::Province,
        Level::District,
        Level::Commune,
    ];

    /// The stable text stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Central => "central",
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s.trim())
            .ok_or_else(|| DomainError::invalid("level", format!("unknown level '{}'", shorten(s))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_code_accepts_the_official_shape_and_normalises_case() {
        let c = UnitCode::parse(" 000.21.30.h99 ").unwrap();
        assert_eq!(c.as_str(), "000.21.30.H99");
    }

    #[test]
    fn unit_code_rejects_wrong_shapes() {
        for bad in [
            "",
            "000.21.30",
            "00.21.30.H99",
            "000.21.30.999",
            "000.2a.30.H99",
            "000.21.30.H9",
            "000.21.30.H99.1",
        ] {
            let err = UnitCode::parse(bad).unwrap_err();
            assert!(err.to_string().starts_with("unit_code:"), "{bad}: {err}");
        }
    }

    #[test]
    fn kinds_and_levels_round_trip_through_text() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()).unwrap(), k);
        }
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()).unwrap(), l);
        }
        assert!(UnitKind::parse("village").is_err());
    }
}
