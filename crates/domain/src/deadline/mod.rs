//! Placeholder while the deadline engine is rewritten.
