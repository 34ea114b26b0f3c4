//! Every progress step and error of both drivers, one of each kind: in English it reads
//! exactly as the library displays it; in zh-TW it is Chinese and keeps its values.
//!
//! "Chinese" is told as lab-grader's report tests tell it: a run of two or more English
//! words in a zh-TW text must be one of the sample's values (a name, a path, what an
//! engine or the system said) or a term the catalogs keep in English; `code spans` are
//! commands. A new variant fails to compile in `kind` below until it gets a sample.

use super::Worded;
use docker_nodes::{ApiAction, InvalidOption, NodeStep, NodesError, Privileges, PublishError};
use lab_i18n::untranslated::english_runs;
use lab_i18n::{words, Language};
use practice_driver::{SizeError, Unsettled};
use private_swarm::{HarnessError, IoAction, SharedDir, SpecError};
use stand_in::StandInProblem;
use std::collections::BTreeSet;
use std::fmt::Display;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

fn zh() -> Language {
    Language::parse("zh-TW").unwrap()
}

/// Terms the zh-TW catalogs keep in English (as the book does).
const KEPT_IN_ENGLISH: &[&str] = &[
    "network namespace",
    // Kept in English by book/po/GLOSSARY.md, as the course notes write it.
    "join token",
    "Docker engine",
    "Docker Desktop",
    "Engine API",
    "unix socket",
    "Node image",
    "Node container",
    "docker CLI",
    "TLS alert",
    "Node ID",
];

/// A value that is worded here and displayed by its library.
trait Sample: Worded + Display {}
impl<T: Worded + Display> Sample for T {}

/// One sample: the value and the values its text must keep verbatim.
struct Case {
    what: Box<dyn Sample>,
    values: Vec<String>,
}

impl Case {
    fn new(what: impl Sample + 'static, values: Vec<String>) -> Case {
        Case { what: Box::new(what), values }
    }
}

fn vals(values: &[&dyn Display]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// English is the library's own text; zh-TW is Chinese with every value kept.
#[track_caller]
fn assert_worded(cases: &[Case]) {
    for c in cases {
        let en = c.what.text(Language::english());
        assert_eq!(en, c.what.to_string(), "the English word differs from the library's text");
        let zh = c.what.text(zh());
        assert!(zh.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)), "not Chinese: {zh:?}");
        for v in &c.values {
            assert!(zh.contains(v.as_str()), "{v:?} is lost in {zh:?}");
        }
        // Values out first (longest first, as one may hold another), then the kept terms.
        let mut prose = zh.clone();
        let mut values = c.values.clone();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        for v in values.iter().filter(|v| !v.is_empty()) {
            prose = prose.replace(v.as_str(), " · ");
        }
        for t in KEPT_IN_ENGLISH {
            prose = prose.replace(t, " · ");
        }
        let untranslated = english_runs(&prose);
        assert!(untranslated.is_empty(), "English in a zh-TW text: {untranslated:?} in {zh:?}");
    }
}

fn path(p: &str) -> PathBuf {
    PathBuf::from(p)
}

fn denied() -> io::Error {
    io::Error::from(io::ErrorKind::PermissionDenied)
}

// One name per variant, by an exhaustive match: a new variant does not compile here until
// it is named, and the coverage tests then ask for a sample of it.

fn netns_step(p: &private_swarm::Progress) -> &'static str {
    use private_swarm::Progress as P;
    match p {
        P::CleaningKilledRun => "CleaningKilledRun",
        P::CreatingNetwork { .. } => "CreatingNetwork",
        P::RoutingOut { .. } => "RoutingOut",
        P::StartingEngines { .. } => "StartingEngines",
        P::LoadingImages => "LoadingImages",
        P::StartingRegistry { .. } => "StartingRegistry",
        P::FormingSwarm { .. } => "FormingSwarm",
        P::OutsideSwarm => "OutsideSwarm",
        P::PreviousGone => "PreviousGone",
        P::CleaningInterruptedUp => "CleaningInterruptedUp",
        P::StartingPractice { .. } => "StartingPractice",
        P::Stopping { .. } => "Stopping",
        P::WaitingForLock => "WaitingForLock",
    }
}
const NETNS_STEPS: usize = 13;

