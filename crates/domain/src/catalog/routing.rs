//! Routing a dossier whose procedure has no internal process (issue 18,
//! point 3): most procedures of a commune have no approved process of their
//! own, yet every dossier must reach the office that handles its field
//! (lĩnh vực) and then the leader who signs.
//!
//! Two pieces of configuration make that work:
//! - each office says which fields it handles (its sectors), so a hand-over
//!   can offer the offices of the receiving unit's tree that handle the
//!   procedure's field, and their people;
//! - an administrator may set a **default process** per field and level: a
//!   template of steps whose units are not fixed codes (a template serves
//!   every commune of the province) but places relative to the receiving
//!   desk: the desk itself, the office handling the field, the People's
//!   Committee at the head of the tree. Its times are fixed working hours
//!   or days, and at most one step takes "the rest" of the procedure's
//!   legal limit, so one template fits procedures of different limits.

use serde::{Deserialize, Serialize};

use crate::catalog::process::{HOURS_PER_WORKING_DAY, cap_hours};
use crate::deadline::TimeLimit;
use crate::error::{DomainError, shorten};
use crate::role::Role;
use crate::unit::Level;

/// The most steps a default process may have.
pub const MAX_DEFAULT_STEPS: usize = 10;
/// The most default processes (fields × levels) kept.
pub const MAX_DEFAULT_PROCESSES: usize = 400;
/// The most fields one office may handle.
pub const MAX_SECTORS_PER_UNIT: usize = 100;
/// The longest field name or step name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Where a default step is done, relative to the desk that received the
/// dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepPlace {
    /// The receiving desk (reception, checking, hand-over, return).
    Desk,
    /// The office of the tree that handles the procedure's field (the head
    /// itself when no office says it handles it).
    Office,
    /// The People's Committee at the head of the receiving unit's tree.
    Head,
}

impl StepPlace {
    /// Every place, in the order forms list them.
    pub const ALL: [StepPlace; 3] = [StepPlace::Desk, StepPlace::Office, StepPlace::Head];

    /// The stable text used in settings and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            StepPlace::Desk => "desk",
            StepPlace::Office => "office",
            StepPlace::Head => "head",
        }
    }

    /// Parses the stable text.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| {
                DomainError::invalid(
                    "place",
                    format!("'{}' is not desk, office or head", shorten(s)),
                )
            })
    }
}

/// The time a default step takes: fixed, or what the procedure's limit
/// leaves after the fixed steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Allotment {
    /// Working hours or working days.
    Fixed(TimeLimit),
    /// The rest of the legal limit.
    Rest,
}

impl Allotment {
    /// Parses `rest` or a step time such as `4 working_hours`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        if s == "rest" {
            return Ok(Allotment::Rest);
        }
        let limit: TimeLimit = s.parse()?;
        match limit {
            TimeLimit::WorkingHours(_) | TimeLimit::WorkingDays(_) => Ok(Allotment::Fixed(limit)),
            other => Err(DomainError::invalid(
                "allotted",
                format!("{other} is not a step time; give working_hours, working_days or rest"),
            )),
        }
    }

    /// The stable text: `rest` or the limit's text.
    pub fn as_text(self) -> String {
        match self {
            Allotment::Fixed(l) => l.to_string(),
            Allotment::Rest => "rest".to_owned(),
        }
    }
}

impl TryFrom<String> for Allotment {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Allotment> for String {
    fn from(a: Allotment) -> String {
        a.as_text()
    }
}

/// Field paths of each step's parts, for errors (`DomainError` names a
/// static field).
const FIELDS: [[&str; 3]; MAX_DEFAULT_STEPS] = [
    ["steps[0].name", "steps[0].role", "steps[0].allotted"],
    ["steps[1].name", "steps[1].role", "steps[1].allotted"],
    ["steps[2].name", "steps[2].role", "steps[2].allotted"],
    ["steps[3].name", "steps[3].role", "steps[3].allotted"],
    ["steps[4].name", "steps[4].role", "steps[4].allotted"],
    ["steps[5].name", "steps[5].role", "steps[5].allotted"],
    ["steps[6].name", "steps[6].role", "steps[6].allotted"],
    ["steps[7].name", "steps[7].role", "steps[7].allotted"],
    ["steps[8].name", "steps[8].role", "steps[8].allotted"],
    ["steps[9].name", "steps[9].role", "steps[9].allotted"],
];

/// One step of a default process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultStep {
    /// What is done ("Thẩm định hồ sơ, trình ký").
    pub name: String,
    /// Where it is done.
    pub place: StepPlace,
    /// Who holds it.
    pub role: Role,
    /// How long it takes.
    pub allotted: Allotment,
}

