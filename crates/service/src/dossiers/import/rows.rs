//! Turning a file row into a [`Parsed`] dossier: every cell read, every
//! rule that needs no database checked (required cells, the order of the
//! timeline, outcome and return together), each problem reported with its
//! row and column.

use jiff::civil::DateTime;
use motcua_domain::catalog::ProcedureCode;
use motcua_domain::dossier::{Channel, DossierCode, Outcome, ReturnMethod, Status};
use motcua_domain::error::shorten;

use super::cells::{self, Extension, Interval};
use super::file::{Cell, Col, Layout, Row};
use crate::catalog::import::Issues;
use crate::store::{Applicant, ApplicantType};

/// A dossier read from one row, before the database is consulted.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The file row.
    pub row: usize,
    /// The code kept from the old system.
    pub code: DossierCode,
    /// The procedure.
    pub procedure: ProcedureCode,
    /// How it arrived (default in person).
    pub channel: Channel,
    /// How the result goes back (default in person).
    pub return_method: ReturnMethod,
    /// Who asked.
    pub applicant: Applicant,
    /// Sets handed in (default 1).
    pub sets: u32,
    /// Fee in đồng; none takes the catalog's.
    pub fee: Option<i64>,
    /// Receipt, Vietnam time.
    pub received: DateTime,
    /// The appointment the old system recorded.
    pub recorded_due: Option<DateTime>,
    /// Supplement waits, in order.
    pub supplements: Vec<Interval>,
    /// Apology letters, in order.
    pub extensions: Vec<Extension>,
    /// End of processing and how.
    pub finished: Option<(DateTime, Outcome)>,
    /// Return of the result.
    pub returned: Option<DateTime>,
    /// The status the file states, checked against the timeline.
    pub status: Option<Status>,
    /// An electronic result was issued.
    pub result_digitised: bool,
    /// Components received, and how many of them were digitised.
    pub components: (u32, u32),
    /// Free text for the receive event.
    pub note: String,
}

/// Reads one row; `None` when any cell was refused (already reported).
pub fn parse_row(layout: &Layout, row: &Row, now: DateTime, issues: &mut Issues) -> Option<Parsed> {
    let mut r = Reader {
        layout,
        row,
        issues,
        ok: true,
        now,
    };
    let code = r.required(Col::Code, |c| {
        let text = cells::text(c)?;
        DossierCode::parse(&text).map_err(|e| {
            format!(
                "'{}' is not a dossier code such as 000.01.21.H40-240304-0001: {}",
                shorten(&text),
                reason(&e)
            )
        })
    });
    let procedure = r.required(Col::Procedure, |c| {
        ProcedureCode::parse(&cells::text(c)?).map_err(|e| reason(&e))
    });
    let channel = r.optional(Col::Channel, cells::channel);
    let return_method = r.optional(Col::ReturnMethod, cells::return_method);
    let kind = r.optional(Col::ApplicantKind, cells::applicant_kind);
    let name = r.required(Col::ApplicantName, |c| text_of(c, 2000));
    let identity = r.optional(Col::Identity, |c| text_of(c, 50));
    let phone = r.optional(Col::Phone, |c| text_of(c, 20));
    let email = r.optional(Col::Email, |c| text_of(c, 254));
    let address = r.optional(Col::Address, |c| text_of(c, 2000));
    let sets = r.optional(Col::Sets, |c| cells::count(c, 1..=100));
    let fee = r.optional(Col::Fee, cells::money);
    let received = r.required(Col::Received, cells::moment);
    let recorded_due = r.optional(Col::RecordedDue, cells::moment);
    let supplements = r.optional(Col::Supplements, cells::intervals);
    let extensions = r.optional(Col::Extensions, cells::extensions);
    let finished = r.optional(Col::Finished, cells::moment);
    let outcome = r.optional(Col::Outcome, cells::outcome);
    let returned = r.optional(Col::Returned, cells::moment);
    let status = r.optional(Col::Status, cells::status);
    let result_digitised = r.optional(Col::ResultDigitised, cells::yes_no);
    let components = r.optional(Col::Components, |c| cells::count(c, 0..=100));
    let digitised = r.optional(Col::ComponentsDigitised, |c| cells::count(c, 0..=100));
    let note = r.optional(Col::Note, |c| text_of(c, 2000));
    let (Some(code), Some(procedure), Some(name), Some(received)) =
        (code, procedure, name, received)
    else {
        return None;
    };
    if !r.ok {
        return None;
    }
    let finished = match (finished, outcome) {
        (Some(at), Some(o)) => Some((at, o)),
        (None, None) => None,
        (Some(_), None) => {
            r.problem(
                Col::Outcome,
                "give the outcome of a dossier that finished processing",
            );
            None
        }
        (None, Some(_)) => {
            r.problem(
                Col::Finished,
                "give the moment processing ended for the outcome",
            );
            None
        }
    };
    let components = components.unwrap_or(0);
    let digitised = digitised.unwrap_or(0);
    if digitised > components {
        r.problem(
            Col::ComponentsDigitised,
            format!("{digitised} digitised of {components} components"),
        );
    }
    let parsed = Parsed {
        row: row.number,
        code,
        procedure,
        channel: channel.unwrap_or(Channel::InPerson),
        return_method: return_method.unwrap_or(ReturnMethod::InPerson),
        applicant: Applicant {
            kind: kind.unwrap_or(ApplicantType::Citizen),
            name,
            identity: identity.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            email: email.unwrap_or_default(),
            address: address.unwrap_or_default(),
        },
        sets: sets.unwrap_or(1),
        fee,
        received,
        recorded_due,
        supplements: supplements.unwrap_or_default(),
        extensions: extensions.unwrap_or_default(),
        finished,
        returned,
        status,
        result_digitised: result_digitised.unwrap_or(false),
        components: (components, digitised),
        note: note.unwrap_or_default(),
    };
    r.check_timeline(&parsed);
    r.ok.then_some(parsed)
}

