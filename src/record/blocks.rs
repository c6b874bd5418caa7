//! One pass of pulldown-cmark events over a record, turned into the few shapes the section
//! readers need: headings, labelled lines (`**Label**: value`), list items, tables and code
//! blocks, each with its 1-based line. Text is kept both as written (source slices) and plain.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::input::Refusal;
use super::limits;
use super::values::normalize;

/// Byte offset → 1-based line, by binary search over the newline positions.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut newlines = Vec::with_capacity(text.len() / 32);
        newlines.extend(text.match_indices('\n').map(|(i, _)| i));
        Self { newlines }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }

    /// The number of lines (a final line without a newline counts).
    pub fn count(&self, text_len: usize) -> usize {
        match self.newlines.last() {
            Some(&last) if last + 1 == text_len => self.newlines.len(),
            _ => self.newlines.len() + 1,
        }
    }
}

/// A parsed document: headings and blocks in source order over the normalized text.
#[derive(Debug)]
pub(crate) struct Doc<'a> {
    pub text: &'a str,
    /// Where the Markdown starts (after any front matter).
    pub body_start: usize,
    pub headings: Vec<Heading>,
    pub blocks: Vec<Block<'a>>,
    pub lines: LineIndex,
    /// For each heading, the index of the heading that ends its extent (set from the outline);
    /// empty means "the next heading at the same or a higher level".
    pub extent_ends: Vec<usize>,
}

#[derive(Debug)]
pub(crate) struct Heading {
    pub level: u8,
    /// Plain text (`Incident Report: INC-2025-0023`).
    pub text: String,
    /// [`normalize`]d text, for matching.
    pub norm: String,
    /// Byte offset of the heading's first character.
    pub start: usize,
    pub line: usize,
    /// Index of the first block after the heading.
    pub first_block: usize,
}

#[derive(Debug)]
pub(crate) enum Block<'a> {
    /// A paragraph, one entry per line (hard breaks, or soft breaks before a new label).
    Lines(Vec<Line<'a>>),
    List(Vec<Item<'a>>),
    Table(Box<Table<'a>>),
    Code(Box<Code>),
}

/// One line of inline content.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    pub line: usize,
    /// As written, trimmed.
    pub src: &'a str,
    /// Byte range of the line's content in the text.
    pub span: Range<usize>,
    /// Markup removed, links as their text.
    pub plain: String,
    /// Boxed, like the link: most lines have neither, and a document holds many lines.
    pub label: Option<Box<Label<'a>>>,
    /// `[x]` / `[ ]` task marker before the line.
    pub task: Option<bool>,
    /// The first link's target.
    pub link: Option<Box<str>>,
}

/// `**Label**: value`, `**Label:** value`, or `Label: value` without bold.
#[derive(Debug)]
pub(crate) struct Label<'a> {
    /// The label's plain text, without the colon, as a range of [`Line::plain`].
    pub text: Range<usize>,
    pub norm: String,
    /// The value as written, trimmed, colon removed.
    pub value_src: &'a str,
    /// The value's plain text, as a range of [`Line::plain`].
    pub value: Range<usize>,
}

impl Line<'_> {
    pub fn label_text(&self) -> &str {
        self.label.as_ref().map_or("", |l| &self.plain[l.text.clone()])
    }

    pub fn value_plain(&self) -> &str {
        self.label.as_ref().map_or("", |l| &self.plain[l.value.clone()])
    }

    pub fn label_norm(&self) -> &str {
        self.label.as_ref().map_or("", |l| l.norm.as_str())
    }
}

#[derive(Debug)]
pub(crate) struct Item<'a> {
    pub lines: Vec<Line<'a>>,
}

impl Item<'_> {
    /// The item's text as written, lines joined by a space.
    pub fn src(&self) -> String {
        join(self.lines.iter().map(|l| l.src))
    }

    /// The task marker of the item (`- [x] …`).
    pub fn task(&self) -> Option<bool> {
        self.lines.first().and_then(|l| l.task)
    }
}

