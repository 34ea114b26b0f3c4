//! `BookTest`: builds a throw-away copy of the workbook (book.toml and src/, never the
//! real folders) in-process with mdbook-driver and [`LabPreprocessor`], and reads the
//! output back: `BookTest::workbook().solutions(false).build().page("voting-app.html")`.
//! `.language("zh-TW")` builds a translated edition (mdbook-i18n-helpers' gettext
//! preprocessor in-process, or `mdbook-lab gettext` with [`Attach::Binary`]).

use mdbook_driver::config::Config;
use mdbook_driver::MDBook;
use mdbook_i18n_helpers::preprocessors::Gettext;
use mdbook_lab::LabPreprocessor;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The workspace root (two levels above this crate).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

pub fn labs_dir() -> PathBuf {
    workspace().join("labs")
}

pub fn labs() -> Vec<lab_schema::Lab> {
    lab_schema::load_dir(&labs_dir())
        .unwrap_or_else(|e| panic!("{}", e.iter().map(|e| e.one_line_each()).collect::<Vec<_>>().join("\n")))
}

pub fn lab(id: &str) -> lab_schema::Lab {
    labs().into_iter().find(|l| l.id == id).unwrap_or_else(|| panic!("no lab {id}"))
}

/// How the preprocessor is attached to the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attach {
    /// `with_preprocessor(LabPreprocessor)`: same name as `[preprocessor.lab]`, so it
    /// replaces the command preprocessor and nothing is spawned.
    InProcess,
    /// `[preprocessor.lab] command` points at the cargo-built binary: mdBook spawns it
    /// and speaks the JSON protocol, as `mdbook build` does.
    Binary,
}

pub struct BookTest {
    dir: TempDir,
    solutions: bool,
    attach: Attach,
    language: Option<String>,
    all_editions: bool,
}

impl BookTest {
    /// A copy of `book/` (book.toml, src/, po/ and theme/) whose `labs` points at the
    /// workspace labs.
    pub fn workbook() -> BookTest {
        let dir = tempfile::Builder::new().prefix("mdbook-lab-test-").tempdir().expect("temp dir");
        let book = workspace().join("book");
        std::fs::copy(book.join("book.toml"), dir.path().join("book.toml")).expect("copy book.toml");
        for folder in ["src", "po", "theme"] {
            if book.join(folder).is_dir() {
                copy_dir(&book.join(folder), &dir.path().join(folder));
            }
        }
        BookTest { dir, solutions: false, attach: Attach::InProcess, language: None, all_editions: false }
    }

    pub fn solutions(mut self, on: bool) -> BookTest {
        self.solutions = on;
        self
    }

    /// Builds the edition in `language` (`book.language`), e.g. "zh-TW".
    pub fn language(mut self, language: &str) -> BookTest {
        self.language = Some(language.to_string());
        self
    }

    /// Builds every edition as `mdbook-lab build` does: English into `out/`, each
    /// translation into `out/<lang>/`.
    pub fn all_editions(mut self) -> BookTest {
        self.all_editions = true;
        self
    }

    pub fn attach(mut self, attach: Attach) -> BookTest {
        self.attach = attach;
        self
    }

