//! Placeholder: the deadline engine (being written).
