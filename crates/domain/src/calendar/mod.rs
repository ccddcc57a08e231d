//! Placeholder while the calendar is rewritten.
