//! One sort for the app and its rules, small in WASM.
//!
//! The standard library's sorts are fast but large: every element type and comparator gets its own
//! copy of the quicksort and driftsort machinery, 2–4 KB of WASM each, and the app had 28 of them
//! (about 65 KB before brotli, `bench/wasm-twiggy.sh`). Here one non-generic merge sort
//! orders positions through a `dyn` comparator, and only the few lines that compare and move the
//! elements are generic. The lists sorted here are short (a student's registrations, a page of
//! plans, credit rules), where being slower than the standard library does not show: 10,000
//! random elements take about 1.3 ms natively against 0.2 ms (`order_bench` example). The search
//! hits, sorted on every keystroke and as long as the catalog, keep the standard library's sort.
//!
//! Every sort is stable, so the `_unstable` forms of the standard library are not needed.
//! Collecting into a `BTreeMap` or `BTreeSet` sorts with the standard library too (its bulk
//! build), so the app's rules extend an empty one instead.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, like `slice::sort_by`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    if let Some(order) = sorted_positions(v.len(), &mut |a, b| cmp(&v[a], &v[b])) {
        permute(v, order);
    }
}

/// Sorts `v` stably by a key, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` stably in its natural order, like `slice::sort`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts `v` stably by a key computed once per element, like `slice::sort_by_cached_key`.
pub fn sort_by_cached_key<T, K: Ord>(v: &mut [T], key: impl FnMut(&T) -> K) {
    if v.len() < 2 {
        return;
    }
    let keys: Vec<K> = v.iter().map(key).collect();
    if let Some(order) = sorted_positions(v.len(), &mut |a, b| keys[a].cmp(&keys[b])) {
        permute(v, order);
    }
}

/// The positions `0..len` in sorted order, or `None` when they already are (lists the server sent
/// in order): a bottom-up merge sort, stable (on a tie the earlier position comes first). Not
/// generic, so the app carries one copy.
#[inline(never)]
fn sorted_positions(
    len: usize,
    cmp: &mut dyn FnMut(usize, usize) -> Ordering,
) -> Option<Vec<usize>> {
    if (1..len).all(|i| cmp(i - 1, i) != Ordering::Greater) {
        return None;
    }
    let mut from: Vec<usize> = (0..len).collect();
    let mut to = vec![0; len];
    let mut width = 1;
    while width < len {
        let mut start = 0;
        while start < len {
            let mid = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut l, mut r, mut k) = (start, mid, start);
            while l < mid && r < end {
                // Take the right run's element only when it is strictly smaller: that keeps ties
                // in their original order.
                if cmp(from[r], from[l]) == Ordering::Less {
                    to[k] = from[r];
                    r += 1;
                } else {
                    to[k] = from[l];
                    l += 1;
                }
                k += 1;
            }
            to[k..k + (mid - l)].copy_from_slice(&from[l..mid]);
            k += mid - l;
            to[k..end].copy_from_slice(&from[r..end]);
            start = end;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    Some(from)
}

/// Moves `v[order[i]]` to position `i` for every `i`, in place: each cycle of the permutation is
/// followed with swaps, and a visited position is marked by pointing it at itself.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for i in 0..v.len() {
        let mut j = i;
        loop {
            let k = order[j];
            order[j] = j;
            if k == i {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same result as the standard library's stable sort, ties included: pairs compared by
        /// their first field only, so the second shows whether equal keys kept their order.
        #[test]
        #[allow(clippy::disallowed_methods)]
        fn sorts_like_the_standard_stable_sort(v in proptest::collection::vec((0u8..6, any::<u16>()), 0..200)) {
            let mut expected = v.clone();
            expected.sort_by_key(|p| p.0);
            let mut got = v.clone();
            sort_by(&mut got, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(&got, &expected);

            let mut by_key = v.clone();
            sort_by_key(&mut by_key, |p| p.0);
            prop_assert_eq!(&by_key, &expected);

            let mut cached = v.clone();
            sort_by_cached_key(&mut cached, |p| p.0.to_string());
            prop_assert_eq!(&cached, &expected);

            let mut all = v.clone();
            sort(&mut all);
            let mut std_all = v;
            std_all.sort();
            prop_assert_eq!(all, std_all);
        }
    }

    #[test]
    fn reverse_order_and_strings() {
        let mut v = vec!["丙", "甲", "乙", "a", "B"];
        sort_by(&mut v, |a, b| b.cmp(a));
        assert_eq!(v, ["甲", "乙", "丙", "a", "B"]);
        let mut one = [7];
        sort(&mut one);
        assert_eq!(one, [7]);
        let mut none: [u8; 0] = [];
        sort(&mut none);
    }
}