fn docker_step(p: &docker_nodes::Progress) -> &'static str {
    use docker_nodes::Progress as P;
    match p {
        P::RemovingLeftovers => "RemovingLeftovers",
        P::PullingImage { .. } => "PullingImage",
        P::CreatingNetwork { .. } => "CreatingNetwork",
        P::StartingNodes { .. } => "StartingNodes",
        P::NoPrivileged => "NoPrivileged",
        P::StandIns { .. } => "StandIns",
        P::LoadingImages => "LoadingImages",
        P::StartingRegistry { .. } => "StartingRegistry",
        P::FormingSwarm { .. } => "FormingSwarm",
        P::Removing { .. } => "Removing",
    }
}
const DOCKER_STEPS: usize = 10;

fn harness_kind(e: &HarnessError) -> &'static str {
    use HarnessError as E;
    match e {
        E::NotRoot { .. } => "NotRoot",
        E::MissingBinary { .. } => "MissingBinary",
        E::BusyboxNotStatic { .. } => "BusyboxNotStatic",
        E::StandIn(_) => "StandIn",
        E::InvalidSpec(_) => "InvalidSpec",
        #[cfg(target_os = "linux")]
        E::NotOurs { .. } => "NotOurs",
        E::Io { .. } => "Io",
        E::Command { .. } => "Command",
        E::EngineNotReady { .. } => "EngineNotReady",
        E::EngineExited { .. } => "EngineExited",
        E::EngineUnreachable { .. } => "EngineUnreachable",
        E::Api { .. } => "Api",
        E::NoJoinToken { .. } => "NoJoinToken",
        E::ImageLoad { .. } => "ImageLoad",
        E::RegistryNotReady { .. } => "RegistryNotReady",
        E::SwarmNotReady { .. } => "SwarmNotReady",
        E::NoFreeSubnet => "NoFreeSubnet",
        E::DirInUse { .. } => "DirInUse",
        E::State { .. } => "State",
        E::SocketPathTooLong { .. } => "SocketPathTooLong",
        E::TeardownIncomplete { .. } => "TeardownIncomplete",
        E::NotRunning { .. } => "NotRunning",
        E::NoSuchNode { .. } => "NoSuchNode",
        E::NoDockerCli => "NoDockerCli",
        E::DockerCli { .. } => "DockerCli",
    }
}
const HARNESS_KINDS: usize = 25;

fn nodes_kind(e: &NodesError) -> &'static str {
    use NodesError as E;
    match e {
        E::Invalid(_) => "Invalid",
        E::Engine { .. } => "Engine",
        E::Api { .. } => "Api",
        E::Image { .. } => "Image",
        E::NodeExited { .. } => "NodeExited",
        E::NodeNotReady { .. } => "NodeNotReady",
        E::Node { .. } => "Node",
        E::NoApiPort { .. } => "NoApiPort",
        E::NodeDown { .. } => "NodeDown",
        E::SwarmNotReady { .. } => "SwarmNotReady",
        E::NotRunning { .. } => "NotRunning",
        E::MissingCerts { .. } => "MissingCerts",
        E::Io { .. } => "Io",
        E::NoBusybox { .. } => "NoBusybox",
        E::StandInBusybox { .. } => "StandInBusybox",
        E::RegistryNotReady { .. } => "RegistryNotReady",
        E::StandIn(_) => "StandIn",
        E::Certs(_) => "Certs",
    }
}
const NODES_KINDS: usize = 18;

fn netns_steps() -> Vec<private_swarm::Progress> {
    use private_swarm::Progress as P;
    vec![
        P::CleaningKilledRun,
        P::CreatingNetwork { bridge: "psw1a2b".into(), gateway: "100.64.7.1".parse().unwrap(), nodes: 3 },
        P::RoutingOut { cidr: "100.64.7.0/24".into() },
        P::StartingEngines { nodes: 1 },
        P::StartingEngines { nodes: 3 },
        P::LoadingImages,
        P::StartingRegistry { addr: "100.64.7.2".parse().unwrap() },
        P::FormingSwarm { managers: 1, workers: 2 },
        P::OutsideSwarm,
        P::PreviousGone,
        P::CleaningInterruptedUp,
        P::StartingPractice { nodes: 3, dir: path("/var/lib/swarm-lab/practice") },
        P::Stopping { nodes: 3 },
        P::WaitingForLock,
    ]
}

