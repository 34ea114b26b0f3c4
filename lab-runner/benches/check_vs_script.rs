//! Benchmark: `lab check day6-voting-app` against a bash verify script that checks the same
//! facts with `docker service inspect`, `docker network inspect` and friends, on the same
//! private engine. Prints wall times (process start included), peak RSS, and the ratio.
//! Targets: at least 40x faster than the script, a median of at most 10 ms, under 30 MB.

use private_swarm::{Cluster, ClusterSpec};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run(cmd: &mut Command) -> (Duration, bool) {
    let t = Instant::now();
    let st = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().expect("run");
    (t.elapsed(), st.success())
}

/// Runs a command and returns its wall time and its own peak RSS in MiB (wait4's rusage).
#[allow(clippy::zombie_processes)] // reaped by wait4, which also reports its rusage
fn run_rss(cmd: &mut Command) -> (Duration, f64) {
    let t = Instant::now();
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for the child we just spawned; rusage is a plain C struct.
    unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut ru) };
    (t.elapsed(), ru.ru_maxrss as f64 / 1024.0)
}

fn stats(name: &str, v: &mut [Duration]) -> f64 {
    v.sort();
    let mean = v.iter().map(|d| d.as_secs_f64()).sum::<f64>() / v.len() as f64;
    println!(
        "{name:<28} n={:<3} min {:>8.1} ms  median {:>8.1} ms  mean {:>8.1} ms",
        v.len(),
        v[0].as_secs_f64() * 1e3,
        v[v.len() / 2].as_secs_f64() * 1e3,
        mean * 1e3
    );
    v[v.len() / 2].as_secs_f64()
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lab = root.join("../target/release/lab");
    let status =
        Command::new("cargo").args(["build", "--release", "-q", "-p", "lab-runner", "--bin", "lab"]).status().unwrap();
    assert!(status.success(), "cargo build --release");
    let dir = tempfile::Builder::new().prefix("bn").tempdir_in("/tmp").unwrap();
    let cluster = Cluster::start(ClusterSpec::new(dir.path(), 1, 1)).expect("private swarm");
    let host = cluster.node(0).docker_host.clone();
    // Progress of the bench's passes goes to its temp dir, never the real home.
    let state = dir.path().join("state");
    let (_, ok) = run(Command::new(&lab)
        .env("XDG_STATE_HOME", &state)
        .args(["solve", "day6-voting-app", "--yes", "--detach"])
        .env("DOCKER_HOST", &host));
    assert!(ok, "lab solve");
    let (_, ok) = run(Command::new(&lab)
        .env("XDG_STATE_HOME", &state)
        .args(["check", "day6-voting-app", "--wait", "60s"])
        .env("DOCKER_HOST", &host));
    assert!(ok, "the answer passes");

    let script = root.join("benches/verify-voting-app.sh");
    let (_, ok) = run(Command::new("bash").arg(&script).env("DOCKER_HOST", &host));
    assert!(ok, "the verify script passes too");

    let runs: Vec<(Duration, f64)> = (0..30)
        .map(|_| {
            run_rss(
                Command::new(&lab)
                    .env("XDG_STATE_HOME", &state)
                    .args(["check", "day6-voting-app"])
                    .env("DOCKER_HOST", &host),
            )
        })
        .collect();
    let mut lab_times: Vec<Duration> = runs.iter().map(|r| r.0).collect();
    let lab_rss = runs.iter().map(|r| r.1).fold(0.0, f64::max);
    let mut script_times: Vec<Duration> =
        (0..5).map(|_| run(Command::new("bash").arg(&script).env("DOCKER_HOST", &host)).0).collect();

    println!("lab check vs. a docker-inspect verify script (day6-voting-app, 1-node private swarm)");
    let l = stats("lab check (release)", &mut lab_times);
    let s = stats("verify-voting-app.sh", &mut script_times);
    println!("speed-up (median): {:.1}x  (target: >= 40x)", s / l);
    println!("lab check median wall time: {:.1} ms  (target: <= 10 ms)", l * 1e3);
    println!("peak RSS of lab check (max of 30 runs): {lab_rss:.1} MiB  (target: < 30 MB)");
    drop(cluster);
}
