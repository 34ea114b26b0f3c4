//! `lab --help` in the run's language. The help texts are the command line's own (the doc
//! comments and `about`s of `crate::args`); they are msgids of `book/po/labs.pot` like the
//! program's words, so one catalog translates both:
//!
//! - [`entries`] walks the clap command tree and lists every help text with where it is
//!   (`scripts/i18n` writes them into `labs.pot` through `examples/xgettext.rs`);
//! - [`localized`] gives the same tree with each text translated, before clap parses, so
//!   `--help`, `-h` and the usage in errors speak the language;
//! - [`fixed_words`] translates what clap writes around them by itself (`Usage:`,
//!   `Options:`, `[default: 30s]`, the `--help` flag's own line), in rendered help and errors.
//!
//! English is the identity: the tree and the rendered text are left exactly as clap makes
//! them. Flags, value names (`<LAB>`, `[OPTIONS]`), possible values and commands never change;
//! nor do the one-line notes of possible values (`posix: sh, bash, zsh: \`export NAME=value\``),
//! which name shells and their syntax.

use clap::builder::StyledStr;
use clap::Command;
use lab_i18n::template::Entry;
use lab_i18n::{words, Language};

/// The command line of `lab`, in English, as clap derives it from `crate::args`.
pub fn lab_command() -> Command {
    <crate::args::Cli as clap::CommandFactory>::command()
}

/// Every help text of `cmd` and its subcommands (not clap's own `help` subcommand, whose
/// texts are [`words`]), each once, with where it first appears (`lab/check:--wait`).
pub fn entries(cmd: &Command) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    walk(cmd, cmd.get_name(), &mut |text, reference| {
        if !text.trim().is_empty() && !out.iter().any(|e| e.msgid == text) {
            out.push(Entry { msgid: text.to_string(), references: vec![reference] });
        }
    });
    out
}

/// Calls `f(text, reference)` for every help text of `cmd` and its subcommands.
fn walk(cmd: &Command, path: &str, f: &mut dyn FnMut(&str, String)) {
    let texts = [
        ("about", cmd.get_about()),
        ("long_about", cmd.get_long_about()),
        ("before_help", cmd.get_before_help()),
        ("before_long_help", cmd.get_before_long_help()),
        ("after_help", cmd.get_after_help()),
        ("after_long_help", cmd.get_after_long_help()),
    ];
    for (what, text) in texts {
        if let Some(text) = text {
            f(&text.to_string(), format!("{path}:{what}"));
        }
    }
    for arg in cmd.get_arguments() {
        let name = arg.get_long().map(|l| format!("--{l}")).unwrap_or_else(|| arg.get_id().to_string());
        for text in [arg.get_help(), arg.get_long_help()].into_iter().flatten() {
            f(&text.to_string(), format!("{path}:{name}"));
        }
    }
    for sub in cmd.get_subcommands() {
        walk(sub, &format!("{path}/{}", sub.get_name()), f);
    }
}

/// `cmd` with every help text in `lang` (texts without a translation stay English; the
/// test `every_help_text_is_translated` keeps there from being any). Call it before clap
/// builds the command: the global flags are translated once and then propagated.
pub fn localized(cmd: Command, lang: Language) -> Command {
    if lang.is_english() {
        return cmd;
    }
    let tr = |text: Option<&StyledStr>| text.map(|t| StyledStr::from(lang.text(&t.to_string())));
    let mut cmd = cmd;
    if let Some(t) = tr(cmd.get_about()) {
        cmd = cmd.about(t);
    }
    if let Some(t) = tr(cmd.get_long_about()) {
        cmd = cmd.long_about(t);
    }
    if let Some(t) = tr(cmd.get_before_help()) {
        cmd = cmd.before_help(t);
    }
    if let Some(t) = tr(cmd.get_before_long_help()) {
        cmd = cmd.before_long_help(t);
    }
    if let Some(t) = tr(cmd.get_after_help()) {
        cmd = cmd.after_help(t);
    }
    if let Some(t) = tr(cmd.get_after_long_help()) {
        cmd = cmd.after_long_help(t);
    }
    cmd.mut_args(|mut arg| {
        if let Some(t) = tr(arg.get_help()) {
            arg = arg.help(t);
        }
        if let Some(t) = tr(arg.get_long_help()) {
            arg = arg.long_help(t);
        }
        arg
    })
    .mut_subcommands(|sub| localized(sub, lang))
}

