//! Dossiers (hồ sơ): codes, statuses and the state machine (being written).
