//! The book's editions in other languages.
//!
//! The English book in `src/` is the single source of truth. mdbook-i18n-helpers extracts its
//! messages into `po/messages.pot`; `po/<lang>.po` translates them, and its `gettext`
//! preprocessor (run here in-process, or by mdBook as `mdbook-lab gettext`) swaps each
//! message for its translation before the `lab` preprocessor renders the cards in the same
//! language from the lab catalog `po/labs.<lang>.po` (see `lab-i18n`).
//!
//! - [`load_edition`]: a book loaded for one language, both preprocessors in-process.
//! - [`translations`]: the languages a book has a catalog for.
//! - [`book_template`] / [`write_templates`]: extracting `messages.pot` (lab-runner writes
//!   `labs.pot`, see `lab_i18n::template`).

use crate::LabPreprocessor;
use mdbook_driver::MDBook;
use mdbook_i18n_helpers::preprocessors::Gettext;
use mdbook_i18n_helpers::renderers::Xgettext;
use mdbook_preprocessor::errors::{Error, Result};
use mdbook_renderer::RenderContext;
use std::path::{Path, PathBuf};

/// The folder of catalogs, relative to the book root (mdbook-i18n-helpers' default).
pub const PO_DIR: &str = "po";
/// The template of the book's messages.
pub const BOOK_TEMPLATE: &str = "messages.pot";
/// The template of the lab texts and program words.
pub const LABS_TEMPLATE: &str = "labs.pot";
/// The name of the gettext preprocessor's table, `[preprocessor.gettext]`.
pub const GETTEXT_NAME: &str = "gettext";

/// The translated editions a book has: every language of [`lab_i18n::LANGUAGES`] but
/// English with a `po/<lang>.po`.
pub fn translations(book_root: &Path) -> Vec<&'static str> {
    lab_i18n::LANGUAGES
        .iter()
        .copied()
        .filter(|l| *l != "en" && book_root.join(PO_DIR).join(format!("{l}.po")).is_file())
        .collect()
}

/// Loads the book at `book_dir` for `language` (`None`: what `book.toml` says) with the
/// gettext and lab preprocessors in-process, so no `mdbook-*` binary is spawned. They
/// replace the command entries of the same names, keeping `book.toml`'s order (gettext
/// before lab).
pub fn load_edition(book_dir: &Path, language: Option<&str>, lab: LabPreprocessor) -> Result<MDBook> {
    let mut book = MDBook::load(book_dir)?;
    if let Some(language) = language {
        book.config.book.language = Some(language.to_string());
    }
    book.with_preprocessor(Gettext);
    book.with_preprocessor(lab);
    Ok(book)
}

/// The book's messages as `mdbook-xgettext` extracts them (SUMMARY.md first, then every
/// chapter, answer chapters included), as a polib catalog.
pub fn book_template(book_dir: &Path) -> Result<polib::catalog::Catalog> {
    let book = load_edition(book_dir, None, LabPreprocessor::new())?;
    // Neither gettext nor lab runs for the xgettext renderer: directives stay as written.
    let (preprocessed, _) = book.preprocess_book(&Xgettext)?;
    let ctx = RenderContext::new(book.root.clone(), preprocessed, book.config.clone(), book.root.join(PO_DIR));
    let catalogs = mdbook_i18n_helpers::xgettext::create_catalogs(&ctx, std::fs::read_to_string)?;
    let mut catalogs: Vec<_> = catalogs.into_values().collect();
    match (catalogs.pop(), catalogs.is_empty()) {
        (Some(catalog), true) => Ok(catalog),
        _ => Err(Error::msg("[output.xgettext] depth must stay 0: mdbook-lab expects one messages.pot")),
    }
}

/// Writes `po/messages.pot` (the book's messages); returns the file written. The lab
/// texts, program words and `lab`'s help go to `po/labs.pot`, which lab-runner writes
/// (it alone knows the command line's help; `scripts/i18n` runs both).
pub fn write_templates(book_dir: &Path) -> Result<Vec<PathBuf>> {
    let po = book_dir.join(PO_DIR);
    std::fs::create_dir_all(&po).map_err(|e| Error::msg(format!("cannot create {}: {e}", po.display())))?;
    let book = po.join(BOOK_TEMPLATE);
    polib::po_file::write(&book_template(book_dir)?, &book)
        .map_err(|e| Error::msg(format!("cannot write {}: {e}", book.display())))?;
    Ok(vec![book])
}
