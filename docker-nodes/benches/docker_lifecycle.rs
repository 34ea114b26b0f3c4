//! `up` and `down` times of the docker driver beside the netns driver's, for a 1-node and
//! a 3-node (3 managers) swarm. Prints figures only. Needs root and docker.io: the netns
//! clusters are private-swarm's, and the docker driver's "user's engine" is a private
//! dockerd in its own network namespace with a node image built from this machine's
//! docker.io files (cached under target/). The docker driver's calls run on a thread that
//! entered that namespace, where the nodes' API ports are published on 127.0.0.1.
//!
//! `cargo bench -p docker-nodes --bench docker_lifecycle [-- ITERATIONS]`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use docker_nodes::{DockerCluster, NodeSetup, UpOptions};
use private_swarm::{Cluster, ClusterSpec};

const IMAGE: &str = "swarm-lab-bench/node:host";

fn main() {
    let iterations: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(3);
    let root = std::path::Path::new("/tmp/docker-nodes-bench");
    std::fs::create_dir_all(root).expect("bench directory");
    private_swarm::cleanup_stale(root).expect("cleaning up killed bench runs");
    let shapes = [("1 node", 1, 1), ("3 nodes, 3 managers", 3, 3)];

    println!("practice swarm up/down, {iterations} iterations each (seconds)");
    println!("{:<8} {:<22} {:>8} {:>8} {:>9} {:>9}", "driver", "cluster", "up mean", "up min", "down mean", "down min");
    for (label, nodes, managers) in shapes {
        let (mut ups, mut downs) = (Vec::new(), Vec::new());
        for _ in 0..iterations {
            let dir = tempfile::Builder::new().prefix("b").tempdir_in(root).expect("bench directory");
            let t = Instant::now();
            let mut cluster = Cluster::start(ClusterSpec::new(dir.path(), nodes, managers)).expect("cluster start");
            ups.push(t.elapsed());
            let t = Instant::now();
            cluster.teardown().expect("teardown");
            downs.push(t.elapsed());
        }
        row("netns", label, &ups, &downs);
    }

    let dir = tempfile::Builder::new().prefix("e").tempdir_in(root).expect("bench directory");
    let engine =
        Cluster::start(ClusterSpec { images: false, ..ClusterSpec::new(dir.path(), 1, 1) }).expect("the user's engine");
    let cache = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/docker-driver-node-image");
    let rootfs = host_image::cached_rootfs(&cache).expect("node image");
    let mut import = vec!["import"];
    for c in host_image::CHANGES {
        import.extend(["--change", c]);
    }
    import.extend([rootfs.to_str().unwrap(), IMAGE]);
    engine.docker(0, &import).expect("importing the node image");

    let netns = PathBuf::from("/run/netns").join(&engine.node(0).netns);
    let host = engine.node(0).docker_host.clone();
    let certs = tempfile::tempdir().expect("cert dir");
    let cert_dir = certs.path().join("bench");
    std::thread::spawn(move || {
        let ns = std::fs::File::open(&netns).expect("the engine's network namespace");
        nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let ep = lab_engine::Endpoint { host, tls: None, context: None, source: "bench".into() };
            let setup = NodeSetup { image: IMAGE.into(), ..Default::default() };
            let cluster = DockerCluster::connect(&ep, "bench", cert_dir).await.expect("connect").with_setup(setup);
            for (label, nodes, managers) in shapes {
                let (mut ups, mut downs) = (Vec::new(), Vec::new());
                let opts = UpOptions { nodes, managers, ..Default::default() };
                for _ in 0..iterations {
                    let t = Instant::now();
                    cluster.up(&opts, &mut |_| {}).await.expect("up");
                    ups.push(t.elapsed());
                    let t = Instant::now();
                    cluster.down(&mut |_| {}).await.expect("down");
                    downs.push(t.elapsed());
                }
                row("docker", label, &ups, &downs);
            }
        });
    })
    .join()
    .expect("docker driver bench");
}

fn row(driver: &str, label: &str, ups: &[Duration], downs: &[Duration]) {
    println!(
        "{:<8} {:<22} {:>8.2} {:>8.2} {:>9.2} {:>9.2}",
        driver,
        label,
        mean(ups),
        min(ups),
        mean(downs),
        min(downs)
    );
}

fn mean(d: &[Duration]) -> f64 {
    d.iter().map(Duration::as_secs_f64).sum::<f64>() / d.len() as f64
}

fn min(d: &[Duration]) -> f64 {
    d.iter().map(Duration::as_secs_f64).fold(f64::INFINITY, f64::min)
}
