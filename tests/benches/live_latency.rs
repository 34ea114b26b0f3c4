//! The live workbook's figures, on a private one-node swarm behind the recording proxy:
//!
//! - latency from a docker CLI change (the command has returned) to the matching report of
//!   `lab check --watch --format json`, and to the voting-app card of `lab serve` in
//!   headless Chromium (target: < 1 s on a local engine);
//! - requests per minute each sends to the engine while the swarm is stable (target: 0).
//!
//! `cargo bench -p swarm-e2e --bench live_latency`. Env: `LIVE_BENCH_ROUNDS` (default 5)
//! changes each way, `LIVE_BENCH_STABLE_SECS` (default 30) of stable swarm per figure.

#[path = "../../book/mdbook-lab/tests/book/cdp.rs"]
mod cdp;

use private_swarm::{Cluster, ClusterSpec};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use swarm_e2e::socket_proxy::SocketProxy;

const LAB: &str = "day6-voting-app";
const NETWORK_CHECK: &str = "network-frontend";

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn lab(host: &str, state: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lab-e2e"));
    cmd.args(args)
        .env("DOCKER_HOST", host)
        .env("XDG_STATE_HOME", state)
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("SWARM_LAB_LABS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Toggles the `frontend` overlay network (one check of the voting-app lab); returns the
/// instant the docker CLI returned.
fn toggle(cluster: &Cluster, create: bool) -> Instant {
    let args: &[&str] =
        if create { &["network", "create", "--driver", "overlay", "frontend"] } else { &["network", "rm", "frontend"] };
    cluster.docker(0, args).expect("docker network create/rm");
    Instant::now()
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64;
    println!(
        "{name:<44} n={:<3} min {:>7.1} ms  median {:>7.1} ms  mean {:>7.1} ms  max {:>7.1} ms",
        v.len(),
        ms(v[0]),
        ms(v[v.len() / 2]),
        mean,
        ms(v[v.len() - 1])
    );
}

/// Requests per minute while nothing changes. The sleeps stay: they are the window being
/// measured (after 1.5 s for the last change's re-reads to end), not a synchronisation.
fn requests_while_stable(proxy: &SocketProxy, secs: u64) -> f64 {
    std::thread::sleep(Duration::from_millis(1500));
    let before = proxy.requests().len();
    std::thread::sleep(Duration::from_secs(secs));
    (proxy.requests().len() - before) as f64 * 60.0 / secs as f64
}

fn main() {
    let rounds = env_num("LIVE_BENCH_ROUNDS", 5) as usize;
    let stable = env_num("LIVE_BENCH_STABLE_SECS", 30);
    let root = PathBuf::from("/tmp/lab-live-bench");
    std::fs::create_dir_all(&root).unwrap();
    let _ = private_swarm::cleanup_stale(&root);
    let dir = tempfile::Builder::new().prefix("b").tempdir_in(&root).unwrap();
    let state = dir.path().join("state");
    let cluster = Cluster::start(ClusterSpec::new(dir.path().join("c"), 1, 1)).expect("a private swarm");
    let proxy = SocketProxy::start(dir.path(), 2, &cluster.node(0).docker_host, Duration::ZERO).unwrap();
    let (watch_ep, serve_ep) = (proxy.endpoints()[0].clone(), proxy.endpoints()[1].clone());

    // lab check --watch
    let mut child = lab(&watch_ep, &state, &["check", LAB, "--watch", "--format", "json"]).spawn().unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let _watch = Killed(child);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            let status = v["checks"].as_array().unwrap().iter().find(|c| c["id"] == NETWORK_CHECK).unwrap()["status"]
                .as_str()
                .unwrap()
                .to_string();
            let _ = tx.send((Instant::now(), status));
        }
    });
    rx.recv_timeout(Duration::from_secs(60)).expect("a first report");
    let wait_for = |want: &str, since: Instant| loop {
        let (at, status) = rx.recv_timeout(Duration::from_secs(30)).expect("a report for the change");
        if status == want {
            return at - since;
        }
    };
    let mut watch_latency = Vec::new();
    for _ in 0..rounds {
        let at = toggle(&cluster, true);
        watch_latency.push(wait_for("pass", at));
        let at = toggle(&cluster, false);
        watch_latency.push(wait_for("fail", at));
    }
    let watch_rpm = requests_while_stable(&proxy, stable);
    drop(_watch);

    // lab serve + Chromium
    let mut child = lab(&serve_ep, &state, &["serve", "--port", "0"]).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _serve = Killed(child);
    let url = lines
        .find_map(|l| l.ok().and_then(|l| l.split_whitespace().nth(4).map(str::to_string)))
        .expect("lab serve prints its address");
    let Some(exe) = cdp::chromium() else {
        println!("no Chromium: the browser figures are skipped (apt-get install -y chromium)");
        print_watch(watch_latency, watch_rpm, stable);
        return;
    };
    let mut browser = cdp::Browser::launch(&exe);
    let mut page = cdp::Page::open(&mut browser, &format!("{url}voting-app.html"));
    let status = format!("document.querySelector('#lab-day6-voting-app-{NETWORK_CHECK}').getAttribute('data-status')");
    page.wait_for(&format!("{status} === 'fail'"));
    let mut card_latency = Vec::new();
    for _ in 0..rounds {
        for (create, want) in [(true, "pass"), (false, "fail")] {
            let at = toggle(&cluster, create);
            let deadline = at + Duration::from_secs(30);
            while page.eval(&status) != want {
                assert!(Instant::now() < deadline, "the card did not show {want}");
                std::thread::sleep(Duration::from_millis(5));
            }
            card_latency.push(at.elapsed());
        }
    }
    let serve_rpm = requests_while_stable(&proxy, stable);
    print_watch(watch_latency, watch_rpm, stable);
    stats("docker CLI change → browser card (lab serve)", card_latency);
    println!("requests/min to the engine while stable, lab serve with the page open: {serve_rpm:.1} (over {stable} s)");
}

fn print_watch(latency: Vec<Duration>, rpm: f64, stable: u64) {
    stats("docker CLI change → lab check --watch report", latency);
    println!("requests/min to the engine while stable, lab check --watch: {rpm:.1} (over {stable} s)");
}
