//! The stand-in images both practice-swarm drivers put on their nodes, so services of the
//! course's images converge on a machine that cannot pull. This crate owns:
//! - [`image`]: the images themselves (one busybox rootfs layer, one config per behaviour,
//!   the stand-in scripts), packed as a `docker save` archive, made of a [`BusyboxSource`];
//! - [`registry`]: the content of the offline registry every node pulls through (its
//!   manifests, blobs and the busybox script that serves them); each driver runs it its
//!   own way;
//! - [`elf`]: just enough of an ELF reader to tell what a busybox needs to run (the docker
//!   driver copies one out of a node image the learner chose);
//! - on Linux, this machine's static busybox and the host-program lookup
//!   ([`find_static_busybox`], [`host_busybox`], [`find_binary`]).
//!
//! Data and pure functions over bytes, except the host lookups: no engine, no cluster, no
//! network. `private-swarm` (the netns driver) and `docker-nodes` (the docker driver) both
//! depend on it, and it on neither; `host-image` (test support) builds its node image on
//! the same skeleton ([`BASE_DIRS`], [`PASSWD`], [`GROUP`], [`applet_paths`]).

pub mod elf;
mod error;
pub mod image;
pub mod registry;

pub use error::{HostBusyboxError, Result, StandInProblem};
pub use image::{
    applet_paths, archive_of_layer, docker_arch, image_archive, rootfs_tar, BusyboxSource, SourceFile, BASE_DIRS,
    GROUP, PASSWD, STAND_IN_IMAGES,
};

#[cfg(target_os = "linux")]
mod host;
#[cfg(target_os = "linux")]
pub use host::{find_binary, find_static_busybox, host_busybox};
