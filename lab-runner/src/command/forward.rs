//! `lab cluster forward SERVICE [LOCAL_PORT:]TARGET_PORT`: opens a service's port on this
//! machine where the routing mesh does not carry traffic (no IPVS: some VMs, WSL, the test
//! machines), as `kubectl port-forward` does. It listens on 127.0.0.1:LOCAL_PORT and sends
//! each connection to TARGET_PORT of one of the service's running tasks, round robin as the
//! mesh would, re-reading the tasks every second so a replaced task is followed, until
//! Ctrl-C. The swarm is only read (GETs, through the task-dial crate); the first line on
//! stdout says what is forwarded (the port too, when LOCAL_PORT is 0), task changes and,
//! with `--verbose`, each connection go to stderr.
//!
//! Before it listens it dials every running task once: a port refused in every task is bad
//! input (exit 2, with the ports the image exposes and the service publishes), as is a
//! service that does not exist or a local port in use; a service with no running task is
//! exit 1 with its tasks' states; an unreadable swarm is exit 3.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lab_engine::untrusted::{shown, Sink};
use lab_engine::{ClusterError, Connection, Endpoint};
use lab_i18n::words;
use task_dial::{dial_task, unreachable_reason, MeshGap, MeshRoute, NamespaceGap, Reach, TaskChange, TaskPicker};
use tokio::net::{TcpListener, TcpStream};

use crate::args::ForwardArgs;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;

/// How often the running tasks are read again.
const REFRESH: Duration = Duration::from_secs(1);

pub fn run(args: &ForwardArgs, ui: &Ui) -> Exit {
    let ep = match super::resolve_endpoint(ui, &args.engine) {
        Ok(ep) => ep,
        Err(e) => return e,
    };
    crate::runtime().block_on(async move {
        match forward(ui, args, &ep).await {
            Ok(()) => Exit::Ok,
            Err(e) => e,
        }
    })
}

/// An engine's value (a service, task or node name, a task error) on one terminal line.
fn shown_line(text: &str) -> std::borrow::Cow<'_, str> {
    shown(Sink::TerminalLine, text)
}

fn cluster_fail(ui: &Ui, e: &ClusterError) -> Exit {
    ui.fail(Kind::from(e), e.text(ui.lang))
}

/// The engine could not be read at first: why, and where the practice swarm is when one
/// is up (the learner may not have run `eval "$(lab cluster env)"` yet).
async fn first_read_fail(ui: &Ui, e: &ClusterError, args: &ForwardArgs, ep: &Endpoint) -> Exit {
    let msg = crate::practice_engine::with_hint(ui.lang, e.text(ui.lang), &args.engine, ep, e).await;
    ui.fail(Kind::from(e), msg)
}

/// `[LOCAL_PORT:]TARGET_PORT` as (local, target): the target 1 to 65535, the local port
/// 0 (any free one) to 65535, by default the target's number.
fn parse_ports(text: &str) -> Option<(u16, u16)> {
    let number = |t: &str| if t.bytes().all(|b| b.is_ascii_digit()) { t.parse::<u16>().ok() } else { None };
    let (local, target) = match text.split_once(':') {
        Some((local, target)) => (number(local)?, number(target)?),
        None => {
            let target = number(text)?;
            (target, target)
        }
    };
    (target > 0).then_some((local, target))
}