/// A default process for the procedures of one field at one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultProcess {
    /// The field (lĩnh vực) as the catalog names it.
    pub sector: String,
    /// The level of the units that receive (commune, province…).
    pub level: Level,
    /// The steps in order.
    pub steps: Vec<DefaultStep>,
}

/// A field name: trimmed, not empty, at most [`MAX_NAME_CHARS`] characters.
pub fn parse_sector(field: &'static str, s: &str) -> Result<String, DomainError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME_CHARS || t.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            format!("a field name has 1 to {MAX_NAME_CHARS} characters and no control characters"),
        ));
    }
    Ok(t.to_owned())
}

impl DefaultProcess {
    /// Checks the template: a field, 1 to [`MAX_DEFAULT_STEPS`] named steps,
    /// at most one taking the rest, and the roles that can hold a step.
    /// Errors name the step (`steps[1].name`).
    pub fn checked(mut self) -> Result<Self, DomainError> {
        self.sector = parse_sector("sector", &self.sector)?;
        if self.steps.is_empty() || self.steps.len() > MAX_DEFAULT_STEPS {
            return Err(DomainError::invalid(
                "steps",
                format!("a default process has 1 to {MAX_DEFAULT_STEPS} steps"),
            ));
        }
        let mut rest = 0;
        for (s, [name_f, role_f, allotted_f]) in self.steps.iter_mut().zip(FIELDS) {
            let name = s.name.trim();
            if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
                return Err(DomainError::invalid(
                    name_f,
                    format!("a step is named in 1 to {MAX_NAME_CHARS} characters"),
                ));
            }
            s.name = name.to_owned();
            if !matches!(s.role, Role::DeskOfficer | Role::Specialist | Role::Leader) {
                return Err(DomainError::invalid(
                    role_f,
                    "a step is held by a desk officer, a specialist or a leader",
                ));
            }
            match s.allotted {
                Allotment::Rest => rest += 1,
                Allotment::Fixed(l) => {
                    let ok = matches!(
                        l,
                        TimeLimit::WorkingHours(1..) | TimeLimit::WorkingDays(1..)
                    ) && l.validate().is_ok();
                    if !ok {
                        return Err(DomainError::invalid(
                            allotted_f,
                            "give working hours or working days, at least one",
                        ));
                    }
                }
            }
        }
        if rest > 1 {
            return Err(DomainError::invalid(
                "steps",
                "only one step may take the rest of the limit",
            ));
        }
        Ok(self)
    }

    /// Each step's time for a procedure with the legal limit `legal`: fixed
    /// steps as written; the "rest" step the working hours the limit leaves
    /// after them (at least one hour, so a tight limit still shows a due
    /// moment, and the step is late rather than forgotten), or no limit
    /// when the procedure has none.
    pub fn allotments(&self, legal: TimeLimit) -> Vec<TimeLimit> {
        let fixed: u32 = self
            .steps
            .iter()
            .map(|s| match s.allotted {
                Allotment::Fixed(TimeLimit::WorkingHours(n)) => n,
                Allotment::Fixed(TimeLimit::WorkingDays(n)) => {
                    n.saturating_mul(HOURS_PER_WORKING_DAY)
                }
                _ => 0,
            })
            .fold(0u32, u32::saturating_add);
        self.steps
            .iter()
            .map(|s| match s.allotted {
                Allotment::Fixed(l) => l,
                Allotment::Rest => match cap_hours(legal) {
                    Some(cap) => TimeLimit::WorkingHours(cap.saturating_sub(fixed).max(1)),
                    None => TimeLimit::NoLimit,
                },
            })
            .collect()
    }
}

