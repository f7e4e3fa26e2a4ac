//! What a log's lines must read as on screen, split with nothing clever: the oracle the log
//! tails' line splitter (and its one-piece fast path) is held to.
#![allow(dead_code)]

use cockpit::io::ssh::MAX_LINE;

/// Every line of `log`, the unfinished last one included: split at each `\n`, cut at
/// [`MAX_LINE`] bytes with the note the tails add, trailing `\r`s dropped, bytes that are not
/// UTF-8 replaced.
pub fn lines_as_written(log: &[u8]) -> Vec<String> {
    let mut lines: Vec<&[u8]> = log.split(|b| *b == b'\n').collect();
    if lines.last().is_some_and(|last| last.is_empty()) {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|line| {
            let mut kept = &line[..line.len().min(MAX_LINE)];
            while let [rest @ .., b'\r'] = kept {
                kept = rest;
            }
            let mut text = String::from_utf8_lossy(kept).into_owned();
            if line.len() > MAX_LINE {
                text.push_str(&format!(" …[line cut at {MAX_LINE} bytes]"));
            }
            text
        })
        .collect()
}