fn docker_steps() -> Vec<docker_nodes::Progress> {
    use docker_nodes::Progress as P;
    vec![
        P::RemovingLeftovers,
        P::PullingImage { image: "docker:29-dind".into() },
        P::CreatingNetwork { network: "swarm-lab-practice".into(), host: "unix:///var/run/docker.sock".into() },
        P::StartingNodes { nodes: 3, image: "docker:29-dind".into() },
        P::NoPrivileged,
        P::StandIns { image: "docker:29-dind".into(), platform: "arm64".into(), files: 0 },
        P::StandIns { image: "docker:29-dind".into(), platform: "amd64".into(), files: 2 },
        P::LoadingImages,
        P::StartingRegistry { container: "swarm-lab-practice-registry".into() },
        P::FormingSwarm { managers: 3, workers: 0 },
        P::Removing { containers: 3 },
    ]
}

#[test]
fn every_progress_step_of_both_drivers_is_chinese_and_keeps_its_values() {
    let netns = netns_steps();
    assert_eq!(netns.iter().map(netns_step).collect::<BTreeSet<_>>().len(), NETNS_STEPS, "a netns step lacks a sample");
    let docker = docker_steps();
    assert_eq!(
        docker.iter().map(docker_step).collect::<BTreeSet<_>>().len(),
        DOCKER_STEPS,
        "a docker step lacks a sample"
    );

    let values = |p: &private_swarm::Progress| -> Vec<String> {
        use private_swarm::Progress as P;
        match p {
            P::CreatingNetwork { bridge, gateway, nodes } => {
                vec![bridge.clone(), format!("{gateway}/24"), nodes.to_string()]
            }
            P::RoutingOut { cidr } => vec![cidr.clone()],
            P::StartingEngines { nodes } => vec![format!("{nodes} 個 dockerd")],
            P::FormingSwarm { managers, workers } => vec![managers.to_string(), workers.to_string()],
            P::StartingPractice { dir, .. } => vec![dir.display().to_string()],
            P::StartingRegistry { addr } => vec![format!("{addr}:5000")],
            _ => vec![],
        }
    };
    let cases: Vec<Case> = netns.into_iter().map(|p| Case { values: values(&p), what: Box::new(p) }).collect();
    assert_worded(&cases);

    let values = |p: &docker_nodes::Progress| -> Vec<String> {
        use docker_nodes::Progress as P;
        match p {
            P::PullingImage { image } => vec![image.clone()],
            P::CreatingNetwork { network, host } => vec![network.clone(), host.clone()],
            P::StartingNodes { nodes, image } => vec![nodes.to_string(), image.clone()],
            P::StandIns { image, platform, files: 0 } => vec![image.clone(), platform.clone()],
            P::StandIns { image, platform, files } => vec![image.clone(), platform.clone(), files.to_string()],
            P::Removing { containers } => vec![containers.to_string()],
            P::StartingRegistry { container } => vec![container.clone()],
            // runc's words, quoted.
            P::NoPrivileged => vec!["\"unable to apply caps\"".into()],
            _ => vec![],
        }
    };
    let cases: Vec<Case> = docker.into_iter().map(|p| Case { values: values(&p), what: Box::new(p) }).collect();
    assert_worded(&cases);

    // The lines `up` says as they are, in Chinese.
    let zh_line =
        docker_nodes::Progress::StandIns { image: "docker:29-dind".into(), platform: "arm64".into(), files: 0 };
    assert_eq!(zh_line.text(zh()), "替身 image：busybox 取自 Node image docker:29-dind（架構 arm64）");
    assert_eq!(private_swarm::Progress::StartingEngines { nodes: 1 }.text(Language::english()), "starting 1 dockerd");
}

#[test]
fn how_the_node_containers_run_is_said_in_both_languages() {
    let en = Language::english();
    assert_eq!(Privileges::Privileged.text(en), "privileged containers (--privileged)");
    assert!(Privileges::Capabilities.text(en).starts_with("explicit capabilities (--cap-add ALL"));
    for p in [Privileges::Privileged, Privileges::Capabilities] {
        let zh = p.text(zh());
        assert!(zh.contains("特權 container") && zh.contains("--privileged") != zh.contains("--cap-add ALL"), "{zh}");
    }
}

