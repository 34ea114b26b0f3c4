//! The practice swarm's two drivers in the run's language: each step of `lab cluster
//! up/down` (private-swarm's and docker-nodes' `Progress`) and each of their errors
//! (`HarnessError`, `NodesError` and the values inside them). The libraries report what
//! happened as values and display it in English; here the same values are worded with
//! [`words`], whose English is those displays letter for letter (the tests hold them to
//! it). Names, paths, ports, images, commands and what an engine or the system said stay
//! as they are.

use docker_nodes::{ApiAction, InvalidOption, NodeStep, NodesError, Privileges, PublishError};
use lab_i18n::{words, Language};
use practice_driver::Unsettled;
use private_swarm::{HarnessError, SharedDir, SpecError};
use stand_in::StandInProblem;
use std::fmt::Display;

/// A driver's value told in a language.
pub(crate) trait Worded {
    fn text(&self, lang: Language) -> String;
}

impl Worded for private_swarm::Progress {
    fn text(&self, lang: Language) -> String {
        use private_swarm::Progress as P;
        match self {
            P::CleaningKilledRun => lang.tr(words::NETNS_CLEANING_KILLED_RUN).into_owned(),
            P::CreatingNetwork { bridge, gateway, nodes } => {
                lang.fill(words::NETNS_CREATING_NETWORK, &[("bridge", bridge), ("gateway", gateway), ("nodes", nodes)])
            }
            P::RoutingOut { cidr } => lang.fill(words::NETNS_ROUTING_OUT, &[("cidr", cidr)]),
            P::StartingEngines { nodes } => {
                lang.count(*nodes as u64, words::NETNS_STARTING_ONE_ENGINE, words::NETNS_STARTING_ENGINES)
            }
            P::LoadingImages => lang.tr(words::NETNS_LOADING_IMAGES).into_owned(),
            P::StartingRegistry { addr } => lang
                .fill(words::NETNS_STARTING_REGISTRY, &[("address", &format!("{addr}:{}", stand_in::registry::PORT))]),
            P::FormingSwarm { managers, workers } => forming_swarm(lang, *managers, *workers),
            P::OutsideSwarm => lang.tr(words::NETNS_OUTSIDE_SWARM).into_owned(),
            P::PreviousGone => lang.tr(words::NETNS_PREVIOUS_GONE).into_owned(),
            P::CleaningInterruptedUp => lang.tr(words::NETNS_CLEANING_INTERRUPTED_UP).into_owned(),
            P::StartingPractice { nodes, dir } => {
                lang.fill(words::NETNS_STARTING, &[("nodes", nodes), ("dir", &dir.display())])
            }
            P::Stopping { nodes } => lang.fill(words::NETNS_STOPPING, &[("nodes", nodes)]),
            P::WaitingForLock => lang.tr(words::NETNS_WAITING_FOR_LOCK).into_owned(),
        }
    }
}

impl Worded for docker_nodes::Progress {
    fn text(&self, lang: Language) -> String {
        use docker_nodes::Progress as P;
        match self {
            P::RemovingLeftovers => lang.tr(words::DOCKER_REMOVING_LEFTOVERS).into_owned(),
            P::PullingImage { image } => lang.fill(words::DOCKER_PULLING_IMAGE, &[("image", image)]),
            P::CreatingNetwork { network, host } => {
                lang.fill(words::DOCKER_CREATING_NETWORK, &[("network", network), ("host", host)])
            }
            P::StartingNodes { nodes, image } => {
                lang.fill(words::DOCKER_STARTING_NODES, &[("nodes", nodes), ("image", image)])
            }
            P::NoPrivileged => lang.tr(words::DOCKER_NO_PRIVILEGED).into_owned(),
            P::StandIns { image, platform, files: 0 } => {
                lang.fill(words::DOCKER_STAND_INS_STATIC, &[("image", image), ("platform", platform)])
            }
            P::StandIns { image, platform, files } => lang
                .fill(words::DOCKER_STAND_INS_DYNAMIC, &[("image", image), ("platform", platform), ("files", files)]),
            P::LoadingImages => lang.tr(words::DOCKER_LOADING_IMAGES).into_owned(),
            P::StartingRegistry { container } => {
                lang.fill(words::DOCKER_STARTING_REGISTRY, &[("container", container)])
            }
            P::FormingSwarm { managers, workers } => forming_swarm(lang, *managers, *workers),
            P::Removing { containers } => lang.fill(words::DOCKER_REMOVING, &[("containers", containers)]),
        }
    }
}

