//! What `lab cluster` asks of a practice-swarm driver beyond the shared interface
//! ([`practice_driver::PracticeDriver`]): the driver's own words (the line above the status
//! table, what `down` removed, what `up` found and reports), how its errors exit and how a
//! shell on one of its nodes is opened. Every command is written here once for every
//! driver: `up` (options, progress, outcome, report, next steps), `env`, `shell`, `status`
//! and `down`; each driver's module implements [`ClusterDriver`] (`super::netns_cluster`,
//! `super::docker_cluster`).

use std::path::PathBuf;
use std::process::Command;

use practice_driver::{DownOutcome, EnvVar, NodeStatus, PracticeDriver, Removed, UpOptions, UpOutcome};

use crate::args::{StatusFormat, UpArgs};
use crate::driver_text::Worded;
use crate::exit::Exit;
use crate::ui::Ui;
use lab_i18n::words;

use super::cluster::Action;
use super::node_shell::{open_shell, shell_program};
use super::status_table::{status_table, StatusRow};

/// The error type of a cluster's driver.
pub(crate) type DriverError<C> = <<C as ClusterDriver>::Driver as PracticeDriver>::Error;
/// One progress step of a cluster's driver.
pub(crate) type DriverProgress<C> = <<C as ClusterDriver>::Driver as PracticeDriver>::Progress;
/// How a cluster's driver describes the cluster `up` started or found.
pub(crate) type DriverInfo<C> = <<C as ClusterDriver>::Driver as PracticeDriver>::Info;

/// A shell on a node as a driver opens it: what [`open_shell`] runs.
pub(crate) struct ShellSession {
    /// The node's name, for the book's prompt (`node2$ `).
    pub name: String,
    /// The shell program, as it is or wrapped (in the node's network namespace).
    pub command: Command,
    /// The variables that point docker at the node.
    pub env: Vec<(&'static str, String)>,
    /// Where the rc files for bash and zsh go.
    pub rc_dir: PathBuf,
    /// The line the shell opens with: how docker reaches the node.
    pub note: String,
}

/// A driver's practice swarm as `lab cluster` talks about it.
pub(crate) trait ClusterDriver {
    /// The practice-driver implementation underneath.
    type Driver: PracticeDriver<Error: Worded, Progress: Worded>;

    fn driver(&self) -> &Self::Driver;

    /// How this run speaks: language, colours, output mode.
    fn ui(&self) -> &Ui;

    /// How an error of the driver exits: its kind (usage, bad input, practice swarm) and
    /// its words.
    fn fail(&self, e: DriverError<Self>) -> Exit;

    /// The line `up` says before the driver starts anything, if any.
    fn starting(&self, _options: &UpOptions) -> Option<String> {
        None
    }

    /// The line saying what `up` started or found.
    fn outcome(&self, outcome: &UpOutcome<DriverInfo<Self>>, options: &UpOptions) -> String;

    /// What `up` says after the driver's error, if anything.
    fn after_failed_up(&self) -> Option<String> {
        None
    }

    /// Prints what `up` reports of the cluster it started or found, before the next steps
    /// (on stderr).
    async fn report(&self, info: &DriverInfo<Self>);

    /// How many nodes the cluster `up` started or found has.
    fn node_count(&self, info: &DriverInfo<Self>) -> usize;

    /// The next step that opens a shell on a node (`me` filled in).
    const SHELL_HINT: &'static str;

    /// Prints what `up` says after the next steps, if anything (on stderr).
    fn after_next_steps(&self, _info: &DriverInfo<Self>) {}

    /// The shell the learner's `program` becomes on node `node`, as if logged in there.
    async fn shell_session(&self, node: usize, program: &str) -> Result<ShellSession, Exit>;

    /// The line above the status table: the driver and where its cluster lives.
    async fn status_header(&self) -> Result<String, Exit>;

    /// Variables `env` prints after the driver's own.
    fn env_extra(&self) -> Vec<EnvVar> {
        Vec::new()
    }

    /// What `down` says it removed.
    fn removed(&self, removed: &Removed) -> String;