/// `text` (help or an error as clap rendered it, with or without colours) with the words
/// clap writes by itself in `lang`.
pub fn fixed_words(text: &str, lang: Language) -> String {
    if lang.is_english() {
        return text.to_string();
    }
    let mut out = text.to_string();
    // Longest first: "Print help" is the start of the two after it.
    let phrases = [
        words::CLAP_PRINT_HELP_MORE,
        words::CLAP_PRINT_HELP_SUMMARY,
        words::CLAP_HELP_COMMAND_ARGUMENT,
        words::CLAP_HELP_COMMAND,
        words::CLAP_PRINT_HELP,
        words::CLAP_PRINT_VERSION,
        words::CLAP_USAGE,
        words::CLAP_COMMANDS,
        words::CLAP_ARGUMENTS,
        words::CLAP_OPTIONS,
        words::CLAP_POSSIBLE_VALUES_HEADING,
    ];
    for en in phrases {
        out = replace_words(&out, en, &lang.tr(en));
    }
    // `[default: 30s]`: the opening of each bracket, up to its value.
    for en in [words::CLAP_DEFAULT, words::CLAP_ENV, words::CLAP_POSSIBLE_VALUES, words::CLAP_ALIASES] {
        let translated = lang.tr(en);
        if let (Some((en_open, _)), Some((open, _))) = (en.split_once('{'), translated.split_once('{')) {
            out = replace_words(&out, en_open, open);
        }
    }
    out
}

/// `text` with `en` replaced where it stands as words (not inside a longer word; an ANSI
/// style just before it is no word), each space of `en` matching any run of white space,
/// since clap may have wrapped a line there.
fn replace_words(text: &str, en: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut searched = 0;
    while let Some((start, end)) = find_wrapped(&rest[searched..], en).map(|(s, e)| (s + searched, e + searched)) {
        let head = &rest[..start];
        let before = head.chars().next_back().filter(|_| !ends_in_style(head));
        let after = rest[end..].chars().next();
        let word_char = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let starts_a_word = en.starts_with(|c: char| c.is_ascii_alphanumeric());
        let ends_a_word = en.ends_with(|c: char| c.is_ascii_alphanumeric());
        if (starts_a_word && word_char(before)) || (ends_a_word && word_char(after)) {
            searched = end;
            continue;
        }
        out.push_str(head);
        out.push_str(to);
        rest = &rest[end..];
        // A full-width colon carries its own space: `用法：lab`, not `用法： lab`.
        if to.ends_with('：') && !en.ends_with(' ') {
            let styles_after = rest.len() - rest.trim_start_matches('\x1b').len();
            if styles_after == 0 {
                rest = rest.strip_prefix(' ').unwrap_or(rest);
            } else if let Some(m) = rest.find('m') {
                // `Usage:\x1b[0m lab`: the style's end, then the space.
                let (style, after) = rest.split_at(m + 1);
                if ends_in_style(style) && after.starts_with(' ') {
                    out.push_str(style);
                    rest = &after[1..];
                }
            }
        }
        searched = 0;
    }
    out.push_str(rest);
    out
}