/// Appends `more` to `lines`, taking its vector (of the exact size) when `lines` is empty.
fn extend<'a>(lines: &mut Vec<Line<'a>>, more: Vec<Line<'a>>) {
    if lines.is_empty() {
        *lines = more;
    } else {
        lines.extend(more);
    }
}

fn join<'s>(mut parts: impl Iterator<Item = &'s str>) -> String {
    let mut out = String::from(parts.next().unwrap_or(""));
    for p in parts {
        out.push(' ');
        out.push_str(p);
    }
    out
}

#[derive(Debug)]
pub(crate) struct Table<'a> {
    pub line: usize,
    pub header: Vec<Cell<'a>>,
    /// The header cells [`normalize`]d.
    pub header_norm: Vec<String>,
    /// For a two-column table, each row as a `key: value` line (`| Approved By | Maria |`).
    pub pairs: Vec<Line<'a>>,
    pub rows: Vec<Row<'a>>,
}

#[derive(Debug)]
pub(crate) struct Row<'a> {
    pub line: usize,
    pub cells: Vec<Cell<'a>>,
}

#[derive(Debug, Default)]
pub(crate) struct Cell<'a> {
    /// As written, trimmed.
    pub src: &'a str,
    pub plain: String,
}

#[derive(Debug)]
pub(crate) struct Code {
    pub lang: String,
    pub code: String,
}

/// What the event pass is inside of.
enum Frame<'a> {
    Paragraph,
    Heading { level: u8, start: usize },
    List(Vec<Item<'a>>),
    Item { item: Item<'a>, children: Vec<Item<'a>> },
    Cell,
    Code(Code),
    Other,
}

