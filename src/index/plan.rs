//! Query text → [`Plan`] → tantivy query.
//!
//! The text is parsed by tantivy's own grammar (`query_grammar`); the tree it yields is turned
//! into a plan the way tantivy's `QueryParser` would (default field `text`, default occur
//! `Should`, tokens through the field's analyzer, several tokens become a phrase, the same
//! `simplify` and trimming), with two additions: field names are case-insensitive and accept a
//! few aliases, and a boolean query with three or more `Must` clauses is nested two by two.
//!
//! Why the nesting: tantivy sums the scores of an intersection after sorting its clauses by the
//! number of documents each matches *in the segment at hand*, and f32 addition is not
//! associative, so the same document could score differently in two segments, or after a
//! merge. With at most two clauses per intersection every sum is `a + b`, which is the same in
//! any order. Unions sum in clause order, whatever the segment. The browser search builds the
//! same plan from the same grammar (`search.js`), which is how it ranks like the CLI.

use std::fmt;
use std::ops::Bound;

use chrono::{DateTime, NaiveDate, Utc};
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::query_grammar::{self, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{Field, IndexRecordOption};

use super::schema::{self, Analyzer, Fields, SEARCH_FIELDS};

/// A query that could not be understood: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    /// 1-based column (in characters) of the problem, when it has a place.
    pub column: Option<usize>,
    /// What went wrong or what was expected, lowercase.
    pub message: String,
}

/// A date field that ranges may target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    Started,
    SignedOff,
}

impl DateField {
    fn name(self) -> &'static str {
        match self {
            DateField::Started => "started",
            DateField::SignedOff => "signed_off",
        }
    }
}

/// A query, as tantivy will run it.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// One term of a searchable field (index into [`SEARCH_FIELDS`]).
    Term {
        field: usize,
        term: String,
    },
    /// Terms at given offsets; `slop` extra moves allowed; `prefix`: the last term is a prefix.
    Phrase {
        field: usize,
        terms: Vec<(usize, String)>,
        slop: u32,
        prefix: bool,
    },
    /// Clauses in order (`Must`, `Should`, `MustNot`). An empty list matches nothing.
    Bool(Vec<(Occur, Plan)>),
    Boost(Box<Plan>, f32),
    /// `*`: every record, score 1.
    All,
    /// `started:[2025-01-01 TO 2025-02-01}`.
    DateRange {
        field: DateField,
        lower: Bound<DateTime<Utc>>,
        upper: Bound<DateTime<Utc>>,
    },
    /// Matches nothing (a query with no searchable token).
    Empty,
}

/// The part of the plan that tantivy's `LogicalAst` describes, before trimming.
#[derive(Debug, Clone)]
enum Logical {
    Clause(Vec<(Occur, Logical)>),
    Leaf(Plan),
    Boost(Box<Logical>, f32),
}

/// Parses `query` and builds its plan.
pub fn parse(query: &str) -> Result<Plan, QueryError> {
    let ast = query_grammar::parse_query(query).map_err(|_| syntax_error(query))?;
    let logical = compute(&ast, query)?;
    if let Logical::Clause(children) = &logical
        && children.is_empty()
    {
        return Ok(Plan::Empty);
    }
    if all_negative(&logical) {
        return Err(QueryError {
            column: None,
            message: "only excluded terms: add a term to search for (`-` and `NOT` exclude records)".into(),
        });
    }
    Ok(normalize(to_plan(simplify(logical))))
}

/// Parses `query` and builds its plan as tantivy's `QueryParser` would, without the nesting of
/// intersections (for tests that compare with tantivy).
#[cfg(test)]
pub fn parse_unnormalized(query: &str) -> Result<Plan, QueryError> {
    let ast = query_grammar::parse_query(query).map_err(|_| syntax_error(query))?;
    let logical = compute(&ast, query)?;
    Ok(to_plan(simplify(logical)))
}

fn syntax_error(query: &str) -> QueryError {
    let (_, errors) = query_grammar::parse_query_lenient(query);
    match errors.into_iter().next() {
        Some(e) => QueryError { column: Some(char_column(query, e.pos)), message: e.message },
        None => QueryError { column: None, message: "could not parse the query".into() },
    }
}

fn char_column(query: &str, byte_pos: usize) -> usize {
    query.get(..byte_pos.min(query.len())).map_or(byte_pos, |s| s.chars().count()) + 1
}

