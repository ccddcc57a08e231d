//! Internal processes: checking allotted times against the legal limit (being written).
