//! clap's usage errors in the run's language: [`Localized`] writes each kind of error clap
//! reports (a missing argument, an unknown flag and the similar one, an invalid value and
//! the possible ones, …) from the error's context, as clap's own formatter does in
//! English, with the words of [`lab_i18n::words`]. English runs keep clap's formatter, so
//! their errors stay exactly as clap writes them.

use clap::builder::styling::Styles;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use lab_i18n::{words, Language};
use std::fmt::Display;

/// A clap error in `lang`, with ANSI styles, as clap renders it.
pub fn localized(error: &clap::Error, lang: Language) -> String {
    format(error, lang)
}

/// The error, `error: what` then its tips, usage and how to get help, with ANSI styles
/// (stripped when printed without colours), as clap lays it out.
fn format<F: ErrorFormatter>(error: &clap::error::Error<F>, lang: Language) -> String {
    let styles = Styles::styled();
    let (err, valid) = (styles.get_error(), styles.get_valid());
    let mut out = format!("{err}{}:{err:#} {}", lang.tr(words::ERROR), message(error, lang, &styles));
    let mut tips = Vec::new();
    for (kind, word) in [
        (ContextKind::SuggestedSubcommand, words::CLAP_SIMILAR_SUBCOMMAND),
        (ContextKind::SuggestedArg, words::CLAP_SIMILAR_ARGUMENT),
        (ContextKind::SuggestedValue, words::CLAP_SIMILAR_VALUE),
    ] {
        let names = match error.get(kind) {
            Some(ContextValue::String(s)) => vec![s.clone()],
            Some(ContextValue::Strings(s)) => s.clone(),
            _ => continue,
        };
        let names: Vec<String> = names.iter().map(|n| format!("'{valid}{n}{valid:#}'")).collect();
        tips.push(lang.fill(word, &[("names", &lang.list(words::LIST, &names))]));
    }
    if let Some(ContextValue::StyledStrs(suggestions)) = error.get(ContextKind::Suggested) {
        tips.extend(suggestions.iter().map(|s| suggestion(&s.to_string(), lang)));
    }
    if !tips.is_empty() {
        out.push('\n');
    }
    let word = lang.tr(words::CLAP_TIP);
    // A full-width colon carries its own space.
    let space = if word.ends_with('：') { "" } else { " " };
    for tip in tips {
        out.push_str(&format!("\n  {valid}{word}{valid:#}{space}{tip}"));
    }
    if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
        out.push_str("\n\n");
        out.push_str(&crate::help_text::fixed_words(&usage.ansi().to_string(), lang));
    }
    out.push_str("\n\n");
    out.push_str(&try_help(lang));
    out.push('\n');
    out
}

/// "For more information, try '--help'." in `lang`.
pub fn try_help(lang: Language) -> String {
    let literal = *Styles::styled().get_literal();
    lang.fill(words::CLAP_TRY_HELP, &[("help", &format!("{literal}--help{literal:#}"))])
}