fn compute(ast: &UserInputAst, query: &str) -> Result<Logical, QueryError> {
    Ok(match ast {
        UserInputAst::Clause(subs) => {
            let mut out = Vec::with_capacity(subs.len());
            for (occur, sub) in subs {
                out.push((occur.unwrap_or(Occur::Should), compute(sub, query)?));
            }
            Logical::Clause(out)
        }
        UserInputAst::Boost(inner, boost) => {
            let inner = compute(inner, query)?;
            let boost = boost.into_inner() as f32;
            if (boost - 1.0).abs() < f32::EPSILON { inner } else { Logical::Boost(Box::new(inner), boost) }
        }
        UserInputAst::Leaf(leaf) => leaf_plan(leaf, query)?,
    })
}

fn unsupported(what: &str) -> QueryError {
    QueryError { column: None, message: format!("{what} queries are not supported") }
}

fn leaf_plan(leaf: &UserInputLeaf, query: &str) -> Result<Logical, QueryError> {
    match leaf {
        UserInputLeaf::Literal(lit) => literal_plan(lit, query),
        UserInputLeaf::All => Ok(Logical::Leaf(Plan::All)),
        UserInputLeaf::Range { field, lower, upper } => {
            let Some(name) = field else {
                return Err(QueryError {
                    column: None,
                    message: "a range needs a field: `started:[2025-01-01 TO *]`".into(),
                });
            };
            let field = match name.to_ascii_lowercase().as_str() {
                "started" | "date" => DateField::Started,
                "signed_off" | "signed" => DateField::SignedOff,
                _ => {
                    return Err(QueryError {
                        column: field_column(query, name),
                        message: format!(
                            "ranges work on dates only (`started`, `signed_off`), not on `{name}`"
                        ),
                    });
                }
            };
            let lower = bound(lower, query, false)?;
            let upper = bound(upper, query, true)?;
            if lower == Bound::Unbounded && upper == Bound::Unbounded {
                return Ok(Logical::Clause(Vec::new()));
            }
            Ok(Logical::Leaf(Plan::DateRange { field, lower, upper }))
        }
        UserInputLeaf::Set { .. } => Err(unsupported("`IN [...]`")),
        UserInputLeaf::Exists { .. } => Err(unsupported("`field:*`")),
        UserInputLeaf::Regex { .. } => Err(unsupported("regex")),
    }
}

fn bound(b: &UserInputBound, query: &str, upper: bool) -> Result<Bound<DateTime<Utc>>, QueryError> {
    let text = b.term_str();
    if text == "*" {
        return Ok(Bound::Unbounded);
    }
    let t = parse_date(text, upper).ok_or_else(|| QueryError {
        column: query.find(text).map(|p| char_column(query, p)),
        message: format!("expected a date (`2025-01-14` or `2025-01-14T14:23:47Z`), found `{text}`"),
    })?;
    Ok(match b {
        UserInputBound::Inclusive(_) => Bound::Included(t),
        UserInputBound::Exclusive(_) => Bound::Excluded(t),
        UserInputBound::Unbounded => Bound::Unbounded,
    })
}

/// `2025-01-14` (the day's first second) or RFC 3339.
fn parse_date(text: &str, _upper: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
}

fn field_column(query: &str, name: &str) -> Option<usize> {
    query.find(&format!("{name}:")).or_else(|| query.find(name)).map(|p| char_column(query, p))
}

fn literal_plan(lit: &UserInputLiteral, query: &str) -> Result<Logical, QueryError> {
    let field = match &lit.field_name {
        None => schema::resolve_field(schema::DEFAULT_FIELD).expect("the default field exists"),
        Some(name) => schema::resolve_field(name).ok_or_else(|| {
            let names: Vec<&str> = SEARCH_FIELDS.iter().map(|f| f.name).collect();
            QueryError {
                column: field_column(query, name),
                message: format!("unknown field `{name}`; fields are {}", names.join(", ")),
            }
        })?,
    };
    let index = SEARCH_FIELDS.iter().position(|f| f.name == field.name).expect("resolved field");
    let tokens = schema::tokens(field.analyzer, &lit.phrase);
    if tokens.len() <= 1 {
        if lit.prefix {
            return Err(QueryError {
                column: None,
                message: format!("a prefix phrase needs at least two words: `\"{}\"*`", lit.phrase),
            });
        }
        return Ok(match tokens.into_iter().next() {
            Some((_, term)) => Logical::Leaf(Plan::Term { field: index, term }),
            None => Logical::Clause(Vec::new()),
        });
    }
    if field.analyzer == Analyzer::Kw {
        return Err(QueryError { column: None, message: format!("field `{}` has no positions", field.name) });
    }
    Ok(Logical::Leaf(Plan::Phrase { field: index, terms: tokens, slop: lit.slop, prefix: lit.prefix }))
}