fn forming_swarm(lang: Language, managers: usize, workers: usize) -> String {
    lang.fill(words::FORMING_SWARM, &[("managers", &managers), ("workers", &workers)])
}

impl Worded for Privileges {
    fn text(&self, lang: Language) -> String {
        lang.tr(match self {
            Privileges::Privileged => words::PRIVILEGES_PRIVILEGED,
            Privileges::Capabilities => words::PRIVILEGES_CAPABILITIES,
        })
        .into_owned()
    }
}

impl Worded for HarnessError {
    fn text(&self, lang: Language) -> String {
        use HarnessError as E;
        let fill = |template: &str, values: &[(&str, &dyn Display)]| lang.fill(template, values);
        match self {
            E::NotRoot { euid } => fill(words::NETNS_NOT_ROOT, &[("euid", euid)]),
            E::MissingBinary { binary, package } => {
                fill(words::NETNS_MISSING_BINARY, &[("binary", binary), ("package", package)])
            }
            E::BusyboxNotStatic { path } => fill(words::NETNS_BUSYBOX_NOT_STATIC, &[("path", &path.display())]),
            E::StandIn(why) => fill(words::NETNS_STAND_IN, &[("why", &why.text(lang))]),
            E::InvalidSpec(why) => fill(words::NETNS_INVALID_SPEC, &[("why", &why.text(lang))]),
            #[cfg(target_os = "linux")]
            E::NotOurs { dir } => {
                fill(words::NETNS_NOT_OURS, &[("dir", &dir.display()), ("marker", &private_swarm::MARKER_FILE)])
            }
            E::Io { what, path, source } => io_failed(lang, &what.text(lang), path, source),
            E::Command { command, status, stderr } => {
                fill(words::NETNS_COMMAND_FAILED, &[("command", command), ("status", status), ("stderr", stderr)])
            }
            E::EngineNotReady { node, docker_host, waited, log } => fill(
                words::NETNS_ENGINE_NOT_READY,
                &[
                    ("node", node),
                    ("docker_host", docker_host),
                    ("seconds", &waited.as_secs()),
                    ("log", &log.display()),
                ],
            ),
            E::EngineExited { node, log, tail } => {
                fill(words::NETNS_ENGINE_EXITED, &[("node", node), ("log", &log.display()), ("tail", tail)])
            }
            E::EngineUnreachable { node, docker_host, log, source } => fill(
                words::NETNS_ENGINE_UNREACHABLE,
                &[("node", node), ("docker_host", docker_host), ("error", source), ("log", &log.display())],
            ),
            E::Api { node, method, path, status, message } => fill(
                words::NETNS_API,
                &[("node", node), ("method", method), ("path", path), ("status", status), ("message", message)],
            ),
            E::NoJoinToken { node } => fill(words::NETNS_NO_JOIN_TOKEN, &[("node", node)]),
            E::ImageLoad { node, detail } => fill(words::NETNS_IMAGE_LOAD, &[("node", node), ("detail", detail)]),
            E::RegistryNotReady { addr, waited, log } => fill(
                words::NETNS_REGISTRY_NOT_READY,
                &[
                    ("address", &format!("{addr}:{}", stand_in::registry::PORT)),
                    ("seconds", &waited.as_secs()),
                    ("log", &log.display()),
                ],
            ),
            E::SwarmNotReady { waited, detail, dir } => fill(
                words::NETNS_SWARM_NOT_READY,
                &[("seconds", &waited.as_secs()), ("detail", &detail.text(lang)), ("dir", &dir.display())],
            ),
            E::NoFreeSubnet => lang.tr(words::NETNS_NO_FREE_SUBNET).into_owned(),
            E::DirInUse { dir, state } => {
                fill(words::NETNS_DIR_IN_USE, &[("dir", &dir.display()), ("state", &state.display())])
            }
            E::State { path, detail } => fill(words::NETNS_STATE, &[("path", &path.display()), ("detail", detail)]),
            E::SocketPathTooLong { path, len } => {
                fill(words::NETNS_SOCKET_PATH_TOO_LONG, &[("path", &path.display()), ("len", len)])
            }
            E::TeardownIncomplete { dir, leftovers } => fill(
                words::NETNS_TEARDOWN_INCOMPLETE,
                &[("dir", &dir.display()), ("leftovers", &leftovers.join("\n  "))],
            ),
            E::NotRunning { dir } => fill(words::NETNS_NOT_RUNNING, &[("dir", &dir.display())]),
            E::NoSuchNode { number, count } => fill(words::NETNS_NO_SUCH_NODE, &[("number", number), ("count", count)]),
            E::NoDockerCli => lang.tr(words::NETNS_NO_DOCKER_CLI).into_owned(),
            E::DockerCli { node, args, status, stderr } => {
                fill(words::NETNS_DOCKER_CLI, &[("args", args), ("node", node), ("status", status), ("stderr", stderr)])
            }
        }
    }
}

