//! Lab definitions for the Swarm Lab Workbook: the single source of truth that the `lab`
//! runner grades and the book's `mdbook-lab` preprocessor renders.
//!
//! A lab is a TOML file, `labs/<lab-id>.toml`, read in two layers (as ripgrep does with its
//! arguments): serde reads the raw file with spans and `deny_unknown_fields`, then
//! validation (`validate.rs`) turns it into a [`Lab`] that cannot hold an invalid combination. Every
//! problem becomes a [`LabError`] diagnostic naming the file, line and column.
//!
//! This crate has no async runtime and no engine client, so the preprocessor stays light.

pub mod assertion;
pub mod command_line;
pub mod count;
pub mod diagnostic;
pub mod drill;
pub mod duration;
pub mod glob;
pub mod image;
pub mod lab;
pub mod load;
pub mod spelling;
mod validate;

pub use assertion::*;
pub use count::Count;
pub use drill::{Drill, DrillData, DrillExpect, DrillProbe, Fault, FAULTS};
pub use duration::LabDuration;
pub use image::{ImageMatch, ImagePattern, ImageRef};
pub use lab::{Answer, AnswerStep, Check, Lab};
pub use load::{load_dir, load_file, load_str, LabError, LabErrors};
pub use validate::TOTAL_POINTS;
