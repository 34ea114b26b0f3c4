//! `lab grade --live` over a class of 200: one real private engine (a 1-node swarm) behind
//! 200 proxy sockets that each hold every request back by 50 ms, one learner per socket,
//! followed by the real `lab` binary (2 runtime threads). Prints:
//!
//! - time to the first full view: from starting `lab grade --live` until every row of its
//!   event stream has an outcome;
//! - update latency: from a docker CLI change (the `frontend` overlay network of the
//!   voting-app lab, created or removed) to the first row and to the last of the 200 rows
//!   showing it on the class view's event stream. All 200 learners share the one engine, so
//!   every change is a change of the whole class at once: the worst case, 200 re-reads
//!   against one dockerd;
//! - requests per minute to the engines while the class is stable (target: 0; the 200 open
//!   event streams are not requests);
//! - the resident memory of `lab`: RSS after the first view and at the end, its peak
//!   (`VmHWM`), and the highest RSS sampled (every 10 ms) in each phase: the first
//!   wave of reads, the stable class, the update rounds.
//!
//! Needs root (private dockerd). `cargo bench -p swarm-e2e --bench live_class`. Env:
//! `LIVE_CLASS_LEARNERS` (200), `LIVE_CLASS_LATENCY_MS` (50), `LIVE_CLASS_ROUNDS` (3),
//! `LIVE_CLASS_STABLE_SECS` (15).

use private_swarm::{Cluster, ClusterSpec};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use swarm_e2e::socket_proxy::SocketProxy;

const LAB: &str = "day6-voting-app";
const NETWORK_CHECK: &str = "network-frontend";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Each learner's (status, the network check's mark), as the event stream last said.
type View = Arc<Mutex<HashMap<String, (String, String)>>>;

/// Follows `/api/class/events` into `view`.
fn follow(port: u16, view: View) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET /api/class/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            let Some(data) = line.strip_prefix("data: ") else { continue };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(data) else { continue };
            let mut view = view.lock().unwrap();
            for row in v["learners"].as_array().into_iter().flatten() {
                let mark = row["checks"][NETWORK_CHECK].as_str().unwrap_or("").to_string();
                let status = row["status"].as_str().unwrap_or("").to_string();
                view.insert(row["learner"].as_str().unwrap_or("").to_string(), (status, mark));
            }
        }
    });
}

