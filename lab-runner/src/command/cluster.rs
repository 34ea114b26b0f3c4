//! `lab cluster`: the practice swarm (wired to private-swarm's practice module next).

use crate::args::ClusterCommand;
use crate::exit::Exit;

pub fn run(_c: ClusterCommand) -> Exit {
    crate::error("lab cluster is not wired yet");
    Exit::BadInput
}
