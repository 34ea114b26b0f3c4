//! `lab-i18n`: the Swarm Lab Workbook in other languages, for everything that is not the
//! book's prose (mdbook-i18n-helpers translates that from `book/po/<lang>.po`).
//!
//! One gettext catalog per language, `book/po/labs.<lang>.po`, is compiled into the binaries.
//! It translates two kinds of text, both extracted into `book/po/labs.pot` by [`template`]:
//!
//! - the lab files' human text (titles, goals, check and drill titles and hints): the English
//!   `labs/*.toml` stay the single source of truth, and [`Language::lab`] gives a
//!   translated copy of a lab for cards, `lab show` and reports;
//! - the fixed words of the cards, `lab show` and the human report ([`words`]).
//!
//! Ids, check ids, status values, commands and JSON keys are never translated.
//!
//! - [`language`]: [`Language`], chosen by tag, `--lang` or the locale environment.
//! - [`catalog`]: parsing a compiled-in `.po` file into a lookup table.
//! - [`words`]: every program string that is translated, in one list.
//! - [`drill_text`]: a drill's fault and expectations in words, for cards and reports.
//! - [`template`]: writing `labs.pot` from the labs and [`words`].
//! - [`untranslated`]: finding English a translation left, for the tests that pin one.

pub mod catalog;
pub mod drill_text;
pub mod language;
pub mod template;
pub mod untranslated;
pub mod words;

pub use language::{Language, UnknownLanguage, LANGUAGES};
