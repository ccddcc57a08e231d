//! Vietnamese text forms of catalog values (being written).
