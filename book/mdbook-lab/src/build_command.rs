//! `mdbook-lab build`: builds the whole book in-process with mdbook-driver (mdBook 0.5's
//! own build engine, HTML renderer and search index), mdbook-i18n-helpers' gettext
//! preprocessor and this one, so a reader or CI can produce the book, every edition and
//! language, without installing the `mdbook` CLI. `mdbook-lab xgettext` extracts the
//! catalog templates the same way.

use mdbook_lab::i18n::{load_edition, translations, write_templates};
use mdbook_lab::LabPreprocessor;
use std::path::PathBuf;
use std::process::ExitCode;

const BUILD_USAGE: &str = "usage: mdbook-lab build [BOOK_DIR] [--dest-dir DIR] [--solutions] [--language LANG]";

const HELP: &str = "\
mdbook-lab build: build the whole book in-process, as `mdbook build` does (HTML and its
search index), with the lab cards rendered; no `mdbook` CLI needed. Every edition is
built: English into DIR, each translation (po/<lang>.po, e.g. zh-TW) into DIR/<lang>.

USAGE:
    mdbook-lab build [BOOK_DIR] [--dest-dir DIR] [--solutions] [--language LANG]

ARGUMENTS:
    BOOK_DIR          the folder holding book.toml (default: the current folder)

OPTIONS:
    -d, --dest-dir DIR  where to write the book (default: book.toml's build-dir, book/)
    --solutions         the instructor edition: fix commands, answers, *-answer.md chapters
    -l, --language LANG only the edition in LANG (en or zh-TW): into DIR with --dest-dir,
                        else into book/ (en) or book/<LANG>
    -h, --help          print this help
";

/// `mdbook-lab build [BOOK_DIR] [--dest-dir DIR] [--solutions] [--language LANG]`.
pub fn run(args: &[String]) -> ExitCode {
    let mut book_dir = None;
    let mut dest_dir = None;
    let mut solutions = None;
    let mut language = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                print!("{HELP}");
                return ExitCode::SUCCESS;
            }
            "--solutions" => solutions = Some(true),
            "--dest-dir" | "-d" => match args.next() {
                Some(d) => dest_dir = Some(PathBuf::from(d)),
                None => return usage("--dest-dir needs a directory", BUILD_USAGE),
            },
            "--language" | "-l" => match args.next() {
                Some(l) => language = Some(l.clone()),
                None => return usage("--language needs a language, e.g. zh-TW", BUILD_USAGE),
            },
            a if a.starts_with('-') => return usage(&format!("unknown option {a}"), BUILD_USAGE),
            a if book_dir.is_none() => book_dir = Some(PathBuf::from(a)),
            a => return usage(&format!("unexpected argument {a}"), BUILD_USAGE),
        }
    }
    let book_dir = absolute(book_dir.unwrap_or_else(|| PathBuf::from(".")));
    // Same name as [preprocessor.lab]: replaces the command entry, so nothing is spawned.
    let preprocessor = || match solutions {
        Some(s) => LabPreprocessor::with_solutions(s),
        None => LabPreprocessor::new(),
    };
    let editions: Vec<Option<String>> = match &language {
        Some(l) => vec![Some(l.clone())],
        None => std::iter::once(None).chain(translations(&book_dir).into_iter().map(|l| Some(l.to_string()))).collect(),
    };
    let mut root_dest = None;
    for edition in editions {
        let mut book = match load_edition(&book_dir, edition.as_deref(), preprocessor()) {
            Ok(b) => b,
            Err(e) => {
                eprintln!(
                    "error: cannot load the book in {}: {e:#}\n(BOOK_DIR is the folder holding book.toml)",
                    book_dir.display()
                );
                return ExitCode::from(2);
            }
        };
        let english = edition.as_deref().is_none_or(|l| l == "en");
        let base = root_dest.get_or_insert_with(|| match &dest_dir {
            Some(d) => absolute(d.clone()),
            None => book.root.join(&book.config.build.build_dir),
        });
        // Translations sit beside the English edition's pages, in <dest>/<lang>, where
        // the edition links of theme/header.hbs expect them.
        book.config.build.build_dir = match (&edition, english, &dest_dir) {
            (Some(l), false, _) if language.is_none() || dest_dir.is_none() => base.join(l),
            _ => base.clone(),
        };
        if let Err(e) = book.build() {
            eprintln!("error: {e:#}");
            return ExitCode::from(1);
        }
        let out = &book.config.build.build_dir;
        let lang = book.config.book.language.as_deref().unwrap_or("en");
        eprintln!("built the {lang} edition into {} (open {})", out.display(), out.join("index.html").display());
    }
    ExitCode::SUCCESS
}

/// `mdbook-lab xgettext [BOOK_DIR]`: writes `po/messages.pot`.
pub fn xgettext(args: &[String]) -> ExitCode {
    const USAGE: &str = "usage: mdbook-lab xgettext [BOOK_DIR]";
    let mut book_dir = None;
    for arg in args {
        match arg.as_str() {
            a if a.starts_with('-') => return usage(&format!("unknown option {a}"), USAGE),
            a if book_dir.is_none() => book_dir = Some(PathBuf::from(a)),
            a => return usage(&format!("unexpected argument {a}"), USAGE),
        }
    }
    let book_dir = absolute(book_dir.unwrap_or_else(|| PathBuf::from(".")));
    match write_templates(&book_dir) {
        Ok(files) => {
            for f in files {
                eprintln!("wrote {}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}

fn usage(problem: &str, usage: &str) -> ExitCode {
    eprintln!("error: {problem}\n{usage}");
    ExitCode::from(2)
}