    /// What `down` says when there was nothing to remove.
    fn nothing_running(&self) -> String;
}

/// The shared part of `up`'s options, as the learner asked for them.
pub(crate) fn up_options(up: &UpArgs) -> UpOptions {
    UpOptions { nodes: up.size.nodes, managers: up.size.managers, swarm: !up.no_swarm, online: up.online }
}

/// Prints a driver's progress step on stderr, in the run's language.
pub(crate) fn progress<P: Worded>(ui: &Ui, step: &P) {
    eprintln!("  {}", step.text(ui.lang));
}

/// Runs one `lab cluster` command on `cluster`.
pub(crate) async fn run<C: ClusterDriver>(cluster: &C, action: Action) -> Exit {
    let ui = cluster.ui();
    match action {
        Action::Up(options) => match start(cluster, &options).await {
            Ok(info) => {
                report_up(cluster, &info).await;
                Exit::Ok
            }
            Err(e) => e,
        },
        Action::Env { node, shell } => match cluster.driver().env_vars(node).await {
            Ok(mut vars) => {
                vars.extend(cluster.env_extra());
                crate::env_lines::print(ui.lang, &vars, node, shell);
                Exit::Ok
            }
            Err(e) => cluster.fail(e),
        },
        Action::Shell { node } => shell(cluster, node).await,
        Action::Status { format } => status(cluster, format).await,
        Action::Down => {
            match cluster.driver().down(&mut |step: &DriverProgress<C>| progress(ui, step)).await {
                Ok(DownOutcome::Removed(removed)) => eprintln!("{}", cluster.removed(&removed)),
                Ok(DownOutcome::NothingRunning) => eprintln!("{}", cluster.nothing_running()),
                Err(e) => return cluster.fail(e),
            }
            Exit::Ok
        }
    }
}

/// The first half of `up`: starts (or finds) the cluster, with the driver's progress, and
/// says which; on failure, the driver's error and what it adds.
pub(crate) async fn start<C: ClusterDriver>(cluster: &C, options: &UpOptions) -> Result<DriverInfo<C>, Exit> {
    if let Some(line) = cluster.starting(options) {
        eprintln!("{line}");
    }
    let ui = cluster.ui();
    match cluster.driver().up(options, &mut |step: &DriverProgress<C>| progress(ui, step)).await {
        Ok(outcome) => {
            eprintln!("{}", cluster.outcome(&outcome, options));
            Ok(outcome.into_info())
        }
        Err(e) => {
            let exit = cluster.fail(e);
            if let Some(note) = cluster.after_failed_up() {
                eprintln!("{note}");
            }
            Err(exit)
        }
    }
}

/// The second half of `up`: the driver's report of the cluster, then what a learner does
/// next.
pub(crate) async fn report_up<C: ClusterDriver>(cluster: &C, info: &DriverInfo<C>) {
    cluster.report(info).await;
    let lang = cluster.ui().lang;
    let me = crate::me();
    eprintln!("{}", lang.fill(words::CLUSTER_POINT_DOCKER, &[("me", &me)]));
    if cluster.node_count(info) > 1 {
        eprintln!("{}", lang.fill(C::SHELL_HINT, &[("me", &me)]));
    }
    cluster.after_next_steps(info);
}

/// `lab cluster shell`: the learner's `$SHELL` (else /bin/sh; on Windows `%COMSPEC%`) on
/// node `node`, with the book's `nodeN$` prompt.
async fn shell<C: ClusterDriver>(cluster: &C, node: usize) -> Exit {
    let program = shell_program();
    let session = match cluster.shell_session(node, &program).await {
        Ok(s) => s,
        Err(e) => return e,
    };
    match open_shell(
        cluster.ui(),
        &session.name,
        session.command,
        &program,
        &session.rc_dir,
        &session.env,
        &session.note,
    ) {
        Ok(()) => Exit::Ok,
        Err(e) => e,
    }
}

/// `lab cluster status`: the nodes read live, as JSON (`{"nodes": [...]}`) or as a table
/// under the driver's line.
async fn status<C: ClusterDriver>(cluster: &C, format: StatusFormat) -> Exit {
    let report = match cluster.driver().status().await {
        Ok(r) => r,
        Err(e) => return cluster.fail(e),
    };
    if format == StatusFormat::Json {
        println!("{}", lab_engine::untrusted::json(&report, true));
        return Exit::Ok;
    }
    match cluster.status_header().await {
        Ok(header) => println!("{header}"),
        Err(e) => return e,
    }
    node_table(cluster.ui().lang, &report.nodes).iter().for_each(|l| println!("{l}"));
    Exit::Ok
}

/// The lines of the node table. A node whose engine does not answer shows, in the swarm
/// column, its container's state when it is a container, else that it has no engine.
pub(crate) fn node_table(lang: lab_i18n::Language, nodes: &[NodeStatus]) -> Vec<String> {
    let rows: Vec<StatusRow> = nodes
        .iter()
        .map(|n| StatusRow {
            name: &n.name,
            address: &n.address,
            swarm: n.swarm.clone().unwrap_or_else(|| match &n.container {
                Some(state) => lang.fill(words::STATUS_CONTAINER, &[("state", state)]),
                None => lang.tr(words::STATUS_NO_ENGINE).into_owned(),
            }),
            role: &n.role,
            state: &n.state,
            availability: &n.availability,
            manager_status: &n.manager_status,
            docker_host: &n.docker_host,
        })
        .collect();
    status_table(lang, &rows)
}
