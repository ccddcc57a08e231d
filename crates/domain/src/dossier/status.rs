//! Channels, return methods, statuses and outcomes of a dossier (domain.md §5).

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, shorten};

macro_rules! stored_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($(#[$vm:meta])* $v:ident => $s:literal),+ $(,)? }) => {
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

            /// Parses the stored text.
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    DomainError::invalid(
                        $field,
                        format!("unknown value '{}'; allowed: {}", shorten(s), allowed.join(", ")),
                    )
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stored_enum!(
    /// How a dossier reached the desk (kênh tiếp nhận).
    Channel, "channel" {
        /// Brought to the desk (trực tiếp).
        InPerson => "in_person",
        /// Submitted through the portal (trực tuyến).
        Online => "online",
        /// Collected by a postal worker for the desk (bưu chính công ích).
        Postal => "postal",
    }
);

stored_enum!(
    /// How the result reaches the applicant (hình thức trả kết quả).
    ReturnMethod, "return_method" {
        /// Collected at the desk; records collector and identity.
        InPerson => "in_person",
        /// Sent by post; records shipment and delivery.
        Postal => "postal",
        /// Made available online; records availability and first download.
        Online => "online",
    }
);

stored_enum!(
    /// Where a dossier stands (trạng thái hồ sơ), domain.md §5.
    Status, "status" {
        /// Being filled in (online by the applicant, or at the desk).
        Draft => "draft",
        /// Submitted online, waiting for the desk to accept it.
        AwaitingOnlineReception => "awaiting_online_reception",
        /// Received; the clock runs.
        Received => "received",
        /// At a step of the internal process, with a holder.
        Processing => "processing",
        /// Waiting for the applicant to supply what is missing.
        AwaitingSupplement => "awaiting_supplement",
        /// Waiting for the applicant to pay a financial obligation.
        AwaitingFinancialObligation => "awaiting_financial_obligation",
        /// The result is signed: processing has ended.
        Done => "done",
        /// The result was handed to the applicant.
        Returned => "returned",
        /// Refused after receipt (or at online reception).
        Refused => "refused",
        /// Processing was stopped (Circular 03/2025 form 05).
        Stopped => "stopped",
        /// The applicant withdrew the dossier.
        Withdrawn => "withdrawn",
        /// Entered by mistake; excluded everywhere.
        Voided => "voided",
    }
);

/// What the deadline clock does in a status (domain.md §5 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Not received yet: no clock.
    NotStarted,
    /// The clock runs.
    Runs,
    /// Suspended for a supplement, per the procedure's suspension policy.
    SupplementWait,
    /// Waiting for a financial obligation: paused unless the procedure says
    /// the clock runs.
    FinancialObligationWait,
    /// Processing has ended (or the result was returned): the clock stopped.
    Stopped,
    /// Voided: excluded from every figure.
    Excluded,
}

impl Status {
    /// The Vietnamese label users see.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Draft => "Bản nháp",
            Self::AwaitingOnlineReception => "Chờ tiếp nhận",
            Self::Received => "Mới tiếp nhận",
            Self::Processing => "Đang xử lý",
            Self::AwaitingSupplement => "Chờ bổ sung",
            Self::AwaitingFinancialObligation => "Chờ nghĩa vụ tài chính",
            Self::Done => "Đã xử lý xong",
            Self::Returned => "Đã trả kết quả",
            Self::Refused => "Từ chối",
            Self::Stopped => "Dừng giải quyết",
            Self::Withdrawn => "Đã rút",
            Self::Voided => "Hủy (nhập sai)",
        }
    }

    /// The status label of the National Public Service Portal, or `None` for
    /// statuses the portal does not receive (drafts, online submissions not
    /// yet accepted, voided dossiers).
    pub fn portal_label(self) -> Option<&'static str> {
        match self {
            Self::Draft | Self::AwaitingOnlineReception | Self::Voided => None,
            Self::Received => Some("Mới tiếp nhận"),
            Self::Processing => Some("Đang xử lý"),
            Self::AwaitingSupplement => Some("Yêu cầu bổ sung"),
            Self::AwaitingFinancialObligation => Some("Yêu cầu thực hiện nghĩa vụ tài chính"),
            Self::Done => Some("Đã xử lý xong"),
            Self::Returned => Some("Đã trả kết quả"),
            Self::Refused => Some("Từ chối"),
            Self::Stopped => Some("Dừng xử lý"),
            Self::Withdrawn => Some("Công dân yêu cầu rút hồ sơ"),
        }
    }

    /// What the deadline clock does in this status.
    pub fn clock(self) -> ClockState {
        match self {
            Self::Draft | Self::AwaitingOnlineReception => ClockState::NotStarted,
            Self::Received | Self::Processing => ClockState::Runs,
            Self::AwaitingSupplement => ClockState::SupplementWait,
            Self::AwaitingFinancialObligation => ClockState::FinancialObligationWait,
            Self::Done | Self::Returned | Self::Refused | Self::Stopped | Self::Withdrawn => {
                ClockState::Stopped
            }
            Self::Voided => ClockState::Excluded,
        }
    }

    /// Whether the clock runs in this status; `financial_obligation_pauses`
    /// is the procedure's setting (default `true`). A supplement wait never
    /// runs the clock: it pauses it or, under the restart policy, the limit
    /// counts again from resumption.
    pub fn clock_runs(self, financial_obligation_pauses: bool) -> bool {
        match self.clock() {
            ClockState::Runs => true,
            ClockState::FinancialObligationWait => !financial_obligation_pauses,
            _ => false,
        }
    }

    /// Whether no further step of the lifecycle follows (only voiding, where
    /// allowed): returned, refused, stopped, withdrawn, voided.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Returned | Self::Refused | Self::Stopped | Self::Withdrawn | Self::Voided
        )
    }

    /// Whether entering this status ends processing (domain.md §6
    /// classification): done, refused, stopped, withdrawn. `returned` comes
    /// after `done`, which is the end that counts.
    pub fn ends_processing(self) -> bool {
        self.outcome().is_some()
    }

    /// Whether the dossier has been received and not voided, i.e. it counts
    /// in figures.
    pub fn is_received(self) -> bool {
        !matches!(
            self,
            Self::Draft | Self::AwaitingOnlineReception | Self::Voided
        )
    }

    /// The outcome this status records, if it ends processing.
    pub fn outcome(self) -> Option<Outcome> {
        match self {
            Self::Done => Some(Outcome::Result),
            Self::Refused => Some(Outcome::Refused),
            Self::Stopped => Some(Outcome::Stopped),
            Self::Withdrawn => Some(Outcome::Withdrawn),
            _ => None,
        }
    }
}

