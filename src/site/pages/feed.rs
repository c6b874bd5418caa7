//! The machine-readable outputs: the Atom feed of the latest incidents (`feed.xml`, a
//! template) and every record as JSON (`incidents.json`, serialized directly).

use serde::Serialize;

use crate::site::SiteError;
use crate::site::context::{FeedEntry, FeedPage, JsonExport, JsonIncident, JsonItem};
use crate::site::render::Renderer;

/// Entries in the Atom feed.
pub const FEED_ENTRIES: usize = 50;

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `feed.xml`.
    pub(super) fn render_feed(&self) -> Result<(), SiteError> {
        self.page("feed.xml".into(), "feed.xml", &self.feed())
    }

    /// `incidents.json`: kept when its bytes are those of the last build. Written as it is
    /// serialized (127 MB at 100,000 records), with controls and bidi overrides as `\uXXXX`
    /// escapes.
    pub(super) fn render_json(&self) -> Result<(), SiteError> {
        let export = self.json();
        self.observe(&export);
        self.stream("incidents.json", |out| {
            export.serialize(&mut serde_json::Serializer::with_formatter(
                &mut *out,
                crate::text::JsonEscapes,
            ))?;
            out.write_all(b"\n")
        })
    }

    fn feed(&self) -> FeedPage<'r> {
        let d = self.data;
        let base = self.site.base_url.trim_end_matches('/');
        let entries: Vec<FeedEntry> = d
            .by_date
            .iter()
            .take(FEED_ENTRIES)
            .map(|&rec| {
                let r = d.record(rec);
                let inc = d.summary(rec);
                let path = self.path_of(rec);
                FeedEntry {
                    id: &r.id,
                    title: inc.title(),
                    path,
                    url: if base.is_empty() { String::new() } else { format!("{base}/{path}") },
                    published: r.versions.first().map(|v| v.ingested_at),
                    updated: r.versions.last().map(|v| v.ingested_at),
                    severity: inc.severity(),
                    status: inc.status(),
                    started_at: inc.started_at(),
                    customer_impact: inc.customer_impact(),
                    summary: inc.root_cause_summary(),
                }
            })
            .collect();
        let updated = entries.iter().filter_map(|e| e.updated).max();
        FeedPage {
            nav: "feed",
            feed_id: if base.is_empty() {
                "urn:incident-archive:feed".to_string()
            } else {
                format!("{base}/feed.xml")
            },
            updated: updated
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_else(|| format!("{}T00:00:00Z", self.build_date)),
            entries,
        }
    }

    fn json(&self) -> JsonExport<'r> {
        let d = self.data;
        JsonExport {
            format: 1,
            archive_root: &d.snapshot.root,
            ledger_len: d.snapshot.ledger_len,
            incidents: d
                .snapshot
                .records
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let inc = r.summary();
                    JsonIncident {
                        id: &r.id,
                        title: r.title(),
                        path: self.path_of(i),
                        severity: inc.map(|i| i.severity()),
                        status: inc.map(|i| i.status()),
                        started_at: inc.and_then(|i| i.started_at()),
                        ended_at: inc.and_then(|i| i.ended_at()),
                        duration_seconds: inc.and_then(|i| i.duration_seconds()),
                        users_affected: inc.and_then(|i| i.users_affected()),
                        customers: inc
                            .map(|i| i.customers().iter().map(|c| c.name.as_str()).collect())
                            .unwrap_or_default(),
                        action_items: inc.map_or(0, |i| i.action_items().len()),
                        action_items_done: inc
                            .map_or(0, |i| i.action_items().iter().filter(|a| a.done).count()),
                        items: inc
                            .map(|i| {
                                i.action_items()
                                    .iter()
                                    .map(|a| JsonItem {
                                        id: &a.id,
                                        action: &a.action,
                                        owner: a.owner.trim(),
                                        due: a.due,
                                        status: &a.status,
                                        done: a.done,
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        approved_by: inc.map(|i| i.sign_off().approved_by.as_str()),
                        signed_off: inc.and_then(|i| i.sign_off().date),
                        object: &r.object,
                        versions: r.versions.len(),
                        retain_until: r.retain_until,
                        legal_hold: r.legal_hold.is_some(),
                        purged: r.is_purged(),
                    }
                })
                .collect(),
        }
    }
}