fn io_actions() -> Vec<IoAction> {
    use IoAction as A;
    vec![
        A::RunDockerCli,
        A::ResolveClusterDir,
        A::CreateClusterDir,
        A::MarkClusterDir,
        A::CreateRunDir,
        A::WriteRunDir,
        A::CreateNodeDir,
        A::CreateExecRoot,
        A::WriteDaemonJson,
        A::CreateDockerdLog,
        A::OpenNetns,
        A::StartDockerd { node: "node2".into() },
        A::ReadBusybox,
        A::WriteRegistry,
        A::StartRegistry,
        A::CreateSubnetClaims,
        A::OpenSubnetLock,
        A::LockSubnetClaims,
        A::WriteSubnetClaim,
        A::SetIpForward,
        A::CreatePracticeDir,
        A::OpenPracticeLock,
        A::LockPracticeDir,
        A::RemovePracticeDir,
        A::ReadState,
        A::WriteState,
    ]
}

fn unsettled() -> Vec<(Unsettled, Vec<String>)> {
    use Unsettled as U;
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (U::NodeCount { listed: 2, expected: 3 }, s(&["2", "3"])),
        (U::NotListed { node: "node3".into() }, s(&["node3"])),
        (U::NodeState { node: "node2".into(), state: "Down".into() }, s(&["node2", "Down"])),
        (
            U::WrongRole { node: "node2".into(), role: "worker".into(), expected: "manager".into() },
            s(&["worker", "manager"]),
        ),
        (U::RoleNotYet { node: "node2".into() }, s(&["node2"])),
        (U::ManagerState { node: "node2".into(), state: "unreachable".into() }, s(&["node2", "unreachable"])),
        (U::Leaders { count: 0 }, s(&["0"])),
        (U::NoLeader, vec![]),
        (U::NotActive { node: "node3".into() }, s(&["node3"])),
        (U::NotManagerYet { node: "node2".into() }, s(&["node2"])),
        (
            U::Failed("error trying to connect: Connection refused".into()),
            s(&["error trying to connect: Connection refused"]),
        ),
    ]
}

