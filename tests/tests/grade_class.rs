//! `lab grade` on a class of real private engines: every status a learner's cluster can
//! end in, scores and gradebook columns, feedback pages, the shared-swarm flag, only GET
//! requests on the wire, a hanging engine costing only its own timeout, and a run killed
//! mid-way leaving the previous gradebook or a complete new one.
//!
//! One 5-node cluster serves five learners: node1 (manager, the full answer), node2 (a
//! worker of node1's swarm), node3 (left the swarm: not in swarm mode), node4 and node5
//! (left, then each started a swarm of its own: a partial answer and an empty swarm).
//! The rest are made here: a socket that accepts and never answers, a socket nobody
//! listens on, a path with no socket, and a TLS server whose certificate the roster's CA
//! did not sign.

use lab_schema::command_line::{with_service_flags, ServiceFlags};
use private_swarm::{Cluster, ClusterSpec};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use swarm_e2e::lab_bin;
use swarm_e2e::lab_process::{eventually, lab_command};
use swarm_e2e::scratch::temp_dir;
use swarm_e2e::socket_proxy::SocketProxy;

const TEST_ROOT: &str = "/tmp/lab-grade-tests";
const LAB: &str = "day6-voting-app";
const CHECKS: [&str; 8] =
    ["network-frontend", "network-backend", "volume-db-data", "vote", "redis", "worker", "db", "result"];

fn grade_command(roster: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = lab_command(lab_bin!());
    cmd.args(["grade", LAB, "--roster"]).arg(roster).arg("--out").arg(out).args(extra);
    cmd
}

fn grade(roster: &Path, out: &Path, extra: &[&str]) -> Output {
    grade_command(roster, out, extra).output().expect("run lab grade")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// gradebook.csv as (header, rows keyed by learner → column → value).
fn read_gradebook(path: &Path) -> (Vec<String>, BTreeMap<String, BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let row: BTreeMap<String, String> = header.iter().cloned().zip(rec.iter().map(str::to_string)).collect();
        rows.insert(row["learner"].clone(), row);
    }
    (header, rows)
}

/// Runs answer lines on node `idx`, creating services detached and without a registry.
fn apply(cluster: &Cluster, idx: usize, lines: &[&str]) {
    for line in lines {
        let line = with_service_flags(line, ServiceFlags::FAST);
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        cluster.docker(idx, &args).unwrap_or_else(|e| panic!("`{line}` on node{}: {e}", idx + 1));
    }
}

/// Waits until every service on node `idx` runs all its replicas.
fn converged(cluster: &Cluster, idx: usize, services: usize) {
    eventually(&format!("services on node{} converged", idx + 1), Duration::from_secs(120), || {
        let out = cluster
            .docker(idx, &["service", "ls", "--format", "{{.Name}} {{.Replicas}}"])
            .map_err(|e| e.to_string())?;
        let done = out
            .lines()
            .filter(|l| {
                l.split_whitespace().nth(1).and_then(|r| r.split_once('/')).is_some_and(|(a, b)| a == b && a != "0")
            })
            .count();
        if done == services && out.lines().count() == services {
            Ok(())
        } else {
            Err(out)
        }
    });
}

/// A unix socket that accepts connections and never answers (until the test ends).
fn hanging_socket(path: &Path) {
    let listener = UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
}

