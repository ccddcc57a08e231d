//! Feedback and complaints on administrative regulations and their handling
//! (phản ánh, kiến nghị, "PAKN"; Decree 20/2008/NĐ-CP, domain.md §8) and the
//! 766 figures built on them (indicators 5.1–5.3, domain.md §10).
//!
//! A feedback goes received → accepted or refused (a supplement may be asked
//! for first) → assigned → answered → published (only with the sender's
//! consent). Each stage has a limit in working days counted from the stage
//! before it; the defaults are the 766 rules'.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, shorten};

/// What a feedback is about (Decree 20/2008/NĐ-CP, Art. 4, and the
/// portal's usual headings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Conduct of an agency or official in applying a regulation: delays,
    /// nuisance, not or wrongly applying it.
    Conduct,
    /// The content of a regulation: unsuited to practice, inconsistent,
    /// unlawful.
    Regulation,
    /// A proposal or initiative to improve a regulation or procedure.
    Proposal,
    /// How a dossier was received or handled at the desk.
    DossierHandling,
    /// Anything else.
    Other,
}

impl Category {
    /// Every category, in the order forms list them.
    pub const ALL: [Category; 5] = [
        Category::Conduct,
        Category::Regulation,
        Category::Proposal,
        Category::DossierHandling,
        Category::Other,
    ];

    /// The stable text stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Conduct => "conduct",
            Category::Regulation => "regulation",
            Category::Proposal => "proposal",
            Category::DossierHandling => "dossier_handling",
            Category::Other => "other",
        }
    }

    /// The Vietnamese label users see.
    pub fn label_vi(self) -> &'static str {
        match self {
            Category::Conduct => "Hành vi hành chính của cơ quan, cán bộ, công chức",
            Category::Regulation => "Nội dung quy định hành chính",
            Category::Proposal => "Đề xuất, sáng kiến cải cách",
            Category::DossierHandling => "Việc tiếp nhận, giải quyết hồ sơ",
            Category::Other => "Nội dung khác",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        parse_key("category", "category", s, &Self::ALL, Self::as_str)
    }
}

/// The item of `all` whose stable text is `s`, or an error naming `field`
/// and the allowed texts.
fn parse_key<T: Copy>(
    field: &'static str,
    what: &str,
    s: &str,
    all: &[T],
    key: fn(T) -> &'static str,
) -> Result<T, DomainError> {
    all.iter()
        .copied()
        .find(|c| key(*c) == s.trim())
        .ok_or_else(|| {
            let allowed: Vec<&str> = all.iter().map(|c| key(*c)).collect();
            DomainError::invalid(
                field,
                format!(
                    "unknown {what} '{}'; allowed: {}",
                    shorten(s),
                    allowed.join(", ")
                ),
            )
        })
}

/// Where a feedback stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Sent; the unit has not decided whether to take it up.
    Received,
    /// The unit asked the sender for more (what is unclear or missing).
    AwaitingSupplement,
    /// Taken up.
    Accepted,
    /// Given to someone to answer.
    Assigned,
    /// Answered to the sender.
    Answered,
    /// The answer is public.
    Published,
    /// Not taken up (outside the scope of Decree 20, anonymous, already
    /// answered), with a reason.
    Refused,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 7] = [
        Status::Received,
        Status::AwaitingSupplement,
        Status::Accepted,
        Status::Assigned,
        Status::Answered,
        Status::Published,
        Status::Refused,
    ];

    /// The stable text stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::AwaitingSupplement => "awaiting_supplement",
            Status::Accepted => "accepted",
            Status::Assigned => "assigned",
            Status::Answered => "answered",
            Status::Published => "published",
            Status::Refused => "refused",
        }
    }

    /// The Vietnamese label users see.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Received => "Đã tiếp nhận",
            Status::AwaitingSupplement => "Chờ bổ sung thông tin",
            Status::Accepted => "Đã thụ lý",
            Status::Assigned => "Đang xử lý",
            Status::Answered => "Đã trả lời",
            Status::Published => "Đã công khai",
            Status::Refused => "Không thụ lý",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        parse_key("status", "status", s, &Self::ALL, Self::as_str)
    }

    /// Whether the unit's handling has ended (nothing more is owed).
    pub fn is_final(self) -> bool {
        matches!(self, Status::Published | Status::Refused)
    }
}

