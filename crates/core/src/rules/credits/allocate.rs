//! The exact choice of conversions under the caps.
//!
//! Courses are converted whole, so the caps make this a small knapsack: a greedy pass ("highest
//! level first") can convert fewer credits after a student passes one more certificate (a big course
//! taken early can crowd two smaller ones out of a cap). Searching for the most credits instead makes
//! the account monotone: holding more never lowers it, because every allocation possible before
//! stays possible. Ties are broken by a fixed priority (see [`allocate`]) so the result never
//! depends on input order.
//!
//! Size: per certificate at most one subset per (credit sum, shared courses) is kept, and the
//! search runs over (total, shared courses) states; only courses that two different certificate
//! groups could both replace are "shared", which in real tables are few.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::order;

/// A set of shared-course bits; no trailing zero words, so equal sets compare equal.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Bits(Vec<u64>);

impl Bits {
    fn with(&self, bit: usize) -> Bits {
        let mut words = self.0.clone();
        if words.len() <= bit / 64 {
            words.resize(bit / 64 + 1, 0);
        }
        words[bit / 64] |= 1 << (bit % 64);
        Bits(words)
    }

    fn meets(&self, other: &Bits) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }

    fn union(&self, other: &Bits) -> Bits {
        let (long, short) = if self.0.len() >= other.0.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut words = long.0.clone();
        for (w, s) in words.iter_mut().zip(&short.0) {
            *w |= s;
        }
        Bits(words)
    }
}

/// One conversion a certificate level could make: the course (an index shared by all groups) and
/// its credits in tenths.
#[derive(Debug, Clone, Copy)]
pub(super) struct Item {
    pub course: usize,
    pub tenths: u32,
}

/// A held certificate level that may be the one its group counts. `items` are in priority order
/// and replace distinct courses.
#[derive(Debug, Clone)]
pub(super) struct Opt {
    pub items: Vec<Item>,
}

/// Certificates of which only one (certificate, level) counts: a similar group, or one certificate
/// held at several levels. `options` are in priority order (higher level first).
#[derive(Debug, Clone)]
pub(super) struct Group {
    pub options: Vec<Opt>,
}

/// What a group converts: an option and the indices of its chosen items (ascending).
pub(super) type Pick = Option<(usize, Vec<usize>)>;

#[derive(Debug, Clone)]
struct Choice {
    pick: Pick,
    tenths: u32,
    mask: Bits,
}

/// For each group (in the given order), the option it counts and the items converted, such that
///
/// 1. each course is replaced at most once, each group converts at most `per_group` tenths and all
///    together at most `total` tenths;
/// 2. the total is the largest possible;
/// 3. among allocations with that total, the first group converts as much as it can, then the
///    second, and so on; within a group a higher-priority option, then the subset that includes
///    the higher-priority items, wins.
///
/// Callers order groups, options and items by their documented priority; (3) makes the answer
/// unique, so it depends on nothing else.
pub(super) fn allocate(groups: &[Group], per_group: u32, total: u32) -> Vec<Pick> {
    let bits = shared_bits(groups);
    let choices: Vec<Vec<Choice>> = groups
        .iter()
        .map(|g| group_choices(g, &bits, per_group))
        .collect();
    // State: (shared courses used, total so far) → the best prefix, as each group's choice rank.
    let mut states: BTreeMap<(Bits, u32), Vec<usize>> = BTreeMap::new();
    states.insert((Bits::default(), 0), Vec::new());
    for group_choices in &choices {
        let mut next: BTreeMap<(Bits, u32), Vec<usize>> = BTreeMap::new();
        for ((mask, sum), prefix) in &states {
            for (rank, c) in group_choices.iter().enumerate() {
                let t = sum + c.tenths;
                if t > total || c.mask.meets(mask) {
                    continue;
                }
                let mut cand = prefix.clone();
                cand.push(rank);
                match next.entry((mask.union(&c.mask), t)) {
                    Entry::Vacant(e) => {
                        e.insert(cand);
                    }
                    Entry::Occupied(mut e) => {
                        if cand < *e.get() {
                            e.insert(cand);
                        }
                    }
                }
            }
        }
        states = next;
    }
    let best = states
        .iter()
        .max_by(|((_, a), pa), ((_, b), pb)| a.cmp(b).then_with(|| pb.cmp(pa)))
        .map(|(_, prefix)| prefix.clone())
        .unwrap_or_default();
    best.iter()
        .zip(&choices)
        .map(|(&rank, group_choices)| group_choices[rank].pick.clone())
        .collect()
}

/// A bit for every course that options of two different groups could replace; the others cannot
/// conflict across groups and need no tracking.
fn shared_bits(groups: &[Group]) -> BTreeMap<usize, usize> {
    let mut first_group: BTreeMap<usize, usize> = BTreeMap::new();
    let mut shared = BTreeMap::new();
    for (g, group) in groups.iter().enumerate() {
        for item in group.options.iter().flat_map(|o| &o.items) {
            match first_group.entry(item.course) {
                Entry::Vacant(e) => {
                    e.insert(g);
                }
                Entry::Occupied(e) => {
                    if *e.get() != g {
                        let n = shared.len();
                        shared.entry(item.course).or_insert(n);
                    }
                }
            }
        }
    }
    shared
}