impl<'a> Doc<'a> {
    /// Reads `text[body_start..]` as Markdown, or refuses it when it is beyond the
    /// [`limits`]: too many elements (before parsing it) or lists and quotes nested too deep.
    pub fn read(text: &'a str, body_start: usize) -> Result<Doc<'a>, Refusal> {
        limits::check_elements(text)?;
        let lines = LineIndex::new(text);
        // Lists and block quotes open around the current event.
        let mut depth = 0usize;
        let mut b = Builder { text, lines, inline: Inline::default(), stack: Vec::new(), blocks: Vec::new() };
        let mut headings = Vec::new();
        let mut table: Option<Table<'a>> = None;
        let mut row: Option<Row<'a>> = None;
        let mut opts = Options::empty();
        opts.insert(Options::ENABLE_TABLES);
        opts.insert(Options::ENABLE_TASKLISTS);
        opts.insert(Options::ENABLE_STRIKETHROUGH);
        for (event, r) in Parser::new_ext(&text[body_start..], opts).into_offset_iter() {
            let r = r.start + body_start..r.end + body_start;
            match event {
                Event::Start(tag) => match tag {
                    Tag::Paragraph => {
                        b.flush_item();
                        b.stack.push(Frame::Paragraph);
                    }
                    Tag::Heading { level, .. } => {
                        b.flush_item();
                        b.stack.push(Frame::Heading { level: level as u8, start: r.start });
                    }
                    Tag::List(_) => {
                        b.flush_item();
                        depth += 1;
                        limits::check_depth(depth, b.lines.line(r.start))?;
                        b.stack.push(Frame::List(Vec::new()));
                    }
                    Tag::Item => {
                        let item = Item { lines: Vec::new() };
                        b.stack.push(Frame::Item { item, children: Vec::new() });
                    }
                    Tag::Table(_) => {
                        b.flush_item();
                        table = Some(Table {
                            line: b.lines.line(r.start),
                            header: Vec::new(),
                            header_norm: Vec::new(),
                            pairs: Vec::new(),
                            rows: Vec::new(),
                        });
                    }
                    Tag::TableHead | Tag::TableRow => {
                        row = Some(Row { line: b.lines.line(r.start), cells: Vec::new() });
                    }
                    Tag::TableCell => b.stack.push(Frame::Cell),
                    Tag::CodeBlock(kind) => {
                        b.flush_item();
                        let lang = match kind {
                            CodeBlockKind::Fenced(info) => {
                                info.split_whitespace().next().unwrap_or("").to_string()
                            }
                            CodeBlockKind::Indented => String::new(),
                        };
                        b.stack.push(Frame::Code(Code { lang, code: String::new() }));
                    }
                    Tag::Strong => b.open(r, true, None),
                    Tag::Link { dest_url, .. } => b.open(r, false, Some(&dest_url)),
                    Tag::Emphasis
                    | Tag::Strikethrough
                    | Tag::Superscript
                    | Tag::Subscript
                    | Tag::Image { .. } => b.open(r, false, None),
                    Tag::BlockQuote(_) => {
                        b.flush_item();
                        depth += 1;
                        limits::check_depth(depth, b.lines.line(r.start))?;
                        b.stack.push(Frame::Other);
                    }
                    Tag::HtmlBlock
                    | Tag::FootnoteDefinition(_)
                    | Tag::DefinitionList
                    | Tag::DefinitionListTitle
                    | Tag::DefinitionListDefinition
                    | Tag::MetadataBlock(_) => {
                        b.flush_item();
                        b.stack.push(Frame::Other);
                    }
                },
                Event::End(tag) => match tag {
                    TagEnd::Paragraph => {
                        b.stack.pop();
                        let lines = b.take_lines();
                        match b.stack.last_mut() {
                            Some(Frame::Item { item, .. }) => extend(&mut item.lines, lines),
                            _ if !lines.is_empty() => b.blocks.push(Block::Lines(lines)),
                            _ => {}
                        }
                    }
                    TagEnd::Heading(_) => {
                        let lines = b.take_lines();
                        if let Some(Frame::Heading { level, start }) = b.stack.pop() {
                            let text = join(lines.iter().map(|l| l.plain.as_str()));
                            headings.push(Heading {
                                level,
                                norm: normalize(&text),
                                text,
                                start,
                                line: b.lines.line(start),
                                first_block: b.blocks.len(),
                            });
                        }
                    }
                    TagEnd::List(_) => {
                        depth = depth.saturating_sub(1);
                        if let Some(Frame::List(mut items)) = b.stack.pop() {
                            items.shrink_to_fit();
                            match b.stack.last_mut() {
                                Some(Frame::Item { children, .. }) => children.extend(items),
                                _ => b.blocks.push(Block::List(items)),
                            }
                        }
                    }
                    TagEnd::Item => {
                        b.flush_item();
                        if let Some(Frame::Item { mut item, children }) = b.stack.pop()
                            && let Some(Frame::List(items)) = b.stack.last_mut()
                        {
                            item.lines.shrink_to_fit();
                            items.push(item);
                            items.extend(children);
                        }
                    }
                    TagEnd::TableCell => {
                        b.stack.pop();
                        let lines = b.take_lines();
                        let cell = match (lines.first(), lines.last()) {
                            (Some(first), Some(last)) if lines.len() > 1 => Cell {
                                src: text[first.span.start..last.span.end].trim(),
                                plain: join(lines.iter().map(|l| l.plain.as_str())),
                            },
                            _ => lines
                                .into_iter()
                                .next()
                                .map_or_else(Cell::default, |l| Cell { src: l.src, plain: l.plain }),
                        };
                        if let Some(row) = row.as_mut() {
                            row.cells.push(cell);
                        }
                    }
                    TagEnd::TableHead => {
                        if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                            t.header_norm = r.cells.iter().map(|c| normalize(&c.plain)).collect();
                            t.header = r.cells;
                        }
                    }
                    TagEnd::TableRow => {
                        if let (Some(t), Some(mut r)) = (table.as_mut(), row.take()) {
                            r.cells.shrink_to_fit();
                            t.rows.push(r);
                        }
                    }
                    TagEnd::Table => {
                        if let Some(mut t) = table.take() {
                            if t.header.len() == 2 {
                                t.pairs = key_value_lines(&t);
                            }
                            t.rows.shrink_to_fit();
                            b.blocks.push(Block::Table(Box::new(t)));
                        }
                    }
                    TagEnd::CodeBlock => {
                        if let Some(Frame::Code(code)) = b.stack.pop() {
                            b.blocks.push(Block::Code(Box::new(code)));
                        }
                    }
                    TagEnd::Strong => b.close(r, true),
                    TagEnd::Link
                    | TagEnd::Emphasis
                    | TagEnd::Strikethrough
                    | TagEnd::Superscript
                    | TagEnd::Subscript
                    | TagEnd::Image => b.close(r, false),
                    TagEnd::BlockQuote(_) => {
                        depth = depth.saturating_sub(1);
                        b.flush_item();
                        b.stack.pop();
                    }
                    TagEnd::HtmlBlock
                    | TagEnd::FootnoteDefinition
                    | TagEnd::DefinitionList
                    | TagEnd::DefinitionListTitle
                    | TagEnd::DefinitionListDefinition
                    | TagEnd::MetadataBlock(_) => {
                        b.flush_item();
                        b.stack.pop();
                    }
                },
                Event::Text(t) => match b.stack.last_mut() {
                    Some(Frame::Code(code)) => code.code.push_str(&t),
                    _ => b.content(r, Some(&t)),
                },
                Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => b.content(r, Some(&t)),
                Event::InlineHtml(_) | Event::FootnoteReference(_) => b.content(r, None),
                Event::Html(_) | Event::Rule => {}
                Event::SoftBreak => b.inline.soft = true,
                Event::HardBreak => b.hard_break(),
                Event::TaskListMarker(done) => b.inline.task = Some(done),
            }
        }
        let Builder { lines, mut blocks, .. } = b;
        blocks.shrink_to_fit();
        headings.shrink_to_fit();
        Ok(Doc { text, body_start, headings, blocks, lines, extent_ends: Vec::new() })
    }