/// What went wrong, from the error's kind and context.
fn message<F: ErrorFormatter>(error: &clap::error::Error<F>, lang: Language, styles: &Styles) -> String {
    let (invalid, valid, literal) = (styles.get_invalid(), styles.get_valid(), styles.get_literal());
    let string = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let strings = |kind| match error.get(kind) {
        Some(ContextValue::Strings(s)) => Some(s.clone()),
        _ => None,
    };
    let number = |kind| match error.get(kind) {
        Some(ContextValue::Number(n)) => Some(*n),
        _ => None,
    };
    let bad = |s: &str| format!("{invalid}{s}{invalid:#}");
    let name = |s: &str| format!("{literal}{s}{literal:#}");
    let fill = |word: &str, values: &[(&str, &dyn Display)]| lang.fill(word, values);
    let list = |word: &str, values: Option<Vec<String>>| match values {
        Some(v) if !v.is_empty() => {
            let v: Vec<String> = v.iter().map(|v| format!("{valid}{v}{valid:#}")).collect();
            format!("\n  {}", fill(word, &[("values", &v.join(", "))]))
        }
        _ => String::new(),
    };
    let arg = string(ContextKind::InvalidArg);
    let value = string(ContextKind::InvalidValue);
    let found = match (error.kind(), arg.as_deref(), value.as_deref()) {
        (ErrorKind::ArgumentConflict, Some(a), _) => Some(match error.get(ContextKind::PriorArg) {
            Some(ContextValue::String(prior)) if prior == a => fill(words::CLAP_USED_TWICE, &[("arg", &bad(a))]),
            Some(ContextValue::String(prior)) => {
                fill(words::CLAP_CONFLICT, &[("arg", &bad(a)), ("other", &bad(prior))])
            }
            Some(ContextValue::Strings(prior)) => {
                let mut s = fill(words::CLAP_CONFLICT_MANY, &[("arg", &bad(a))]);
                for p in prior {
                    s.push_str(&format!("\n  {}", bad(p)));
                }
                s
            }
            _ => fill(words::CLAP_CONFLICT_OTHERS, &[("arg", &bad(a))]),
        }),
        (ErrorKind::NoEquals, Some(a), _) => Some(fill(words::CLAP_NO_EQUALS, &[("arg", &bad(a))])),
        (ErrorKind::InvalidValue, Some(a), Some("")) => Some(fill(words::CLAP_VALUE_REQUIRED, &[("arg", &bad(a))])),
        (ErrorKind::InvalidValue, Some(a), Some(v)) => Some(
            fill(words::CLAP_INVALID_VALUE, &[("value", &bad(v)), ("arg", &name(a))])
                + &list(words::CLAP_POSSIBLE_VALUES, strings(ContextKind::ValidValue)),
        ),
        (ErrorKind::ValueValidation, Some(a), Some(v)) => Some(match std::error::Error::source(error) {
            Some(why) => {
                // The flag parsers' own errors are words of the catalog; others are shown as they are.
                let why = match why.downcast_ref::<crate::value::Invalid>() {
                    Some(invalid) => invalid.text(lang),
                    None => why.to_string(),
                };
                fill(words::CLAP_INVALID_VALUE_WHY, &[("value", &bad(v)), ("arg", &name(a)), ("why", &why)])
            }
            None => fill(words::CLAP_INVALID_VALUE, &[("value", &bad(v)), ("arg", &name(a))]),
        }),
        (ErrorKind::TooManyValues, Some(a), Some(v)) => {
            Some(fill(words::CLAP_TOO_MANY_VALUES, &[("value", &bad(v)), ("arg", &name(a))]))
        }
        (ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues, Some(a), _) => {
            let expected = number(ContextKind::ExpectedNumValues).or(number(ContextKind::MinValues));
            match (expected, number(ContextKind::ActualNumValues)) {
                (Some(expected), Some(actual)) => Some(fill(
                    words::CLAP_WRONG_NUMBER_OF_VALUES,
                    &[("arg", &name(a)), ("expected", &expected), ("actual", &actual)],
                )),
                _ => None,
            }
        }
        (ErrorKind::UnknownArgument, Some(a), _) => Some(fill(words::CLAP_UNEXPECTED_ARGUMENT, &[("arg", &bad(a))])),
        (ErrorKind::MissingRequiredArgument, _, _) => strings(ContextKind::InvalidArg).map(|args| {
            let mut s = lang.tr(words::CLAP_MISSING_ARGUMENTS).into_owned();
            for a in args {
                s.push_str(&format!("\n  {valid}{a}{valid:#}"));
            }
            s
        }),
        _ => None,
    };
    let sub = string(ContextKind::InvalidSubcommand);
    let found = found.or_else(|| match (error.kind(), sub.as_deref()) {
        (ErrorKind::InvalidSubcommand, Some(s)) => {
            Some(fill(words::CLAP_UNRECOGNIZED_SUBCOMMAND, &[("name", &bad(s))]))
        }
        (ErrorKind::MissingSubcommand, Some(s)) => Some(
            fill(words::CLAP_SUBCOMMAND_REQUIRED, &[("name", &bad(s))])
                + &list(words::CLAP_SUBCOMMANDS, strings(ContextKind::ValidSubcommand)),
        ),
        (ErrorKind::InvalidUtf8, _) => Some(lang.tr(words::CLAP_INVALID_UTF8).into_owned()),
        _ => None,
    });
    found.unwrap_or_else(|| match std::error::Error::source(error) {
        Some(why) => why.to_string(),
        None => lang.tr(words::CLAP_BAD_COMMAND_LINE).into_owned(),
    })
}