fn harness_errors() -> Vec<(HarnessError, Vec<String>)> {
    use HarnessError as E;
    let log = path("/var/lib/swarm-lab/practice/n2/dockerd.log");
    let dir = path("/var/lib/swarm-lab/practice");
    let state = dir.join("cluster.json");
    let sock = "unix:///var/lib/swarm-lab/practice/n2/docker.sock";
    let refused = || io::Error::from(io::ErrorKind::ConnectionRefused);
    let mut all = vec![
        (E::NotRoot { euid: 1000 }, vals(&[&1000])),
        (E::MissingBinary { binary: "nsenter", package: "util-linux" }, vals(&[&"nsenter", &"util-linux"])),
        (E::BusyboxNotStatic { path: path("/bin/busybox") }, vals(&[&"/bin/busybox"])),
        (
            E::Command {
                command: "ip link add psw1a2b type bridge".into(),
                status: "exit status: 2".into(),
                stderr: "RTNETLINK answers: File exists".into(),
            },
            vals(&[&"exit status: 2", &"RTNETLINK answers: File exists"]),
        ),
        (
            E::EngineNotReady {
                node: "node2".into(),
                docker_host: sock.into(),
                waited: Duration::from_secs(30),
                log: log.clone(),
            },
            vals(&[&"node2", &sock, &30, &log.display()]),
        ),
        (
            E::EngineExited {
                node: "node2".into(),
                log: log.clone(),
                tail: "failed to start daemon: Devices cgroup isn't mounted".into(),
            },
            vals(&[&log.display(), &"failed to start daemon: Devices cgroup isn't mounted"]),
        ),
        (
            E::EngineUnreachable {
                node: "node2".into(),
                docker_host: sock.into(),
                log: log.clone(),
                source: refused(),
            },
            vals(&[&sock, &refused(), &log.display()]),
        ),
        (
            E::Api {
                node: "node1".into(),
                method: "POST".into(),
                path: "/swarm/init".into(),
                status: 503,
                message: "This node is already part of a swarm".into(),
            },
            vals(&[&"POST", &"/swarm/init", &503, &"This node is already part of a swarm"]),
        ),
        (E::NoJoinToken { node: "node1".into() }, vals(&[&"node1"])),
        (E::ImageLoad { node: "node1".into(), detail: "unexpected EOF".into() }, vals(&[&"node1", &"unexpected EOF"])),
        (
            E::RegistryNotReady {
                addr: "100.64.7.2".into(),
                waited: Duration::from_secs(30),
                log: path("/var/lib/swarm-lab/practice/registry/registry.log"),
            },
            vals(&[&"100.64.7.2:5000", &30, &"/var/lib/swarm-lab/practice/registry/registry.log"]),
        ),
        (E::NoFreeSubnet, vals(&[&"100.64.0.0/16", &"/run/private-swarm/subnets"])),
        (E::DirInUse { dir: dir.clone(), state: state.clone() }, vals(&[&dir.display(), &state.display()])),
        (
            E::State { path: state.clone(), detail: "expected value at line 1 column 1".into() },
            vals(&[&state.display(), &"expected value at line 1 column 1"]),
        ),
        (E::SocketPathTooLong { path: state.clone(), len: 120 }, vals(&[&state.display(), &120])),
        (
            E::TeardownIncomplete {
                dir: dir.clone(),
                leftovers: vec!["bridge psw1a2b".into(), "network namespace psw-1a2b-node1".into()],
            },
            vals(&[&dir.display(), &"bridge psw1a2b\n  network namespace psw-1a2b-node1"]),
        ),
        (E::NotRunning { dir: dir.clone() }, vals(&[&dir.display()])),
        (E::NoSuchNode { number: 4, count: 3 }, vals(&[&4, &3])),
        (E::NoDockerCli, vec![]),
        (
            E::DockerCli {
                node: "node1".into(),
                args: "service ls".into(),
                status: "exit status: 1".into(),
                stderr: "Cannot connect to the Docker daemon".into(),
            },
            vals(&[&"node1", &"exit status: 1", &"Cannot connect to the Docker daemon"]),
        ),
    ];
    #[cfg(target_os = "linux")]
    all.push((E::NotOurs { dir: path("/tmp/x") }, vals(&[&"/tmp/x", &private_swarm::MARKER_FILE])));
    for what in io_actions() {
        all.push((E::Io { what, path: dir.clone(), source: denied() }, vals(&[&dir.display(), &denied()])));
    }
    let io_values = vals(&[&"disk full"]);
    for (why, values) in [
        (StandInProblem::NotPlainPath { path: "lib/../x".into() }, vals(&[&"\"lib/../x\""])),
        (
            StandInProblem::BadLinkTarget { path: "/lib/libc.so".into(), target: String::new() },
            vals(&[&"/lib/libc.so"]),
        ),
        (StandInProblem::Twice { path: "lib/ld-musl-x86_64.so.1".into() }, vals(&[&"/lib/ld-musl-x86_64.so.1"])),
        (StandInProblem::DirectoryAndFile { path: "lib".into() }, vals(&[&"/lib"])),
        (StandInProblem::Rootfs(io::Error::other("disk full")), io_values.clone()),
        (StandInProblem::Pack(io::Error::other("disk full")), io_values),
    ] {
        all.push((E::StandIn(why), values));
    }
    for (why, values) in [
        (SpecError::NoDir, vec![]),
        (SpecError::SharedDir { dir: path("/"), why: SharedDir::Root }, vals(&[&"/tmp/swarm-1"])),
        (SpecError::SharedDir { dir: path("/tmp"), why: SharedDir::TopLevel }, vals(&[&"/tmp"])),
        (SpecError::SharedDir { dir: path("/var/lib"), why: SharedDir::System }, vals(&[&"/var/lib"])),
        (SpecError::SharedDir { dir: path("/home/ana"), why: SharedDir::Home }, vals(&[&"/home/ana"])),
        (SpecError::Size(SizeError::Nodes { nodes: 21, max: 20 }), vals(&[&21, &20])),
        (SpecError::Size(SizeError::Managers { nodes: 3, managers: 4 }), vals(&[&3, &4])),
    ] {
        all.push((E::InvalidSpec(why), values));
    }
    for (detail, values) in unsettled() {
        let values = values.into_iter().chain(vals(&[&30, &dir.display()])).collect();
        all.push((E::SwarmNotReady { waited: Duration::from_secs(30), detail, dir: dir.clone() }, values));
    }
    all
}

