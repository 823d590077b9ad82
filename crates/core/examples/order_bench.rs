//! How the app's one sort (`kaozheng_core::order`) compares with the standard library's on the
//! biggest list the app sorts, the search hits of a 10,000-entry catalog (score, then position):
//! the reason those hits keep the standard library's sort (crates/core/src/search.rs).
//! Native timings, printed, not asserted: `cargo run --release -p kaozheng-core --example order_bench`.
#![allow(clippy::disallowed_methods)] // the standard library's sort is the point of comparison

use std::time::Instant;

use kaozheng_core::order;

type Sorter<'a> = dyn Fn(&mut Vec<(u32, u32)>) + 'a;

fn main() {
    let mut seed = 1u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as u32
    };
    let hits: Vec<(u32, u32)> = (0..10_000)
        .map(|i| (next() % 11 * 1000 + next() % 999, i))
        .collect();
    let by_score = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    let in_order: Vec<(u32, u32)> = (0..10_000).map(|i| (0, i)).collect();
    for (name, input) in [
        ("10,000 hits, random scores", &hits),
        ("10,000 hits, empty query (in order)", &in_order),
    ] {
        let time = |f: &Sorter<'_>| {
            let mut runs: Vec<f64> = (0..51)
                .map(|_| {
                    let mut v = input.clone();
                    let t = Instant::now();
                    f(&mut v);
                    t.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            runs.sort_by(f64::total_cmp);
            runs[runs.len() / 2]
        };
        let std_us = time(&|v| v.sort_unstable_by(by_score));
        let ours_us = time(&|v| order::sort_by(v, by_score));
        println!(
            "{name}: std sort_unstable_by {std_us:.0} µs, order::sort_by {ours_us:.0} µs (median of 51)"
        );
    }
}