/// How processing ended (domain.md §5 "Ends"); each is classified against
/// the due moment like any end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A result was signed (`done`).
    Result,
    /// The request was refused after receipt.
    Refused,
    /// Processing was stopped.
    Stopped,
    /// The applicant withdrew; processing ends at the request moment.
    Withdrawn,
}

impl Outcome {
    /// The status that records the outcome.
    pub fn status(self) -> Status {
        match self {
            Self::Result => Status::Done,
            Self::Refused => Status::Refused,
            Self::Stopped => Status::Stopped,
            Self::Withdrawn => Status::Withdrawn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_is_refused_with_the_list() {
        assert_eq!(Status::ALL.len(), 12);
        for &s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()).unwrap(), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        let e = Status::parse("closed").unwrap_err().to_string();
        assert!(
            e.starts_with("status:") && e.contains("awaiting_supplement"),
            "{e}"
        );
        assert_eq!(Channel::parse("postal").unwrap(), Channel::Postal);
        assert_eq!(ReturnMethod::parse("online").unwrap(), ReturnMethod::Online);
        assert!(Channel::parse("fax").is_err());
    }

    #[test]
    fn labels_follow_the_table_of_domain_md() {
        assert_eq!(Status::Received.label_vi(), "Mới tiếp nhận");
        assert_eq!(
            Status::AwaitingSupplement.portal_label(),
            Some("Yêu cầu bổ sung")
        );
        assert_eq!(Status::Stopped.label_vi(), "Dừng giải quyết");
        assert_eq!(Status::Stopped.portal_label(), Some("Dừng xử lý"));
        assert_eq!(
            Status::Withdrawn.portal_label(),
            Some("Công dân yêu cầu rút hồ sơ")
        );
        assert_eq!(Status::Draft.portal_label(), None);
        assert_eq!(Status::Voided.portal_label(), None);
    }

    #[test]
    fn the_clock_runs_only_when_received_or_processing_unless_payment_runs_it() {
        let running: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|s| s.clock_runs(true))
            .collect();
        assert_eq!(running, [Status::Received, Status::Processing]);
        assert!(Status::AwaitingFinancialObligation.clock_runs(false));
        assert!(!Status::AwaitingSupplement.clock_runs(false));
    }

    #[test]
    fn outcomes_map_to_their_statuses() {
        for o in [
            Outcome::Result,
            Outcome::Refused,
            Outcome::Stopped,
            Outcome::Withdrawn,
        ] {
            assert_eq!(o.status().outcome(), Some(o));
        }
        assert_eq!(Status::Returned.outcome(), None);
        assert!(Status::Returned.is_terminal() && !Status::Done.is_terminal());
    }
}
