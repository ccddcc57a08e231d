//! Procedure reviews and their figures (being written).