/// Trimmed NFC text of at most `max` characters, without control characters.
fn text_of(cell: &Cell, max: usize) -> Result<String, String> {
    let s = cells::text(cell)?;
    if s.chars().count() > max {
        return Err(format!("at most {max} characters"));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("contains control characters".to_owned());
    }
    Ok(s)
}

fn reason(e: &motcua_domain::DomainError) -> String {
    match e {
        motcua_domain::DomainError::Invalid { reason, .. } => reason.clone(),
    }
}

struct Reader<'a> {
    layout: &'a Layout,
    row: &'a Row,
    issues: &'a mut Issues,
    ok: bool,
    now: DateTime,
}

impl Reader<'_> {
    fn problem(&mut self, c: Col, reason: impl Into<String>) {
        self.ok = false;
        self.issues
            .push(self.layout.issue(self.row.number, c, reason));
    }

    fn optional<T>(&mut self, c: Col, read: impl FnOnce(&Cell) -> Result<T, String>) -> Option<T> {
        let cell = self.layout.cell(self.row, c)?;
        match read(cell) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.problem(c, reason);
                None
            }
        }
    }

    fn required<T>(&mut self, c: Col, read: impl FnOnce(&Cell) -> Result<T, String>) -> Option<T> {
        if self.layout.cell(self.row, c).is_none() {
            self.problem(c, "required; the cell is empty");
            return None;
        }
        self.optional(c, read)
    }

    /// The order of the timeline: every moment after receipt and not in the
    /// future, waits one after another with only the last open, nothing
    /// after the end but the return, a return only for a result.
    fn check_timeline(&mut self, p: &Parsed) {
        let r = p.received;
        let mut moments: Vec<(Col, DateTime)> = vec![(Col::Received, r)];
        let mut after = r;
        for (i, (start, end)) in p.supplements.iter().enumerate() {
            if *start < after {
                self.problem(
                    Col::Supplements,
                    format!(
                        "wait {} starts at {start}, before {after} (the receipt or the previous wait's end)",
                        i + 1
                    ),
                );
                return;
            }
            moments.push((Col::Supplements, *start));
            match end {
                Some(end) if end < start => {
                    self.problem(
                        Col::Supplements,
                        format!("wait {} ends at {end}, before it starts", i + 1),
                    );
                    return;
                }
                Some(end) => {
                    moments.push((Col::Supplements, *end));
                    after = *end;
                }
                None if i + 1 < p.supplements.len() => {
                    self.problem(
                        Col::Supplements,
                        format!("wait {} has no end, but another wait follows it", i + 1),
                    );
                    return;
                }
                None => after = *start,
            }
        }
        let open_wait = p.supplements.last().is_some_and(|(_, end)| end.is_none());
        for (issued, new_due) in &p.extensions {
            if *issued < r {
                self.problem(
                    Col::Extensions,
                    format!("the letter of {issued} comes before the receipt {r}"),
                );
            }
            if new_due <= issued {
                self.problem(
                    Col::Extensions,
                    format!("the new appointment {new_due} is not after the letter {issued}"),
                );
            }
            moments.push((Col::Extensions, *issued));
        }
        if let Some((end, outcome)) = p.finished {
            let last = moments.iter().map(|(_, m)| *m).max().unwrap_or(r);
            if end < last {
                self.problem(
                    Col::Finished,
                    format!("processing ended at {end}, before the timeline's last moment {last}"),
                );
            }
            if open_wait {
                self.problem(
                    Col::Supplements,
                    "the last wait has no end, but processing finished: give the moment the supplement came",
                );
            }
            moments.push((Col::Finished, end));
            if let Some(ret) = p.returned {
                if outcome != Outcome::Result {
                    self.problem(
                        Col::Returned,
                        "only a result is returned (outcome done); leave the cell empty for a refusal, stop or withdrawal",
                    );
                } else if ret < end {
                    self.problem(
                        Col::Returned,
                        format!("the return {ret} comes before the end of processing {end}"),
                    );
                }
                moments.push((Col::Returned, ret));
            }
        } else if p.returned.is_some() {
            self.problem(
                Col::Returned,
                "a return needs the end of processing and the outcome done",
            );
        }
        for (c, m) in moments {
            if m > self.now {
                self.problem(c, format!("{m} is in the future"));
                return;
            }
        }
    }
}
