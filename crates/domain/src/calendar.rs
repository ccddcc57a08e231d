//! Placeholder: the working-day calendar (being written).
