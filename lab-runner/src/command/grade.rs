//! `lab grade`: grade a whole class (written next; see issue 5).

use crate::args::{GradeArgs, Global};
use crate::exit::Exit;

pub fn run(_g: &Global, _a: &GradeArgs) -> Exit {
    crate::error("lab grade is not built yet");
    Exit::BadInput
}
