//! Stored entries read in chunks: one query per chunk, whose single value SQLite builds by
//! concatenating the chunk's rows, each as its field lengths then its fields as they are.
//!
//! sqlx hands rows one by one from its worker thread, which costs more than the rows
//! themselves, hence one value per chunk. The value used to be a JSON array: SQLite escaped
//! every record text into it and serde_json unescaped it again, character by character, which
//! was most of the cost of reading a large journal. With lengths in front, the fields are
//! sliced out and copied as they are.
//!
//! A row is `seq,at_ms,actor,kind,prev_hash,hash,body:` (the two numbers, then the byte
//! lengths of the five texts) followed by the five texts (actor, kind, prev_hash, hash, body),
//! with nothing between rows.

use crate::core::journal::StoredEntry;

/// The rows after `?1` in order, at most `?2` of them: how many, and their text.
///
/// A NULL field would make its row's text NULL and `group_concat` would skip it silently: the
/// count lets the reader notice (the columns are `NOT NULL`, so only an edited file has one).
pub(super) const CHUNK_QUERY: &str = "SELECT count(*), group_concat(\
     seq || ',' || at_ms || ',' || octet_length(actor) || ',' || octet_length(kind) || ',' \
     || octet_length(prev_hash) || ',' || octet_length(hash) || ',' || octet_length(body) || ':' \
     || actor || kind || prev_hash || hash || body, '') \
     FROM (SELECT * FROM entries WHERE seq > ?1 ORDER BY seq LIMIT ?2)";

/// Why a chunk's text could not be read back into rows.
#[derive(Debug, thiserror::Error)]
#[error("a chunk of stored entries is unreadable ({0})")]
pub(super) struct BadChunk(pub(super) &'static str);

/// Hands each row of a chunk's text to `each`, in order; how many there were.
pub(super) fn each_row(
    mut text: &str,
    mut each: impl FnMut(StoredEntry),
) -> Result<usize, BadChunk> {
    let mut rows = 0;
    while !text.is_empty() {
        let (entry, rest) = row(text)?;
        each(entry);
        rows += 1;
        text = rest;
    }
    Ok(rows)
}

/// The first row of `text`, and the text after it.
fn row(text: &str) -> Result<(StoredEntry, &str), BadChunk> {
    let (head, mut rest) = text
        .split_once(':')
        .ok_or(BadChunk("a row has no header"))?;
    let mut numbers = head.split(',');
    let mut number = || {
        numbers
            .next()
            .and_then(|n| n.parse::<i64>().ok())
            .ok_or(BadChunk("a row's header is not seven numbers"))
    };
    let (seq, at_ms) = (number()?, number()?);
    let mut lengths = [0usize; 5];
    for length in &mut lengths {
        *length = usize::try_from(number()?).map_err(|_| BadChunk("a negative length"))?;
    }
    if numbers.next().is_some() {
        return Err(BadChunk("a row's header is not seven numbers"));
    }
    let mut fields = lengths.map(|n| {
        let field = rest.get(..n).map(str::to_string);
        rest = rest.get(n..).unwrap_or("");
        field
    });
    let mut take = |i: usize| {
        fields[i]
            .take()
            .ok_or(BadChunk("a field's length does not fit the text"))
    };
    let entry = StoredEntry {
        seq,
        at_ms,
        actor: take(0)?,
        kind: take(1)?,
        prev_hash: take(2)?,
        hash: take(3)?,
        body: take(4)?,
    };
    Ok((entry, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Result<Vec<StoredEntry>, BadChunk> {
        let mut out = Vec::new();
        each_row(text, |s| out.push(s))?;
        Ok(out)
    }

    #[test]
    fn rows_come_back_as_stored_whatever_their_text_holds() {
        let body = "{\"kind\":\"note_added\",\"text\":\"a:b,c 主库\\n\"}";
        let text = format!(
            "1,-5,2,4,0,3,{}:opnoteh12{body}2,7,1,1,1,1,0:wxyz",
            body.len()
        );
        let got = rows(&text).expect("readable");
        assert_eq!(got.len(), 2);
        let first = &got[0];
        assert_eq!((first.seq, first.at_ms), (1, -5));
        assert_eq!(
            [
                &first.actor,
                &first.kind,
                &first.prev_hash,
                &first.hash,
                &first.body
            ],
            ["op", "note", "", "h12", body]
        );
        let second = &got[1];
        assert_eq!((second.seq, second.at_ms), (2, 7));
        assert_eq!(
            [
                &second.actor,
                &second.kind,
                &second.prev_hash,
                &second.hash,
                &second.body
            ],
            ["w", "x", "y", "z", ""]
        );
        assert_eq!(rows("").expect("empty").len(), 0);
    }

    #[test]
    fn a_damaged_chunk_is_refused_not_misread() {
        for bad in [
            "1,2,3",
            "1,2,3,4,5,6:abc",
            "1,2,3,4,5,6,7,8:abc",
            "1,2,-1,0,0,0,0:",
            "1,2,9,0,0,0,0:short",
            "1,2,1,0,0,0,0:主",
            "x,2,0,0,0,0,0:",
        ] {
            assert!(rows(bad).is_err(), "{bad}");
        }
    }
}