/// One of clap's own tips (`to pass '--x' as a value, use '-- --x'`) in `lang`; others as
/// clap wrote them.
fn suggestion(tip: &str, lang: Language) -> String {
    let pass = tip.strip_prefix("to pass '").and_then(|rest| rest.split_once("' as a value, use '-- "));
    match pass {
        Some((arg, rest)) if rest.strip_suffix('\'') == Some(arg) => {
            lang.fill(words::CLAP_PASS_AS_VALUE, &[("arg", &arg)])
        }
        _ => tip.to_string(),
    }
}

/// A message of `lab` itself (two flags that do not go together) laid out as clap lays out
/// its usage errors, with `cmd`'s usage, in `lang`.
pub fn with_usage(cmd: &mut clap::Command, msg: &str, lang: Language) -> String {
    let err = *Styles::styled().get_error();
    let usage = crate::help_text::fixed_words(&cmd.render_usage().ansi().to_string(), lang);
    format!("{err}{}:{err:#} {msg}\n\n{usage}\n\n{}\n", lang.tr(words::ERROR), try_help(lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::builder::StyledStr;
    use clap::CommandFactory;

    fn zh() -> Language {
        Language::parse("zh-TW").unwrap()
    }

    fn plain(text: &str) -> String {
        StyledStr::from(text.to_string()).to_string()
    }

    fn error_of(args: &[&str]) -> String {
        let cmd = crate::help_text::localized(crate::args::Cli::command(), zh());
        let e = cmd.try_get_matches_from(args).unwrap_err();
        plain(&format(&e, zh()))
    }

    #[test]
    fn a_missing_argument_is_told_in_chinese_with_the_usage() {
        let text = error_of(&["lab", "check"]);
        assert!(text.starts_with("錯誤: "), "{text}");
        assert!(text.contains("<LAB>") && text.contains("lab check <LAB>"), "{text}");
        assert!(!text.contains("error:") && !text.contains("Usage:") && !text.contains("For more"), "{text}");
    }

    #[test]
    fn an_unknown_flag_keeps_its_spelling_and_suggestion() {
        let text = error_of(&["lab", "check", "x", "--formt", "json"]);
        assert!(text.contains("'--formt'") && text.contains("'--format'"), "{text}");
        assert!(!text.contains("tip:") && !text.contains("similar"), "{text}");
    }

    #[test]
    fn an_invalid_value_lists_the_possible_ones() {
        let text = error_of(&["lab", "check", "x", "--format", "xml"]);
        assert!(text.contains("'xml'") && text.contains("human, json, junit"), "{text}");
        assert!(!text.contains("invalid value") && !text.contains("possible values"), "{text}");
    }

    #[test]
    fn a_bad_duration_says_why_in_the_value_parser_words() {
        let text = error_of(&["lab", "check", "x", "--wait", "0s"]);
        assert!(text.contains("'0s'") && text.contains("--wait <DURATION>"), "{text}");
    }

    #[test]
    fn clap_tips_are_translated_or_kept() {
        assert!(!suggestion("to pass '--x' as a value, use '-- --x'", zh()).contains("to pass"));
        assert_eq!(suggestion("something new", zh()), "something new");
    }
}