/// What the unit does to a feedback (the sender's supplement is
/// [`Action::Supply`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Take it up.
    Accept,
    /// Do not take it up (a reason is required).
    Refuse,
    /// Ask the sender for more (a note is required).
    RequestSupplement,
    /// The sender gives what was asked for.
    Supply,
    /// Give it to a member of staff to answer.
    Assign,
    /// Answer it (the answer is required).
    Answer,
    /// Make the answer public (only with the sender's consent).
    Publish,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 7] = [
        Action::Accept,
        Action::Refuse,
        Action::RequestSupplement,
        Action::Supply,
        Action::Assign,
        Action::Answer,
        Action::Publish,
    ];

    /// The stable text used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Refuse => "refuse",
            Action::RequestSupplement => "request_supplement",
            Action::Supply => "supply",
            Action::Assign => "assign",
            Action::Answer => "answer",
            Action::Publish => "publish",
        }
    }

    /// Parses the API's text.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        parse_key("action", "action", s, &Self::ALL, Self::as_str)
    }
}

/// The status after `action` on a feedback in `from`, or why not.
/// Publishing needs the sender's consent (`consent`).
pub fn next(from: Status, action: Action, consent: bool) -> Result<Status, DomainError> {
    use Action as A;
    use Status as S;
    let to = match (from, action) {
        (S::Received, A::Accept) => S::Accepted,
        (S::Received | S::AwaitingSupplement, A::Refuse) => S::Refused,
        (S::Received, A::RequestSupplement) => S::AwaitingSupplement,
        (S::AwaitingSupplement, A::Supply) => S::Received,
        (S::Accepted | S::Assigned, A::Assign) => S::Assigned,
        (S::Accepted | S::Assigned, A::Answer) => S::Answered,
        (S::Answered, A::Publish) if consent => S::Published,
        (S::Answered, A::Publish) => {
            return Err(DomainError::invalid(
                "action",
                "the sender did not agree to publish the answer",
            ));
        }
        _ => {
            return Err(DomainError::invalid(
                "action",
                format!(
                    "'{}' is not possible on a feedback that is {}",
                    action.as_str(),
                    from.as_str()
                ),
            ));
        }
    };
    Ok(to)
}

/// The handling limits in working days (domain.md §8: configurable, these
/// are the 766 rules' defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// From receipt to the decision to take it up or refuse it.
    pub decide: u32,
    /// From receipt to a request for a supplement.
    pub supplement: u32,
    /// From acceptance to the answer.
    pub answer: u32,
    /// From the answer to its publication.
    pub publish: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            decide: 2,
            supplement: 5,
            answer: 15,
            publish: 2,
        }
    }
}

/// What one feedback adds to the 766 figures, judged as of a moment: each
/// stage done by its due, or still open past it, makes it late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Judged {
    /// Not a repeat of an earlier feedback on the same matter.
    pub first_time: bool,
    /// A stage was (or is still) past its due.
    pub late: bool,
    /// Its published answer drew more dislikes than likes.
    pub disliked: bool,
}

/// The 766 feedback figures of a unit over a period (indicators 5.1–5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Figures {
    /// Feedback received.
    pub received: u64,
    /// Of which first-time (not repeats).
    pub first_time: u64,
    /// Repeats of an earlier feedback.
    pub repeated: u64,
    /// Handled on time at every stage so far.
    pub on_time: u64,
    /// Late at some stage.
    pub late: u64,
    /// Whose answer drew more dislikes than likes.
    pub disliked: u64,
    /// First-time, on time and not disliked: what 5.3 counts as satisfied.
    pub satisfied: u64,
}

impl Figures {
    /// Adds one feedback.
    pub fn add(&mut self, j: Judged) {
        self.received += 1;
        if j.first_time {
            self.first_time += 1;
        } else {
            self.repeated += 1;
        }
        if j.late {
            self.late += 1;
        } else {
            self.on_time += 1;
        }
        if j.disliked {
            self.disliked += 1;
        }
        if j.first_time && !j.late && !j.disliked {
            self.satisfied += 1;
        }
    }