async fn forward(ui: &Ui, args: &ForwardArgs, ep: &Endpoint) -> Result<(), Exit> {
    let lang = ui.lang;
    let (local_port, port) = parse_ports(&args.ports)
        .ok_or_else(|| ui.fail(Kind::Usage, lang.fill(words::FORWARD_BAD_PORTS, &[("value", &args.ports)])))?;
    let conn = match Connection::open(ep, Duration::from_secs(30)).await {
        Ok(c) => c,
        Err(e) => return Err(first_read_fail(ui, &e, args, ep).await),
    };
    let mut picker = match TaskPicker::open(conn, &args.service).await {
        Ok(p) => p,
        Err(task_dial::PickError::Cluster(e)) => return Err(first_read_fail(ui, &e, args, ep).await),
        Err(task_dial::PickError::NoSuchService { name, suggestion, services }) => {
            return Err(no_such_service(ui, &name, suggestion.as_deref(), &services, &ep.host));
        }
    };
    let service = picker.service().name.clone();
    if picker.running().is_empty() {
        return Err(no_running_task(ui, &mut picker).await);
    }
    let reach = reach_for(ep).await;
    probe(ui, &mut picker, &reach, port).await?;
    let listener = listen(ui, local_port, &service, port).await?;
    let bound = listener.local_addr().map(|a| a.port()).unwrap_or(local_port);
    println!(
        "{}",
        lang.fill(
            words::FORWARD_FORWARDING,
            &[
                ("local", &format!("127.0.0.1:{bound}")),
                ("target", &format!("{}:{port}", shown_line(&service))),
                ("tasks", &running_tasks(lang, picker.running().len())),
            ],
        )
    );
    let _ = std::io::Write::flush(&mut std::io::stdout());

    let service_info = Arc::new(picker.service().clone());
    let reach = Arc::new(reach);
    let count = Arc::new(AtomicU64::new(0));
    let mut tick = tokio::time::interval(REFRESH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut unreadable = false;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            accepted = listener.accept() => {
                let Ok((client, peer)) = accepted else { continue };
                let candidates = picker.candidates();
                let (reach, service, count) = (reach.clone(), service_info.clone(), count.clone());
                let (verbose, ui) = (args.verbose, *ui);
                tokio::spawn(async move {
                    carry(&ui, client, peer, candidates, &reach, &service, port, verbose, &count).await;
                });
            }
            _ = tick.tick() => match picker.refresh().await {
                Ok(changes) => {
                    unreadable = false;
                    report(lang, &changes, picker.running().len());
                }
                Err(ClusterError::Engine { why, .. }) if why.starts_with("HTTP 404") => {
                    return Err(ui.fail(Kind::NotApplied, lang.fill(words::FORWARD_SERVICE_GONE, &[("service", &shown_line(&service))])));
                }
                Err(e) if !unreadable => {
                    unreadable = true;
                    ui.warn(lang.fill(words::FORWARD_SWARM_UNREADABLE, &[("error", &e.text(lang))]));
                }
                Err(_) => {}
            },
        }
    }
    eprintln!("{}", lang.tr(words::FORWARD_STOPPED));
    Ok(())
}

/// How this machine reaches the tasks: a docker-driver practice swarm's nodes (its
/// client certificate names it), else this machine's own processes (the netns practice
/// swarm, a local engine), with the routing mesh as the second way.
async fn reach_for(ep: &Endpoint) -> Reach {
    let docker_cert_dir = docker_nodes::cert_dir(docker_nodes::DEFAULT_NAME, &|k| std::env::var(k).ok());
    if ep.tls.as_ref().is_some_and(|t| t.ca.parent() == Some(docker_cert_dir.as_path())) {
        if let Some(reach) = super::docker_cluster::reach().await {
            return reach;
        }
        return Reach::mesh_only(MeshRoute::Forwarded(Vec::new()));
    }
    // Docker Desktop forwards published ports to this machine's loopback; on Linux the
    // node's own address answers wherever the mesh works.
    let local = ep.host.starts_with("unix://") || ep.host.starts_with("npipe://");
    let mesh = if local && !cfg!(target_os = "linux") { MeshRoute::Loopback } else { MeshRoute::NodeAddress };
    Reach::this_machine(mesh)
}

/// Dials each running task once: fine when one answers; exit 2 when every task refuses the
/// port or none can be reached from here.
async fn probe(ui: &Ui, picker: &mut TaskPicker, reach: &Reach, port: u16) -> Result<(), Exit> {
    let lang = ui.lang;
    let tasks = picker.running().to_vec();
    let mut refused = 0;
    let mut last: Option<io::Error> = None;
    for task in &tasks {
        match dial_task(reach, picker.service(), task, port).await {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => refused += 1,
            Err(e) => last = Some(e),
        }
    }
    if refused == tasks.len() {
        return Err(not_listening(ui, picker, port, tasks.len()).await);
    }
    let e = last.expect("a task that neither answered nor refused");
    match unreachable_reason(&e) {
        Some(why) => Err(ui.fail(Kind::BadInput, unreachable_text(lang, why, picker.service(), port))),
        None => Err(ui.fail(
            Kind::NotApplied,
            lang.fill(
                words::FORWARD_DIAL_FAILED,
                &[("service", &shown_line(&picker.service().name)), ("port", &port), ("error", &e)],
            ),
        )),
    }
}

