//! The tamper-evident audit chain.
//!
//! Every change appends an entry whose hash covers the previous entry's hash and
//! the entry's own fields. Editing, removing or reordering any entry breaks the
//! chain from that point on, which [`verify_chain`] reports.

use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry that the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it happened, Unix milliseconds UTC.
    pub at_ms: i64,
    /// Who did it: a user name, or `system`, or `cli:<name>`.
    pub actor: &'a str,
    /// What was done, a stable verb such as `unit.create`.
    pub action: &'a str,
    /// What it was done to, such as `unit:000.21.30.H99`.
    pub subject: &'a str,
    /// Details as canonical JSON text.
    pub detail: &'a str,
}

/// The hash of an entry given the previous entry's hash. Fields are separated by
/// their lengths so that moving text between fields changes the hash.
pub fn entry_hash(prev_hash: &str, f: &AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        &f.seq.to_string(),
        &f.at_ms.to_string(),
        f.actor,
        f.action,
        f.subject,
        f.detail,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// A stored entry as read back for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Position in the chain as stored.
    pub seq: i64,
    /// When, Unix milliseconds UTC.
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub subject: String,
    /// Details, canonical JSON text.
    pub detail: String,
    /// The hash of the previous entry as stored with this one.
    pub prev_hash: String,
    /// This entry's hash as stored.
    pub hash: String,
}

/// Why the chain is broken at an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's content no longer matches its hash: it was edited.
    Edited {
        /// The sequence number of the edited entry.
        seq: i64,
    },
    /// The entry does not follow the one before it: an entry was removed or
    /// the order changed.
    Gap {
        /// The sequence number expected at this position.
        expected_seq: i64,
        /// The sequence number found.
        found_seq: i64,
    },
    /// The entry's link to its predecessor does not match the predecessor's hash.
    Relinked {
        /// The sequence number of the entry whose link is wrong.
        seq: i64,
    },
}

/// Checks entries in stored order, from the first. Returns the first break.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a StoredEntry>,
) -> Result<u64, ChainBreak> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut count = 0;
    for (expected_seq, e) in (1..).zip(entries) {
        if e.seq != expected_seq {
            return Err(ChainBreak::Gap {
                expected_seq,
                found_seq: e.seq,
            });
        }
        if e.prev_hash != prev {
            return Err(ChainBreak::Relinked { seq: e.seq });
        }
        let fields = AuditFields {
            seq: e.seq,
            at_ms: e.at_ms,
            actor: &e.actor,
            action: &e.action,
            subject: &e.subject,
            detail: &e.detail,
        };
        if entry_hash(&prev, &fields) != e.hash {
            return Err(ChainBreak::Edited { seq: e.seq });
        }
        prev.clone_from(&e.hash);
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let detail = format!("{{\"n\":{seq}}}");
                let f = AuditFields {
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    actor: "admin",
                    action: "unit.create",
                    subject: "unit:1",
                    detail: &detail,
                };
                let hash = entry_hash(&prev, &f);
                let e = StoredEntry {
                    seq,
                    at_ms: f.at_ms,
                    actor: "admin".into(),
                    action: "unit.create".into(),
                    subject: "unit:1".into(),
                    detail,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_counts_its_entries() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
    }

    #[test]
    fn an_edited_entry_is_reported_at_its_position() {
        let mut c = chain(5);
        c[2].actor = "mallory".into();
        assert_eq!(verify_chain(&c), Err(ChainBreak::Edited { seq: 3 }));
    }

    #[test]
    fn a_removed_entry_is_a_gap() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify_chain(&c),
            Err(ChainBreak::Gap {
                expected_seq: 2,
                found_seq: 3
            })
        );
    }

    #[test]
    fn swapping_two_entries_and_renumbering_breaks_the_links() {
        let mut c = chain(4);
        c.swap(1, 2);
        c[1].seq = 2;
        c[2].seq = 3;
        assert_eq!(verify_chain(&c), Err(ChainBreak::Relinked { seq: 2 }));
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let a = AuditFields {
            seq: 1,
            at_ms: 0,
            actor: "ab",
            action: "c",
            subject: "",
            detail: "",
        };
        let b = AuditFields {
            seq: 1,
            at_ms: 0,
            actor: "a",
            action: "bc",
            subject: "",
            detail: "",
        };
        assert_ne!(entry_hash(GENESIS_HASH, &a), entry_hash(GENESIS_HASH, &b));
    }
}
