//! The log tails' line splitter against a hostile corpus cut into pieces of random sizes, as
//! SSH packets and local reads cut a log: its one-piece fast path must give exactly what a
//! plain line-by-line split gives.

use crate::support::log_lines::lines_as_written;
use cockpit::io::ssh::{LineBatch, LineSplitter, MAX_LINE};

#[test]
fn a_hostile_corpus_splits_as_line_by_line_in_pieces_of_any_size() {
    // Pieces of output mixing what the fast path must hand to the slow one: bad bytes,
    // cut characters, carriage returns, NULs, escapes, over-long lines, empty lines.
    let parts: [&[u8]; 12] = [
        b"GET /api 200 12ms\n",
        "数据库 连接 失败 ログ\n".as_bytes(),
        b"dos line\r\n",
        b"\r\r\n",
        b"\x1b[31mred\x1b[0m \x00 nul mid\rdle\n",
        b"\n",
        b"password=hunter22\n",
        b"bad \xff\xfe byte\n",
        b"cut \xe6\x95",
        b"\xc3\x28 overlong \xe0\x80\xaf\n",
        b"no newline at the end",
        b"more \xe6\x95\xb0\n",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % bound as u64) as usize
    };
    for round in 0..200 {
        let mut data = Vec::new();
        // Half the rounds stay valid UTF-8, so whole pieces take the fast path.
        let kinds = if round % 4 < 2 { 7 } else { parts.len() };
        for _ in 0..next(40) {
            data.extend_from_slice(parts[next(kinds)]);
        }
        if round % 10 == 0 {
            data.extend(std::iter::repeat_n(b'x', MAX_LINE + next(5) - 2));
            data.extend_from_slice(b"\r\nafter the long one\n");
        }
        let mut splitter = LineSplitter::default();
        let mut out = LineBatch::default();
        let mut rest = data.as_slice();
        while !rest.is_empty() {
            let size = 1 + next(if round % 2 == 0 { 64 } else { 40_000 });
            let (piece, tail) = rest.split_at(size.min(rest.len()));
            splitter.push(piece, &mut out);
            rest = tail;
        }
        splitter.finish(&mut out);
        let got: Vec<&str> = out.iter().collect();
        assert_eq!(got, lines_as_written(&data), "round {round}");
        assert_eq!(out.text_len(), got.iter().map(|l| l.len()).sum::<usize>());
    }
}
