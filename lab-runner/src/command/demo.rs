//! `lab demo`: practice swarm + answer + check (wired next).

use crate::args::Global;
use crate::exit::Exit;

pub fn run(_g: &Global, _lab: &str, _nodes: usize, _managers: usize) -> Exit {
    crate::error("lab demo is not wired yet");
    Exit::BadInput
}
