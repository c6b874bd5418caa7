//! What changed between consecutive versions of a record: a line diff of the archived
//! originals (the `similar` crate's Myers diff, three lines of context), and whether a version
//! came after the sign-off that covers it ("changed after sign-off").

use chrono::NaiveDate;
use similar::{ChangeTag, TextDiff};

use crate::archive::VersionInfo;
use crate::site::context::{DiffHunk, DiffLine, VersionDiff};
use crate::site::render::Renderer;
use crate::snapshot::ArchivedRecord;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The line diff from `old` to `new`, hunk by hunk; lines are shown without their line ending.
pub(super) fn diff(old: &str, new: &str) -> Vec<DiffHunk> {
    let d = TextDiff::from_lines(old, new);
    d.grouped_ops(CONTEXT)
        .iter()
        .map(|group| DiffHunk {
            lines: group
                .iter()
                .flat_map(|op| d.iter_changes(op))
                .map(|c| DiffLine {
                    kind: match c.tag() {
                        ChangeTag::Equal => "equal",
                        ChangeTag::Delete => "delete",
                        ChangeTag::Insert => "insert",
                    },
                    old: c.old_index().map(|i| i + 1),
                    new: c.new_index().map(|i| i + 1),
                    text: c.value().trim_end_matches(['\n', '\r']).to_string(),
                })
                .collect(),
        })
        .collect()
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// The sign-off date that covers `v`: the one its own ledger entry records, else the
    /// record's.
    fn sign_off_of(&self, r: &ArchivedRecord, v: &VersionInfo) -> NaiveDate {
        self.evidence.entry(v.seq).filter(|e| e.id == r.id).map_or(r.sign_off.date, |e| e.sign_off.date)
    }

    /// True when version `v` (a second or later one) was ingested after the day of the
    /// sign-off that covers it: the record was changed after it was signed off.
    pub(super) fn version_after_sign_off(&self, r: &ArchivedRecord, v: &VersionInfo) -> bool {
        v.version > 1 && v.ingested_at.date_naive() > self.sign_off_of(r, v)
    }

    /// True when any version of record `rec` came after its sign-off.
    pub(super) fn changed_after_sign_off(&self, r: &ArchivedRecord) -> bool {
        r.versions.iter().any(|v| self.version_after_sign_off(r, v))
    }

    /// The diffs between consecutive versions of a record that was not purged, read from the
    /// archive (only when its page is rendered); a pair whose objects cannot be read as
    /// archived is left out.
    pub(super) fn version_diffs(&self, r: &ArchivedRecord) -> Vec<VersionDiff> {
        let Some(archive) = &self.data.snapshot.source else { return Vec::new() };
        if r.is_purged() || r.versions.len() < 2 {
            return Vec::new();
        }
        let text = |sha: &str| {
            archive.read_verified(sha).ok().map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        };
        let mut texts: Vec<Option<String>> = r.versions.iter().map(|v| text(&v.object)).collect();
        let mut out = Vec::new();
        for i in 1..r.versions.len() {
            let (Some(old), Some(new)) = (texts[i - 1].as_deref(), texts[i].as_deref()) else { continue };
            let hunks = diff(old, new);
            let count = |kind: &str| hunks.iter().flat_map(|h| &h.lines).filter(|l| l.kind == kind).count();
            out.push(VersionDiff {
                from: r.versions[i - 1].version,
                to: r.versions[i].version,
                added: count("insert"),
                removed: count("delete"),
                after_sign_off: self.version_after_sign_off(r, &r.versions[i]),
                hunks,
            });
        }
        texts.clear();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_numbers_lines_and_keeps_three_lines_of_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        let hunks = diff(old, new);
        assert_eq!(hunks.len(), 1);
        let lines: Vec<(&str, Option<usize>, Option<usize>, &str)> =
            hunks[0].lines.iter().map(|l| (l.kind, l.old, l.new, l.text.as_str())).collect();
        assert_eq!(lines.first(), Some(&("equal", Some(2), Some(2), "b")));
        assert!(lines.contains(&("delete", Some(5), None, "e")));
        assert!(lines.contains(&("insert", None, Some(5), "E")));
        assert_eq!(lines.len(), 8);
        assert!(diff(old, old).is_empty());
    }
}
