//! A scan of a shell command by the grammar of POSIX sh as dash and bash read it, far enough to
//! tell what surrounds each `{{placeholder}}`: the quoting, command substitutions, parameter
//! expansions, arithmetic, comments and here-documents it sits in.
//!
//! No maintained crate lexes shell with here-documents, nested `$(…)` inside `"…"` and byte
//! offsets of the original text (parsers such as brush-parser build a tree of words without
//! them), so this is a small hand-written scanner. Where it cannot be sure, it says so and the
//! caller refuses the placeholder.

use std::ops::Range;

/// What a placeholder is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellContext {
    /// An unquoted word: an argument, an assignment (`X={{v}}`), a redirection target, a
    /// here-string, a case pattern, also inside `$(…)`.
    Bare,
    /// Inside `'…'`.
    Single,
    /// Inside `"…"`.
    Double,
    /// A here-document body line.
    Heredoc {
        /// Whether `$`, `` ` `` and `\` are special in it (`<<EOF`, not `<<'EOF'`).
        expands: bool,
        /// Whether leading tabs are stripped from its lines (`<<-EOF`).
        strip_tabs: bool,
    },
    /// Where no value can be made one literal word; the reason is given.
    Refused(Refusal),
}

/// Why a placeholder cannot be filled in where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Inside `$((…))` or `((…))`.
    Arithmetic,
    /// Inside a `#` comment.
    Comment,
    /// Inside `${…}`.
    ParameterExpansion,
    /// Inside `` `…` ``.
    Backticks,
    /// Inside `$'…'`.
    AnsiC,
    /// Right after an unquoted `$`.
    AfterDollar,
    /// Right after a backslash.
    AfterBackslash,
    /// As a here-document delimiter.
    HeredocDelimiter,
    /// An argument of `let` or `[[ … ]]`, or in an array subscript: bash evaluates it.
    ArithmeticCommand,
    /// An argument of `eval`, which runs its arguments as shell code.
    Eval,
    /// After `declare -i` (or `typeset`/`local` `-i`): bash evaluates integer assignments.
    IntegerVariables,
    /// As (part of) the command name: the value would choose the program that runs.
    CommandName,
    /// In a command whose name is computed (`$cmd …`), which could be `eval`.
    DynamicCommand,
    /// The command cannot be read to its end: what is unclosed.
    Unreadable(String),
}

/// What the scan found: each placeholder's context (in the order given) and where each
/// here-document ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The context of each placeholder range given, in the same order.
    pub contexts: Vec<ShellContext>,
    /// The byte offset of each here-document's delimiter line, in order.
    pub heredoc_ends: Vec<usize>,
    /// Why the command could not be read to its end, if it could not.
    pub error: Option<String>,
}

/// Scans `text`, where `holes` are the byte ranges of its placeholders (sorted, disjoint).
pub fn scan(text: &str, holes: &[Range<usize>]) -> Scan {
    let mut s = Scanner {
        text: text.as_bytes(),
        i: 0,
        limit: text.len(),
        holes,
        contexts: vec![None; holes.len()],
        force: None,
        pending: Vec::new(),
        heredoc_ends: Vec::new(),
        depth: 0,
        integers: false,
    };
    let result = s.commands(false);
    let error = result.err();
    let contexts = s
        .contexts
        .into_iter()
        .map(|c| match (&error, c) {
            (_, Some(c @ ShellContext::Refused(_))) => c,
            (Some(e), _) => ShellContext::Refused(Refusal::Unreadable(e.clone())),
            (None, Some(c)) => c,
            (None, None) => ShellContext::Refused(Refusal::Unreadable("nothing".into())),
        })
        .collect();
    Scan {
        contexts,
        heredoc_ends: s.heredoc_ends,
        error,
    }
}

/// A here-document whose body starts after the next newline.
struct Pending {
    delimiter: Vec<u8>,
    expands: bool,
    strip_tabs: bool,
}

/// Where `case … esac` parsing is, so a pattern's `)` is not taken for a closing paren.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Subject,
    In,
    Pattern,
    Body,
}

type Step = Result<(), String>;

/// A word other than a plain one (quoted, `$…`, a placeholder) starting: after `case` it is
/// the subject, and `in` comes next.
fn subject_seen(cases: &mut [Case], starting: bool) {
    if let (true, Some(c @ Case::Subject)) = (starting, cases.last_mut()) {
        *c = Case::In;
    }
}

