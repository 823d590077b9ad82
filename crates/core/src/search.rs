//! Certificate search for queries typed as Chinese characters, full pinyin ("webqianduan"), pinyin
//! initials ("wqdkf"), an organisation's name, or any mix ("web前端kf").
//!
//! The catalog carries each name's pinyin per segment (see [`crate::text`]), so matching is plain
//! character work with no dictionary. Each query segment-walks the names: every segment it touches
//! is typed as the character itself or as a non-empty prefix of one of its readings, so full pinyin,
//! initials and mixtures are one rule. Ranking, best first: the name starts with the query; the name
//! contains it; pinyin from the start of the name; pinyin later in the name; the organisation; and
//! last, a loose match that may skip a few segments ("wqkf" for Web前端开发).

use crate::catalog::Catalog;
use crate::model::{CERTIFICATE_SUFFIX, XLevel};
use crate::text::{Segment, normalize, segments};

/// Queries longer than this are cut (nobody types more; it bounds the work per keystroke).
const MAX_QUERY_CHARS: usize = 32;
/// A loose match may skip at most this many segments.
const MAX_SKIPS: u16 = 3;

/// What the student typed and picked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub batch: Option<u8>,
    pub level: Option<XLevel>,
    pub org_id: Option<String>,
    pub field: Option<String>,
}

impl Query {
    pub fn text(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            ..Query::default()
        }
    }
}

/// How a certificate matched, so the list can say why it is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// Empty query: every certificate passing the filters.
    All,
    /// The characters of the name.
    Name,
    /// Full pinyin of the name.
    Pinyin,
    /// Pinyin initials or a mix of pinyin and characters.
    Initials,
    /// The evaluation organisation's name or its pinyin.
    Org,
    /// A loose match that skipped some of the name.
    Fuzzy,
}

/// One search result: the certificate's position in the catalog and its rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub score: u32,
    pub kind: MatchKind,
}

/// A precomputed index over one catalog. Build it once per catalog; search on every keystroke.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    docs: Vec<Doc>,
    orgs: Vec<OrgDoc>,
    org_ids: Vec<String>,
}

#[derive(Debug, Clone)]
struct Token {
    hanzi: Option<char>,
    readings: Vec<Box<[u8]>>,
}

#[derive(Debug, Clone)]
struct Doc {
    /// The normalized full name, for literal matches.
    norm: String,
    /// Segments of the distinctive part of the name (the common suffix would match everything).
    tokens: Vec<Token>,
    /// ASCII letters and digits found in the readings, as a bit set: a cheap early "no".
    mask: u64,
    name_chars: usize,
    org: Option<usize>,
    batch: Option<u8>,
    levels: u8,
    field: Option<String>,
}

#[derive(Debug, Clone)]
struct OrgDoc {
    norms: Vec<String>,
    tokens: Vec<Token>,
    mask: u64,
}

fn char_bit(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (c as u32 - 'a' as u32),
        '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        _ => 0,
    }
}

fn tokens_for(name: &str, pinyin: &str) -> (Vec<Token>, u64) {
    let mut mask = 0;
    let readings = pinyin.split_whitespace();
    let tokens: Vec<Token> = segments(name)
        .into_iter()
        .zip(readings)
        .map(|(seg, tok)| {
            let readings: Vec<Box<[u8]>> = tok
                .split('|')
                .filter(|r| !r.is_empty())
                .map(|r| r.as_bytes().into())
                .collect();
            for r in &readings {
                for &b in r.iter() {
                    mask |= char_bit(b as char);
                }
            }
            Token {
                hanzi: match seg {
                    Segment::Hanzi(h) => Some(h),
                    Segment::Word(_) => None,
                },
                readings,
            }
        })
        .collect();
    (tokens, mask)
}

