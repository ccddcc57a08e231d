//! Periodic statistics (issue 17; domain.md §9): what each dossier change
//! adds to the counters ([`track`]), and the reports read from them
//! ([`report`]), rebuilt and verified from the dossiers' histories
//! ([`rebuild`]).

pub mod rebuild;
pub mod report;
pub mod track;
