//! Every program string that is translated, as a constant, and [`ALL`] of them for the
//! catalog template. Callers use the constants (`lang.tr(words::CHECKS)`), so a string
//! that is shown is a string that is extracted. `{name}` marks a value filled in by
//! [`Language::fill`](crate::Language::fill); a translation keeps every placeholder.

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
    LIST_LINE_CHECKS = "{n} checks";
    SHOW_LESSON = "lesson: {lesson}";
    SHOW_CHECKS = "Checks ({points} points):";
    SHOW_RUN = "Run: {command}";
    SHOW_REFERENCE_ANSWER = "Reference answer:";
    SHOW_SOLUTION_HINT = "(answer and fix commands: {command})";

    // The human report of `lab check`.
    /// Status labels: four terminal columns each (a CJK character takes two).
    STATUS_PASS = "PASS";
    STATUS_FAIL = "FAIL";
    STATUS_WAIT = "WAIT";
    STATUS_ERROR = "ERR ";
    REPORT_EXPECTED = "expected:";
    REPORT_FOUND = "found:   ";
    REPORT_HINT = "hint:";
    REPORT_FIX = "fix: ";
    REPORT_SCORE = "score {score}/{max}: {passed} passed, {failed} failed";
    REPORT_CONVERGING = ", {n} still converging (run again, or use --wait 60s)";
    REPORT_ERRORS = ", {n} could not be evaluated";
    WAITING = "waiting {seconds}s: {passed} passed, still waiting on {pending}";

    // Errors.
    ERROR = "error";
    UNKNOWN_CHECK = "lab {lab} has no check `{check}` (its checks: {checks})";
    UNKNOWN_LAB = "unknown lab `{id}` ({origin} labs: {ids}).{suggestion} `lab list` shows them all.";
    DID_YOU_MEAN = " Did you mean `{id}`?";
    BUILT_IN = "built in";
}
