//! Placeholder: calendar use cases (being written).