    /// The blocks of heading `h` up to the next heading of any level.
    pub fn own_blocks(&self, h: usize) -> &[Block<'a>] {
        let start = self.headings[h].first_block;
        let end = self.headings.get(h + 1).map_or(self.blocks.len(), |n| n.first_block);
        &self.blocks[start..end.max(start)]
    }

    /// The index of the heading that ends heading `h`'s extent: by default the next one at the
    /// same or a higher level (or `headings.len()`).
    pub fn extent_end(&self, h: usize) -> usize {
        if let Some(&end) = self.extent_ends.get(h) {
            return end;
        }
        let level = self.headings[h].level;
        (h + 1..self.headings.len()).find(|&n| self.headings[n].level <= level).unwrap_or(self.headings.len())
    }

    /// The blocks of heading `h` and its subsections.
    pub fn extent_blocks(&self, h: usize) -> &[Block<'a>] {
        let start = self.headings[h].first_block;
        let end = self.headings.get(self.extent_end(h)).map_or(self.blocks.len(), |n| n.first_block);
        &self.blocks[start..end.max(start)]
    }

    /// The blocks before the first heading.
    pub fn preamble_blocks(&self) -> &[Block<'a>] {
        &self.blocks[..self.headings.first().map_or(self.blocks.len(), |h| h.first_block)]
    }

    /// Byte offset where heading `h`'s section ends (the next heading of any level).
    pub fn section_end(&self, h: usize) -> usize {
        self.headings.get(h + 1).map_or(self.text.len(), |n| n.start)
    }

    /// The Markdown of heading `h` and its subsections, without the heading line, trimmed.
    pub fn extent_body(&self, h: usize) -> &'a str {
        let start = self.headings[h].start;
        let end = self.headings.get(self.extent_end(h)).map_or(self.text.len(), |n| n.start);
        let section = &self.text[start..end];
        section.split_once('\n').map_or("", |(_, body)| body).trim()
    }
}

