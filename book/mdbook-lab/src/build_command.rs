//! `mdbook-lab build`: builds the whole book in-process with mdbook-driver (mdBook 0.5's
//! own build engine, HTML renderer and search index) and this preprocessor, so a reader or
//! CI can produce the book, either edition, without installing the `mdbook` CLI.

use mdbook_driver::MDBook;
use mdbook_lab::LabPreprocessor;
use std::path::PathBuf;
use std::process::ExitCode;

const HELP: &str = "\
mdbook-lab build: build the whole book in-process, as `mdbook build` does (HTML and its
search index), with the lab cards rendered; no `mdbook` CLI needed.

USAGE:
    mdbook-lab build [BOOK_DIR] [--dest-dir DIR] [--solutions]

ARGUMENTS:
    BOOK_DIR          the folder holding book.toml (default: the current folder)

OPTIONS:
    -d, --dest-dir DIR  where to write the book (default: book.toml's build-dir, book/)
    --solutions         the instructor edition: fix commands, answers, *-answer.md chapters
    -h, --help          print this help
";

/// `mdbook-lab build [BOOK_DIR] [--dest-dir DIR] [--solutions]`.
pub fn run(args: &[String]) -> ExitCode {
    let mut book_dir = None;
    let mut dest_dir = None;
    let mut solutions = None;
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
                None => return usage("--dest-dir needs a directory"),
            },
            a if a.starts_with('-') => return usage(&format!("unknown option {a}")),
            a if book_dir.is_none() => book_dir = Some(PathBuf::from(a)),
            a => return usage(&format!("unexpected argument {a}")),
        }
    }
    let book_dir = book_dir.unwrap_or_else(|| PathBuf::from("."));
    let book_dir = std::path::absolute(&book_dir).unwrap_or(book_dir);
    let mut book = match MDBook::load(&book_dir) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "error: cannot load the book in {}: {e:#}\n(BOOK_DIR is the folder holding book.toml)",
                book_dir.display()
            );
            return ExitCode::from(2);
        }
    };
    if let Some(dest) = dest_dir {
        book.config.build.build_dir = std::path::absolute(&dest).unwrap_or(dest);
    }
    // Same name as [preprocessor.lab]: replaces the command entry, so nothing is spawned.
    let preprocessor = match solutions {
        Some(s) => LabPreprocessor::with_solutions(s),
        None => LabPreprocessor::new(),
    };
    book.with_preprocessor(preprocessor);
    if let Err(e) = book.build() {
        eprintln!("error: {e:#}");
        return ExitCode::from(1);
    }
    let out = book.root.join(&book.config.build.build_dir);
    eprintln!("built the book into {} (open {})", out.display(), out.join("index.html").display());
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("error: {problem}\nusage: mdbook-lab build [BOOK_DIR] [--dest-dir DIR] [--solutions]");
    ExitCode::from(2)
}