/// Binds 127.0.0.1:`port` (0: any free port).
async fn listen(ui: &Ui, port: u16, service: &str, target: u16) -> Result<TcpListener, Exit> {
    let lang = ui.lang;
    match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => Err(ui.fail(
            Kind::BadInput,
            lang.fill(
                words::FORWARD_PORT_IN_USE,
                &[("port", &port), ("me", &crate::me()), ("service", &shown_line(service)), ("target", &target)],
            ),
        )),
        Err(e) => Err(ui.fail(
            Kind::BadInput,
            lang.fill(words::FORWARD_CANNOT_LISTEN, &[("address", &format!("127.0.0.1:{port}")), ("error", &e)]),
        )),
    }
}

/// Carries one connection to the first of `candidates` that answers.
#[allow(clippy::too_many_arguments)]
async fn carry(
    ui: &Ui,
    mut client: TcpStream,
    peer: SocketAddr,
    candidates: Vec<task_dial::RunningTask>,
    reach: &Reach,
    service: &task_dial::ServiceInfo,
    port: u16,
    verbose: bool,
    count: &AtomicU64,
) {
    let lang = ui.lang;
    let mut last: Option<io::Error> = None;
    for task in &candidates {
        match dial_task(reach, service, task, port).await {
            Ok(mut upstream) => {
                let n = count.fetch_add(1, Ordering::Relaxed) + 1;
                if verbose {
                    eprintln!(
                        "{}",
                        lang.fill(
                            words::FORWARD_CONNECTION,
                            &[
                                ("n", &n),
                                ("peer", &peer),
                                ("task", &shown_line(&task.name)),
                                ("node", &shown_line(&task.node)),
                                ("container", &shown_line(task.short_container())),
                            ],
                        )
                    );
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                return;
            }
            Err(e) => last = Some(e),
        }
    }
    let error = match &last {
        Some(e) => match unreachable_reason(e) {
            Some(why) => unreachable_text(lang, why, service, port),
            None => e.to_string(),
        },
        None => lang.tr(words::FORWARD_NO_TASK_NOW).into_owned(),
    };
    ui.warn(lang.fill(
        words::FORWARD_CONNECTION_FAILED,
        &[("peer", &peer), ("service", &shown_line(&service.name)), ("port", &port), ("error", &error)],
    ));
}

/// Says which tasks started and which are gone.
fn report(lang: lab_i18n::Language, changes: &[TaskChange], running: usize) {
    for change in changes {
        let (template, task) = match change {
            TaskChange::Started(t) => (words::FORWARD_TASK_STARTED, t),
            TaskChange::Gone(t) => (words::FORWARD_TASK_GONE, t),
        };
        eprintln!(
            "{}",
            lang.fill(
                template,
                &[
                    ("task", &shown_line(&task.name)),
                    ("node", &shown_line(&task.node)),
                    ("container", &shown_line(task.short_container())),
                    ("tasks", &running_tasks(lang, running)),
                ],
            )
        );
    }
}

fn running_tasks(lang: lab_i18n::Language, n: usize) -> String {
    let template = if n == 1 { words::ONE_RUNNING_TASK } else { words::MANY_RUNNING_TASKS };
    lang.fill(template, &[("n", &n)])
}

fn no_such_service(ui: &Ui, name: &str, suggestion: Option<&str>, services: &[String], host: &str) -> Exit {
    let lang = ui.lang;
    let name = shown_line(name);
    if services.is_empty() {
        return ui.fail(Kind::BadInput, lang.fill(words::FORWARD_NO_SERVICES, &[("service", &name), ("host", &host)]));
    }
    let suggestion = suggestion
        .map(|s| format!("{} ", lang.fill(words::DID_YOU_MEAN, &[("id", &shown_line(s))])))
        .unwrap_or_default();
    let names: Vec<String> = services.iter().map(|s| shown_line(s).into_owned()).collect();
    ui.fail(
        Kind::BadInput,
        lang.fill(
            words::FORWARD_NO_SUCH_SERVICE,
            &[("service", &name), ("host", &host), ("suggestion", &suggestion), ("services", &names.join(", "))],
        ),
    )
}

/// Exit 1 with the newest task of each slot: why none runs.
async fn no_running_task(ui: &Ui, picker: &mut TaskPicker) -> Exit {
    let lang = ui.lang;
    let service = shown_line(&picker.service().name).into_owned();
    let states = match picker.task_states().await {
        Ok(s) => s,
        Err(e) => return cluster_fail(ui, &e),
    };
    let lines: Vec<String> = if states.is_empty() {
        vec![format!("  {}", lang.tr(words::FORWARD_NO_TASKS_AT_ALL))]
    } else {
        states
            .iter()
            .map(|s| {
                let node = if s.node.is_empty() { "-".to_string() } else { shown_line(&s.node).into_owned() };
                format!("  {} ({node}): {} {}", shown_line(&s.name), shown_line(&s.state), shown_line(&s.message))
                    .trim_end()
                    .to_string()
            })
            .collect()
    };
    ui.fail(
        Kind::NotApplied,
        lang.fill(words::FORWARD_NO_RUNNING_TASK, &[("service", &service), ("tasks", &lines.join("\n"))]),
    )
}

/// Exit 2: the port is refused in every task; which ports the image exposes and the service
/// publishes.
async fn not_listening(ui: &Ui, picker: &TaskPicker, port: u16, tasks: usize) -> Exit {
    let lang = ui.lang;
    let service = picker.service();
    let published: Vec<String> = service
        .ports
        .iter()
        .map(|p| match p.published {
            Some(published) => format!("{published}:{}", p.target),
            None => p.target.to_string(),
        })
        .collect();
    let exposed = picker.exposed_ports().await;
    let mut known = Vec::new();
    if !exposed.is_empty() {
        known.push(lang.fill(
            words::FORWARD_IMAGE_EXPOSES,
            &[("image", &shown_line(&service.image)), ("ports", &exposed.join(", "))],
        ));
    }
    if !published.is_empty() {
        known.push(lang.fill(words::FORWARD_SERVICE_PUBLISHES, &[("ports", &published.join(", "))]));
    }
    if known.is_empty() {
        known.push(lang.fill(words::FORWARD_NO_PORT_KNOWN, &[("image", &shown_line(&service.image))]));
    }
    ui.fail(
        Kind::BadInput,
        lang.fill(
            words::FORWARD_NOT_LISTENING,
            &[
                ("service", &shown_line(&service.name)),
                ("port", &port),
                ("tasks", &running_tasks(lang, tasks)),
                ("known", &known.join(" ")),
            ],
        ),
    )
}

/// Why a task is out of reach, and what to do, in the run's language.
fn unreachable_text(
    lang: lab_i18n::Language,
    why: &task_dial::Unreachable,
    service: &task_dial::ServiceInfo,
    port: u16,
) -> String {
    let namespace = match why.namespace {
        NamespaceGap::NotOnThisMachine => lang.tr(words::FORWARD_NOT_ON_THIS_MACHINE).into_owned(),
        NamespaceGap::NotPermitted => lang.tr(words::FORWARD_NEEDS_ROOT).into_owned(),
    };
    let name = shown_line(&service.name);
    let mesh = match &why.mesh {
        MeshGap::NotPublished => lang.fill(words::FORWARD_NOT_PUBLISHED, &[("port", &port), ("service", &name)]),
        MeshGap::NotForwarded { published } => {
            lang.fill(words::FORWARD_NOT_FORWARDED, &[("published", published), ("me", &crate::me())])
        }
        MeshGap::Failed { addr, why } => lang.fill(words::FORWARD_MESH_FAILED, &[("address", addr), ("error", why)]),
    };
    lang.fill(
        words::FORWARD_UNREACHABLE,
        &[
            ("task", &shown_line(&why.task)),
            ("node", &shown_line(&why.node)),
            ("namespace", &namespace),
            ("mesh", &mesh),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::parse_ports;

    #[test]
    fn ports_are_target_or_local_colon_target() {
        assert_eq!(parse_ports("80"), Some((80, 80)));
        assert_eq!(parse_ports("8080:80"), Some((8080, 80)));
        assert_eq!(parse_ports("0:80"), Some((0, 80)));
        for bad in ["", "0", "80:0", "http", "8080:", ":80", "70000", "80:70000", "-1", "+80", "1:2:3", " 80"] {
            assert_eq!(parse_ports(bad), None, "{bad:?}");
        }
    }
}
