//! Whether the app's JSON reader (`kaozheng_core::objects`, a wrapper that hands every nested value
//! a deserializer reading structs only from objects) costs time against plain serde_json: both read
//! a 10,000-certificate catalog (the shipped one's certificates repeated under new ids).
//! Native timings, printed, not asserted: `cargo run --release -p kaozheng-core --example objects_bench`.

use std::time::Instant;

use kaozheng_core::{Catalog, objects};

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/catalog.json");
    let mut catalog: Catalog =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let shipped = catalog.certificates.clone();
    catalog.certificates = (0..10_000)
        .map(|i| {
            let mut c = shipped[i % shipped.len()].clone();
            c.id = format!("{}-{i}", c.id);
            c
        })
        .collect();
    let json = serde_json::to_string(&catalog).unwrap();
    println!(
        "catalog: {} certificates, {} bytes of JSON",
        catalog.certificates.len(),
        json.len()
    );
    let time = |read: &dyn Fn(&str) -> Catalog| {
        let mut runs: Vec<f64> = (0..21)
            .map(|_| {
                let start = Instant::now();
                let c = read(&json);
                let ms = start.elapsed().as_secs_f64() * 1000.0;
                assert_eq!(c.certificates.len(), 10_000);
                ms
            })
            .collect();
        kaozheng_core::order::sort_by(&mut runs, |a, b| a.total_cmp(b));
        runs[runs.len() / 2]
    };
    let plain = time(&|s| serde_json::from_str(s).unwrap());
    let ours = time(&|s| objects::from_str(s).unwrap());
    println!("serde_json::from_str  median {plain:.2} ms (21 runs)");
    println!("objects::from_str     median {ours:.2} ms (21 runs)");
}
