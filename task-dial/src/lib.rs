//! Dials the running tasks of a swarm service from this machine, one connection at a time
//! spread over the tasks as the routing mesh spreads them: the engine behind `lab cluster
//! forward`, and a library for anything else that must reach a service's tasks where the
//! mesh does not carry traffic (no IPVS in the kernel: some VMs, WSL, the test machines),
//! such as `lab drill`'s probes.
//!
//! Everything sent to an engine is a GET: the swarm is read, never changed.
//!
//! - [`TaskPicker`] (module [`picker`]) reads a service and its running tasks from a swarm
//!   manager and hands them out round robin ([`TaskPicker::next_task`],
//!   [`TaskPicker::candidates`]); [`TaskPicker::refresh`] re-reads the tasks (call it on an
//!   interval) and says which started and which are gone, so a replaced task is followed.
//! - [`Reach`] (module [`reach`]) is how this machine gets to a task: into the task
//!   container's own network namespace, found by the PID the swarm reports for it
//!   (`Status.ContainerStatus.PID`; the netns practice swarm shares this machine's PID
//!   namespace, a docker-driver node's processes are under `/proc/<node PID>/root/proc`),
//!   or, where that cannot be (not root, not Linux, another machine), through the routing
//!   mesh at a published port. [`Reach::this_machine`], [`Reach::node_containers`] and [`Reach::mesh_only`] build one.
//! - [`dial_task`] connects to one task's port: from inside its network namespace to
//!   `127.0.0.1:PORT` (then the container's own addresses, for a server that listens on
//!   one address only), else through the mesh. A port nothing listens on is an
//!   [`std::io::ErrorKind::ConnectionRefused`] error; a task this machine cannot reach is
//!   [`std::io::ErrorKind::Unsupported`] with a [`Unreachable`] inside saying why.
//!
//! ```no_run
//! # async fn demo(conn: lab_engine::Connection) -> Result<(), Box<dyn std::error::Error>> {
//! use task_dial::{dial_task, MeshRoute, Reach, TaskPicker};
//! let mut picker = TaskPicker::open(conn.clone(), "vote").await?;
//! let reach = Reach::this_machine(MeshRoute::NodeAddress); // the netns practice swarm
//! if let Some(task) = picker.next_task() {
//!     let stream = dial_task(&reach, picker.service(), &task, 80).await?;
//!     // … talk HTTP over `stream` …
//! #   drop(stream);
//! }
//! picker.refresh().await?; // now and then: follows tasks as they are replaced
//! # Ok(()) }
//! ```

#[cfg(target_os = "linux")]
mod namespace;
pub mod picker;
pub mod reach;

pub use picker::{PickError, PublishedPort, RunningTask, ServiceInfo, TaskChange, TaskPicker, TaskState};
pub use reach::{dial_task, unreachable_reason, MeshGap, MeshRoute, NamespaceGap, Reach, Unreachable};