#[test]
fn every_netns_driver_error_is_chinese_and_keeps_its_values() {
    let all = harness_errors();
    let kinds: BTreeSet<&str> = all.iter().map(|(e, _)| harness_kind(e)).collect();
    // NotOurs exists on Linux only.
    let expected = if cfg!(target_os = "linux") { HARNESS_KINDS } else { HARNESS_KINDS - 1 };
    assert_eq!(kinds.len(), expected, "a HarnessError variant lacks a sample: {kinds:?}");
    let io = io_actions();
    assert_eq!(io.iter().map(|a| a.to_string()).collect::<BTreeSet<_>>().len(), io.len(), "an IoAction twice?");
    assert_worded(&all.into_iter().map(|(e, values)| Case::new(e, values)).collect::<Vec<_>>());

    let zh = zh();
    let e = HarnessError::NoSuchNode { number: 4, count: 3 };
    assert_eq!(e.text(zh), "練習用叢集有 3 個 Node，所以沒有第 4 個 Node；`lab cluster status` 會列出它們");
    let e = HarnessError::NotRoot { euid: 1000 };
    assert!(e.text(zh).starts_with("私有 Swarm 叢集需要 root（目前以 uid 1000 執行）"), "{}", e.text(zh));
}

fn conflict() -> bollard::errors::Error {
    bollard::errors::Error::DockerResponseServerError {
        status_code: 409,
        message: "Conflict. The container name \"/swarm-lab-practice-node1\" is already in use".into(),
    }
}

fn api_actions() -> Vec<ApiAction> {
    use ApiAction as A;
    let name = || "swarm-lab-practice-node1".to_string();
    vec![
        A::CreateNetwork { network: "swarm-lab-practice".into() },
        A::ListContainers,
        A::ListNetworks,
        A::ListVolumes,
        A::CreateVolume { name: name() },
        A::CreateContainer { name: name() },
        A::CopyCertificate { container: name() },
        A::CopyRegistry { container: "swarm-lab-practice-registry".into() },
        A::StartContainer { name: name() },
        A::StopContainer { name: name() },
        A::RemoveContainer { name: name() },
        A::RemoveVolume { name: name() },
        A::RemoveNetwork { name: "swarm-lab-practice".into() },
        A::InspectContainer { node: "node1".into() },
    ]
}

fn nodes_errors() -> Vec<(NodesError, Vec<String>)> {
    use NodesError as E;
    let host = "unix:///var/run/docker.sock";
    let node_host = "tcp://127.0.0.1:49153";
    let certs = path("/home/ana/.local/state/swarm-lab/clusters/practice");
    let engine_down = lab_engine::ClusterError::Unreachable { host: host.into(), why: words::CAUSE_REFUSED.into() };
    let tls = lab_engine::ClusterError::Tls {
        host: node_host.into(),
        why: Language::english().fill(words::TLS_CERTIFICATE_REFUSED, &[("alert", &"BadCertificate")]),
    };
    let mut all = vec![
        (E::Engine { host: host.into(), source: engine_down }, vals(&[&host])),
        (
            E::Image { image: "docker:29-dind".into(), why: "pull access denied for docker".into() },
            vals(&[&"docker:29-dind", &"pull access denied for docker"]),
        ),
        (
            E::NodeExited { node: "node2".into(), code: 1, tail: "failed to start containerd".into() },
            vals(&[&"node2", &1, &"failed to start containerd"]),
        ),
        (
            E::NodeNotReady {
                node: "node2".into(),
                host: node_host.into(),
                container: "swarm-lab-practice-node2".into(),
                waited: Duration::from_secs(60),
                why: Box::new(tls),
            },
            vals(&[&"node2", &node_host, &60, &"BadCertificate", &"swarm-lab-practice-node2"]),
        ),
        (E::NoApiPort { node: "node3".into() }, vals(&[&"node3"])),
        (E::NodeDown { node: "node3".into(), state: "exited".into() }, vals(&[&"node3", &"exited"])),
        (E::NotRunning { name: "practice".into(), host: host.into() }, vals(&[&"\"practice\"", &host])),
        (E::MissingCerts { name: "practice".into(), path: certs.clone() }, vals(&[&"\"practice\"", &certs.display()])),
        (E::NoBusybox { image: "my/node:1".into() }, vals(&[&"my/node:1"])),
        (
            E::RegistryNotReady {
                container: "swarm-lab-practice-registry".into(),
                why: "no answer on port 5000 within 60s".into(),
            },
            vals(&[&"swarm-lab-practice-registry", &"no answer on port 5000 within 60s"]),
        ),
        (
            E::StandInBusybox {
                image: "my/node:1".into(),
                why: "its loader /lib/ld-musl-aarch64.so.1 is not in the node image".into(),
            },
            vals(&[&"my/node:1", &"its loader /lib/ld-musl-aarch64.so.1 is not in the node image"]),
        ),
        (E::StandIn(StandInProblem::Twice { path: "lib/x".into() }), vals(&[&"/lib/x"])),
        (E::Certs(rcgen::Error::CouldNotParseKeyPair), vals(&[&rcgen::Error::CouldNotParseKeyPair])),
    ];
    for why in [
        InvalidOption::Size(SizeError::Nodes { nodes: 21, max: 20 }),
        InvalidOption::Size(SizeError::Managers { nodes: 3, managers: 4 }),
        InvalidOption::EmptyImage,
        InvalidOption::ClusterName { name: "Practice!".into() },
        InvalidOption::NoSuchNode { node: 4, count: 3 },
    ] {
        let values = match &why {
            InvalidOption::ClusterName { name } => vec![format!("\"{name}\"")],
            InvalidOption::NoSuchNode { .. } => vals(&[&"node4", &"node3"]),
            _ => vec![],
        };
        all.push((E::Invalid(why), values));
    }
    for what in api_actions() {
        let values = match &what {
            ApiAction::InspectContainer { node } => vec![node.clone()],
            ApiAction::CreateNetwork { network } => vec![network.clone()],
            ApiAction::ListContainers | ApiAction::ListNetworks | ApiAction::ListVolumes => vec![],
            _ => vals(&[&"swarm-lab-practice"]),
        };
        let values = values.into_iter().chain([conflict().to_string()]).collect();
        all.push((E::Api { what, source: conflict() }, values));
    }
    for step in [
        NodeStep::SwarmInit,
        NodeStep::JoinToken,
        NodeStep::SwarmJoin,
        NodeStep::NodeId,
        NodeStep::InspectNode,
        NodeStep::Promote,
        NodeStep::LoadImages,
    ] {
        let why = conflict().to_string();
        all.push((E::Node { node: "node2".into(), step, why: why.clone() }, vec!["node2".into(), why]));
    }
    for what in [
        docker_nodes::IoAction::WriteCertificate,
        docker_nodes::IoAction::CreateCertDir,
        docker_nodes::IoAction::MakeCertDirPrivate,
        docker_nodes::IoAction::RemoveCertDir,
    ] {
        all.push((E::Io { what, path: certs.clone(), source: denied() }, vals(&[&certs.display(), &denied()])));
    }
    for (detail, values) in unsettled() {
        let values = values.into_iter().chain(vals(&[&60])).collect();
        all.push((E::SwarmNotReady { waited: Duration::from_secs(60), detail }, values));
    }
    all
}