fn io_failed(lang: Language, what: &str, path: &std::path::Path, error: &std::io::Error) -> String {
    lang.fill(words::IO_FAILED, &[("what", &what), ("path", &path.display()), ("error", error)])
}

impl Worded for private_swarm::IoAction {
    fn text(&self, lang: Language) -> String {
        use private_swarm::IoAction as A;
        let word = match self {
            A::RunDockerCli => words::IO_RUN_DOCKER_CLI,
            A::ResolveClusterDir => words::IO_RESOLVE_CLUSTER_DIR,
            A::CreateClusterDir => words::IO_CREATE_CLUSTER_DIR,
            A::MarkClusterDir => words::IO_MARK_CLUSTER_DIR,
            A::CreateRunDir => words::IO_CREATE_RUN_DIR,
            A::WriteRunDir => words::IO_WRITE_RUN_DIR,
            A::CreateNodeDir => words::IO_CREATE_NODE_DIR,
            A::CreateExecRoot => words::IO_CREATE_EXEC_ROOT,
            A::WriteDaemonJson => words::IO_WRITE_DAEMON_JSON,
            A::CreateDockerdLog => words::IO_CREATE_DOCKERD_LOG,
            A::OpenNetns => words::IO_OPEN_NETNS,
            A::StartDockerd { node } => return lang.fill(words::IO_START_DOCKERD, &[("node", node)]),
            A::ReadBusybox => words::IO_READ_BUSYBOX,
            A::WriteRegistry => words::IO_WRITE_REGISTRY,
            A::StartRegistry => words::IO_START_REGISTRY,
            A::CreateSubnetClaims => words::IO_CREATE_SUBNET_CLAIMS,
            A::OpenSubnetLock => words::IO_OPEN_SUBNET_LOCK,
            A::LockSubnetClaims => words::IO_LOCK_SUBNET_CLAIMS,
            A::WriteSubnetClaim => words::IO_WRITE_SUBNET_CLAIM,
            A::SetIpForward => words::IO_SET_IP_FORWARD,
            A::CreatePracticeDir => words::IO_CREATE_PRACTICE_DIR,
            A::OpenPracticeLock => words::IO_OPEN_PRACTICE_LOCK,
            A::LockPracticeDir => words::IO_LOCK_PRACTICE_DIR,
            A::RemovePracticeDir => words::IO_REMOVE_PRACTICE_DIR,
            A::ReadState => words::IO_READ_STATE,
            A::WriteState => words::IO_WRITE_STATE,
        };
        lang.tr(word).into_owned()
    }
}

/// A practice swarm's size as both drivers refuse it: one wording.
impl Worded for practice_driver::SizeError {
    fn text(&self, lang: Language) -> String {
        match self {
            Self::Nodes { nodes, max } => lang.fill(words::SIZE_NODES, &[("nodes", nodes), ("max", max)]),
            Self::Managers { nodes, managers } => {
                lang.fill(words::SIZE_MANAGERS, &[("nodes", nodes), ("managers", managers)])
            }
        }
    }
}

impl Worded for SpecError {
    fn text(&self, lang: Language) -> String {
        match self {
            SpecError::NoDir => lang.tr(words::SPEC_NO_DIR).into_owned(),
            SpecError::SharedDir { dir, why } => {
                lang.fill(words::SPEC_SHARED_DIR, &[("dir", &dir.display()), ("why", &why.text(lang))])
            }
            SpecError::Size(e) => e.text(lang),
        }
    }
}

impl Worded for SharedDir {
    fn text(&self, lang: Language) -> String {
        lang.tr(match self {
            SharedDir::Root => words::DIR_ROOT,
            SharedDir::TopLevel => words::DIR_TOP_LEVEL,
            SharedDir::System => words::DIR_SYSTEM,
            SharedDir::Home => words::DIR_HOME,
        })
        .into_owned()
    }
}

