//! practice (wip)
pub struct Practice;
pub enum UpOutcome {}