fn all_negative(ast: &Logical) -> bool {
    match ast {
        Logical::Leaf(_) => false,
        Logical::Boost(inner, _) => all_negative(inner),
        Logical::Clause(children) => children.iter().all(|(o, c)| *o == Occur::MustNot || all_negative(c)),
    }
}

/// tantivy's `LogicalAst::simplify`: a clause whose children all share its `Must` or `Should`
/// occur is pulled up into its parent.
fn simplify(ast: Logical) -> Logical {
    match ast {
        Logical::Clause(clauses) => {
            let mut out = Vec::new();
            for (occur, sub) in clauses {
                match simplify(sub) {
                    Logical::Clause(subs)
                        if (occur == Occur::Should || occur == Occur::Must)
                            && subs.iter().all(|(o, _)| *o == occur) =>
                    {
                        out.extend(subs)
                    }
                    other => out.push((occur, other)),
                }
            }
            Logical::Clause(out)
        }
        other => other,
    }
}

/// tantivy's `trim_ast` + `convert_to_query`, as a plan.
fn to_plan(ast: Logical) -> Plan {
    match trim(ast) {
        None => Plan::Empty,
        Some(Logical::Clause(children)) => {
            Plan::Bool(children.into_iter().map(|(o, c)| (o, to_plan(c))).collect())
        }
        Some(Logical::Leaf(p)) => p,
        Some(Logical::Boost(inner, b)) => Plan::Boost(Box::new(to_plan(*inner)), b),
    }
}

fn trim(ast: Logical) -> Option<Logical> {
    match ast {
        Logical::Clause(children) => {
            let kept: Vec<_> = children.into_iter().filter_map(|(o, c)| trim(c).map(|c| (o, c))).collect();
            if kept.is_empty() { None } else { Some(Logical::Clause(kept)) }
        }
        other => Some(other),
    }
}

/// Nests `Must` clauses two by two (left to right) wherever a boolean query has three or more.
pub fn normalize(plan: Plan) -> Plan {
    match plan {
        Plan::Bool(clauses) => {
            let clauses: Vec<(Occur, Plan)> = clauses.into_iter().map(|(o, c)| (o, normalize(c))).collect();
            let musts = clauses.iter().filter(|(o, _)| *o == Occur::Must).count();
            if musts < 3 {
                return Plan::Bool(clauses);
            }
            let mut out = Vec::with_capacity(clauses.len() - musts + 1);
            let mut nested: Option<Plan> = None;
            let mut slot = None;
            for (occur, clause) in clauses {
                if occur == Occur::Must {
                    nested = Some(match nested.take() {
                        None => {
                            slot = Some(out.len());
                            clause
                        }
                        Some(acc) => Plan::Bool(vec![(Occur::Must, acc), (Occur::Must, clause)]),
                    });
                } else {
                    out.push((occur, clause));
                }
            }
            let nested = nested.expect("at least one must");
            if out.is_empty() {
                return nested;
            }
            out.insert(slot.expect("at least one must"), (Occur::Must, nested));
            Plan::Bool(out)
        }
        Plan::Boost(inner, b) => Plan::Boost(Box::new(normalize(*inner)), b),
        other => other,
    }
}

