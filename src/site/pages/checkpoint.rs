//! The checkpoint page (`checkpoint.html`): the archive's signed statement of its state as
//! `archive/checkpoint` holds it (size, root in hex and base64, the note's text and signature
//! lines), the verifier key that checks it, and how an auditor checks it and links a proof's
//! tree or a kept checkpoint to it.

use crate::note::VerifierKey;
use crate::note::publish::{CheckpointFile, b64};
use crate::site::SiteError;
use crate::site::context::CheckpointPage;
use crate::site::render::Renderer;

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `checkpoint.html`.
    pub(super) fn render_checkpoint(&self) -> Result<(), SiteError> {
        self.page("checkpoint.html".into(), "checkpoint.html", &self.checkpoint_page())
    }

    fn checkpoint_page(&self) -> CheckpointPage<'r> {
        let evidence = self.evidence;
        let snapshot = self.data.snapshot;
        let text = evidence.checkpoint.as_deref();
        let file = text.and_then(|t| CheckpointFile::parse(t.as_bytes().to_vec()).ok());
        let key = evidence.verifier_key.as_deref().and_then(|k| VerifierKey::parse(k).ok());
        let verified = match (&file, &key) {
            (Some(f), Some(k)) => f.verify(k).is_ok(),
            _ => false,
        };
        let (size, root) = match &file {
            Some(f) => (f.checkpoint.size(), *f.checkpoint.root()),
            None => {
                let mut root = [0u8; 32];
                hex::decode_to_slice(&snapshot.root, &mut root).unwrap_or_default();
                (snapshot.ledger_len, root)
            }
        };
        let signatures = file
            .as_ref()
            .and_then(|f| f.note.as_ref())
            .map(|n| n.signatures().iter().map(|s| s.line()).collect())
            .unwrap_or_default();
        CheckpointPage {
            nav: "checkpoint",
            origin: file.as_ref().map(|f| f.checkpoint.origin().to_string()).unwrap_or_default(),
            size,
            root_hex: hex::encode(root),
            root_base64: b64(&root),
            text,
            readable: file.is_some(),
            signed: file.as_ref().is_some_and(|f| f.note.is_some()),
            signatures,
            verifier_key: evidence.verifier_key.as_deref(),
            verified,
            current: size == snapshot.ledger_len && hex::encode(root) == snapshot.root,
        }
    }
}
