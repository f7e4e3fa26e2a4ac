//! The SQL lexer and guard for each driver: splitting, classifying, judging, the danger
//! checks and (through `DELETE … WHERE <input>`) the always-true evaluator. Beyond no panic:
//! the lexer's tokens are in order and apart with only whitespace between them; statements
//! are the buffer's own text, in order; outside them there is nothing but comments,
//! whitespace and `;`; and the verdicts agree with each other.
#![no_main]

use cockpit::core::inventory::Driver;
use cockpit::core::sql::{
    TokenKind, Verdict, classify, danger, highlight, highlight_lines, judge, reselect,
    split_statements, statement_at, unjudgeable,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let driver = [Driver::Mysql, Driver::Postgres, Driver::Sqlite][usize::from(selector % 3)];
    let owned;
    let sql = if selector & 4 != 0 {
        owned = format!("DELETE FROM t WHERE {text}");
        owned.as_str()
    } else {
        text
    };

    // Tokens: in order, apart, with only whitespace left out.
    let tokens = highlight(sql, driver);
    let mut last = 0;
    for (range, _) in &tokens {
        assert!(last <= range.start && range.start < range.end && range.end <= sql.len());
        let gap = &sql[last..range.start];
        assert!(
            gap.bytes().all(|b| b" \t\n\r\x0b\x0c".contains(&b)),
            "{gap:?} left out"
        );
        last = range.end;
    }
    assert!(sql[last..].bytes().all(|b| b" \t\n\r\x0b\x0c".contains(&b)));
    let lines: Vec<&str> = sql.split('\n').collect();
    for (line, pieces) in lines.iter().zip(highlight_lines(&lines, driver)) {
        for (range, _) in pieces {
            assert!(line.get(range).is_some());
        }
    }

    // Statements: the buffer's text, in order; between them only comments and `;`.
    let statements = split_statements(sql, driver);
    let mut last = 0;
    for s in &statements {
        assert!(last <= s.range.start && s.range.start < s.range.end);
        assert_eq!(sql.get(s.range.clone()), Some(s.text.as_str()));
        last = s.range.end;
    }
    for (range, kind) in &tokens {
        let inside = statements
            .iter()
            .any(|s| s.range.start <= range.start && range.end <= s.range.end);
        assert!(
            inside || *kind == TokenKind::Comment || &sql[range.clone()] == ";",
            "{:?} belongs to no statement",
            &sql[range.clone()]
        );
    }
    for cursor in [0, sql.len() / 2, sql.len(), usize::from(selector) * 3] {
        if let Some(s) = statement_at(sql, cursor, driver) {
            assert!(statements.contains(&s));
        }
    }

    // Verdicts.
    let verdict = judge(sql, driver);
    let _ = classify(sql, driver);
    let _ = reselect(sql, driver);
    if unjudgeable(sql, driver).is_some() {
        assert!(matches!(verdict, Verdict::Refused(_)));
    } else if let Some(d) = danger(sql, driver) {
        assert!(
            matches!(
                verdict,
                Verdict::NeedsTyped(ref found) if *found == d
            ) || matches!(verdict, Verdict::Refused(_))
        );
    }
    if verdict == Verdict::Runs {
        for s in &statements {
            let alone = judge(&s.text, driver);
            assert!(
                matches!(alone, Verdict::Runs | Verdict::Refused(_)),
                "{sql:?} runs unguarded but its statement {:?} is {alone:?}",
                s.text
            );
        }
    }
});
