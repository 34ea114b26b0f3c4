//! Every program string that is translated, as a constant, and [`ALL`] of them for the
//! catalog template. Callers use the constants (`lang.tr(words::CHECKS)`), so a string
//! that is shown is a string that is extracted. `{name}` marks a value filled in by
//! [`Language::fill`](crate::Language::fill); a translation keeps every placeholder. No
//! word starts or ends with white space: alignment is done with [`pad`] by display width.

/// `text` followed by spaces up to `columns` terminal columns (CJK characters count two).
pub fn pad(text: &str, columns: usize) -> String {
    let w = width(text);
    format!("{text}{}", " ".repeat(columns.saturating_sub(w)))
}

/// Terminal columns of `text`: East Asian wide and full-width characters take two.
pub fn width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

macro_rules! words {
    ($($(#[$doc:meta])* $name:ident = $en:literal;)*) => {
        $($(#[$doc])* pub const $name: &str = $en;)*
        /// Every word above, in order.
        pub const ALL: &[&str] = &[$($en),*];
    };
}

words! {
    // The lab card in the book.
    /// The card's badge, and the word before the lab id.
    LAB = "Lab";
    CARD_META = "Lab {id} · lesson {lesson} · {checks}";
    ONE_CHECK = "{n} check";
    MANY_CHECKS = "{n} checks";
    CHECKS = "Checks";
    TOTAL = "Total";
    HINT = "Hint";
    FIX = "Fix";
    GRADE_YOUR_WORK = "Grade your work";
    REFERENCE_ANSWER = "Reference answer";
    INSTRUCTOR_EDITION = "instructor edition";
    /// After the text of a link to an answer chapter, in the learner edition.
    INSTRUCTOR_EDITION_ONLY = "(instructor edition only)";
    ONE_POINT = "{n} point";
    MANY_POINTS = "{n} points";

    // `lab list` and `lab show`.
    SHOW_LESSON = "lesson: {lesson}";
    SHOW_CHECKS = "Checks ({points} points):";
    SHOW_RUN = "Run: {command}";
    SHOW_REFERENCE_ANSWER = "Reference answer:";
    SHOW_SOLUTION_HINT = "(answer and fix commands: {command})";

    // The human report of `lab check`.
    /// Status labels, padded to one width by the report (a CJK character takes two columns).
    STATUS_PASS = "PASS";
    STATUS_FAIL = "FAIL";
    STATUS_WAIT = "WAIT";
    STATUS_ERROR = "ERR";
    REPORT_EXPECTED = "expected:";
    REPORT_FOUND = "found:";
    REPORT_HINT = "hint:";
    REPORT_FIX = "fix:";
    REPORT_SCORE = "score {score}/{max}: {passed} passed, {failed} failed";
    REPORT_CONVERGING = ", {n} still converging (run again, or use --wait 60s)";
    REPORT_ERRORS = ", {n} could not be evaluated";
    STUCK = "Stuck? `{command}` adds the commands that fix each failed check.";
    NO_FIXES = "No fix commands: this lab turns them off (`fixes = false` in {file}); the hints are what you get.";
    WAITING = "waiting {seconds}s: {passed} passed, still waiting on {pending}";
    /// A check's message (`{subject}`: empty or " (the object)").
    CHECK_PASSED = "passed{subject}";
    CHECK_CONVERGING = "still converging{subject}: tasks are starting; the check will be graded once they settle";
    CHECK_ONE_MISMATCH = "{n} mismatch{subject}";
    CHECK_MANY_MISMATCHES = "{n} mismatches{subject}";

    // Errors.
    ERROR = "error";
    /// `{suggestion}` is empty or [`DID_YOU_MEAN`] and a space.
    UNKNOWN_LAB = "unknown lab `{id}` ({origin} labs: {ids}). {suggestion}`lab list` shows them all.";
    DID_YOU_MEAN = "Did you mean `{id}`?";
    BUILT_IN = "built in";
}