impl Plan {
    /// The tantivy query that runs this plan.
    pub fn to_query(&self, fields: &Fields) -> Box<dyn Query> {
        match self {
            Plan::Term { field, term } => Box::new(TermQuery::new(
                Term::from_field_text(fields.search[*field], term),
                IndexRecordOption::WithFreqs,
            )),
            Plan::Phrase { field, terms, slop, prefix } => {
                let f = fields.search[*field];
                let terms: Vec<(usize, Term)> =
                    terms.iter().map(|(p, t)| (*p, Term::from_field_text(f, t))).collect();
                if *prefix {
                    Box::new(PhrasePrefixQuery::new_with_offset(terms))
                } else {
                    Box::new(PhraseQuery::new_with_offset_and_slop(terms, *slop))
                }
            }
            Plan::Bool(clauses) => {
                Box::new(BooleanQuery::new(clauses.iter().map(|(o, c)| (*o, c.to_query(fields))).collect()))
            }
            Plan::Boost(inner, b) => Box::new(BoostQuery::new(inner.to_query(fields), *b)),
            Plan::All => Box::new(AllQuery),
            Plan::DateRange { field, lower, upper } => {
                let f = match field {
                    DateField::Started => fields.started,
                    DateField::SignedOff => fields.signed_off,
                };
                let term =
                    |t: &DateTime<Utc>| Term::from_field_date_for_search(f, super::document::to_tantivy(*t));
                Box::new(RangeQuery::new(map_bound(lower, term), map_bound(upper, term)))
            }
            Plan::Empty => Box::new(EmptyQuery),
        }
    }

    /// Every (field, term) the plan searches positively (not under `-`/`NOT`), in plan order.
    pub fn positive_terms(&self) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        self.collect_terms(false, &mut out);
        out
    }

    fn collect_terms(&self, negated: bool, out: &mut Vec<(usize, String)>) {
        match self {
            Plan::Term { field, term } if !negated => out.push((*field, term.clone())),
            Plan::Phrase { field, terms, .. } if !negated => {
                out.extend(terms.iter().map(|(_, t)| (*field, t.clone())));
            }
            Plan::Bool(clauses) => {
                for (o, c) in clauses {
                    c.collect_terms(negated || *o == Occur::MustNot, out);
                }
            }
            Plan::Boost(inner, _) => inner.collect_terms(negated, out),
            _ => {}
        }
    }

    /// The leaves matched positively, for reporting which fields matched a hit.
    pub fn positive_leaves(&self) -> Vec<&Plan> {
        let mut out = Vec::new();
        self.collect_leaves(false, &mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, negated: bool, out: &mut Vec<&'a Plan>) {
        match self {
            Plan::Term { .. } | Plan::Phrase { .. } if !negated => out.push(self),
            Plan::Bool(clauses) => {
                for (o, c) in clauses {
                    c.collect_leaves(negated || *o == Occur::MustNot, out);
                }
            }
            Plan::Boost(inner, _) => inner.collect_leaves(negated, out),
            _ => {}
        }
    }
}

fn map_bound<T>(b: &Bound<DateTime<Utc>>, f: impl Fn(&DateTime<Utc>) -> T) -> Bound<T> {
    match b {
        Bound::Included(t) => Bound::Included(f(t)),
        Bound::Excluded(t) => Bound::Excluded(f(t)),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn write_term(f: &mut fmt::Formatter<'_>, term: &str) -> fmt::Result {
    if !term.is_empty() && term.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        f.write_str(term)
    } else {
        write!(f, "{}", serde_json::to_string(term).expect("a string serializes"))
    }
}

/// The canonical form shown as `parsed` in `search --json`; `search.js` prints the same.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Plan::Term { field, term } => {
                write!(f, "{}:", SEARCH_FIELDS[*field].name)?;
                write_term(f, term)
            }
            Plan::Phrase { field, terms, slop, prefix } => {
                write!(f, "{}:\"", SEARCH_FIELDS[*field].name)?;
                let mut next = terms.first().map_or(0, |t| t.0);
                for (i, (pos, term)) in terms.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    while next < *pos {
                        f.write_str("_ ")?;
                        next += 1;
                    }
                    f.write_str(term)?;
                    next = pos + 1;
                }
                f.write_str("\"")?;
                if *slop > 0 {
                    write!(f, "~{slop}")?;
                }
                if *prefix {
                    f.write_str("*")?;
                }
                Ok(())
            }
            Plan::Bool(clauses) => {
                f.write_str("(")?;
                for (i, (o, c)) in clauses.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(match o {
                        Occur::Must => "+",
                        Occur::MustNot => "-",
                        Occur::Should => "",
                    })?;
                    write!(f, "{c}")?;
                }
                f.write_str(")")
            }
            Plan::Boost(inner, b) => write!(f, "({inner})^{b}"),
            Plan::All => f.write_str("*"),
            Plan::DateRange { field, lower, upper } => {
                let show = |b: &Bound<DateTime<Utc>>| match b {
                    Bound::Included(t) | Bound::Excluded(t) => {
                        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    }
                    Bound::Unbounded => "*".into(),
                };
                let open = if matches!(lower, Bound::Excluded(_)) { "{" } else { "[" };
                let close = if matches!(upper, Bound::Excluded(_)) { "}" } else { "]" };
                write!(f, "{}:{open}{} TO {}{close}", field.name(), show(lower), show(upper))
            }
            Plan::Empty => f.write_str("<empty>"),
        }
    }
}