struct Scanner<'a> {
    text: &'a [u8],
    i: usize,
    /// The end of what is being scanned (a here-document body is scanned on its own).
    limit: usize,
    holes: &'a [Range<usize>],
    contexts: Vec<Option<ShellContext>>,
    /// Set inside constructs where every placeholder is refused whatever its quoting.
    force: Option<Refusal>,
    pending: Vec<Pending>,
    heredoc_ends: Vec<usize>,
    /// How many `$…` constructs the scan is inside, to bound the recursion.
    depth: usize,
    /// Set once the command declares integer variables (`declare -i`): from there on, bash
    /// evaluates assignments as arithmetic.
    integers: bool,
}

/// What the current simple command and word refuse, to undo at their ends.
#[derive(Default)]
struct Command {
    /// The refusal in force before this command set one (`let`, `eval`, `[[`).
    outer: Option<Option<Refusal>>,
    /// The refusal in force before this word set one (an array subscript).
    word_outer: Option<Option<Refusal>>,
    /// The command is `declare`, `typeset`, `local`, `readonly` or `export`.
    declaring: bool,
    /// The word being read is an assignment or a command runner: the next is the command.
    prefix: bool,
    /// The words so far run the next one (`command`, `builtin`, `exec` and options).
    after_runner: bool,
    /// Where the command word being read starts.
    word_begin: Option<usize>,
}

/// A word's text after quote removal, or `None` when it expands something (`$`, `` ` ``).
fn unquote(raw: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '\'' => {
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    out.push(q);
                }
            }
            '"' => loop {
                match chars.next()? {
                    '"' => break,
                    '$' | '`' => return None,
                    '\\' => out.push(chars.next()?),
                    q => out.push(q),
                }
            },
            '$' | '`' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// `NAME=…`, `NAME+=…` or `NAME[…]=…`: an assignment before the command word.
fn is_assignment(word: &str) -> bool {
    let name_end = word
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(word.len());
    let rest = &word[name_end..];
    name_end > 0
        && !word.starts_with(|c: char| c.is_ascii_digit())
        && (rest.starts_with('=') || rest.starts_with("+=") || rest.starts_with('['))
}

