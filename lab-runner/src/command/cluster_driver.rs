//! What `lab cluster` asks of a practice-swarm driver beyond the shared interface
//! ([`practice_driver::PracticeDriver`]): the driver's own words (the line above the status
//! table, what `down` removed, how `up` reports) and how its errors exit. `env`, `status`
//! and `down` are written here once for every driver; each driver's module implements
//! [`ClusterDriver`] (`super::netns_cluster`, `super::docker_cluster`).

use practice_driver::{DownOutcome, EnvVar, NodeStatus, PracticeDriver, Removed, UpOptions};

use crate::args::{ClusterCommand, StatusFormat, UpArgs};
use crate::driver_text::Worded;
use crate::exit::Exit;
use crate::ui::Ui;
use lab_i18n::words;

use super::status_table::{status_table, StatusRow};

/// The error type of a cluster's driver.
pub(crate) type DriverError<C> = <<C as ClusterDriver>::Driver as PracticeDriver>::Error;
/// One progress step of a cluster's driver.
pub(crate) type DriverProgress<C> = <<C as ClusterDriver>::Driver as PracticeDriver>::Progress;

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

    /// `lab cluster up`: starts (or finds) the cluster and says what to do next.
    async fn up(&self, up: &UpArgs) -> Exit;

    /// `lab cluster shell`: the learner's shell on node `node`.
    async fn shell(&self, node: usize) -> Exit;

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
pub(crate) async fn run<C: ClusterDriver>(cluster: &C, command: ClusterCommand) -> Exit {
    let ui = cluster.ui();
    match command {
        ClusterCommand::Up(up) => cluster.up(&up).await,
        ClusterCommand::Env { node, shell, .. } => match cluster.driver().env_vars(node).await {
            Ok(mut vars) => {
                vars.extend(cluster.env_extra());
                crate::env_lines::print(ui.lang, &vars, node, shell);
                Exit::Ok
            }
            Err(e) => cluster.fail(e),
        },
        ClusterCommand::Shell { node, .. } => cluster.shell(node.unwrap_or(1)).await,
        ClusterCommand::Status { format, .. } => status(cluster, format).await,
        ClusterCommand::Down { .. } => {
            match cluster.driver().down(&mut |step: &DriverProgress<C>| progress(ui, step)).await {
                Ok(DownOutcome::Removed(removed)) => eprintln!("{}", cluster.removed(&removed)),
                Ok(DownOutcome::NothingRunning) => eprintln!("{}", cluster.nothing_running()),
                Err(e) => return cluster.fail(e),
            }
            Exit::Ok
        }
        ClusterCommand::Forward(args) => super::forward::run(&args, ui),
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