impl Worded for StandInProblem {
    fn text(&self, lang: Language) -> String {
        use StandInProblem as S;
        match self {
            S::NotPlainPath { path } => lang.fill(words::STAND_IN_NOT_PLAIN_PATH, &[("path", &format!("{path:?}"))]),
            S::BadLinkTarget { path, target } => {
                lang.fill(words::STAND_IN_BAD_LINK, &[("path", path), ("target", &format!("{target:?}"))])
            }
            S::Twice { path } => lang.fill(words::STAND_IN_TWICE, &[("path", path)]),
            S::DirectoryAndFile { path } => lang.fill(words::STAND_IN_DIRECTORY_AND_FILE, &[("path", path)]),
            S::Rootfs(error) => lang.fill(words::STAND_IN_ROOTFS, &[("error", error)]),
            S::Pack(error) => lang.fill(words::STAND_IN_PACK, &[("error", error)]),
        }
    }
}

impl Worded for Unsettled {
    fn text(&self, lang: Language) -> String {
        use Unsettled as U;
        match self {
            U::NodeCount { listed, expected } => {
                lang.fill(words::UNSETTLED_NODE_COUNT, &[("listed", listed), ("expected", expected)])
            }
            U::NotListed { node } => lang.fill(words::UNSETTLED_NOT_LISTED, &[("node", node)]),
            U::NodeState { node, state } => lang.fill(words::NODE_IS, &[("node", node), ("state", state)]),
            U::WrongRole { node, role, expected } => {
                lang.fill(words::UNSETTLED_WRONG_ROLE, &[("node", node), ("role", role), ("expected", expected)])
            }
            U::RoleNotYet { node } => lang.fill(words::UNSETTLED_ROLE_NOT_YET, &[("node", node)]),
            U::ManagerState { node, state } => {
                lang.fill(words::UNSETTLED_MANAGER_STATE, &[("node", node), ("state", state)])
            }
            U::Leaders { count } => lang.fill(words::UNSETTLED_LEADERS, &[("count", count)]),
            U::NoLeader => lang.tr(words::UNSETTLED_NO_LEADER).into_owned(),
            U::NotActive { node } => lang.fill(words::UNSETTLED_NOT_ACTIVE, &[("node", node)]),
            U::NotManagerYet { node } => lang.fill(words::UNSETTLED_NOT_MANAGER_YET, &[("node", node)]),
            U::Failed(error) => error.clone(),
        }
    }
}

impl Worded for NodesError {
    fn text(&self, lang: Language) -> String {
        use NodesError as E;
        let fill = |template: &str, values: &[(&str, &dyn Display)]| lang.fill(template, values);
        match self {
            E::Invalid(why) => fill(words::DOCKER_INVALID, &[("why", &why.text(lang))]),
            E::Engine { host, source } => fill(words::DOCKER_ENGINE, &[("host", host), ("error", &source.text(lang))]),
            E::Api { what, source } => fill(words::DOCKER_API, &[("what", &what.text(lang)), ("error", source)]),
            E::Image { image, why } => fill(words::DOCKER_IMAGE, &[("image", image), ("why", why)]),
            E::NodeExited { node, code, tail } => {
                fill(words::DOCKER_NODE_EXITED, &[("node", node), ("code", code), ("tail", tail)])
            }
            E::NodeNotReady { node, host, container, waited, why } => fill(
                words::DOCKER_NODE_NOT_READY,
                &[
                    ("node", node),
                    ("host", host),
                    ("seconds", &waited.as_secs()),
                    ("why", &why.text(lang)),
                    ("container", container),
                ],
            ),
            E::Node { node, step, why } => {
                fill(words::DOCKER_NODE, &[("node", node), ("step", &step.text(lang)), ("why", why)])
            }
            E::NoApiPort { node } => fill(words::DOCKER_NO_API_PORT, &[("node", node)]),
            E::NodeDown { node, state } => fill(words::DOCKER_NODE_DOWN, &[("node", node), ("state", state)]),
            E::SwarmNotReady { waited, detail } => {
                fill(words::DOCKER_SWARM_NOT_READY, &[("seconds", &waited.as_secs()), ("detail", &detail.text(lang))])
            }
            E::NotRunning { name, host } => fill(words::DOCKER_NOT_RUNNING, &[("name", name), ("host", host)]),
            E::MissingCerts { name, path } => {
                fill(words::DOCKER_MISSING_CERTS, &[("name", name), ("path", &path.display())])
            }
            E::Io { what, path, source } => io_failed(lang, &what.text(lang), path, source),
            E::NoBusybox { image } => fill(words::DOCKER_NO_BUSYBOX, &[("image", image)]),
            E::StandInBusybox { image, why } => fill(words::DOCKER_STAND_IN_BUSYBOX, &[("image", image), ("why", why)]),
            E::RegistryNotReady { container, why } => {
                fill(words::DOCKER_REGISTRY_NOT_READY, &[("container", container), ("why", why)])
            }
            E::StandIn(why) => fill(words::NETNS_STAND_IN, &[("why", &why.text(lang))]),
            E::Certs(e) => fill(words::DOCKER_CERTS, &[("error", e)]),
        }
    }
}

