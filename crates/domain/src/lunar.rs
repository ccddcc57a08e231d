//! Placeholder: the Vietnamese lunar calendar (being written).