/// A TLS server on 127.0.0.1 whose certificate is signed by a CA the roster does not
/// have; writes the roster's CA and a client certificate (signed by that other CA) into
/// `dir` as ca.pem, cert.pem and key.pem. Returns the port.
fn tls_server_with_a_certificate_the_roster_does_not_trust(dir: &Path) -> u16 {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    fn ca(name: &str) -> (rcgen::Certificate, Issuer<'static, KeyPair>) {
        let mut p = CertificateParams::new(Vec::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().unwrap();
        (p.self_signed(&key).unwrap(), Issuer::new(p, key))
    }
    fn leaf(names: &[&str], issuer: &Issuer<'static, KeyPair>) -> (rcgen::Certificate, KeyPair) {
        let p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        let key = KeyPair::generate().unwrap();
        (p.signed_by(&key, issuer).unwrap(), key)
    }
    let (engine_ca, engine_issuer) = ca("the engine's CA");
    let (server_cert, server_key) = leaf(&["127.0.0.1", "localhost"], &engine_issuer);
    let (roster_ca, roster_issuer) = ca("the CA the roster has");
    let (client_cert, client_key) = leaf(&["learner"], &roster_issuer);
    std::fs::write(dir.join("ca.pem"), roster_ca.pem()).unwrap();
    std::fs::write(dir.join("cert.pem"), client_cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), client_key.serialize_pem()).unwrap();

    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone(), engine_ca.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(mut conn) = rustls::ServerConnection::new(config) else { return };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                while conn.is_handshaking() {
                    if conn.complete_io(&mut stream).is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

#[test]
fn a_class_of_every_kind_of_cluster_is_graded_flagged_and_written_atomically() {
    let dir = temp_dir(TEST_ROOT, "gc");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path().join("c"), 5, 1))
        .unwrap_or_else(|e| panic!("cannot start the class's engines: {e}"));
    let host = |i: usize| cluster.node(i).docker_host.clone();

    // node3 leaves: an engine not in swarm mode. node4 and node5 leave and start their own.
    cluster.docker(2, &["swarm", "leave"]).unwrap();
    for i in [3, 4] {
        cluster.docker(i, &["swarm", "leave"]).unwrap();
        cluster.docker(i, &["swarm", "init", "--advertise-addr", &cluster.node(i).addr.to_string()]).unwrap();
    }
    let lab =
        lab_schema::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs/day6-voting-app.toml")).unwrap();
    let answer: Vec<&str> = lab.answer.steps.iter().map(|s| s.command.as_str()).collect();
    apply(&cluster, 0, &answer);
    apply(
        &cluster,
        3,
        &[
            "docker network create -d overlay frontend",
            "docker network create -d overlay backend",
            "docker service create --name redis --network frontend redis:3.2",
            "docker service create --name vote -p 80:80 --network frontend --replicas 1 bretfisher/examplevotingapp_vote",
            "docker service create --name db --network frontend -e POSTGRES_PASSWORD=secret postgres:9.4",
        ],
    );
    converged(&cluster, 0, 5);
    converged(&cluster, 3, 3);
    let swarm_of =
        |i: usize| cluster.docker(i, &["info", "--format", "{{.Swarm.Cluster.ID}}"]).unwrap().trim().to_string();
    let node_id_of =
        |i: usize| cluster.docker(i, &["info", "--format", "{{.Swarm.NodeID}}"]).unwrap().trim().to_string();
    let (swarm1, swarm4, swarm5) = (swarm_of(0), swarm_of(3), swarm_of(4));
    let worker_id = node_id_of(1);

    let fakes = temp_dir(TEST_ROOT, "gf");
    let f = fakes.path();
    let proxy = SocketProxy::start(f, 1, &host(0), Duration::ZERO).unwrap();
    hanging_socket(&f.join("hang.sock"));
    drop(UnixListener::bind(f.join("dead.sock")).unwrap()); // the file stays, nobody listens
    std::fs::create_dir(f.join("tls")).unwrap();
    let tls_port = tls_server_with_a_certificate_the_roster_does_not_trust(&f.join("tls"));

    let roster = f.join("class.csv");
    let rows = [
        format!("ana,{},,,", proxy.endpoints()[0]),
        format!("ben,{},,,", host(3)),
        format!("cat,{},,,", host(4)),
        format!("dan,{},,,", host(2)),
        format!("eve,{},,,", host(1)),
        format!("fay,{},,,", host(0)),
        format!("gus,unix://{}/hang.sock,,,", f.display()),
        format!("hal,unix://{}/dead.sock,,,", f.display()),
        format!("ivy,tcp://127.0.0.1:{tls_port},tls/ca.pem,tls/cert.pem,tls/key.pem"),
        format!("kim,unix://{}/no-such.sock,,,", f.display()),
    ];
    std::fs::write(&roster, format!("learner,endpoint,ca,cert,key\n{}\n", rows.join("\n"))).unwrap();
    let out = f.join("out");

    let timeout = Duration::from_secs(8);
    let started = Instant::now();
    let run = grade(&roster, &out, &["--timeout", "8s"]);
    let took = started.elapsed();
    let log = stderr(&run);
    eprintln!("lab grade took {took:?}:\n{log}");
    assert_eq!(run.status.code(), Some(1), "some learners could not be graded: {log}");
    assert!(took < timeout * 3, "the hanging engine cost more than its timeout: the run took {took:?}\n{log}");

    // The gradebook: a row per learner in roster order, a column per check.
    let (header, book) = read_gradebook(&out.join("gradebook.csv"));
    let mut want_header = vec!["learner", "status", "score", "max_score"];
    want_header.extend(CHECKS);
    want_header.extend(["swarm_id", "flags"]);
    assert_eq!(header, want_header);
    let learners: Vec<String> = csv::Reader::from_path(out.join("gradebook.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(learners, ["ana", "ben", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "kim"]);
    let status_score: Vec<(&str, &str, &str)> =
        learners.iter().map(|l| (l.as_str(), book[l]["status"].as_str(), book[l]["score"].as_str())).collect();
    assert_eq!(
        status_score,
        [
            ("ana", "graded", "100"),
            ("ben", "graded", "25"),
            ("cat", "graded", "0"),
            ("dan", "not_swarm", "0"),
            ("eve", "not_manager", "0"),
            ("fay", "graded", "100"),
            ("gus", "timeout", "0"),
            ("hal", "unreachable", "0"),
            ("ivy", "tls_error", "0"),
            ("kim", "unreachable", "0"),
        ],
        "{log}"
    );
    assert!(learners.iter().all(|l| book[l]["max_score"] == "100"));
    let points = |l: &str| CHECKS.iter().map(|c| book[l][*c].clone()).collect::<Vec<_>>().join(",");
    assert_eq!(points("ana"), "5,5,10,20,15,15,15,15");
    assert_eq!(points("ben"), "5,5,0,0,15,0,0,0");
    assert_eq!(points("cat"), "0,0,0,0,0,0,0,0");
    assert_eq!(points("gus"), "0,0,0,0,0,0,0,0");
    for (l, swarm) in [
        ("ana", &swarm1),
        ("fay", &swarm1),
        ("ben", &swarm4),
        ("cat", &swarm5),
        ("dan", &String::new()),
        ("gus", &String::new()),
    ] {
        assert_eq!(&book[l]["swarm_id"], swarm, "{l}");
    }
    assert_ne!(swarm4, swarm5);
    // Two rows on the same engine, and a worker of that swarm: one shared swarm.
    for l in ["ana", "eve", "fay"] {
        assert_eq!(book[l]["flags"], "shared-swarm:ana;eve;fay", "{l}");
    }
    for l in ["ben", "cat", "dan", "gus", "hal", "ivy", "kim"] {
        assert_eq!(book[l]["flags"], "", "{l}");
    }

    // grades.json: the lab check report of every graded learner, status and message of all.
    let grades: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("grades.json")).unwrap()).unwrap();
    let by_name = |l: &str| grades["learners"].as_array().unwrap().iter().find(|g| g["learner"] == l).unwrap().clone();
    let ana = by_name("ana");
    assert!(ana["report"]["checks"].as_array().unwrap().iter().all(|c| c["status"] == "pass"), "{ana}");
    assert_eq!(ana["report"]["cluster"]["swarm_id"], swarm1.as_str());
    assert_eq!(by_name("cat")["report"]["score"], 0);
    assert_eq!(by_name("eve")["node_ids"], serde_json::json!([worker_id]));
    let message = |l: &str| by_name(l)["message"].as_str().unwrap().to_string();
    assert!(message("dan").contains("not in swarm mode"), "{}", message("dan"));
    assert!(message("eve").contains("is a swarm worker"), "{}", message("eve"));
    assert!(message("gus").contains("did not answer within 8.0s"), "{}", message("gus"));
    assert!(message("hal").contains("cannot reach the engine"), "{}", message("hal"));
    assert!(message("ivy").contains("TLS"), "{}", message("ivy"));
    assert!(message("kim").contains("no socket at"), "{}", message("kim"));
    assert_eq!(by_name("gus")["report"], serde_json::Value::Null);
    let gus_ms = by_name("gus")["elapsed_ms"].as_u64().unwrap();
    assert!((8000..3 * 8000).contains(&gus_ms), "the hanging engine took {gus_ms} ms");
    assert_eq!(grades["summary"]["graded"], 4);

    // JUnit: a suite per learner.
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    for l in &learners {
        assert!(junit.contains(&format!("<testsuite name=\"{l}\"")), "no suite for {l}");
    }

    // Feedback for every learner on the roster.
    let page = |l: &str| {
        std::fs::read_to_string(out.join("feedback").join(format!("{l}.md")))
            .unwrap_or_else(|e| panic!("feedback for {l}: {e}"))
    };
    assert!(page("ana").contains("**Score: 100/100**"));
    let ben = page("ben");
    assert!(ben.contains("**Score: 25/100**"), "{ben}");
    assert!(ben.contains("## vote: 2+ replicas"), "{ben}");
    assert!(ben.contains("expected") && ben.contains("found 1"), "the replica count is shown: {ben}");
    assert!(ben.contains("## db: postgres:9.4") && ben.contains("backend"), "{ben}");
    assert!(
        ben.contains("**Hint:**") && ben.contains("**Fix:**") && ben.contains("docker service create --name worker"),
        "{ben}"
    );
    assert!(!ben.contains("## redis"), "a passed check gets no section: {ben}");
    assert!(page("cat").contains("**Score: 0/100**"));
    assert!(page("dan").contains("docker swarm init"));
    assert!(page("eve").contains("Point the endpoint at a manager"));
    assert!(page("gus").contains("did not answer"));
    assert!(page("hal").contains("Make sure the engine is running"));
    assert!(page("ivy").contains("TLS handshake"));
    for l in &learners {
        assert!(!page(l).contains("shared-swarm"), "integrity flags are for the instructor only");
    }

    // Progress lines (stderr is not a terminal) and the summary.
    assert!(log.contains("[10/10] "), "{log}");
    assert!(log.contains("graded 4 of 10 learners; 6 could not be graded (not_manager: 1, not_swarm: 1, timeout: 1, tls_error: 1, unreachable: 2)"), "{log}");
    assert!(log.contains("mean 56.2, median 62.5 (of 100)"), "{log}");
    assert!(log.contains("most-failed checks:") && log.contains("2 of 4"), "{log}");
    assert!(log.contains("shared-swarm:ana;eve;fay: ana, eve, fay submitted the same swarm"), "{log}");
    assert!(run.stdout.is_empty(), "stdout is for data; lab grade writes files");

    // Only reads reached the engine behind ana's proxy.
    let seen = proxy.requests();
    assert!(seen.iter().any(|r| r.contains("/services")) && seen.iter().any(|r| r.contains("/tasks")), "{seen:?}");
    let writes: Vec<&String> = seen.iter().filter(|r| !(r.starts_with("GET ") || r.starts_with("HEAD "))).collect();
    assert!(writes.is_empty(), "lab grade sent requests that are not reads: {writes:?}");

    // Every learner graded: exit 0.
    let one = f.join("one.csv");
    std::fs::write(&one, format!("learner,endpoint\nfay,{}\n", host(0))).unwrap();
    let ok = grade(&one, &f.join("out-one"), &["--timeout", "8s"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    // A run killed while the hanging engine holds it leaves the previous outputs whole.
    let before: Vec<(String, Vec<u8>)> = ["gradebook.csv", "grades.json", "junit.xml", "feedback/ben.md"]
        .iter()
        .map(|p| (p.to_string(), std::fs::read(out.join(p)).unwrap()))
        .collect();
    let mut child = grade_command(&roster, &out, &["--timeout", "8s"]).stderr(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first_done =
        lines.find(|l| l.as_ref().is_ok_and(|l| l.contains(": graded, "))).expect("a learner was graded").unwrap();
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal, after `{first_done}`");
    for (p, bytes) in &before {
        assert!(std::fs::read(out.join(p)).unwrap() == *bytes, "{p} changed under a killed run");
    }

    drop(proxy);
    cluster.teardown().unwrap();
    let left = Cluster::leftovers(&dir.path().join("c"));
    assert!(left.is_empty(), "left behind: {left:#?}");
}

/// A roster of `n` learners on sockets nobody listens on: graded (as unreachable) in ms.
fn dead_roster(dir: &Path, name: &str, n: usize) -> PathBuf {
    let sock = dir.join("dead.sock");
    if !sock.exists() {
        drop(UnixListener::bind(&sock).unwrap());
    }
    let rows: Vec<String> = (0..n).map(|i| format!("learner{i:03},unix://{}", sock.display())).collect();
    let path = dir.join(name);
    std::fs::write(&path, format!("learner,endpoint\n{}\n", rows.join("\n"))).unwrap();
    path
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_old_gradebook_or_a_complete_new_one() {
    let d = temp_dir(TEST_ROOT, "gk");
    let (old_roster, new_roster) = (dead_roster(d.path(), "old.csv", 40), dead_roster(d.path(), "new.csv", 41));
    let expect = |roster: &Path, name: &str| {
        let out = d.path().join(name);
        let o = grade(roster, &out, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        std::fs::read(out.join("gradebook.csv")).unwrap()
    };
    let old = expect(&old_roster, "expect-old");
    let started = Instant::now();
    let new = expect(&new_roster, "expect-new");
    let full_run = started.elapsed();
    assert_ne!(old, new);

    let out = d.path().join("out");
    let mut outcomes = BTreeMap::new();
    for k in 0..24u32 {
        assert_eq!(grade(&old_roster, &out, &[]).status.code(), Some(1));
        let mut child = grade_command(&new_roster, &out, &[]).stderr(Stdio::null()).spawn().unwrap();
        // Not a synchronisation: the kill lands at k/20 of a full run, so that every
        // moment of the write (before, during, after) is tried.
        std::thread::sleep(full_run * k / 20);
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read(out.join("gradebook.csv")).unwrap();
        let which = if now == old {
            "old"
        } else if now == new {
            "new"
        } else {
            panic!(
                "after a kill at {:?} the gradebook is neither the old nor the new one:\n{}",
                full_run * k / 20,
                String::from_utf8_lossy(&now)
            )
        };
        *outcomes.entry(which).or_insert(0) += 1;
        let grades: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("grades.json")).unwrap()).expect("grades.json is whole");
        assert!([40, 41].contains(&grades["learners"].as_array().unwrap().len()));
        for entry in std::fs::read_dir(&out).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                ["gradebook.csv", "grades.json", "junit.xml", "feedback"].contains(&name.as_str())
                    || (name.starts_with(".lab-grade-") && name.ends_with(".tmp")),
                "unexpected file {name} after a kill"
            );
        }
    }
    eprintln!("killed runs left: {outcomes:?} (a full run takes {full_run:?})");
}

#[test]
fn bad_input_exits_2_before_grading_and_names_the_problem() {
    let d = temp_dir(TEST_ROOT, "gb");
    let out = d.path().join("out");
    let roster = d.path().join("bad.csv");
    std::fs::write(&roster, "learner,endpoint,email\nana,unix:///x.sock,a@b\n").unwrap();
    let o = grade(&roster, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown column `email` (known columns: learner, endpoint, context, ca, cert, key)"),
        "{}",
        stderr(&o)
    );

    std::fs::write(&roster, "learner,endpoint\nana,unix:///x.sock\nben,localhost:2375\nana,unix:///y.sock\n").unwrap();
    let o = grade(&roster, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("line 3, column `endpoint`: `localhost:2375` is not an engine address"), "{err}");
    assert!(err.contains("line 4, column `learner`: duplicate learner `ana`: line 2 already has `ana`"), "{err}");

    let good = dead_roster(d.path(), "good.csv", 2);
    for (args, says) in [
        (vec!["--wait", "30s", "--timeout", "10s"], "must be shorter than --timeout"),
        (vec!["--timeout", "soon"], "is not a duration"),
        (vec!["--jobs", "0"], "invalid value '0' for '--jobs <N>': 0 is out of range: give 1 to 4096"),
        (vec!["--timeout", "0s"], "invalid value '0s' for '--timeout <DURATION>'"),
        (vec!["-H", "unix:///x.sock"], "unexpected argument '-H'"),
    ] {
        let o = grade(&good, &out, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    let o = Command::new(lab_bin!())
        .args(["grade", "no-such-lab", "--roster"])
        .arg(&good)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.join("gradebook.csv").exists(), "nothing is graded on bad input");
}

#[test]
fn jobs_bounds_how_many_clusters_wait_at_once_and_each_timeout_starts_with_its_cluster() {
    let d = temp_dir(TEST_ROOT, "gj");
    let rows: Vec<String> = (0..4)
        .map(|i| {
            let sock = d.path().join(format!("hang{i}.sock"));
            hanging_socket(&sock);
            format!("h{i},unix://{}", sock.display())
        })
        .collect();
    let roster = d.path().join("hanging.csv");
    std::fs::write(&roster, format!("learner,endpoint\n{}\n", rows.join("\n"))).unwrap();
    let started = Instant::now();
    let o = grade(&roster, &d.path().join("out"), &["--jobs", "2", "--timeout", "1s"]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Two at a time, each held for its whole second: two rounds, never one.
    assert!(took >= Duration::from_secs(2), "4 hanging clusters, 2 at a time, took only {took:?}");
    let (_, book) = read_gradebook(&d.path().join("out/gradebook.csv"));
    assert!(book.values().all(|r| r["status"] == "timeout"), "{book:?}");
    let grades: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("out/grades.json")).unwrap()).unwrap();
    for l in grades["learners"].as_array().unwrap() {
        let ms = l["elapsed_ms"].as_u64().unwrap();
        assert!(ms >= 1000, "a queued cluster's time limit starts when it is graded, not before: {l}");
    }
}
