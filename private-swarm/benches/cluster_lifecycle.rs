//! Time to bring a cluster up (engines ready, stand-in images loaded, swarm settled) and
//! to tear it down, for a 1-node and a 3-node (3 managers) cluster, and for the 3-node one
//! with the offline registry the practice swarm runs (its namespace, its files, its `nc`).
//! Prints figures only.
//! Targets: 1 node up+down under 5 s, 3 nodes under 20 s. Needs root and docker.io.
//!
//! `cargo bench -p private-swarm --bench cluster_lifecycle [-- ITERATIONS]`

use std::time::{Duration, Instant};

use private_swarm::{Cluster, ClusterSpec};

fn main() {
    let iterations: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(3);
    let root = std::path::Path::new("/tmp/private-swarm-bench");
    std::fs::create_dir_all(root).expect("bench directory");
    private_swarm::cleanup_stale(root).expect("cleaning up killed bench runs");

    println!("cluster lifecycle, {iterations} iterations each (seconds)");
    println!(
        "{:<22} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "cluster", "up mean", "up min", "down mean", "down min", "total", "tot min"
    );
    for (label, nodes, managers, registry) in
        [("1 node", 1, 1, false), ("3 nodes, 3 managers", 3, 3, false), ("3 nodes + registry", 3, 3, true)]
    {
        let mut ups = Vec::new();
        let mut downs = Vec::new();
        for _ in 0..iterations {
            let dir = tempfile::Builder::new().prefix("b").tempdir_in(root).expect("bench directory");
            let t = Instant::now();
            let spec = ClusterSpec { registry, ..ClusterSpec::new(dir.path(), nodes, managers) };
            let mut cluster = Cluster::start(spec).expect("cluster start");
            ups.push(t.elapsed());
            let t = Instant::now();
            cluster.teardown().expect("teardown");
            downs.push(t.elapsed());
        }
        let totals: Vec<Duration> = ups.iter().zip(&downs).map(|(u, d)| *u + *d).collect();
        println!(
            "{:<22} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
            label,
            mean(&ups),
            min(&ups),
            mean(&downs),
            min(&downs),
            mean(&totals),
            min(&totals)
        );
    }
}

fn mean(d: &[Duration]) -> f64 {
    d.iter().map(Duration::as_secs_f64).sum::<f64>() / d.len() as f64
}

fn min(d: &[Duration]) -> f64 {
    d.iter().map(Duration::as_secs_f64).fold(f64::INFINITY, f64::min)
}
