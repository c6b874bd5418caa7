//! Optional YAML front matter (`---` … `---` at the very top) giving the summary fields
//! (`id`, `title`, `severity`, `status`, `start`, `end`, `duration`, …) instead of, or as well
//! as, the Incident Summary section.

use std::ops::Range;

use super::header::Via;
use super::model::{Field, Incident};
use super::{Diags, Header, Key, Slot};

/// Where the front matter's YAML is and where the Markdown starts; `None` when the text does
/// not open with a closed `---` block.
pub(crate) fn split(text: &str) -> Option<(Range<usize>, usize)> {
    let first = text.split('\n').next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let yaml_start = first.len() + 1;
    let mut pos = yaml_start;
    for line in text.get(yaml_start..)?.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            return Some((yaml_start..pos, pos + line.len()));
        }
        pos += line.len();
    }
    None
}

/// Front matter larger than this is refused (`front-matter-invalid`) without being read: it holds
/// a dozen summary fields, and YAML takes many times its size in memory.
pub const MAX_FRONT_MATTER_BYTES: usize = 16 * 1024;

/// Reads the YAML into `header` (front matter wins over the summary, with a warning when they
/// differ); keys without a typed home go to `extra_fields`.
pub(crate) fn apply(yaml: &str, inc: &mut Incident, header: &mut Header, diags: &mut Diags<'_>) {
    header.front_matter_line = Some(1);
    if yaml.len() > MAX_FRONT_MATTER_BYTES {
        diags.error(
            2,
            "front-matter-invalid",
            format!(
                "the front matter is {} bytes; the limit is {MAX_FRONT_MATTER_BYTES} bytes (16 KiB)",
                yaml.len()
            ),
        );
        return;
    }
    let value: serde_norway::Value = match serde_norway::from_str(yaml) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line() + 1);
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg);
            diags.error(line, "front-matter-invalid", format!("the front matter is not valid YAML: {msg}"));
            return;
        }
    };
    let map = match value {
        serde_norway::Value::Mapping(m) => m,
        serde_norway::Value::Null => return,
        _ => {
            diags.error(2, "front-matter-invalid", "the front matter is not a mapping of keys to values");
            return;
        }
    };
    for (k, v) in map {
        let Some(key) = scalar(&k) else { continue };
        let line = key_line(yaml, &key);
        let Some(value) = scalar(&v) else {
            if !v.is_null() {
                diags.warn(
                    line,
                    "front-matter-value",
                    format!("front matter `{key}` is not a single value; ignored"),
                );
            }
            continue;
        };
        let norm = super::values::normalize(&key);
        match Key::from_label(&norm).or_else(|| Key::from_global_label(&norm)) {
            Some(k) => {
                let slot = Slot { value, line, front_matter: true, via: Via::FrontMatter(key) };
                header.set_front_matter(k, slot, diags)
            }
            None => inc.extra_fields.push(Field { label: key, value }),
        }
    }
}

fn scalar(v: &serde_norway::Value) -> Option<String> {
    match v {
        serde_norway::Value::String(s) => Some(s.trim().to_string()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        serde_norway::Value::Tagged(t) => scalar(&t.value),
        _ => None,
    }
}

/// The 1-based line of `key:` in the front matter (line 1 is the opening `---`).
fn key_line(yaml: &str, key: &str) -> usize {
    yaml.lines()
        .position(|l| {
            let l = l.trim_start_matches(['"', '\'']);
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start_matches(['"', '\'']).trim_start().starts_with(':'))
        })
        .map_or(2, |i| i + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_only_a_closed_block_at_the_top() {
        let t = "---\nid: X\n---\n# T\n";
        let (yaml, body) = split(t).unwrap();
        assert_eq!(&t[yaml], "id: X\n");
        assert_eq!(&t[body..], "# T\n");
        assert_eq!(split("---\nid: X\n").map(|x| x.1), None);
        assert_eq!(split("# T\n---\n").map(|x| x.1), None);
        let t = "---\n...\n";
        assert_eq!(split(t), Some((4..4, 8)));
    }

    #[test]
    fn key_lines_count_from_the_opening_dashes() {
        assert_eq!(key_line("id: x\ntitle: y\n", "title"), 3);
        assert_eq!(key_line("'id': x\n", "id"), 2);
    }
}