#[test]
fn every_docker_driver_error_is_chinese_and_keeps_its_values() {
    let all = nodes_errors();
    let kinds: BTreeSet<&str> = all.iter().map(|(e, _)| nodes_kind(e)).collect();
    assert_eq!(kinds.len(), NODES_KINDS, "a NodesError variant lacks a sample: {kinds:?}");
    // What an engine said is a value; everything else is worded.
    assert_worded(&all.into_iter().map(|(e, values)| Case::new(e, values)).collect::<Vec<_>>());

    let zh = zh();
    let e = NodesError::Invalid(InvalidOption::NoSuchNode { node: 4, count: 3 });
    assert_eq!(e.text(zh), "叢集選項無效：沒有 node4：叢集只有 node1 到 node3");
    let e = NodesError::NoBusybox { image: "my/node:1".into() };
    assert!(e.text(zh).starts_with("Node image my/node:1 裡沒有 busybox"), "{}", e.text(zh));
    // The engine's error inside is told in the run's language too.
    let e = &nodes_errors()[0].0;
    assert!(e.text(zh).contains("無法連到位於 unix:///var/run/docker.sock 的 engine"), "{}", e.text(zh));
}

#[test]
fn publish_errors_are_chinese_and_keep_what_was_typed() {
    let cases = vec![
        Case::new(
            PublishError::NotAPort { item: "http".into(), text: "http".into() },
            vals(&[&"--publish http", &"\"http\""]),
        ),
        Case::new(PublishError::ApiPort { item: "2376".into(), port: 2376 }, vals(&[&"--publish 2376", &2376])),
        Case::new(PublishError::Twice { port: 80 }, vals(&[&"--publish", &80])),
    ];
    assert_worded(&cases);
    let typed = docker_nodes::node::parse_publish(&["80,80".into()]).unwrap_err();
    assert_eq!(typed.text(zh()), "--publish：主機 port 80 指定了兩次");
}
