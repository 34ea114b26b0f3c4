//! The `mdbook-lab` binary: mdBook's preprocessor protocol over [`mdbook_lab::LabPreprocessor`].
//! stdout carries only the book JSON; messages go to stderr.

mod build_command;

use mdbook_i18n_helpers::preprocessors::Gettext;
use mdbook_lab::LabPreprocessor;
use mdbook_preprocessor::Preprocessor;
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "\
mdbook-lab: renders {{#lab <lab-id>}} cards from labs/*.toml into the Swarm Lab Workbook

USAGE:
    mdbook-lab                       run as an mdBook preprocessor: reads [context, book]
                                     JSON on stdin, writes the book JSON to stdout
    mdbook-lab supports <renderer>   exit 0 if <renderer> is supported (html only)
    mdbook-lab build [BOOK_DIR] [--dest-dir DIR] [--solutions] [--language LANG]
                                     build the whole book in-process (mdBook 0.5's engine,
                                     no `mdbook` CLI needed, search index included):
                                     English into DIR (default book/book), each
                                     translation into DIR/<lang>; --language: only that
                                     edition; --solutions: instructor edition;
                                     `build --help`
    mdbook-lab gettext               run as mdBook's `gettext` preprocessor
                                     (mdbook-i18n-helpers): translates the book into
                                     book.language from po/<lang>.po
    mdbook-lab xgettext [BOOK_DIR]   write po/messages.pot (the book's messages);
                                     scripts/i18n then writes po/labs.pot (lab texts,
                                     card and `lab` words, `lab`'s help) and runs msgmerge
    mdbook-lab --help | --version

mdBook runs it for you; in book.toml:
    [preprocessor.gettext]
    command = \"mdbook-lab gettext\"
    before = [\"lab\"]
    [preprocessor.lab]
    command = \"mdbook-lab\"
    solutions = false      # true: instructor edition (fix commands, answers, *-answer.md)
    labs = \"../labs\"       # lab files, relative to the book root

ENVIRONMENT:
    MDBOOK_LAB_SOLUTIONS=true   build the instructor edition whatever book.toml says
    MDBOOK_BOOK__LANGUAGE=zh-TW build the Traditional Chinese edition (mdBook's setting)

EXIT CODES:
    0  success (or: renderer supported)
    1  the book cannot be built (bad directive, unknown lab, bad lab file), or the
       renderer is not supported
    2  usage error, or the input is not mdBook's preprocessor JSON
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => preprocess(),
        ["supports", renderer] => match LabPreprocessor::new().supports_renderer(renderer) {
            Ok(true) => ExitCode::SUCCESS,
            _ => ExitCode::from(1),
        },
        ["build", ..] => build_command::run(&args[1..]),
        ["gettext"] => preprocess_with(&mdbook_i18n_helpers::preprocessors::Gettext),
        ["gettext", "supports", renderer] => match Gettext.supports_renderer(renderer) {
            Ok(true) => ExitCode::SUCCESS,
            _ => ExitCode::from(1),
        },
        ["xgettext", ..] => build_command::xgettext(&args[1..]),
        ["--help" | "-h" | "help"] => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        ["--version" | "-V"] => {
            println!("mdbook-lab {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("error: unexpected arguments {args:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn preprocess() -> ExitCode {
    preprocess_with(&LabPreprocessor::new())
}

/// mdBook's preprocessor protocol around `preprocessor`: [context, book] JSON on stdin,
/// the book JSON on stdout.
fn preprocess_with(preprocessor: &dyn Preprocessor) -> ExitCode {
    let name = match preprocessor.name() {
        "lab" => "mdbook-lab".to_string(),
        other => format!("mdbook-lab {other}"),
    };
    let (ctx, book) = match mdbook_preprocessor::parse_input(std::io::stdin().lock()) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("error: {name}: {e:#}\n(mdbook-lab is run by mdBook; see `mdbook-lab --help`)");
            return ExitCode::from(2);
        }
    };
    if !same_minor(&ctx.mdbook_version, mdbook_preprocessor::MDBOOK_VERSION) {
        eprintln!(
            "warning: {name}: built for mdBook {}, called by mdBook {}; install mdBook 0.5.x",
            mdbook_preprocessor::MDBOOK_VERSION,
            ctx.mdbook_version
        );
    }
    let book = match preprocessor.run(&ctx, book) {
        Ok(book) => book,
        Err(e) => {
            eprintln!("error: {name}: {e:#}");
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::stdout().lock();
    match serde_json::to_writer(&mut out, &book).map_err(std::io::Error::from).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {name}: cannot write the book to stdout: {e}");
            ExitCode::from(1)
        }
    }
}

/// `0.5.4` and `0.5.0` match; `0.4.x` does not.
fn same_minor(a: &str, b: &str) -> bool {
    let minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    minor(a) == minor(b)
}
