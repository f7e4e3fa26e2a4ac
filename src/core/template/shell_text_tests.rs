use super::*;
use ShellContext::*;

fn contexts(command: &str) -> Vec<ShellContext> {
    shell_placeholders(command)
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

fn refused(r: Refusal) -> ShellContext {
    Refused(r)
}

const HEREDOC: ShellContext = Heredoc {
    expands: true,
    strip_tabs: false,
};
const QUOTED_HEREDOC: ShellContext = Heredoc {
    expands: false,
    strip_tabs: false,
};

#[test]
fn plain_quoting() {
    assert_eq!(contexts("mysql < {{file}}"), [Bare]);
    assert_eq!(
        contexts("grep -F '{{ip}}' x && sed -i 's/{{ip}}/localhost/g' f"),
        [Single, Single]
    );
    assert_eq!(
        contexts(r#"echo "it's {{a}}" '{{b}}' {{c}}"#),
        [Double, Single, Bare]
    );
    assert_eq!(contexts(r#"echo \' {{a}} "\" {{b}}""#), [Bare, Double]);
}

#[test]
fn assignments_redirections_here_strings_and_case_patterns_are_bare() {
    assert_eq!(
        contexts("X={{a}} cmd > {{b}} 2>>{{c}} <<< {{d}}"),
        [Bare, Bare, Bare, Bare]
    );
    assert_eq!(
        contexts("case {{a}} in {{b}}|x) echo {{c}};; (*) echo ok;; esac; echo {{d}}"),
        [Bare, Bare, Bare, Bare]
    );
}

#[test]
fn command_substitution_nests_with_its_own_quoting() {
    assert_eq!(
        contexts(r#"echo "$(echo '{{a}}' "{{b}}" {{c}})" {{d}}"#),
        [Single, Double, Bare, Bare]
    );
    assert_eq!(
        contexts(r#"x="$(cat "$(echo "{{a}}")")" && echo "{{b}}""#),
        [Double, Double]
    );
    // A case pattern's `)` inside `$(…)` does not close it.
    assert_eq!(
        contexts("v=$(case x in a) echo {{a}};; esac) echo \"{{b}}\""),
        [Bare, Double]
    );
    // Single quotes inside "…" are plain characters.
    assert_eq!(contexts(r#"echo "it's {{a}}""#), [Double]);
}

#[test]
fn backticks_parameter_forms_arithmetic_and_ansi_c_are_refused() {
    assert_eq!(
        contexts("echo `echo {{a}}` \"`echo '{{b}}'`\" {{c}}"),
        [
            refused(Refusal::Backticks),
            refused(Refusal::Backticks),
            Bare
        ]
    );
    assert_eq!(
        contexts(r#"echo ${x:-{{a}}} "${#{{b}}}" ${x:+"{{c}}"} {{d}}"#),
        [
            refused(Refusal::ParameterExpansion),
            refused(Refusal::ParameterExpansion),
            refused(Refusal::ParameterExpansion),
            Bare
        ]
    );
    assert_eq!(
        contexts(r#"echo $(( {{a}} + 1 )) "$(({{b}}))"; echo {{d}}"#),
        [
            refused(Refusal::Arithmetic),
            refused(Refusal::Arithmetic),
            Bare
        ]
    );
    assert_eq!(
        contexts(r#"echo $'a {{a}}' "$'{{b}}'""#),
        [refused(Refusal::AnsiC), Double]
    );
}

#[test]
fn comments_only_start_a_word() {
    assert_eq!(
        contexts("echo {{a}} # note {{b}}\necho a#{{c}} $#{{d}}"),
        [Bare, refused(Refusal::Comment), Bare, Bare]
    );
    assert_eq!(
        contexts("echo x;# {{a}}\necho \"#{{b}}\""),
        [refused(Refusal::Comment), Double]
    );
}

#[test]
fn dollar_and_backslash_right_before_are_refused() {
    assert_eq!(
        contexts(r#"echo ${{a}} \{{b}} "\{{c}}" "\\{{d}}""#),
        [
            refused(Refusal::AfterDollar),
            refused(Refusal::AfterBackslash),
            refused(Refusal::AfterBackslash),
            Double
        ]
    );
}

#[test]
fn heredocs_quoted_and_unquoted() {
    assert_eq!(
        contexts("cat <<EOF\nval={{a}}\nEOF\necho {{b}}"),
        [HEREDOC, Bare]
    );
    for quoted in ["'EOF'", "\"EOF\"", "\\EOF", "E'OF'"] {
        assert_eq!(
            contexts(&format!(
                "cat <<{quoted} > {{{{f}}}}\n{{{{a}}}} $(x)\nEOF\necho {{{{b}}}}"
            )),
            [Bare, QUOTED_HEREDOC, Bare],
            "{quoted}"
        );
    }
    assert_eq!(
        contexts("cat <<-EOF\n\t{{a}}\n\tEOF\n"),
        [Heredoc {
            expands: true,
            strip_tabs: true
        }]
    );
    // Two here-documents on one line, read in order; a quote spanning lines does not start one.
    assert_eq!(
        contexts("cat <<A - <<'B' \"x\n{{a}}\"\n{{b}}\nA\n{{c}}\nB\necho {{d}}"),
        [Double, HEREDOC, QUOTED_HEREDOC, Bare]
    );
    // Expansions in an unquoted body keep their own contexts.
    assert_eq!(
        contexts("cat <<EOF\n$(echo \"{{a}}\") ${x:-{{b}}} `{{c}}` \\{{d}}\nEOF"),
        [
            Double,
            refused(Refusal::ParameterExpansion),
            refused(Refusal::Backticks),
            refused(Refusal::AfterBackslash)
        ]
    );
    assert_eq!(
        contexts("v=$(cat <<EOF\n{{a}}\nEOF\n) && echo {{b}}"),
        [HEREDOC, Bare]
    );
    assert_eq!(
        contexts("cat <<{{a}}\nx\n"),
        [refused(Refusal::HeredocDelimiter)]
    );
    assert_eq!(
        contexts("cat <<<{{a}} <<< \"{{b}}\""),
        [Bare, Double],
        "here-strings"
    );
}

#[test]
fn unreadable_commands_refuse_every_placeholder() {
    for bad in [
        "echo '{{a}}",
        "echo \"{{a}}",
        "echo $(echo {{a}}",
        "echo ${x {{a}}",
        "cat <<EOF\n{{a}}\n",
        "echo `{{a}}",
        "echo $(( {{a}} )",
    ] {
        assert!(
            matches!(contexts(bad).as_slice(), [Refused(_)]) && heredoc_ends(bad).is_err(),
            "{bad:?}: {:?}",
            contexts(bad)
        );
    }
}

#[test]
fn heredoc_ends_are_found() {
    assert_eq!(heredoc_ends("cat <<EOF\nx\nEOF\n"), Ok(vec![12]));
    assert_eq!(heredoc_ends("cat <<EOF\nEOF\nx\nEOF\n"), Ok(vec![10]));
    assert!(heredoc_ends("cat <<EOF\nx\n").is_err());
}

#[test]
fn splicing_per_context() {
    assert_eq!(splice("x;id", &Bare).as_deref(), Ok("'x;id'"));
    assert_eq!(splice("if", &Bare).as_deref(), Ok("'if'"));
    assert_eq!(splice("-e", &Bare).as_deref(), Ok("'-e'"));
    assert_eq!(splice("A=1", &Bare).as_deref(), Ok("'A=1'"));
    assert_eq!(splice("10.0.0.1", &Bare).as_deref(), Ok("10.0.0.1"));
    assert_eq!(splice("a,b", &Bare).as_deref(), Ok("'a,b'"));
    assert_eq!(splice("", &Bare).as_deref(), Ok("''"));
    assert_eq!(splice("x;id", &Single).as_deref(), Ok("''x;id''"));
    assert_eq!(splice("x;id", &Double).as_deref(), Ok("\"'x;id'\""));
    assert_eq!(splice("10.0.0.1", &Single).as_deref(), Ok("10.0.0.1"));
    assert_eq!(splice("", &Single).as_deref(), Ok("''''"));
    assert_eq!(
        splice("$(id) `id` \\", &HEREDOC).as_deref(),
        Ok("\\$(id) \\`id\\` \\\\")
    );
    assert_eq!(splice("$(id)\n", &QUOTED_HEREDOC).as_deref(), Ok("$(id)\n"));
    assert_eq!(
        splice(
            "a\nb",
            &Heredoc {
                expands: false,
                strip_tabs: true
            }
        ),
        Err(SpliceError::TabStripped)
    );
    assert_eq!(
        splice("x", &refused(Refusal::Comment)),
        Err(SpliceError::Place(Refusal::Comment))
    );
}

#[test]
fn plain_values_are_quoted_where_they_would_join_a_name() {
    let at = |t: &str, c: &ShellContext| {
        let (p, _) = shell_placeholders(t).remove(0);
        splice_at(t, p.range, "EOF", c)
    };
    assert_eq!(at("echo $x{{v}}", &Bare).as_deref(), Ok("'EOF'"));
    assert_eq!(at("echo \"$x{{v}}\"", &Double).as_deref(), Ok("\"'EOF'\""));
    assert_eq!(at("{{v}}=1 cmd", &Bare).as_deref(), Ok("'EOF'"));
    assert_eq!(at("echo -{{v}}", &Bare).as_deref(), Ok("EOF"));
    assert_eq!(at("mysql -p{{v}}", &Bare).as_deref(), Ok("EOF"));
    assert_eq!(at("ls ~{{v}}", &Bare).as_deref(), Ok("'EOF'"));
    assert_eq!(at("echo $1{{v}}", &Bare).as_deref(), Ok("'EOF'"));
    assert_eq!(at("[[ {{v}} ]]", &Bare).as_deref(), Ok("EOF"));
    assert_eq!(at("echo '$x{{v}}'", &Single).as_deref(), Ok("EOF"));
}

#[test]
fn a_backslash_newline_in_an_expanding_body_joins_lines() {
    // `a\` + `EOF` is the line `aEOF`, not the end; a lone `\` + `EOF` is `EOF`, the end.
    assert_eq!(
        contexts("cat <<EOF\na\\\nEOF\n{{a}}\nEOF\necho {{b}}"),
        [HEREDOC, Bare]
    );
    assert_eq!(contexts("cat <<EOF\n\\\nEOF\necho {{a}}\nEOF\n"), [Bare]);
    assert_eq!(
        contexts("cat <<'EOF'\na\\\nEOF\necho {{a}}\n"),
        [Bare],
        "no joining where the body is quoted"
    );
    assert_eq!(
        contexts("cat <<EOF\na\\\\\nEOF\necho {{a}}\n"),
        [Bare],
        "an escaped backslash does not join"
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = format!(
        "echo {}{{{{a}}}}{}",
        "$(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert!(matches!(
        contexts(&deep).as_slice(),
        [Refused(Refusal::Unreadable(_))]
    ));
}

#[test]
fn no_input_makes_the_scan_panic() {
    const PIECES: &[&str] = &[
        "'", "\"", "`", "$", "(", ")", "{", "}", "#", "\n", "<<", "<<-", "EOF", ";", ";;", "|",
        "&", "\\", " ", "\t", "a", "{{v}}", "$((", "${", "$(", "case", "in", "esac", "=", "<<<",
        "'EOF'", "\u{4e3b}", "\r",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20_000 {
        let mut text = String::new();
        for _ in 0..(seed % 24) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let found = shell_placeholders(&text);
        let _ = heredoc_ends(&text);
        for (p, c) in found {
            let _ = splice_at(&text, p.range, "x'\n$(y)", &c);
        }
    }
}

#[test]
fn commands_bash_evaluates_are_refused() {
    let arith = || refused(Refusal::ArithmeticCommand);
    assert_eq!(
        contexts("[[ {{a}} -eq 1 ]] && echo {{b}}; let x={{c}}; echo {{d}}"),
        [arith(), Bare, arith(), Bare]
    );
    assert_eq!(
        contexts("arr[{{a}}]=1 x[\"{{b}}\"]=2; echo {{c}} a[{{d}}]"),
        [arith(), arith(), Bare, arith()]
    );
    assert_eq!(
        contexts("eval \"echo {{a}}\"; echo {{c}}"),
        [refused(Refusal::Eval), Bare]
    );
    assert_eq!(
        contexts("local x={{a}}; declare -i n; n={{b}}; echo {{c}}"),
        [
            Bare,
            refused(Refusal::IntegerVariables),
            refused(Refusal::IntegerVariables)
        ]
    );
    // Where dash and bash read the structure differently, nothing is filled in.
    for split in [
        "if (( {{a}} > 1 )); then echo {{b}}; fi",
        "for ((i=0;;)); do echo {{a}}; done",
        "echo $[1] {{a}}",
        r"echo $'\'' {{a}}'",
    ] {
        assert!(
            contexts(split)
                .iter()
                .all(|c| matches!(c, Refused(Refusal::Unreadable(_)))),
            "{split}"
        );
    }
    assert_eq!(contexts("[ {{a}} -gt 5 ] && test {{b}} = x"), [Bare, Bare]);
    // The command word comes after assignments and `command`/`builtin`/`exec`.
    for prefixed in [
        "x= eval {{a}}",
        "X='a b' Y=$(z) eval {{a}}",
        "command eval {{a}}",
        "builtin -p let {{a}}",
    ] {
        assert!(
            matches!(contexts(prefixed).as_slice(), [Refused(_)]),
            "{prefixed}: {:?}",
            contexts(prefixed)
        );
    }
    assert_eq!(contexts("X=1 echo {{a}} eval {{b}}"), [Bare, Bare]);
    assert!(matches!(
        contexts("arr[x\n{{a}} ]=1").as_slice(),
        [Refused(Refusal::Unreadable(_))]
    ));
}

#[test]
fn line_continuations_change_nothing_or_are_refused() {
    // Removed before words are read: `#` after one still starts a comment.
    assert_eq!(
        contexts("\\\n# {{a}}\necho x \\\n  {{b}}"),
        [refused(Refusal::Comment), Bare]
    );
    for joined in [
        "cat <\\\n<EOF\n{{a}}\nEOF\n",
        "echo $\\\n(( {{a}} ))",
        "ca\\\nt {{a}}",
    ] {
        assert!(
            matches!(
                contexts(joined).as_slice(),
                [Refused(Refusal::Unreadable(_))]
            ),
            "{joined:?}: {:?}",
            contexts(joined)
        );
    }
}

#[test]
fn the_command_name_is_never_a_value_nor_computed() {
    assert_eq!(
        contexts("{{a}} -v; x=1 {{b}}; sudo {{c}}"),
        [
            refused(Refusal::CommandName),
            refused(Refusal::CommandName),
            Bare
        ]
    );
    for hidden in [
        "\\eval {{a}}",
        "'eval' {{a}}",
        "e\"va\"l {{a}}",
        "${x:-eval} {{a}}",
        "$cmd {{a}}",
    ] {
        assert!(
            matches!(contexts(hidden).as_slice(), [Refused(_)]),
            "{hidden}: {:?}",
            contexts(hidden)
        );
    }
}