struct Builder<'a> {
    text: &'a str,
    lines: LineIndex,
    inline: Inline<'a>,
    stack: Vec<Frame<'a>>,
    blocks: Vec<Block<'a>>,
}

impl<'a> Builder<'a> {
    /// Ends the current inline run and returns its lines, in a vector of their exact number
    /// (a run is most often one line; a vector grown by a push holds room for four).
    fn take_lines(&mut self) -> Vec<Line<'a>> {
        self.inline.finish(self.text, &self.lines);
        self.inline.soft = false;
        self.inline.task = None;
        self.inline.depth = 0;
        let mut lines = std::mem::take(&mut self.inline.done);
        lines.shrink_to_fit();
        lines
    }

    /// Inside a tight list item, text comes without a paragraph: a block starting inside the
    /// item ends the item's own text.
    fn flush_item(&mut self) {
        if matches!(self.stack.last(), Some(Frame::Item { .. })) {
            let lines = self.take_lines();
            if let Some(Frame::Item { item, .. }) = self.stack.last_mut() {
                extend(&mut item.lines, lines);
            }
        }
    }

    fn open(&mut self, r: Range<usize>, strong: bool, link: Option<&str>) {
        self.inline.open(self.text, &self.lines, r, strong, link);
    }

    fn close(&mut self, r: Range<usize>, strong: bool) {
        self.inline.close(r, strong);
    }

    fn content(&mut self, r: Range<usize>, text: Option<&str>) {
        self.inline.content(self.text, &self.lines, r, text);
    }

    fn hard_break(&mut self) {
        self.inline.soft = false;
        self.inline.finish(self.text, &self.lines);
    }
}

/// Collects the lines of one inline run (a paragraph, a tight item, a cell, a heading).
#[derive(Default)]
struct Inline<'a> {
    done: Vec<Line<'a>>,
    cur: Option<Building>,
    /// A soft break was seen: the next content starts a new line unless it continues a label.
    soft: bool,
    task: Option<bool>,
    /// Open inline elements.
    depth: u32,
    /// The depth of the `**` that opened the current line (the label), while open.
    label_depth: Option<u32>,
}

struct Building {
    start: usize,
    end: usize,
    plain: String,
    /// Where the leading `**…**` ended: (source offset, length of `plain` at that point).
    label_end: Option<(usize, usize)>,
    task: Option<bool>,
    link: Option<String>,
}

impl<'a> Inline<'a> {
    /// Makes sure a line is being built for content starting at `start`; returns true when it is new.
    fn begin(&mut self, text: &'a str, lines: &LineIndex, start: usize, strong: bool) -> bool {
        if self.soft {
            self.soft = false;
            let continues = self.cur.as_ref().is_some_and(|c| c.label_end.is_some()) && !strong;
            match self.cur.as_mut() {
                Some(c) if continues => c.plain.push(' '),
                _ => self.finish(text, lines),
            }
        }
        if self.cur.is_some() {
            return false;
        }
        self.cur = Some(Building {
            start,
            end: start,
            plain: String::new(),
            label_end: None,
            task: self.task.take(),
            link: None,
        });
        true
    }

    fn open(&mut self, text: &'a str, lines: &LineIndex, r: Range<usize>, strong: bool, link: Option<&str>) {
        let fresh = self.begin(text, lines, r.start, strong);
        self.depth += 1;
        if strong && fresh && self.depth == 1 {
            self.label_depth = Some(1);
        }
        if let Some(c) = self.cur.as_mut() {
            c.end = c.end.max(r.end);
            if let (Some(url), None) = (link, &c.link) {
                c.link = Some(url.to_string());
            }
        }
    }

    fn close(&mut self, r: Range<usize>, strong: bool) {
        if let Some(c) = self.cur.as_mut() {
            c.end = c.end.max(r.end);
            if strong && self.label_depth == Some(self.depth) {
                c.label_end = Some((r.end, c.plain.len()));
                self.label_depth = None;
            }
        }
        self.depth = self.depth.saturating_sub(1);
    }

