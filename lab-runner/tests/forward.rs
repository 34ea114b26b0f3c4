//! `lab cluster forward` on real engines: a 2-node netns swarm (no IPVS on this kernel, so
//! the service's ingress-published port never answers) and a 2-replica web service whose
//! stand-in page names the container that served it. Forwarding answers, alternates
//! between the replicas, follows a task replaced after `docker container rm -f`, reads the
//! swarm with GETs only (a recording proxy in front of the engine), and stops on Ctrl-C
//! with nothing left listening. Bad input: each case's exit code and message, nothing
//! left listening.

mod support;

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::forwarding::{http, Forwarding};
use support::*;

/// `lab cluster forward ARGS` in the background against `host`.
fn spawn_forward(host: &str, args: &[&str]) -> Forwarding {
    let mut cmd = Command::new(lab_bin());
    cmd.args(["cluster", "forward"])
        .args(args)
        .env("DOCKER_HOST", host)
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_CERT_PATH")
        .env_remove("DOCKER_TLS_VERIFY")
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::null());
    Forwarding::start(cmd)
}

/// The page at 127.0.0.1:`port`: the container that served it (the stand-in page's
/// `<b id="hostname">`), or the error.
fn served_by(port: u16) -> Result<String, String> {
    let page = http(port, "GET / HTTP/1.0\r\n\r\n")?;
    let from = page.find("<b id=\"hostname\">").ok_or_else(|| format!("no hostname in: {page:?}"))? + 17;
    let to = page[from..].find('<').ok_or("unterminated hostname")? + from;
    Ok(page[from..to].to_string())
}

/// A local port nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn nothing_listens(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_err()
}

fn run_forward(host: &str, args: &[&str]) -> (i32, String) {
    let mut all = vec!["cluster", "forward"];
    all.extend_from_slice(args);
    let out = lab(host, &all);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn forward_spreads_connections_over_the_replicas_follows_a_replaced_task_and_only_reads() {
    let swarm = TestSwarm::start(2, 1);
    swarm.apply("docker service create --name web --replicas 2 -p 8080:80 nginx");
    swarm
        .wait_replicas(Duration::from_secs(90), |s| s.iter().any(|(name, r)| name == "web" && r == "2/2"))
        .unwrap_or_else(|last| panic!("web never reached 2/2 replicas: {last}"));

    let dir = tempfile::Builder::new().prefix("fw").tempdir_in("/tmp").unwrap();
    let proxy = dir.path().join("p.sock");
    let seen = recording_proxy(proxy.clone(), swarm.host(0));
    let via = format!("unix://{}", proxy.display());

    let mut fwd = spawn_forward(&via, &["web", "0:80", "--verbose"]);
    let line = fwd.line.clone();
    assert!(
        line.starts_with("Forwarding 127.0.0.1:") && line.contains("→ web:80 (2 running tasks); Ctrl-C to stop"),
        "{line}"
    );
    let port: u16 = line["Forwarding 127.0.0.1:".len()..].split_whitespace().next().unwrap().parse().unwrap();

    // Round robin: the two replicas take turns.
    let first: Vec<String> = (0..4).map(|_| served_by(port).expect("the forward answers")).collect();
    assert_ne!(first[0], first[1], "two replicas answer: {first:?}");
    assert_eq!((&first[0], &first[1]), (&first[2], &first[3]), "they take turns: {first:?}");

    // A task's container removed on its node: the swarm replaces it, the forward follows.
    let gone = first[0].clone();
    // (`rm -f` of a container an engine does not have succeeds too: find its node first.)
    let node = (0..2)
        .find(|&n| !swarm.sh_on(n, &format!("docker ps -q --filter id={gone}")).trim().is_empty())
        .unwrap_or_else(|| panic!("no node runs container {gone}"));
    swarm.sh_on(node, &format!("docker container rm -f {gone}"));
    let deadline = Instant::now() + Duration::from_secs(90);
    let replacement = loop {
        // Connections keep being answered meanwhile (by the other replica).
        let by = served_by(port).expect("the forward answers while a task is replaced");
        if by != first[0] && by != first[1] {
            break by;
        }
        if Instant::now() > deadline {
            fwd.interrupt();
            let stderr = fwd.stderr();
            let ps = swarm.sh("docker service ps web --no-trunc");
            panic!("the replacement task never answered through the forward:\n{stderr}\n{ps}");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let after: Vec<String> = (0..2).map(|_| served_by(port).unwrap()).collect();
    assert!(
        after.contains(&replacement) && after.contains(&first[1]),
        "the replacement and the other replica take turns: {after:?}"
    );
    assert!(!after.contains(&gone));

    let status = fwd.interrupt();
    assert_eq!(status.code(), Some(0), "Ctrl-C stops it cleanly");
    assert!(nothing_listens(port), "nothing is left listening on {port}");
    let stderr = fwd.stderr();
    assert!(stderr.contains(&format!("(container {gone}) is gone; 1 running task now")), "{stderr}");
    assert!(stderr.contains(&format!("is running (container {replacement}); 2 running tasks now")), "{stderr}");
    assert!(stderr.contains("connection 1 from 127.0.0.1:"), "--verbose names each connection: {stderr}");

    let seen = seen.lock().unwrap().clone();
    assert!(seen.iter().any(|r| r.contains("/tasks")), "the forward read the tasks through the proxy: {seen:?}");
    let writes: Vec<&String> = seen.iter().filter(|r| !r.starts_with("GET ")).collect();
    assert!(writes.is_empty(), "lab cluster forward only reads: {writes:?}");

    // Bad input, on the same swarm: exit codes, messages, nothing left listening.
    let host = swarm.host(0);
    let (code, err) = run_forward(&host, &["wbe", "80"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("there is no service `wbe`") && err.contains("Did you mean `web`?"), "{err}");

    for bad in ["http", "8080:", "70000", "0"] {
        let (code, err) = run_forward(&host, &["web", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains(&format!("`{bad}` is not [LOCAL_PORT:]TARGET_PORT")), "{err}");
    }

    let spare = free_port();
    let (code, err) = run_forward(&host, &["web", &format!("{spare}:81")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing listens on port 81 in service web") && err.contains("8080:80"), "{err}");
    assert!(nothing_listens(spare));

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    let (code, err) = run_forward(&host, &["web", &format!("{taken_port}:80")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("127.0.0.1:{taken_port} is in use")), "{err}");
    drop(taken);

    swarm.apply("docker service create --name stuck --constraint node.labels.nowhere==true nginx");
    let (code, err) = run_forward(&host, &["stuck", &format!("{spare}:80")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("service stuck has no running task") && err.contains("stuck.1 (-): pending"), "{err}");
    assert!(nothing_listens(spare));
}