    /// Adds another unit's figures.
    pub fn merge(&mut self, o: &Figures) {
        self.received += o.received;
        self.first_time += o.first_time;
        self.repeated += o.repeated;
        self.on_time += o.on_time;
        self.late += o.late;
        self.disliked += o.disliked;
        self.satisfied += o.satisfied;
    }

    /// Indicator 5.2: on time ÷ received, in percent.
    pub fn on_time_percent(&self) -> Option<f64> {
        percent(self.on_time, self.received)
    }

    /// Indicator 5.3: (first-time − disliked − late − repeated) ÷ first-time,
    /// in percent, never below zero (domain.md §10). Subtracting the
    /// repeats penalises a unit whose answers make people write again.
    pub fn satisfaction_percent(&self) -> Option<f64> {
        if self.first_time == 0 {
            return None;
        }
        let kept = self
            .first_time
            .saturating_sub(self.disliked)
            .saturating_sub(self.late)
            .saturating_sub(self.repeated);
        percent(kept, self.first_time)
    }
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flow_goes_through_acceptance_answer_and_publication() {
        let s = next(Status::Received, Action::RequestSupplement, true).unwrap();
        assert_eq!(s, Status::AwaitingSupplement);
        let s = next(s, Action::Supply, true).unwrap();
        assert_eq!(s, Status::Received);
        let s = next(s, Action::Accept, true).unwrap();
        let s = next(s, Action::Assign, true).unwrap();
        assert_eq!(s, Status::Assigned);
        let s = next(s, Action::Answer, true).unwrap();
        assert_eq!(next(s, Action::Publish, true).unwrap(), Status::Published);
    }

    #[test]
    fn publishing_needs_consent_and_ended_feedback_takes_nothing() {
        let e = next(Status::Answered, Action::Publish, false).unwrap_err();
        assert!(e.to_string().contains("did not agree"), "{e}");
        for a in Action::ALL {
            assert!(next(Status::Published, a, true).is_err(), "{a:?}");
            assert!(next(Status::Refused, a, true).is_err(), "{a:?}");
        }
        assert!(next(Status::Received, Action::Answer, true).is_err());
        assert!(next(Status::Accepted, Action::Supply, true).is_err());
    }

    #[test]
    fn texts_round_trip_and_unknown_ones_name_the_field() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()).unwrap(), c);
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()).unwrap(), s);
        }
        let e = Category::parse("gossip").unwrap_err().to_string();
        assert!(e.contains("category") && e.contains("conduct"), "{e}");
    }

    #[test]
    fn satisfaction_subtracts_disliked_late_and_repeated_from_first_time() {
        // 10 first-time: 2 late, 1 disliked (and late), 1 disliked on time;
        // 2 repeats. 5.3 = (10 − 2 disliked − 3 late − 2 repeated) ÷ 10.
        let mut f = Figures::default();
        for i in 0..10 {
            f.add(Judged {
                first_time: true,
                late: i < 3,
                disliked: i == 2 || i == 9,
            });
        }
        for _ in 0..2 {
            f.add(Judged {
                first_time: false,
                late: false,
                disliked: false,
            });
        }
        assert_eq!(f.received, 12);
        assert_eq!(f.late, 3);
        assert_eq!(f.disliked, 2);
        assert_eq!(f.satisfaction_percent(), Some(30.0));
        assert_eq!(f.on_time_percent(), Some(75.0));
        // Six satisfied in the plain sense: first-time, on time, liked.
        assert_eq!(f.satisfied, 6);
    }

    #[test]
    fn satisfaction_never_goes_below_zero_and_is_none_without_feedback() {
        assert_eq!(Figures::default().satisfaction_percent(), None);
        let mut f = Figures::default();
        f.add(Judged {
            first_time: true,
            late: true,
            disliked: true,
        });
        f.add(Judged::default());
        assert_eq!(f.satisfaction_percent(), Some(0.0));
    }
}