/// The tantivy field of a plan's date range, for callers that need it.
pub fn date_field(fields: &Fields, f: DateField) -> Field {
    match f {
        DateField::Started => fields.started,
        DateField::SignedOff => fields.signed_off,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::Index;
    use tantivy::query::QueryParser;

    fn shown(q: &str) -> String {
        parse(q).map(|p| p.to_string()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn words_are_stemmed_in_the_default_field() {
        assert_eq!(shown("leaking"), "text:leak");
        assert_eq!(shown("connection pool"), "(text:connect text:pool)");
        assert_eq!(shown("\"connection pool\""), "text:\"connect pool\"");
        assert_eq!(shown("root_cause:index AND severity:P1"), "(+root_cause:index +severity:p1)");
        assert_eq!(shown("Lessons_Learned:Timeouts"), "lessons:timeout");
        assert_eq!(shown("-timeout leak"), "(-text:timeout text:leak)");
        assert_eq!(shown("v3.4.7"), "text:\"v3 4 7\"");
        assert_eq!(shown("!!!"), "<empty>");
    }

    #[test]
    fn three_musts_are_nested_two_by_two() {
        assert_eq!(shown("a AND b AND c AND d"), "(+(+(+text:a +text:b) +text:c) +text:d)");
        assert_eq!(shown("+a +b x +c -y"), "(+(+(+text:a +text:b) +text:c) text:x -text:y)");
        assert_eq!(shown("+a +b x"), "(+text:a +text:b text:x)");
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = parse("title:").unwrap_err();
        assert_eq!((e.column, e.message.as_str()), (Some(7), "expected word"));
        let e = parse("nope:x").unwrap_err();
        assert_eq!(e.column, Some(1));
        assert!(e.message.starts_with("unknown field `nope`"), "{e}");
        assert!(parse("-timeout").unwrap_err().message.contains("only excluded"));
        let e = parse("\"unclosed").unwrap_err();
        assert!(e.message.contains("delimiter"), "{e:?}");
    }

    #[test]
    fn date_ranges() {
        assert_eq!(
            shown("started:[2025-01-01 TO 2025-02-01}"),
            "started:[2025-01-01T00:00:00Z TO 2025-02-01T00:00:00Z}"
        );
        assert!(shown("title:[a TO b]").contains("dates only"));
    }

    /// The plan builds exactly the query tantivy's own `QueryParser` builds.
    #[test]
    fn same_queries_as_tantivys_query_parser() {
        let fields = Fields::new();
        let index = Index::create_in_ram(fields.schema.clone());
        schema::register(&index);
        let parser = QueryParser::for_index(&index, vec![fields.text]);
        for q in [
            "leak",
            "connection pool",
            "\"connection pool\"",
            "\"connection pool\"~2",
            "\"connection po\"*",
            "root_cause:index AND severity:P1",
            "a AND b OR c",
            "a OR b AND c",
            "a AND b AND c",
            "+a +b -c d",
            "(a OR b) AND (c OR -d)",
            "a -(b c)",
            "NOT a b",
            "a OR -b",
            "title:(slow query) lessons:timeout",
            "a a b",
            "leak leaking",
            "v3.4.7 user_id",
            "title:x^2 y",
            "* -a",
            "a (b) ((c))",
            "id:INC-2025-0023",
            "started:[2025-01-01T00:00:00Z TO *]",
            "x !!! y",
            "Dürüst İstanbul ΣΊΣΥΦΟΣ",
        ] {
            let ours = parse_unnormalized(q).unwrap_or_else(|e| panic!("{q}: {e}")).to_query(&fields);
            let theirs = parser.parse_query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"), "query {q}");
        }
    }
}