    fn content(&mut self, text: &'a str, lines: &LineIndex, r: Range<usize>, t: Option<&str>) {
        self.begin(text, lines, r.start, false);
        if let Some(c) = self.cur.as_mut() {
            c.end = c.end.max(r.end);
            if let Some(t) = t {
                c.plain.push_str(t);
            }
        }
    }

    fn finish(&mut self, text: &'a str, lines: &LineIndex) {
        let Some(c) = self.cur.take() else { return };
        self.label_depth = None;
        let end = c.end.min(text.len());
        let src = text.get(c.start..end).unwrap_or("").trim();
        let label = match c.label_end {
            Some((src_end, plain_end)) => bold_label(text, &c.plain, src_end.min(end), end, plain_end),
            None => plain_label(&c.plain, src),
        };
        self.done.push(Line {
            line: lines.line(c.start),
            src,
            span: c.start..end,
            plain: c.plain,
            label: label.map(Box::new),
            task: c.task,
            link: c.link.map(String::into_boxed_str),
        });
    }
}

/// The rows of a two-column table as labelled lines; the header row too, unless it only names
/// the columns (`| Field | Value |`).
fn key_value_lines<'a>(t: &Table<'a>) -> Vec<Line<'a>> {
    const GENERIC: [&str; 9] =
        ["", "field", "fields", "key", "name", "item", "property", "attribute", "label"];
    let header =
        t.header_norm.first().filter(|n| !GENERIC.contains(&n.as_str())).map(|_| (t.line, &t.header));
    header
        .into_iter()
        .chain(t.rows.iter().map(|r| (r.line, &r.cells)))
        .filter_map(|(line, cells)| {
            let key = cells.first()?.plain.trim().trim_end_matches(':').trim_end();
            if key.is_empty() {
                return None;
            }
            let (value_src, value) = cells.get(1).map_or(("", ""), |c| (c.src, c.plain.trim()));
            let mut plain = String::with_capacity(key.len() + 2 + value.len());
            plain.push_str(key);
            plain.push_str(": ");
            let value_start = plain.len();
            plain.push_str(value);
            let label = Label {
                text: 0..key.len(),
                norm: normalize(key),
                value_src,
                value: value_start..plain.len(),
            };
            let label = Some(Box::new(label));
            Some(Line { line, src: value_src, span: 0..0, plain, label, task: None, link: None })
        })
        .collect()
}

/// The range of `inner` (a subslice of `outer`) within `outer`.
fn range_in(outer: &str, inner: &str) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    start..start + inner.len()
}

fn strip_colon(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix(':').unwrap_or(s).trim()
}

/// `**Label**: value` / `**Label:** value`.
fn bold_label<'a>(
    text: &'a str,
    plain: &str,
    src_end: usize,
    end: usize,
    plain_end: usize,
) -> Option<Label<'a>> {
    let raw = plain.get(..plain_end)?;
    let label = raw.trim().trim_end_matches(':').trim_end();
    if label.is_empty() {
        return None;
    }
    let value = strip_colon(plain.get(plain_end..)?);
    Some(Label {
        text: range_in(plain, label),
        norm: normalize(label),
        value_src: strip_colon(text.get(src_end..end)?),
        value: range_in(plain, value),
    })
}

/// `Label: value` without bold, for short labels that start with a letter.
fn plain_label<'a>(plain: &str, src: &'a str) -> Option<Label<'a>> {
    let p = plain.find(':')?;
    let label = plain[..p].trim();
    let after = &plain[p + 1..];
    if label.is_empty()
        || label.len() > 48
        || !label.starts_with(char::is_alphabetic)
        || label.contains(['(', '[', '"', '*'])
        || !(after.is_empty() || after.starts_with(char::is_whitespace))
    {
        return None;
    }
    let q = src.find(':')?;
    Some(Label {
        text: range_in(plain, label),
        norm: normalize(label),
        value_src: src[q + 1..].trim(),
        value: range_in(plain, after.trim()),
    })
}