/// Deeper nesting of `$(…)`, `${…}` and `$((…))` than this is refused, not scanned.
const MAX_DEPTH: usize = 64;

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "{", "!", "time",
];

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        let at = self.i + ahead;
        (at < self.limit).then(|| self.text[at])
    }

    fn hole_at(&self, at: usize) -> Option<usize> {
        self.holes.iter().position(|h| h.start == at)
    }

    /// When a placeholder starts here: records `context` for it (or the forced refusal) and
    /// steps over it.
    fn take_hole(&mut self, context: ShellContext) -> bool {
        let Some(k) = self.hole_at(self.i) else {
            return false;
        };
        self.contexts[k] = Some(self.effective(context));
        self.i = self.holes[k].end.max(self.i + 1);
        true
    }

    /// The context a placeholder gets: the forced refusal if any, else after an integer
    /// declaration a refusal, else `context`.
    fn effective(&self, context: ShellContext) -> ShellContext {
        match (&self.force, &context) {
            (Some(r), _) => ShellContext::Refused(r.clone()),
            (None, ShellContext::Refused(_)) => context,
            (None, _) if self.integers => ShellContext::Refused(Refusal::IntegerVariables),
            (None, _) => context,
        }
    }

    /// Sets `why` as the refusal (unless one is in force) and returns what to restore.
    fn push_force(&mut self, why: Refusal) -> Option<Option<Refusal>> {
        let saved = self.force.clone();
        if saved.is_none() {
            self.force = Some(why);
        }
        Some(saved)
    }

    /// A word ends: a subscript's refusal is lifted.
    fn end_word(&mut self, command: &mut Command) {
        if let Some(outer) = command.word_outer.take() {
            self.force = outer;
        }
    }

    /// A simple command ends: its refusals are lifted.
    fn end_command(&mut self, command: &mut Command) {
        self.end_word(command);
        if let Some(outer) = command.outer.take() {
            self.force = outer;
        }
        command.declaring = false;
        command.prefix = false;
        command.after_runner = false;
        command.word_begin = None;
    }

    /// Records `context` for every placeholder inside `range`.
    fn mark(&mut self, range: Range<usize>, context: &ShellContext) {
        for (k, h) in self.holes.iter().enumerate() {
            if h.start >= range.start && h.start < range.end {
                self.contexts[k] = Some(self.effective(context.clone()));
            }
        }
    }

    /// With every placeholder refused for `why` while `f` runs (an outer refusal stays).
    fn forced(&mut self, why: Refusal, f: impl FnOnce(&mut Self) -> Step) -> Step {
        let saved = self.force.clone();
        if saved.is_none() {
            self.force = Some(why);
        }
        let r = f(self);
        self.force = saved;
        r
    }

    /// A list of commands, to the end of the text or (in `$(…)`) to its closing `)`.
    fn commands(&mut self, in_subst: bool) -> Step {
        let mut cases: Vec<Case> = Vec::new();
        let mut command = Command::default();
        let r = self.command_list(in_subst, &mut command, &mut cases);
        self.end_command(&mut command);
        r
    }

    fn command_list(
        &mut self,
        in_subst: bool,
        command: &mut Command,
        cases: &mut Vec<Case>,
    ) -> Step {
        let mut word_start = true;
        let mut command_start = true;
        let mut depth = 0usize;
        loop {
            if self.continuation()? {
                continue;
            }
            let here = self.peek(0);
            let ends = here.is_none_or(|b| b" \t\n;&|<>()".contains(&b));
            if let Some(begin) = command.word_begin.filter(|_| ends) {
                command.word_begin = None;
                self.judge_command_word(begin..self.i, command);
            } else if command.word_begin.is_none()
                && word_start
                && command_start
                && cases.last().is_none_or(|c| *c == Case::Body)
                && !ends
                && here != Some(b'#')
            {
                command.word_begin = Some(self.i);
            }
            let starting = word_start;
            if self.take_hole(ShellContext::Bare) {
                subject_seen(cases, starting);
                word_start = false;
                command_start = false;
                continue;
            }
            let Some(b) = self.peek(0) else {
                if !self.pending.is_empty() {
                    return Err("a here-document has no body".into());
                }
                return if in_subst {
                    Err("`$(` is not closed".into())
                } else {
                    Ok(())
                };
            };
            if command.word_outer.is_some() && b" \t\n;&|<>()".contains(&b) {
                return Err(
                    "an array subscript `name[` goes past a blank or operator, which bash reads as one word"
                        .into(),
                );
            }
            match b {
                b'\n' => {
                    self.i += 1;
                    self.end_command(command);
                    self.heredoc_bodies()?;
                    word_start = true;
                    command_start = true;
                }
                b' ' | b'\t' => {
                    self.i += 1;
                    self.end_word(command);
                    word_start = true;
                    // After an assignment (`X=1 eval …`) or `command`/`builtin`/`exec` and
                    // their options, the next word is still the command.
                    if std::mem::take(&mut command.prefix) {
                        command_start = true;
                    }
                }
                b'#' if word_start => self.comment(),
                b'\\' => {
                    self.i += 1;
                    if !self.take_hole(ShellContext::Refused(Refusal::AfterBackslash)) {
                        self.i += 1;
                    }
                    subject_seen(cases, starting);
                    word_start = false;
                    command_start = false;
                }
                b'\'' => {
                    self.single()?;
                    subject_seen(cases, starting);
                    word_start = false;
                    command_start = false;
                }
                b'"' => {
                    self.double()?;
                    subject_seen(cases, starting);
                    word_start = false;
                    command_start = false;
                }
                b'`' => {
                    self.backticks()?;
                    subject_seen(cases, starting);
                    word_start = false;
                    command_start = false;
                }
                b'$' => {
                    self.dollar(false)?;
                    subject_seen(cases, starting);
                    word_start = false;
                    command_start = false;
                }
                b'<' if self.peek(1) == Some(b'<') && self.peek(2) == Some(b'<') => {
                    self.i += 3;
                    word_start = true;
                }
                b'<' if self.peek(1) == Some(b'<') => {
                    self.heredoc_operator()?;
                    word_start = true;
                }
                b'(' if command_start && self.peek(1) == Some(b'(') => {
                    return Err("`((…))` is arithmetic to bash but two subshells to dash".into());
                }
                b'(' => {
                    self.i += 1;
                    self.end_command(command);
                    match cases.last() {
                        Some(Case::Pattern) => {}
                        _ => depth += 1,
                    }
                    word_start = true;
                    command_start = true;
                }
                b')' => {
                    self.i += 1;
                    self.end_command(command);
                    match cases.last_mut() {
                        Some(c @ Case::Pattern) => *c = Case::Body,
                        _ if depth > 0 => depth -= 1,
                        _ if in_subst => {
                            if !self.pending.is_empty() {
                                return Err(
                                    "a here-document inside `$(…)` does not end there".into()
                                );
                            }
                            return Ok(());
                        }
                        _ => {}
                    }
                    word_start = true;
                    command_start = true;
                }
                b';' | b'&' | b'|' | b'<' | b'>' => {
                    if matches!(b, b'<' | b'>') {
                        self.end_word(command);
                    } else {
                        self.end_command(command);
                    }
                    if b == b';' && self.peek(1) == Some(b';') {
                        self.i += 1;
                        if let Some(c @ Case::Body) = cases.last_mut() {
                            *c = Case::Pattern;
                        }
                        if self.peek(1) == Some(b'&') {
                            self.i += 1;
                        }
                    } else if b == b';' && self.peek(1) == Some(b'&') {
                        self.i += 1;
                        if let Some(c @ Case::Body) = cases.last_mut() {
                            *c = Case::Pattern;
                        }
                    }
                    self.i += 1;
                    word_start = true;
                    command_start = !matches!(b, b'<' | b'>');
                }
                _ => {
                    let word = self.plain_word();
                    self.command_words(&word, word_start, command_start, command);
                    if word_start && command_start {
                        command.prefix = is_assignment(&word)
                            || matches!(word.as_str(), "command" | "builtin" | "exec")
                            || (command.after_runner && word.starts_with('-'));
                        command.after_runner =
                            matches!(word.as_str(), "command" | "builtin" | "exec")
                                || (command.after_runner && word.starts_with('-'));
                    }
                    if word_start {
                        self.keyword(&word, cases, &mut command_start);
                    } else {
                        command_start = false;
                    }
                    word_start = false;
                }
            }
        }
    }

    /// Notes the commands and words that make bash evaluate a value: `let`, `eval`, `[[`,
    /// an integer declaration, an array subscript in an assignment.
    fn command_words(
        &mut self,
        word: &str,
        word_start: bool,
        command_start: bool,
        command: &mut Command,
    ) {
        let whole = self.peek(0).is_none_or(|b| b" \t\n;&|<>()".contains(&b));
        if word_start && command_start && whole {
            let why = match word {
                "let" | "[[" => Some(Refusal::ArithmeticCommand),
                "eval" => Some(Refusal::Eval),
                _ => None,
            };
            if let Some(why) = why {
                command.outer = self.push_force(why);
            }
            command.declaring = matches!(
                word,
                "declare" | "typeset" | "local" | "readonly" | "export"
            );
        } else if word_start && command.declaring && word.starts_with('-') && word.contains('i') {
            self.integers = true;
        }
        let subscript = word.split_once('[').is_some_and(|(name, rest)| {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !rest.contains(']')
        });
        if word_start && subscript {
            command.word_outer = self.push_force(Refusal::ArithmeticCommand);
        } else if word.contains(']') {
            self.end_word(command);
        }
    }

    /// Steps over a `\`-newline, which the shell removes before reading words, where it
    /// changes nothing: after a blank or a newline. Inside a word or an operator it would join
    /// what this scan reads as two (`<\`+newline+`<EOF` is `<<EOF`), so it is refused there.
    fn continuation(&mut self) -> Result<bool, String> {
        if self.peek(0) != Some(b'\\') || self.peek(1) != Some(b'\n') {
            return Ok(false);
        }
        let before = self.i.checked_sub(1).map(|p| self.text[p]);
        if !matches!(before, None | Some(b' ' | b'\t' | b'\n')) {
            return Err("a `\\` at the end of a line joins it to a word or operator".into());
        }
        self.i += 2;
        Ok(true)
    }

    /// The command word has been read: a placeholder in it is refused (the value would choose
    /// the program); a name computed by an expansion may be anything, `eval` too, so the rest
    /// of the command is refused; `eval` and `let` however quoted (`\eval`) are refused as
    /// written bare are.
    fn judge_command_word(&mut self, word: Range<usize>, command: &mut Command) {
        let end = word.end.min(self.text.len());
        let raw = String::from_utf8_lossy(self.text.get(word.start..end).unwrap_or_default())
            .into_owned();
        if is_assignment(&raw) {
            return;
        }
        let mut holes = false;
        for (k, h) in self.holes.iter().enumerate() {
            if h.start >= word.start && h.start < word.end {
                holes = true;
                if !matches!(self.contexts[k], Some(ShellContext::Refused(_))) {
                    self.contexts[k] = Some(ShellContext::Refused(Refusal::CommandName));
                }
            }
        }
        if holes {
            return;
        }
        let why = match unquote(&raw).as_deref() {
            None => Some(Refusal::DynamicCommand),
            Some("eval") => Some(Refusal::Eval),
            Some("let") => Some(Refusal::ArithmeticCommand),
            Some("command" | "builtin" | "exec") => {
                command.prefix = true;
                command.after_runner = true;
                None
            }
            Some(_) => None,
        };
        if let Some(why) = why
            && command.outer.is_none()
        {
            command.outer = self.push_force(why);
        }
    }

    /// Reads a run of ordinary characters (no quote, operator, blank or placeholder).
    fn plain_word(&mut self) -> String {
        let start = self.i;
        while let Some(b) = self.peek(0) {
            if b" \t\n;&|<>()'\"`$\\".contains(&b) || self.hole_at(self.i).is_some() {
                break;
            }
            self.i += 1;
        }
        if self.i == start {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.i]).into_owned()
    }

    /// Tracks `case … in … esac` and which words put the next one at a command's start.
    fn keyword(&mut self, word: &str, cases: &mut Vec<Case>, command_start: &mut bool) {
        let whole = self.peek(0).is_none_or(|b| b" \t\n;&|<>()".contains(&b));
        let top = cases.last().copied();
        match (top, word) {
            (Some(Case::Subject), _) => {
                if let Some(c) = cases.last_mut() {
                    *c = Case::In;
                }
                *command_start = false;
            }
            (Some(Case::In), "in") if whole => {
                if let Some(c) = cases.last_mut() {
                    *c = Case::Pattern;
                }
                *command_start = false;
            }
            (Some(Case::Pattern | Case::Body), "esac") if whole && *command_start => {
                cases.pop();
                *command_start = false;
            }
            (_, "esac") if whole && top == Some(Case::Pattern) => {
                cases.pop();
            }
            (_, "case") if whole && *command_start => {
                cases.push(Case::Subject);
                *command_start = false;
            }
            (_, w) if whole && *command_start && RESERVED.contains(&w) => *command_start = true,
            _ => *command_start = false,
        }
    }

    /// `# …` to the end of the line.
    fn comment(&mut self) {
        let start = self.i;
        while self.peek(0).is_some_and(|b| b != b'\n') {
            self.i += 1;
        }
        self.mark(start..self.i, &ShellContext::Refused(Refusal::Comment));
    }

    /// `'…'`, from its opening quote.
    fn single(&mut self) -> Step {
        self.i += 1;
        loop {
            if self.take_hole(ShellContext::Single) {
                continue;
            }
            match self.peek(0) {
                None => return Err("a `'` is not closed".into()),
                Some(b'\'') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(_) => self.i += 1,
            }
        }
    }

    /// `"…"`, from its opening quote.
    fn double(&mut self) -> Step {
        self.i += 1;
        loop {
            if self.take_hole(ShellContext::Double) {
                continue;
            }
            match self.peek(0) {
                None => return Err("a `\"` is not closed".into()),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.i += 1;
                    if !self.take_hole(ShellContext::Refused(Refusal::AfterBackslash))
                        && self.peek(0).is_some_and(|b| b"$`\"\\\n".contains(&b))
                    {
                        self.i += 1;
                    }
                }
                Some(b'$') => self.dollar(true)?,
                Some(b'`') => self.backticks()?,
                Some(_) => self.i += 1,
            }
        }
    }

    /// `` `…` ``, from its opening backtick: every placeholder inside is refused.
    fn backticks(&mut self) -> Step {
        self.i += 1;
        self.forced(Refusal::Backticks, |s| {
            loop {
                if s.take_hole(ShellContext::Bare) {
                    continue;
                }
                match s.peek(0) {
                    None => return Err("a `` ` `` is not closed".into()),
                    Some(b'`') => {
                        s.i += 1;
                        return Ok(());
                    }
                    Some(b'\\') => s.i += 2,
                    Some(_) => s.i += 1,
                }
            }
        })
    }

    /// What follows a `$`: `$(…)`, `$((…))`, `${…}`, `$'…'`, or a plain `$name`.
    fn dollar(&mut self, in_double: bool) -> Step {
        if self.depth >= MAX_DEPTH {
            return Err(format!("more than {MAX_DEPTH} levels of `$(…)`/`${{…}}`"));
        }
        self.depth += 1;
        let r = self.dollar_inner(in_double);
        self.depth -= 1;
        r
    }

    fn dollar_inner(&mut self, in_double: bool) -> Step {
        self.i += 1;
        if self.peek(0) == Some(b'\\') && self.peek(1) == Some(b'\n') {
            return Err("a `\\` at the end of a line right after `$`".into());
        }
        if self.take_hole(ShellContext::Refused(Refusal::AfterDollar)) {
            return Ok(());
        }
        match (self.peek(0), self.peek(1)) {
            (Some(b'('), Some(b'(')) => {
                self.i += 2;
                self.forced(Refusal::Arithmetic, |s| s.arithmetic())
            }
            (Some(b'('), _) => {
                self.i += 1;
                let pending = std::mem::take(&mut self.pending);
                let r = self.commands(true);
                self.pending = pending;
                r
            }
            (Some(b'{'), _) => {
                self.i += 1;
                self.forced(Refusal::ParameterExpansion, |s| s.parameter(in_double))
            }
            (Some(b'['), _) => Err("`$[…]` is arithmetic to bash but plain text to dash".into()),
            (Some(b'\''), _) if !in_double => self.forced(Refusal::AnsiC, |s| s.ansi_c()),
            _ => Ok(()),
        }
    }

    /// `$'…'` (bash), from its opening quote. Dash reads it as `$` and `'…'`, which ends at the
    /// same quote unless a backslash is inside: that is refused.
    fn ansi_c(&mut self) -> Step {
        self.i += 1;
        loop {
            if self.take_hole(ShellContext::Single) {
                continue;
            }
            match self.peek(0) {
                None => return Err("a `$'` is not closed".into()),
                Some(b'\'') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    return Err(
                        "`$'…'` with a backslash ends in different places for bash and dash".into(),
                    );
                }
                Some(_) => self.i += 1,
            }
        }
    }

    /// The inside of `${…}`, to its closing brace.
    fn parameter(&mut self, in_double: bool) -> Step {
        let mut depth = 0usize;
        loop {
            if self.take_hole(ShellContext::Bare) {
                continue;
            }
            match self.peek(0) {
                None => return Err("a `${` is not closed".into()),
                Some(b'}') if depth == 0 => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'}') => {
                    depth -= 1;
                    self.i += 1;
                }
                Some(b'{') => {
                    depth += 1;
                    self.i += 1;
                }
                Some(b'\\') => self.i += 2,
                Some(b'\'') if !in_double => self.single()?,
                Some(b'"') => self.double()?,
                Some(b'`') => self.backticks()?,
                Some(b'$') => self.dollar(in_double)?,
                Some(_) => self.i += 1,
            }
        }
    }

    /// The inside of `$((…))` or `((…))`, to its closing `))`.
    fn arithmetic(&mut self) -> Step {
        let mut depth = 0usize;
        loop {
            if self.take_hole(ShellContext::Bare) {
                continue;
            }
            match self.peek(0) {
                None => return Err("a `((` is not closed".into()),
                Some(b')') if depth == 0 && self.peek(1) == Some(b')') => {
                    self.i += 2;
                    return Ok(());
                }
                Some(b')') if depth == 0 => return Err("a `((` is closed by a single `)`".into()),
                Some(b')') => {
                    depth -= 1;
                    self.i += 1;
                }
                Some(b'(') => {
                    depth += 1;
                    self.i += 1;
                }
                Some(b'\\') => self.i += 2,
                Some(b'\'') => self.single()?,
                Some(b'"') => self.double()?,
                Some(b'`') => self.backticks()?,
                Some(b'$') => self.dollar(false)?,
                Some(_) => self.i += 1,
            }
        }
    }

    /// `<<WORD` or `<<-WORD`, from the first `<`: the delimiter is read and the body waits for
    /// the next newline.
    fn heredoc_operator(&mut self) -> Step {
        self.i += 2;
        let strip_tabs = self.peek(0) == Some(b'-');
        if strip_tabs {
            self.i += 1;
        }
        while matches!(self.peek(0), Some(b' ' | b'\t')) {
            self.i += 1;
        }
        let mut delimiter = Vec::new();
        let mut quoted = false;
        loop {
            if self.take_hole(ShellContext::Refused(Refusal::HeredocDelimiter)) {
                continue;
            }
            match self.peek(0) {
                None => break,
                Some(b) if b" \t\n;&|<>()".contains(&b) => break,
                Some(b'\\') => {
                    quoted = true;
                    if let Some(c) = self.peek(1) {
                        delimiter.push(c);
                    }
                    self.i += 2;
                }
                Some(q @ (b'\'' | b'"')) => {
                    quoted = true;
                    self.i += 1;
                    while let Some(c) = self.peek(0) {
                        self.i += 1;
                        if c == q {
                            break;
                        }
                        delimiter.push(c);
                    }
                }
                Some(c) => {
                    delimiter.push(c);
                    self.i += 1;
                }
            }
        }
        if self
            .contexts
            .iter()
            .any(|c| c.as_ref() == Some(&ShellContext::Refused(Refusal::HeredocDelimiter)))
        {
            return Err("a here-document delimiter is a placeholder".into());
        }
        if delimiter.is_empty() {
            return Err("`<<` has no delimiter word".into());
        }
        self.pending.push(Pending {
            delimiter,
            expands: !quoted,
            strip_tabs,
        });
        Ok(())
    }

    /// The bodies of the here-documents waiting, right after a newline.
    fn heredoc_bodies(&mut self) -> Step {
        for doc in std::mem::take(&mut self.pending) {
            let start = self.i;
            let end = loop {
                if self.i >= self.limit {
                    return Err(format!(
                        "the here-document `{}` has no end line",
                        String::from_utf8_lossy(&doc.delimiter)
                    ));
                }
                let line_start = self.i;
                let line = self.logical_line(doc.expands);
                let mut line = line.as_slice();
                if doc.strip_tabs {
                    while let [b'\t', rest @ ..] = line {
                        line = rest;
                    }
                }
                if line == doc.delimiter.as_slice() {
                    self.heredoc_ends.push(line_start);
                    break line_start;
                }
            };
            let context = ShellContext::Heredoc {
                expands: doc.expands,
                strip_tabs: doc.strip_tabs,
            };
            if doc.expands {
                self.expanding_body(start..end, &context)?;
            } else {
                self.mark(start..end, &context);
            }
        }
        Ok(())
    }

    /// The here-document line starting here, and steps past its newline. Where the body
    /// expands, a line ending in an odd number of backslashes goes on to the next one (dash and
    /// bash both join them before looking for the delimiter).
    fn logical_line(&mut self, expands: bool) -> Vec<u8> {
        let mut joined = Vec::new();
        while self.i < self.limit {
            let line_end = self.text[self.i..self.limit]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.limit, |p| self.i + p);
            let line = &self.text[self.i..line_end];
            self.i = (line_end + 1).min(self.limit);
            let backslashes = line.iter().rev().take_while(|&&b| b == b'\\').count();
            if expands && backslashes % 2 == 1 && line_end < self.limit {
                joined.extend_from_slice(&line[..line.len() - 1]);
                continue;
            }
            joined.extend_from_slice(line);
            break;
        }
        joined
    }

    /// An unquoted here-document body: plain text, with `$…` and `` `…` `` expanded.
    fn expanding_body(&mut self, body: Range<usize>, context: &ShellContext) -> Step {
        let (resume, limit) = (self.i, self.limit);
        self.i = body.start;
        self.limit = body.end;
        let r = (|| loop {
            if self.take_hole(context.clone()) {
                continue;
            }
            match self.peek(0) {
                None => return Ok(()),
                Some(b'\\') => {
                    self.i += 1;
                    if !self.take_hole(ShellContext::Refused(Refusal::AfterBackslash)) {
                        self.i += 1;
                    }
                }
                Some(b'$') => self.dollar(true)?,
                Some(b'`') => self.backticks()?,
                Some(_) => self.i += 1,
            }
        })();
        self.i = resume;
        self.limit = limit;
        r
    }
}