/// The default process for a field at a level, if any (fields compared as
/// written after trimming, case-insensitively, as the catalog keeps them).
pub fn find<'a>(
    list: &'a [DefaultProcess],
    sector: &str,
    level: Level,
) -> Option<&'a DefaultProcess> {
    let want = sector.trim().to_lowercase();
    list.iter()
        .find(|p| p.level == level && p.sector.to_lowercase() == want)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(place: StepPlace, role: Role, allotted: Allotment) -> DefaultStep {
        DefaultStep {
            name: "Bước".into(),
            place,
            role,
            allotted,
        }
    }

    fn field(e: &DomainError) -> &'static str {
        match e {
            DomainError::Invalid { field, .. } => field,
        }
    }

    fn template(steps: Vec<DefaultStep>) -> DefaultProcess {
        DefaultProcess {
            sector: " Hộ tịch ".into(),
            level: Level::Commune,
            steps,
        }
    }

    #[test]
    fn the_rest_step_takes_what_the_fixed_steps_leave() {
        let p = template(vec![
            step(
                StepPlace::Desk,
                Role::DeskOfficer,
                Allotment::Fixed(TimeLimit::WorkingHours(4)),
            ),
            step(StepPlace::Office, Role::Specialist, Allotment::Rest),
            step(
                StepPlace::Head,
                Role::Leader,
                Allotment::Fixed(TimeLimit::WorkingDays(1)),
            ),
        ])
        .checked()
        .unwrap();
        assert_eq!(p.sector, "Hộ tịch");
        // 5 working days = 40 h; 4 h and 8 h fixed leave 28 h.
        assert_eq!(
            p.allotments(TimeLimit::WorkingDays(5)),
            vec![
                TimeLimit::WorkingHours(4),
                TimeLimit::WorkingHours(28),
                TimeLimit::WorkingDays(1)
            ]
        );
        // A same-day limit (8 h) is smaller than the fixed 12 h: one hour.
        assert_eq!(
            p.allotments(TimeLimit::SameDay)[1],
            TimeLimit::WorkingHours(1)
        );
        assert_eq!(p.allotments(TimeLimit::NoLimit)[1], TimeLimit::NoLimit);
    }

    #[test]
    fn bad_templates_name_the_step_at_fault() {
        let two_rests = template(vec![
            step(StepPlace::Office, Role::Specialist, Allotment::Rest),
            step(StepPlace::Head, Role::Leader, Allotment::Rest),
        ]);
        let e = two_rests.checked().unwrap_err();
        assert_eq!(field(&e), "steps");
        let admin = template(vec![step(
            StepPlace::Head,
            Role::UnitAdmin,
            Allotment::Rest,
        )]);
        assert_eq!(field(&admin.checked().unwrap_err()), "steps[0].role");
        let mut unnamed = template(vec![
            step(StepPlace::Desk, Role::DeskOfficer, Allotment::Rest),
            step(
                StepPlace::Head,
                Role::Leader,
                Allotment::Fixed(TimeLimit::WorkingHours(8)),
            ),
        ]);
        unnamed.steps[1].name = "  ".into();
        assert_eq!(field(&unnamed.checked().unwrap_err()), "steps[1].name");
        let zero = template(vec![step(
            StepPlace::Desk,
            Role::DeskOfficer,
            Allotment::Fixed(TimeLimit::WorkingHours(0)),
        )]);
        assert_eq!(field(&zero.checked().unwrap_err()), "steps[0].allotted");
        assert_eq!(field(&template(vec![]).checked().unwrap_err()), "steps");
        let mut blank = template(vec![step(
            StepPlace::Desk,
            Role::DeskOfficer,
            Allotment::Rest,
        )]);
        blank.sector = " ".into();
        assert_eq!(field(&blank.checked().unwrap_err()), "sector");
    }

    #[test]
    fn allotments_parse_rest_and_step_times_only() {
        assert_eq!(Allotment::parse(" rest ").unwrap(), Allotment::Rest);
        assert_eq!(
            Allotment::parse("4 working_hours").unwrap(),
            Allotment::Fixed(TimeLimit::WorkingHours(4))
        );
        assert!(Allotment::parse("3 calendar_days").is_err());
        assert!(Allotment::parse("same_day").is_err());
        assert_eq!(Allotment::parse("rest").unwrap().as_text(), "rest");
        assert_eq!(StepPlace::parse("office").unwrap(), StepPlace::Office);
        assert!(StepPlace::parse("elsewhere").is_err());
    }

    #[test]
    fn find_matches_the_field_and_the_level() {
        let p = template(vec![step(
            StepPlace::Desk,
            Role::DeskOfficer,
            Allotment::Rest,
        )])
        .checked()
        .unwrap();
        let list = vec![p];
        assert!(find(&list, "hộ tịch", Level::Commune).is_some());
        assert!(find(&list, "Hộ tịch", Level::Province).is_none());
        assert!(find(&list, "Chứng thực", Level::Commune).is_none());
    }
}
