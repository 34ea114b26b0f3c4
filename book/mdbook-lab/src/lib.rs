//! `mdbook-lab`: the Swarm Lab Workbook's mdBook preprocessor.
//!
//! A chapter line `{{#lab day6-voting-app}}` becomes a lab card rendered from
//! `labs/day6-voting-app.toml`, the same definition the `lab` CLI grades, so the book and
//! the grader cannot drift apart. With `solutions = false` (the learner edition, the
//! default) no fix command or reference answer is written anywhere, and answer chapters
//! (`*-answer.md`) are dropped from the book.
//!
//! - [`config`]: `[preprocessor.lab]` and `MDBOOK_LAB_SOLUTIONS` → [`LabConfig`].
//! - [`directive`]: finding directives (not in code) in a chapter's Markdown.
//! - [`card`]: one lab as an HTML block, and the embedded stylesheet.
//! - [`answer`]: the answer-chapter rule and removing them from the learner edition.
//! - [`preprocessor`]: [`LabPreprocessor`], tying it together for mdBook.
//! - [`error`]: what fails a build, with `file:line` locations.
//! - [`i18n`]: the editions in other languages: mdbook-i18n-helpers' gettext preprocessor
//!   in-process, loading a book in a language, extracting the catalog templates.
//!
//! In-process use, as the tests and benchmarks do:
//!
//! ```ignore
//! let mut book = mdbook_driver::MDBook::load("book")?;
//! // Same name as `[preprocessor.lab]`: replaces the command preprocessor, so no
//! // `mdbook-lab` binary is spawned.
//! book.with_preprocessor(mdbook_lab::LabPreprocessor::with_solutions(false));
//! book.build()?;
//! ```

pub mod answer;
pub mod card;
pub mod config;
pub mod directive;
pub mod error;
pub mod i18n;
pub mod preprocessor;

pub use card::{render_card, render_card_in, CardOptions, LessonLink};
pub use config::LabConfig;
pub use error::BuildError;
pub use preprocessor::{render_book, render_book_in, LabPreprocessor, Rendered};
