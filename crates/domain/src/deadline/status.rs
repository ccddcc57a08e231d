//! How a deadline was met, or stands.

use jiff::SignedDuration;
use jiff::civil::DateTime;

use super::work_time::WorkTime;
use crate::error::DomainError;

/// How a finished dossier or step met its due moment (domain.md §6; the
/// figures of the Decision 766 index count these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Finished on a date before the due date (trước hạn).
    Early,
    /// Finished on the due date, by the due moment (đúng hạn).
    OnTime,
    /// Finished after the due moment (quá hạn).
    Late,
}

impl Classification {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Early => "early",
            Self::OnTime => "on_time",
            Self::Late => "late",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "early" => Some(Self::Early),
            "on_time" => Some(Self::OnTime),
            "late" => Some(Self::Late),
            _ => None,
        }
    }

    /// As printed on forms and pages (trước hạn, đúng hạn, quá hạn).
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Early => "Trước hạn",
            Self::OnTime => "Đúng hạn",
            Self::Late => "Quá hạn",
        }
    }

    /// Classifies an end moment against a due moment: late if `end > due`,
    /// early if `end` falls on a date before the due date, on time otherwise.
    pub fn of(end: DateTime, due: DateTime) -> Self {
        if end > due {
            Self::Late
        } else if end.date() < due.date() {
            Self::Early
        } else {
            Self::OnTime
        }
    }
}

/// [`Classification::of`] as a function.
pub fn classify(end: DateTime, due: DateTime) -> Classification {
    Classification::of(end, due)
}

/// Where an open dossier or step stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenStatus {
    /// More office time is left than the near-due threshold (chưa đến hạn).
    NotYetDue,
    /// Little office time is left (sắp đến hạn).
    NearDue,
    /// Past the due moment (quá hạn).
    Overdue,
}

impl WorkTime<'_> {
    /// The status at `at` of something due at `due`: overdue if `at > due`;
    /// near due if the office time left is at most `threshold`; else not yet
    /// due. A suspended dossier (waiting for the applicant) is not yet due,
    /// whatever the clock says, since its due moment will move.
    pub fn open_status(
        &self,
        at: DateTime,
        due: DateTime,
        threshold: SignedDuration,
        suspended: bool,
    ) -> Result<OpenStatus, DomainError> {
        if suspended {
            return Ok(OpenStatus::NotYetDue);
        }
        if at > due {
            return Ok(OpenStatus::Overdue);
        }
        if self.office_time_between(at, due)? <= threshold {
            Ok(OpenStatus::NearDue)
        } else {
            Ok(OpenStatus::NotYetDue)
        }
    }
}