impl SearchIndex {
    pub fn new(catalog: &Catalog) -> Self {
        let org_ids: Vec<String> = catalog.orgs.iter().map(|o| o.id.clone()).collect();
        let orgs = catalog
            .orgs
            .iter()
            .map(|o| {
                let (tokens, mask) = tokens_for(&o.name, &o.pinyin);
                let mut norms = vec![normalize(&o.name)];
                norms.extend(o.aliases.iter().map(|a| normalize(a)));
                OrgDoc {
                    norms,
                    tokens,
                    mask,
                }
            })
            .collect();
        let docs = catalog
            .certificates
            .iter()
            .map(|c| {
                let (mut tokens, mask) = tokens_for(&c.name, &c.pinyin);
                if c.name.ends_with(CERTIFICATE_SUFFIX) && c.name.len() > CERTIFICATE_SUFFIX.len() {
                    let suffix = segments(CERTIFICATE_SUFFIX).len();
                    tokens.truncate(tokens.len().saturating_sub(suffix));
                }
                let mask = if tokens.is_empty() {
                    mask
                } else {
                    tokens_mask(&tokens)
                };
                Doc {
                    norm: normalize(&c.name),
                    tokens,
                    mask,
                    name_chars: c.name.chars().count(),
                    org: org_ids.iter().position(|id| *id == c.org_id),
                    batch: c.batch,
                    levels: c.levels.iter().fold(0, |m, l| m | l.level.bit()),
                    field: c.field.clone(),
                }
            })
            .collect();
        SearchIndex {
            docs,
            orgs,
            org_ids,
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Every certificate passing the filters that matches the text, best first (ties keep catalog
    /// order).
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        let q: Vec<char> = normalize(&query.text)
            .chars()
            .take(MAX_QUERY_CHARS)
            .collect();
        let qs: String = q.iter().collect();
        let qmask = q.iter().fold(0, |m, &c| m | char_bit(c));
        let org_filter = match &query.org_id {
            Some(id) => match self.org_ids.iter().position(|o| o == id) {
                Some(i) => Some(i),
                None => return Vec::new(),
            },
            None => None,
        };
        let mut memo = Memo::default();
        // The organisation part is the same for all of an organisation's certificates.
        let org_hits: Vec<bool> = if q.is_empty() {
            Vec::new()
        } else {
            self.orgs
                .iter()
                .map(|o| {
                    o.norms.iter().any(|n| n.contains(&qs))
                        || (qmask & !o.mask == 0
                            && best_contiguous(&q, &o.tokens, &mut memo).is_some())
                })
                .collect()
        };

        let mut hits = Vec::new();
        for (index, d) in self.docs.iter().enumerate() {
            if query.batch.is_some_and(|b| d.batch != Some(b))
                || query.level.is_some_and(|l| d.levels & l.bit() == 0)
                || org_filter.is_some_and(|o| d.org != Some(o))
                || query
                    .field
                    .as_ref()
                    .is_some_and(|f| d.field.as_ref() != Some(f))
            {
                continue;
            }
            if q.is_empty() {
                hits.push(Hit {
                    index,
                    score: 0,
                    kind: MatchKind::All,
                });
                continue;
            }
            if let Some((tier, penalty, kind)) = self.rank(d, &q, &qs, qmask, &org_hits, &mut memo)
            {
                let penalty = penalty + d.name_chars as u32;
                hits.push(Hit {
                    index,
                    score: tier * 1000 + 999 - penalty.min(999),
                    kind,
                });
            }
        }
        // Best score first, ties by catalog position. The one list the app sorts on every
        // keystroke, up to the whole catalog: here the standard library's sort is about 6x faster
        // than kaozheng_core::order (`order_bench` example), worth its one copy in the WASM.
        #[allow(clippy::disallowed_methods)]
        hits.sort_unstable_by_key(|h| (std::cmp::Reverse(h.score), h.index));
        hits
    }

    fn rank(
        &self,
        d: &Doc,
        q: &[char],
        qs: &str,
        qmask: u64,
        org_hits: &[bool],
        memo: &mut Memo,
    ) -> Option<(u32, u32, MatchKind)> {
        if d.norm.starts_with(qs) {
            return Some((10, 0, MatchKind::Name));
        }
        if let Some(at) = d.norm.find(qs) {
            return Some((9, d.norm[..at].chars().count() as u32, MatchKind::Name));
        }
        let letters_ok = qmask & !d.mask == 0;
        if letters_ok && let Some((start, cost)) = best_contiguous(q, &d.tokens, memo) {
            let kind = if cost == 0 {
                MatchKind::Pinyin
            } else {
                MatchKind::Initials
            };
            let tier = match (start == 0, cost == 0) {
                (true, true) => 8,
                (true, false) => 7,
                (false, true) => 6,
                (false, false) => 5,
            };
            return Some((tier, start as u32 * 10 + u32::from(cost) * 5, kind));
        }
        if d.org.is_some_and(|o| org_hits[o]) {
            return Some((4, 0, MatchKind::Org));
        }
        if letters_ok
            && q.len() >= 2
            && let Some(cost) = best_loose(q, &d.tokens, memo)
        {
            return Some((3, u32::from(cost), MatchKind::Fuzzy));
        }
        None
    }
}

fn tokens_mask(tokens: &[Token]) -> u64 {
    tokens
        .iter()
        .flat_map(|t| t.readings.iter())
        .flat_map(|r| r.iter())
        .fold(0, |m, &b| m | char_bit(b as char))
}

/// Memo table for one (query, token list) walk, reused to avoid allocating per certificate.
#[derive(Default)]
struct Memo {
    cells: Vec<u16>,
    width: usize,
}

const UNSEEN: u16 = u16::MAX;
const NO_MATCH: u16 = u16::MAX - 1;
/// In a loose walk a skipped segment costs this much, so skips dominate partial readings.
const SKIP_COST: u16 = 100;

impl Memo {
    fn reset(&mut self, q: usize, t: usize) {
        self.width = t + 1;
        self.cells.clear();
        self.cells.resize((q + 1) * (t + 1), UNSEEN);
    }
}

/// The best place where the query walks consecutive segments: `(start, cost)` where cost counts
/// segments typed only partly (initials), apart from the last one (still being typed).
fn best_contiguous(q: &[char], tokens: &[Token], memo: &mut Memo) -> Option<(usize, u16)> {
    memo.reset(q.len(), tokens.len());
    let mut best: Option<(usize, u16)> = None;
    for start in 0..tokens.len() {
        if let Some(c) = walk(q, 0, tokens, start, false, memo)
            && best.is_none_or(|(_, b)| c < b)
        {
            best = Some((start, c));
            if c == 0 {
                break;
            }
        }
    }
    best
}

/// The cheapest walk that may skip up to [`MAX_SKIPS`] segments after it starts.
fn best_loose(q: &[char], tokens: &[Token], memo: &mut Memo) -> Option<u16> {
    memo.reset(q.len(), tokens.len());
    (0..tokens.len())
        .filter_map(|start| walk(q, 0, tokens, start, true, memo))
        .filter(|c| c / SKIP_COST <= MAX_SKIPS)
        .min()
}

fn walk(
    q: &[char],
    qi: usize,
    tokens: &[Token],
    ti: usize,
    loose: bool,
    memo: &mut Memo,
) -> Option<u16> {
    if qi == q.len() {
        return Some(0);
    }
    if ti == tokens.len() {
        return None;
    }
    let cell = qi * memo.width + ti;
    match memo.cells[cell] {
        UNSEEN => {}
        NO_MATCH => return None,
        c => return Some(c),
    }
    let t = &tokens[ti];
    let mut best: Option<u16> = None;
    let mut consider = |c: Option<u16>, extra: u16| {
        if let Some(c) = c {
            let c = c.saturating_add(extra).min(NO_MATCH - 1);
            if best.is_none_or(|b| c < b) {
                best = Some(c);
            }
        }
    };
    if t.hanzi == Some(q[qi]) {
        consider(walk(q, qi + 1, tokens, ti + 1, loose, memo), 0);
    }
    for r in &t.readings {
        let common = r
            .iter()
            .zip(&q[qi..])
            .take_while(|(b, c)| **b as char == **c)
            .count();
        for k in (1..=common).rev() {
            let partial = u16::from(k < r.len() && qi + k < q.len());
            consider(walk(q, qi + k, tokens, ti + 1, loose, memo), partial);
        }
    }
    if loose && qi > 0 {
        consider(walk(q, qi, tokens, ti + 1, loose, memo), SKIP_COST);
    }
    memo.cells[cell] = best.unwrap_or(NO_MATCH);
    best
}

#[cfg(test)]
mod tests;