impl Worded for InvalidOption {
    fn text(&self, lang: Language) -> String {
        use InvalidOption as O;
        match self {
            O::Size(e) => e.text(lang),
            O::EmptyImage => lang.tr(words::OPTION_EMPTY_IMAGE).into_owned(),
            O::ClusterName { name } => lang.fill(words::OPTION_CLUSTER_NAME, &[("name", name)]),
            O::NoSuchNode { node, count } => lang.fill(words::OPTION_NO_SUCH_NODE, &[("node", node), ("count", count)]),
        }
    }
}

impl Worded for PublishError {
    fn text(&self, lang: Language) -> String {
        match self {
            PublishError::NotAPort { item, text } => {
                lang.fill(words::PUBLISH_NOT_A_PORT, &[("item", item), ("text", text)])
            }
            PublishError::ApiPort { item, port } => {
                lang.fill(words::PUBLISH_API_PORT, &[("item", item), ("port", port)])
            }
            PublishError::Twice { port } => lang.fill(words::PUBLISH_TWICE, &[("port", port)]),
        }
    }
}

impl Worded for ApiAction {
    fn text(&self, lang: Language) -> String {
        use ApiAction as A;
        let name = |template: &str, name: &str| lang.fill(template, &[("name", &name)]);
        match self {
            A::CreateNetwork { network } => name(words::API_CREATE_NETWORK, network),
            A::ListContainers => lang.tr(words::API_LIST_CONTAINERS).into_owned(),
            A::ListNetworks => lang.tr(words::API_LIST_NETWORKS).into_owned(),
            A::ListVolumes => lang.tr(words::API_LIST_VOLUMES).into_owned(),
            A::CreateVolume { name: n } => name(words::API_CREATE_VOLUME, n),
            A::CreateContainer { name: n } => name(words::API_CREATE_CONTAINER, n),
            A::CopyCertificate { container } => name(words::API_COPY_CERTIFICATE, container),
            A::CopyRegistry { container } => name(words::API_COPY_REGISTRY, container),
            A::StartContainer { name: n } => name(words::API_START_CONTAINER, n),
            A::StopContainer { name: n } => name(words::API_STOP_CONTAINER, n),
            A::RemoveContainer { name: n } => name(words::API_REMOVE_CONTAINER, n),
            A::RemoveVolume { name: n } => name(words::API_REMOVE_VOLUME, n),
            A::RemoveNetwork { name: n } => name(words::API_REMOVE_NETWORK, n),
            A::InspectContainer { node } => lang.fill(words::API_INSPECT_CONTAINER, &[("node", node)]),
        }
    }
}

impl Worded for NodeStep {
    fn text(&self, lang: Language) -> String {
        lang.tr(match self {
            NodeStep::SwarmInit => words::NODE_SWARM_INIT,
            NodeStep::JoinToken => words::NODE_JOIN_TOKEN,
            NodeStep::SwarmJoin => words::NODE_SWARM_JOIN,
            NodeStep::NodeId => words::NODE_NODE_ID,
            NodeStep::InspectNode => words::NODE_INSPECT,
            NodeStep::Promote => words::NODE_PROMOTE,
            NodeStep::LoadImages => words::NODE_LOAD_IMAGES,
        })
        .into_owned()
    }
}

impl Worded for docker_nodes::IoAction {
    fn text(&self, lang: Language) -> String {
        use docker_nodes::IoAction as A;
        lang.tr(match self {
            A::WriteCertificate => words::IO_WRITE_CERTIFICATE,
            A::CreateCertDir => words::IO_CREATE_CERT_DIR,
            A::MakeCertDirPrivate => words::IO_MAKE_CERT_DIR_PRIVATE,
            A::RemoveCertDir => words::IO_REMOVE_CERT_DIR,
        })
        .into_owned()
    }
}

#[cfg(test)]
mod tests;