    /// The copy's root (holds book.toml).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Edits a file of the copy, e.g. `.edit("src/voting-app.md", |s| s.replace(..))`.
    pub fn edit(self, file: &str, f: impl FnOnce(String) -> String) -> BookTest {
        let path = self.dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, f(text)).expect("write edited file");
        self
    }

    fn load(&self) -> Result<MDBook, String> {
        self.load_edition(self.language.as_deref(), &self.dir.path().join("out"))
    }

    fn load_edition(&self, language: Option<&str>, out: &Path) -> Result<MDBook, String> {
        let root = self.dir.path();
        let mut config = Config::from_disk(root.join("book.toml")).map_err(|e| format!("{e:#}"))?;
        let set = |config: &mut Config, key: &str, value: toml_value::Value| {
            config.set(key, value).unwrap_or_else(|e| panic!("set {key}: {e:#}"));
        };
        set(&mut config, "build.build-dir", toml_value::s(out));
        set(&mut config, "preprocessor.lab.labs", toml_value::s(labs_dir()));
        set(&mut config, "preprocessor.lab.solutions", toml_value::Value::Bool(self.solutions));
        if let Some(language) = language {
            set(&mut config, "book.language", toml_value::Value::Str(language.to_string()));
        }
        if self.attach == Attach::Binary {
            let bin = env!("CARGO_BIN_EXE_mdbook-lab");
            set(&mut config, "preprocessor.lab.command", toml_value::s(bin));
            set(&mut config, "preprocessor.gettext.command", toml_value::Value::Str(format!("{bin} gettext")));
        }
        let mut book = MDBook::load_with_config(root, config).map_err(|e| format!("{e:#}"))?;
        if self.attach == Attach::InProcess {
            book.with_preprocessor(Gettext);
            book.with_preprocessor(LabPreprocessor::with_solutions(self.solutions));
        }
        Ok(book)
    }

    /// Builds the book; panics with mdBook's error chain if that fails.
    pub fn build(self) -> Built {
        match self.try_build() {
            Ok(b) => b,
            Err(e) => panic!("the book did not build:\n{e}"),
        }
    }

    /// Builds the book, returning mdBook's whole error chain on failure.
    pub fn try_build(self) -> Result<Built, String> {
        self.build_again()?;
        Ok(Built { out: self.dir.path().join("out"), _dir: self.dir })
    }

    /// Loads and builds the copy once more, as `mdbook build` would (for benchmarks).
    pub fn build_again(&self) -> Result<(), String> {
        self.load()?.build().map_err(|e| format!("{e:#}"))?;
        if self.all_editions {
            for language in mdbook_lab::i18n::translations(self.dir.path()) {
                let out = self.dir.path().join("out").join(language);
                self.load_edition(Some(language), &out)?.build().map_err(|e| format!("{language}: {e:#}"))?;
            }
        }
        Ok(())
    }
}

/// A built book's HTML output.
pub struct Built {
    pub out: PathBuf,
    _dir: TempDir,
}

impl Built {
    /// A page of the output (`voting-app.html`).
    pub fn page(&self, name: &str) -> String {
        std::fs::read_to_string(self.out.join(name))
            .unwrap_or_else(|e| panic!("{name} is not in the output ({e}); pages: {:?}", self.html_pages()))
    }

    pub fn has(&self, name: &str) -> bool {
        self.out.join(name).exists()
    }

    /// Every file of the output, relative to it, with `/` separators.
    pub fn files(&self) -> Vec<String> {
        let mut files = Vec::new();
        walk(&self.out, &mut |p| files.push(p.strip_prefix(&self.out).unwrap().to_string_lossy().replace('\\', "/")));
        files.sort();
        files
    }

    pub fn html_pages(&self) -> Vec<String> {
        self.files().into_iter().filter(|f| f.ends_with(".html")).collect()
    }

    /// Output files whose text contains `needle` (HTML, JS, JSON; binaries skipped).
    pub fn files_containing(&self, needle: &str) -> Vec<String> {
        self.files()
            .into_iter()
            .filter(|f| std::fs::read_to_string(self.out.join(f)).is_ok_and(|t| t.contains(needle)))
            .collect()
    }
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            walk(&p, f);
        } else {
            f(&p);
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let p = entry.path();
        let dest = to.join(entry.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy file");
        }
    }
}

/// Where tests leave artifacts to look at (screenshots): `target/test-artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace().join("target"));
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
    dir
}

/// TOML values for `Config::set` without a toml dependency: mdBook takes any `Serialize`.
pub mod toml_value {
    use std::path::Path;

    #[derive(serde::Serialize)]
    #[serde(untagged)]
    pub enum Value {
        Bool(bool),
        Str(String),
    }

    pub fn s(p: impl AsRef<Path>) -> Value {
        Value::Str(p.as_ref().to_string_lossy().into_owned())
    }
}
