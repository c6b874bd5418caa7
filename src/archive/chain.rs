//! The ledger-chain check: every line an entry, the `seq` order, the hash chain, the entries'
//! times, the checkpoint (committed size, root and byte length), an unfinished final line, and
//! the rules of every entry folded in order into the records' state.
//!
//! It reads nothing: it judges a [`LedgerFile`] already read, with the checkpoint and
//! `pending.json` as read. The writers run it before they append ([`super::session`]: nothing
//! is ever appended to a ledger that does not verify) and [`super::verify`] runs it as its
//! ledger part, then checks the objects on top of it.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};

use super::journal::{Checkpoint, Pending};
use super::ledger::{Entry, GENESIS, LedgerFile};
use super::problem::{Problem, ProblemKind};
use super::state::{FaultKind, State};

/// The ledger part of verification, shared with the writers (which refuse to append to a
/// ledger with problems).
pub(crate) struct LedgerCheck {
    pub state: State,
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
}

/// Checks the chain, the order, the checkpoint and the rules of every entry.
pub(crate) fn check_ledger(
    ledger: &LedgerFile,
    checkpoint: &Result<Option<Checkpoint>, String>,
    checkpoint_path: &Path,
    pending: Option<&Pending>,
) -> LedgerCheck {
    let path = &ledger.path;
    let n = ledger.lines.len();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut problem = |kind, line: Option<usize>, message: String| {
        problems.push(Problem { kind, path: path.clone(), line, message });
    };

    // Lines that are not entries at all.
    let mut bad_line = vec![false; n];
    for (i, l) in ledger.lines.iter().enumerate() {
        if let Err(msg) = &l.entry {
            bad_line[i] = true;
            problem(ProblemKind::LedgerEdited, Some(i + 1), msg.clone());
        }
    }

    // Sequence numbers: gaps are removals, going back is reordering.
    let seqs: Vec<Option<u64>> = ledger.lines.iter().map(|l| l.entry.as_ref().ok().map(|e| e.seq)).collect();
    let present: HashSet<u64> = seqs.iter().flatten().copied().collect();
    let mut seq_anomaly = vec![false; n];
    let mut expected = 0u64;
    for (i, s) in seqs.iter().enumerate() {
        let Some(s) = *s else {
            expected += 1;
            continue;
        };
        if s > expected {
            seq_anomaly[i] = true;
            if (expected..s).any(|m| present.contains(&m)) {
                problem(
                    ProblemKind::LedgerReordered,
                    Some(i + 1),
                    format!("entry seq {s} comes where seq {expected} should be"),
                );
            } else {
                let what = if s - expected == 1 {
                    format!("entry seq {expected} was removed")
                } else {
                    format!("entries seq {expected} to {} were removed", s - 1)
                };
                problem(ProblemKind::LedgerRemoved, Some(i + 1), format!("{what} before this line"));
            }
        } else if s < expected {
            seq_anomaly[i] = true;
            problem(
                ProblemKind::LedgerReordered,
                Some(i + 1),
                format!("entry seq {s} comes after seq {}", expected - 1),
            );
        }
        expected = expected.max(s + 1);
    }

    // The hash chain. A broken link i-1 → i means line i-1 changed, unless link i → i+1 is
    // broken too, in which case line i itself (its `prev`) changed.
    let broken: Vec<bool> = (0..n)
        .map(|i| match &ledger.lines[i].entry {
            Ok(e) if i == 0 => e.prev != GENESIS,
            Ok(e) => e.prev != hex::encode(ledger.lines[i - 1].hash),
            Err(_) => false,
        })
        .collect();
    let mut i = 0;
    while i < n {
        let explained = seq_anomaly[i] || (i > 0 && (seq_anomaly[i - 1] || bad_line[i - 1]));
        if broken[i] && !explained {
            if i + 1 < n && broken[i + 1] && !seq_anomaly[i + 1] || i == 0 {
                problem(
                    ProblemKind::LedgerEdited,
                    Some(i + 1),
                    "its `prev` does not match the hash of the line before it".into(),
                );
                i += 1;
            } else {
                problem(
                    ProblemKind::LedgerEdited,
                    Some(i),
                    format!("its hash does not match the `prev` of line {}", i + 1),
                );
            }
        }
        i += 1;
    }
    let chain_problems = problems.len();

    // Time: every writer dates an entry no earlier than the one before it.
    let mut last: Option<&Entry> = None;
    for (i, l) in ledger.lines.iter().enumerate() {
        let Ok(e) = &l.entry else { continue };
        if let Some(p) = last
            && e.at < p.at
        {
            problems.push(Problem {
                kind: ProblemKind::LedgerTimeBackwards,
                path: path.clone(),
                line: Some(i + 1),
                message: format!(
                    "entry seq {} is dated {}, before seq {} above it ({})",
                    e.seq,
                    rfc3339(e.at),
                    p.seq,
                    rfc3339(p.at)
                ),
            });
        }
        last = Some(e);
    }

    // The checkpoint: the committed size and root.
    match checkpoint {
        Err(msg) => problems.push(Problem {
            kind: ProblemKind::CheckpointInvalid,
            path: checkpoint_path.to_path_buf(),
            line: None,
            message: msg.clone(),
        }),
        Ok(None) if n > 0 => problems.push(Problem {
            kind: ProblemKind::CheckpointInvalid,
            path: checkpoint_path.to_path_buf(),
            line: None,
            message: format!("missing, but the ledger has {n} entries"),
        }),
        Ok(None) => {}
        Ok(Some(cp)) => {
            let size = cp.size as usize;
            if size > n {
                problems.push(Problem {
                    kind: ProblemKind::LedgerRemoved,
                    path: path.clone(),
                    line: Some(n + 1),
                    message: format!(
                        "the checkpoint records {size} entries but the ledger has {n}: {} removed from the end",
                        size - n
                    ),
                });
            } else {
                let root_matches = hex::encode(ledger.root_of(size)) == cp.root;
                if !root_matches && chain_problems == 0 {
                    problems.push(Problem {
                        kind: ProblemKind::LedgerEdited,
                        path: path.clone(),
                        line: (size > 0).then_some(size),
                        message: format!(
                            "the first {size} entries do not hash to the root `{}` in `checkpoint.json` \
                             (this entry, or an earlier one with the chain recomputed, was edited)",
                            cp.root
                        ),
                    });
                }
                // The committed entries' length, once their root is known to be the one committed.
                let committed = offset_after(ledger, size);
                if root_matches && cp.ledger_bytes != committed {
                    let file = ledger.bytes.len() as u64;
                    problems.push(if file < cp.ledger_bytes {
                        Problem {
                            kind: ProblemKind::LedgerTruncated,
                            path: path.clone(),
                            line: None,
                            message: format!(
                                "the ledger has {file} bytes, fewer than the {} committed in `checkpoint.json`: it was cut short",
                                cp.ledger_bytes
                            ),
                        }
                    } else {
                        Problem {
                            kind: ProblemKind::CheckpointInvalid,
                            path: checkpoint_path.to_path_buf(),
                            line: None,
                            message: format!(
                                "`ledger_bytes` is {} but the {size} committed entries take {committed} bytes",
                                cp.ledger_bytes
                            ),
                        }
                    });
                }
                if size < n {
                    if pending.is_some_and(|p| p.size == cp.size) {
                        notes.push(format!(
                            "{} ledger entries were appended by an interrupted run; the next run records them in the checkpoint",
                            n - size
                        ));
                    } else {
                        problems.push(Problem {
                            kind: ProblemKind::LedgerUnexpected,
                            path: path.clone(),
                            line: Some(size + 1),
                            message: format!(
                                "{} entries after the {size} recorded in `checkpoint.json` were not written by any run",
                                n - size
                            ),
                        });
                    }
                }
            }
        }
    }

    // An unfinished final line.
    if let Some(t) = ledger.tail {
        let len = ledger.bytes.len() - t;
        if pending.is_some_and(|p| t as u64 >= p.ledger_bytes) {
            notes.push(format!(
                "the ledger ends with an unfinished line ({len} bytes) from an interrupted append; the next run removes it"
            ));
        } else {
            problems.push(Problem {
                kind: ProblemKind::LedgerTruncated,
                path: path.clone(),
                line: Some(n + 1),
                message: format!(
                    "the last line ({len} bytes) has no newline: it was cut short or bytes were appended"
                ),
            });
        }
    }

    // The rules of every entry, in file order.
    let mut state = State::default();
    for (i, l) in ledger.lines.iter().enumerate() {
        let Ok(e) = &l.entry else { continue };
        for f in state.apply(e) {
            let kind = match f.kind {
                FaultKind::Retention => ProblemKind::RetentionChanged,
                FaultKind::PurgedEarly => ProblemKind::PurgedEarly,
                FaultKind::Invalid => ProblemKind::LedgerInvalid,
            };
            problems.push(Problem { kind, path: path.clone(), line: Some(i + 1), message: f.message });
        }
    }
    LedgerCheck { state, problems, notes }
}

/// `2026-01-31T02:00:00Z`.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The byte length of the first `n` complete lines with their newlines (`n` at most the
/// number of lines).
pub(crate) fn offset_after(ledger: &LedgerFile, n: usize) -> u64 {
    n.checked_sub(1).map_or(0, |i| ledger.lines[i].end as u64 + 1)
}