/// Every distinct way a group can convert, best first, ending with "nothing". Choices with the same
/// credits and shared courses are interchangeable for the other groups, so only the best is kept.
fn group_choices(group: &Group, bits: &BTreeMap<usize, usize>, per_group: u32) -> Vec<Choice> {
    let mut all = Vec::new();
    for (o, opt) in group.options.iter().enumerate() {
        for ((mask, tenths), items) in option_subsets(opt, bits, per_group) {
            if tenths > 0 {
                all.push(Choice {
                    pick: Some((o, items)),
                    tenths,
                    mask,
                });
            }
        }
    }
    order::sort_by(&mut all, |a, b| {
        b.tenths
            .cmp(&a.tenths)
            .then_with(|| a.pick.cmp(&b.pick))
            .then_with(|| a.mask.cmp(&b.mask))
    });
    let mut seen = std::collections::BTreeSet::new();
    all.retain(|c| seen.insert((c.mask.clone(), c.tenths)));
    all.push(Choice {
        pick: None,
        tenths: 0,
        mask: Bits::default(),
    });
    all
}

/// For each (shared courses, credit sum) within the cap, the subset of the option's items that
/// includes the highest-priority items (the lexicographically smallest index list).
fn option_subsets(
    opt: &Opt,
    bits: &BTreeMap<usize, usize>,
    cap: u32,
) -> BTreeMap<(Bits, u32), Vec<usize>> {
    let mut states: BTreeMap<(Bits, u32), Vec<usize>> = BTreeMap::new();
    states.insert((Bits::default(), 0), Vec::new());
    for (i, item) in opt.items.iter().enumerate() {
        let before: Vec<_> = states.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        for ((mask, sum), subset) in before {
            let t = sum + item.tenths;
            if t > cap {
                continue;
            }
            let mask = match bits.get(&item.course) {
                Some(&b) => mask.with(b),
                None => mask,
            };
            let mut cand = subset;
            cand.push(i);
            match states.entry((mask, t)) {
                Entry::Vacant(e) => {
                    e.insert(cand);
                }
                Entry::Occupied(mut e) => {
                    if cand < *e.get() {
                        e.insert(cand);
                    }
                }
            }
        }
    }
    states
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(items: &[(usize, u32)]) -> Opt {
        Opt {
            items: items
                .iter()
                .map(|&(course, tenths)| Item { course, tenths })
                .collect(),
        }
    }

    fn total(groups: &[Group], picks: &[Pick]) -> u32 {
        picks
            .iter()
            .zip(groups)
            .filter_map(|(p, g)| p.as_ref().map(|(o, items)| (g, o, items)))
            .map(|(g, o, items)| {
                items
                    .iter()
                    .map(|&i| g.options[*o].items[i].tenths)
                    .sum::<u32>()
            })
            .sum()
    }

    #[test]
    fn fills_a_cap_with_two_small_courses_rather_than_one_big() {
        // 4 + 4 fits 8 exactly; a greedy "biggest first" would take 5 and stop.
        let g = vec![Group {
            options: vec![opt(&[(0, 50), (1, 40), (2, 40)])],
        }];
        let picks = allocate(&g, 80, 1000);
        assert_eq!(picks, vec![Some((0, vec![1, 2]))]);
    }

    #[test]
    fn a_total_cap_is_met_as_closely_as_possible() {
        let g = vec![
            Group {
                options: vec![opt(&[(0, 40)])],
            },
            Group {
                options: vec![opt(&[(1, 30)])],
            },
            Group {
                options: vec![opt(&[(2, 20)])],
            },
        ];
        let picks = allocate(&g, 80, 50);
        assert_eq!(total(&g, &picks), 50);
        assert_eq!(picks, vec![None, Some((0, vec![0])), Some((0, vec![0]))]);
    }

    #[test]
    fn a_shared_course_goes_to_one_group_only() {
        let g = vec![
            Group {
                options: vec![opt(&[(0, 30)])],
            },
            Group {
                options: vec![opt(&[(0, 30), (1, 20)])],
            },
        ];
        let picks = allocate(&g, 80, 1000);
        assert_eq!(total(&g, &picks), 50);
        assert_eq!(picks, vec![Some((0, vec![0])), Some((0, vec![1]))]);
    }

    #[test]
    fn one_option_per_group_the_better_one_or_the_first_on_a_tie() {
        let g = vec![Group {
            options: vec![opt(&[(0, 30)]), opt(&[(1, 40)]), opt(&[(2, 40)])],
        }];
        assert_eq!(allocate(&g, 80, 1000), vec![Some((1, vec![0]))]);
        let g = vec![Group {
            options: vec![opt(&[(0, 40)]), opt(&[(1, 40)])],
        }];
        assert_eq!(allocate(&g, 80, 1000), vec![Some((0, vec![0]))]);
    }

    #[test]
    fn bit_sets_compare_by_content() {
        let a = Bits::default().with(70).with(3);
        let b = Bits::default().with(3);
        assert!(a.meets(&b) && !b.meets(&Bits::default().with(4)));
        assert_eq!(b.union(&Bits::default().with(70)), a);
        assert_eq!(Bits::default().union(&Bits::default()), Bits::default());
    }
}