/// Waits until `n` rows satisfy `ok`; the time of the first and of the last (from `since`).
fn wait_rows(view: &View, n: usize, since: Instant, ok: impl Fn(&(String, String)) -> bool) -> (Duration, Duration) {
    let deadline = since + Duration::from_secs(120);
    let mut first = None;
    loop {
        let done = view.lock().unwrap().values().filter(|r| ok(r)).count();
        if done > 0 && first.is_none() {
            first = Some(since.elapsed());
        }
        if done >= n {
            return (first.unwrap_or_default(), since.elapsed());
        }
        assert!(Instant::now() < deadline, "only {done} of {n} rows changed within 120 s");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// `VmRSS` and `VmHWM` of `pid`, in MiB.
fn rss(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
}

/// Samples `pid`'s RSS every 10 ms; [`RssSampler::take`] is the highest since the last take.
struct RssSampler(Arc<Mutex<f64>>);

impl RssSampler {
    fn start(pid: u32) -> RssSampler {
        let peak = Arc::new(Mutex::new(0.0f64));
        let p = Arc::downgrade(&peak);
        std::thread::spawn(move || {
            while let Some(peak) = p.upgrade() {
                let (now, _) = rss(pid);
                let mut peak = peak.lock().unwrap();
                *peak = peak.max(now);
                drop(peak);
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        RssSampler(peak)
    }

    fn take(&self) -> f64 {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64;
    println!(
        "{name:<52} n={:<2} min {:>7.0} ms  median {:>7.0} ms  mean {:>7.0} ms  max {:>7.0} ms",
        v.len(),
        ms(v[0]),
        ms(v[v.len() / 2]),
        mean,
        ms(v[v.len() - 1])
    );
}

fn main() {
    let learners: usize = env_or("LIVE_CLASS_LEARNERS", 200);
    let latency = Duration::from_millis(env_or("LIVE_CLASS_LATENCY_MS", 50));
    let rounds: usize = env_or("LIVE_CLASS_ROUNDS", 3);
    let stable: u64 = env_or("LIVE_CLASS_STABLE_SECS", 15);
    let root = std::path::PathBuf::from("/tmp/lab-class-bench");
    std::fs::create_dir_all(&root).unwrap();
    let _ = private_swarm::cleanup_stale(&root);
    let dir = tempfile::Builder::new().prefix("b").tempdir_in(&root).unwrap();
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path().join("c"), 1, 1)).expect("a private swarm");
    std::fs::create_dir(dir.path().join("p")).unwrap();
    let proxy = SocketProxy::start(&dir.path().join("p"), learners, &cluster.node(0).docker_host, latency).unwrap();
    let roster = dir.path().join("class.csv");
    let rows: Vec<String> = proxy.endpoints().iter().enumerate().map(|(i, e)| format!("learner{i:03},{e}")).collect();
    std::fs::write(&roster, format!("learner,endpoint\n{}\n", rows.join("\n"))).unwrap();

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lab-e2e"))
        .args(["grade", LAB, "--live", "--port", "0", "--roster"])
        .arg(&roster)
        .env("NO_COLOR", "1")
        .env_remove("SWARM_LAB_LABS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let port: u16 = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "lab grade --live ended without an address");
        let port = line.strip_prefix("live class view at http://127.0.0.1:").and_then(|r| r.split('/').next());
        if let Some(port) = port {
            break port.parse().unwrap_or_else(|_| panic!("no port: {line:?}"));
        }
    };
    let _live = Killed(child);
    let sampler = RssSampler::start(pid);
    let view: View = Arc::default();
    follow(port, view.clone());
    let (_, first_view) = wait_rows(&view, learners, started, |(status, _)| status == "graded");
    let (rss_first, _) = rss(pid);
    let peak_first = sampler.take();

    // The class settles: the engines have had no request for 2 s (a learner's event stream
    // replays the last 2 s of events once, which costs a read).
    let settle = Instant::now();
    let tail_from = proxy.requests().len();
    let mut quiet = (proxy.requests().len(), Instant::now());
    while quiet.1.elapsed() < Duration::from_secs(2) {
        assert!(settle.elapsed() < Duration::from_secs(120), "the class never settled");
        std::thread::sleep(Duration::from_millis(50));
        let n = proxy.requests().len();
        if n != quiet.0 {
            quiet = (n, Instant::now());
        }
    }
    let tail = quiet.0 - tail_from;
    let settle_secs = (quiet.1 - settle).as_secs_f64();
    let before = proxy.requests().len();
    std::thread::sleep(Duration::from_secs(stable));
    let rpm = (proxy.requests().len() - before) as f64 * 60.0 / stable as f64;
    let peak_stable = sampler.take();

    let (mut to_first, mut to_all) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        for (args, want) in [
            (&["network", "create", "--driver", "overlay", "frontend"][..], "pass"),
            (&["network", "rm", "frontend"][..], "fail"),
        ] {
            cluster.docker(0, args).expect("docker network create/rm");
            let at = Instant::now();
            let (first, all) = wait_rows(&view, learners, at, |(_, mark)| mark == want);
            to_first.push(first);
            to_all.push(all);
        }
    }
    let (rss_end, peak) = rss(pid);
    let peak_updates = sampler.take();

    println!(
        "lab grade --live, {learners} learners, each behind a {} ms proxy, one private engine:",
        latency.as_millis()
    );
    println!("{:<52} {:.2} s", "time to the first full view", first_view.as_secs_f64());
    stats("docker CLI change → first row updated", to_first);
    stats(&format!("docker CLI change → all {learners} rows updated"), to_all);
    println!("{:<52} {tail} (settled {:.1} s after it)", "requests after the first full view", settle_secs);
    println!("{:<52} {rpm:.1} (over {stable} s)", "requests/min to the engines while stable");
    println!(
        "{:<52} {rss_first:.1} MiB after the first view, {rss_end:.1} MiB at the end, peak {peak:.1} MiB",
        "RSS of lab"
    );
    println!(
        "{:<52} first wave {peak_first:.1} MiB, stable {peak_stable:.1} MiB, updates {peak_updates:.1} MiB",
        "highest RSS sampled"
    );
    drop(_live);
    drop(proxy);
    cluster.teardown().unwrap();
}