/// The first place `en` stands in `text`, a space of `en` matching any white space run.
fn find_wrapped(text: &str, en: &str) -> Option<(usize, usize)> {
    let first = en.split(' ').next().unwrap_or(en);
    let mut from = 0;
    while let Some(at) = text[from..].find(first).map(|i| i + from) {
        let mut end = at;
        let mut matched = true;
        for (i, part) in en.split(' ').enumerate() {
            if i > 0 {
                let gap = text[end..].len() - text[end..].trim_start().len();
                if gap == 0 {
                    matched = false;
                    break;
                }
                end += gap;
            }
            if !text[end..].starts_with(part) {
                matched = false;
                break;
            }
            end += part.len();
        }
        if matched {
            return Some((at, end));
        }
        from = at + first.len().max(1);
    }
    None
}

/// Whether `text` ends with an ANSI style (`\x1b[1;4m`).
fn ends_in_style(text: &str) -> bool {
    let Some(esc) = text.rfind('\x1b') else { return false };
    let seq = &text[esc..];
    seq.len() >= 3
        && seq.starts_with("\x1b[")
        && seq.ends_with('m')
        && seq[2..seq.len() - 1].chars().all(|c| c.is_ascii_digit() || c == ';')
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn zh() -> Language {
        Language::parse("zh-TW").unwrap()
    }

    #[test]
    fn english_is_left_as_clap_makes_it() {
        let en = Language::english();
        let mut plain = crate::args::Cli::command();
        let mut same = localized(crate::args::Cli::command(), en);
        assert_eq!(plain.render_long_help().ansi().to_string(), same.render_long_help().ansi().to_string());
        let text = "Usage: lab\n\nOptions:\n  -h, --help  Print help [default: x]";
        assert_eq!(fixed_words(text, en), text);
    }

    #[test]
    fn clap_words_are_translated_where_they_stand_as_words() {
        let text = "Usage: lab [OPTIONS]\n\nOptions:\n      --timeout <DURATION>  x [default:\n          30s]\n  -h, --help  Print help (see more with '--help')\n  -V  Print version";
        let out = fixed_words(text, zh());
        for en in ["Usage:", "Options:", "[default:", "Print help", "Print version"] {
            assert!(!out.contains(en), "{en} left in:\n{out}");
        }
        assert!(out.contains("[OPTIONS]") && out.contains("--timeout <DURATION>") && out.contains("30s]"), "{out}");
        assert_eq!(replace_words("PrintUsage: Usage:", "Usage:", "用法："), "PrintUsage: 用法：");
        assert_eq!(replace_words("\x1b[1;4mUsage:\x1b[0m lab", "Usage:", "用法："), "\x1b[1;4m用法：\x1b[0mlab");
        assert_eq!(replace_words("Usage: lab", "Usage:", "用法："), "用法：lab");
        assert_eq!(
            replace_words("x [possible\n      values: a]", "[possible values: ", "[可用的值："),
            "x [可用的值：a]"
        );
    }

    #[test]
    fn every_help_text_is_translated() {
        let mut untranslated = Vec::new();
        for tag in lab_i18n::LANGUAGES.iter().filter(|t| **t != "en") {
            let lang = Language::parse(tag).unwrap();
            for e in entries(&lab_command()) {
                if lang.text(&e.msgid) == e.msgid {
                    untranslated.push(format!("{tag} {}: {:?}", e.references.join(" "), e.msgid));
                }
            }
        }
        assert!(
            untranslated.is_empty(),
            "help texts without a translation: run scripts/i18n and translate them in book/po/labs.<lang>.po:\n{}",
            untranslated.join("\n")
        );
    }

    #[test]
    fn the_localized_tree_has_the_same_flags_and_ids() {
        fn shape(cmd: &Command) -> Vec<String> {
            let mut out: Vec<String> =
                cmd.get_arguments().map(|a| format!("{} {:?}", a.get_id(), a.get_long())).collect();
            for sub in cmd.get_subcommands() {
                out.push(sub.get_name().to_string());
                out.extend(shape(sub));
            }
            out
        }
        let en = crate::args::Cli::command();
        let zh = localized(crate::args::Cli::command(), zh());
        assert_eq!(shape(&en), shape(&zh));
        assert_ne!(en.get_about().map(|a| a.to_string()), zh.get_about().map(|a| a.to_string()));
    }
}
