//! A result set kept on disk while the grid shows it: rows are appended as they stream in and
//! read back a screenful at a time, so a million-row `SELECT` costs 8 bytes of memory a row
//! (its offset) plus one page, not the rows themselves.
//!
//! The file is an anonymous temporary file (gone when the spool is dropped, even on a crash).
//! Each row is: the cell count (LEB128), then each cell as a tag byte and its payload —
//! nothing for NULL, one byte for a bool, 8 little-endian bytes for integers and floats (the
//! float's bits, so NaN and infinities survive), a LEB128 length and the bytes for text and
//! binary values.

use crate::core::sql::layout::display_width;
use crate::core::sql::{Cell, ColumnInfo};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Characters of a value the grid shows at most (and so measures column widths with).
pub const MAX_CELL_CHARS: usize = 200;

/// Rows of a result set in a temporary file.
pub struct ResultSpool {
    columns: Vec<ColumnInfo>,
    file: BufWriter<File>,
    /// Where each row starts in the file.
    offsets: Vec<u64>,
    /// Bytes written so far (the end of the last row).
    written: u64,
    /// Whether the writer holds bytes not yet in the file.
    dirty: bool,
    widths: Vec<usize>,
}

const NULL: u8 = 0;
const BOOL: u8 = 1;
const INT: u8 = 2;
const UINT: u8 = 3;
const FLOAT: u8 = 4;
const DECIMAL: u8 = 5;
const TEXT: u8 = 6;
const JSON: u8 = 7;
const DATE: u8 = 8;
const TIME: u8 = 9;
const DATETIME: u8 = 10;
const BYTES: u8 = 11;

fn put_len(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn encode_row(out: &mut Vec<u8>, row: &[Cell]) {
    put_len(out, row.len() as u64);
    for cell in row {
        let (tag, text): (u8, Option<&[u8]>) = match cell {
            Cell::Null => (NULL, None),
            Cell::Bool(b) => {
                out.extend([BOOL, u8::from(*b)]);
                continue;
            }
            Cell::Int(v) => {
                out.push(INT);
                out.extend(v.to_le_bytes());
                continue;
            }
            Cell::UInt(v) => {
                out.push(UINT);
                out.extend(v.to_le_bytes());
                continue;
            }
            Cell::Float(v) => {
                out.push(FLOAT);
                out.extend(v.to_bits().to_le_bytes());
                continue;
            }
            Cell::Decimal(t) => (DECIMAL, Some(t.as_bytes())),
            Cell::Text(t) => (TEXT, Some(t.as_bytes())),
            Cell::Json(t) => (JSON, Some(t.as_bytes())),
            Cell::Date(t) => (DATE, Some(t.as_bytes())),
            Cell::Time(t) => (TIME, Some(t.as_bytes())),
            Cell::DateTime(t) => (DATETIME, Some(t.as_bytes())),
            Cell::Bytes(b) => (BYTES, Some(b.as_slice())),
        };
        out.push(tag);
        if let Some(bytes) = text {
            put_len(out, bytes.len() as u64);
            out.extend_from_slice(bytes);
        }
    }
}

/// `display_width(&cell.display(MAX_CELL_CHARS))` without building the text for the cells a
/// large result is mostly made of (numbers, short printable ASCII): a million-row result
/// measures six million cells.
fn shown_width(cell: &Cell) -> usize {
    use std::fmt::Write as _;
    /// Counts what is written (numbers are ASCII: one column a byte).
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    let written = match cell {
        Cell::Int(v) => write!(count, "{v}"),
        Cell::UInt(v) => write!(count, "{v}"),
        Cell::Float(v) => write!(count, "{v}"),
        Cell::Decimal(t)
        | Cell::Text(t)
        | Cell::Json(t)
        | Cell::Date(t)
        | Cell::Time(t)
        | Cell::DateTime(t)
            if t.len() <= MAX_CELL_CHARS
                && t.bytes().all(|b| b.is_ascii_graphic() || b == b' ') =>
        {
            return t.len();
        }
        _ => return display_width(&cell.display(MAX_CELL_CHARS)),
    };
    match written {
        // A number longer than the grid shows (a float like 1e-300 written out) is cut.
        Ok(()) if count.0 <= MAX_CELL_CHARS => count.0,
        _ => display_width(&cell.display(MAX_CELL_CHARS)),
    }
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("result spool corrupt: {what}"),
    )
}

/// Reads cells back from the spool's bytes, from a slice or straight from the file. Never
/// reads (or allocates) past the bytes it was given: a corrupt length is an error.
struct Decoder<R> {
    input: R,
    /// Bytes left to read.
    left: u64,
}

impl<R: Read> Decoder<R> {
    fn new(input: R, len: u64) -> Self {
        Self { input, left: len }
    }

    fn bytes(&mut self, n: usize) -> io::Result<Vec<u8>> {
        if u64::try_from(n).map_or(true, |n| n > self.left) {
            return Err(corrupt("truncated value"));
        }
        let mut out = vec![0; n];
        self.input.read_exact(&mut out)?;
        self.left -= n as u64;
        Ok(out)
    }

    fn byte(&mut self) -> io::Result<u8> {
        if self.left == 0 {
            return Err(corrupt("truncated value"));
        }
        let mut b = [0; 1];
        self.input.read_exact(&mut b)?;
        self.left -= 1;
        Ok(b[0])
    }

    fn len(&mut self) -> io::Result<usize> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return usize::try_from(n).map_err(|_| corrupt("length too large"));
            }
        }
        Err(corrupt("length too long"))
    }

    fn eight(&mut self) -> io::Result<[u8; 8]> {
        let mut b = [0; 8];
        b.copy_from_slice(&self.bytes(8)?);
        Ok(b)
    }

    fn text(&mut self) -> io::Result<String> {
        let n = self.len()?;
        String::from_utf8(self.bytes(n)?).map_err(|_| corrupt("text not UTF-8"))
    }

    fn row(&mut self) -> io::Result<Vec<Cell>> {
        let n = self.len()?;
        let mut row = Vec::with_capacity(n.min(4096));
        for _ in 0..n {
            let tag = self.byte()?;
            row.push(match tag {
                NULL => Cell::Null,
                BOOL => Cell::Bool(self.byte()? != 0),
                INT => Cell::Int(i64::from_le_bytes(self.eight()?)),
                UINT => Cell::UInt(u64::from_le_bytes(self.eight()?)),
                FLOAT => Cell::Float(f64::from_bits(u64::from_le_bytes(self.eight()?))),
                DECIMAL => Cell::Decimal(self.text()?),
                TEXT => Cell::Text(self.text()?),
                JSON => Cell::Json(self.text()?),
                DATE => Cell::Date(self.text()?),
                TIME => Cell::Time(self.text()?),
                DATETIME => Cell::DateTime(self.text()?),
                BYTES => {
                    let n = self.len()?;
                    Cell::Bytes(self.bytes(n)?)
                }
                other => return Err(corrupt(&format!("unknown tag {other}"))),
            });
        }
        Ok(row)
    }
}

/// The spool file read from a position on, without moving any shared cursor (so the UI can go
/// on appending and reading while an export reads).
struct FileAt {
    file: File,
    at: u64,
}

impl Read for FileAt {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

/// The rows a result spool held at one moment, readable from any thread while the spool goes
/// on growing: what a CSV export writes, away from the UI task. Cheap to clone (the rows stay
/// in the spool's file); two handles are equal when they are clones of one.
#[derive(Clone)]
pub struct SpoolExport {
    inner: Arc<ExportInner>,
}

struct ExportInner {
    columns: Vec<ColumnInfo>,
    file: File,
    /// Bytes of the rows held (the spool's end when the handle was made).
    end: u64,
    rows: u64,
}

impl SpoolExport {
    /// How many rows it holds.
    pub fn rows(&self) -> u64 {
        self.inner.rows
    }

    /// Writes the rows as CSV to `out` — a header of column names, then each row, fields as
    /// [`Cell::csv_field`] writes them, lines ending in `\n` (what Unix tools and spreadsheets
    /// read; RFC 4180's `\r\n` is not needed by any of them) — reading the file sequentially,
    /// one row in memory at a time. Returns the number of rows written.
    pub fn write_csv(&self, out: &mut impl Write) -> io::Result<u64> {
        let inner = &self.inner;
        let header: Vec<String> = inner
            .columns
            .iter()
            .map(|c| Cell::Text(c.name.clone()).csv_field())
            .collect();
        out.write_all(header.join(",").as_bytes())?;
        out.write_all(b"\n")?;
        let file = FileAt {
            file: inner.file.try_clone()?,
            at: 0,
        };
        let mut rows = Decoder::new(io::BufReader::with_capacity(256 << 10, file), inner.end);
        let mut line = String::new();
        for _ in 0..inner.rows {
            let row = rows.row()?;
            line.clear();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(&cell.csv_field());
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        out.flush()?;
        Ok(inner.rows)
    }

    /// Writes the CSV to a new file at `path` (replacing one there); blocking, so run it off
    /// the UI task. The number of rows written, or what went wrong, naming the file.
    pub fn write_csv_file(&self, path: &Path) -> Result<u64, String> {
        let written = File::create(path).and_then(|file| {
            let mut out = BufWriter::new(file);
            self.write_csv(&mut out)
        });
        written.map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

impl SpoolExport {
    /// [`SpoolExport::write_csv_file`] on tokio's blocking pool: the async caller (the UI
    /// loop) goes on while the disk works.
    pub async fn save_csv(self, path: PathBuf) -> Result<u64, String> {
        let shown = path.display().to_string();
        tokio::task::spawn_blocking(move || self.write_csv_file(&path))
            .await
            .unwrap_or_else(|e| Err(format!("cannot write {shown}: the export stopped ({e})")))
    }
}

impl PartialEq for SpoolExport {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl std::fmt::Debug for SpoolExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpoolExport")
            .field("columns", &self.inner.columns.len())
            .field("rows", &self.inner.rows)
            .finish()
    }
}

impl ResultSpool {
    /// An empty spool for a result set with these columns.
    pub fn new(columns: Vec<ColumnInfo>) -> io::Result<Self> {
        let widths = columns.iter().map(|c| display_width(&c.name)).collect();
        Ok(Self {
            columns,
            file: BufWriter::with_capacity(256 << 10, tempfile::tempfile()?),
            offsets: Vec::new(),
            written: 0,
            dirty: false,
            widths,
        })
    }

    /// Adds rows at the end (and widens the natural column widths to fit them).
    pub fn append(&mut self, rows: &[Vec<Cell>]) -> io::Result<()> {
        let mut buf = Vec::new();
        for row in rows {
            buf.clear();
            encode_row(&mut buf, row);
            self.file.write_all(&buf)?;
            self.offsets.push(self.written);
            self.written += buf.len() as u64;
            self.dirty = true;
            for (i, cell) in row.iter().enumerate() {
                let w = shown_width(cell);
                match self.widths.get_mut(i) {
                    Some(max) => *max = (*max).max(w),
                    None => self.widths.push(w),
                }
            }
        }
        Ok(())
    }

    /// How many rows it holds.
    pub fn len(&self) -> u64 {
        self.offsets.len() as u64
    }

    /// Whether it holds no row.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The result set's columns.
    pub fn columns(&self) -> &[ColumnInfo] {
        &self.columns
    }

    /// Rows `range` (clipped to the rows there are), read back from the file.
    pub fn read(&mut self, range: Range<u64>) -> io::Result<Vec<Vec<Cell>>> {
        let end = range.end.min(self.len());
        if range.start >= end {
            return Ok(Vec::new());
        }
        if self.dirty {
            self.file.flush()?;
            self.dirty = false;
        }
        let index = |row: u64| usize::try_from(row).map_err(|_| corrupt("row index"));
        let from = self.offsets[index(range.start)?];
        let to = match self.offsets.get(index(end)?) {
            Some(&o) => o,
            None => self.written,
        };
        let size = usize::try_from(to - from).map_err(|_| corrupt("range too large"))?;
        let mut bytes = vec![0; size];
        self.file.get_ref().read_exact_at(&mut bytes, from)?;
        let mut decoder = Decoder::new(bytes.as_slice(), bytes.len() as u64);
        (range.start..end).map(|_| decoder.row()).collect()
    }

    /// The widest each column is on screen: its header or its widest value as the grid shows
    /// it (at most [`MAX_CELL_CHARS`] characters), in terminal columns.
    pub fn natural_widths(&self) -> &[usize] {
        &self.widths
    }

    /// A handle on the rows held now, for writing them out from another thread while this
    /// spool goes on taking rows.
    pub fn export(&mut self) -> io::Result<SpoolExport> {
        self.file.flush()?;
        self.dirty = false;
        Ok(SpoolExport {
            inner: Arc::new(ExportInner {
                columns: self.columns.clone(),
                file: self.file.get_ref().try_clone()?,
                end: self.written,
                rows: self.len(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<ColumnInfo> {
        names
            .iter()
            .map(|n| ColumnInfo {
                name: n.to_string(),
                type_name: "TEXT".into(),
            })
            .collect()
    }

    fn every_variant() -> Vec<Cell> {
        vec![
            Cell::Null,
            Cell::Text("NULL".into()),
            Cell::Text(String::new()),
            Cell::Bool(true),
            Cell::Bool(false),
            Cell::Int(i64::MIN),
            Cell::Int(i64::MAX),
            Cell::Int(-1),
            Cell::UInt(u64::MAX),
            Cell::Float(f64::INFINITY),
            Cell::Float(f64::NEG_INFINITY),
            Cell::Float(-0.0),
            Cell::Float(1.5e-300),
            Cell::Decimal("-12345678901234567890.000001".into()),
            Cell::Json(r#"{"a":[1,"接口"]}"#.into()),
            Cell::Date("2026-11-21".into()),
            Cell::Time("-838:59:59".into()),
            Cell::DateTime("2026-11-21 19:17:22+01:00".into()),
            Cell::Bytes(vec![0xff, 0xfe, 0x00, 0x80]),
            Cell::Bytes(Vec::new()),
            Cell::Text("接口.example".into()),
        ]
    }

    #[test]
    fn widths_are_measured_as_the_grid_shows_the_cells() {
        let mut cells = every_variant();
        cells.extend([
            Cell::Int(i64::MIN),
            Cell::Int(0),
            Cell::UInt(u64::MAX),
            Cell::Float(-0.1),
            Cell::Float(1e300),
            Cell::Float(f64::NAN),
            Cell::Text(String::new()),
            Cell::Text("tab\there".into()),
            Cell::Text("接口.example".into()),
            Cell::Text("x".repeat(MAX_CELL_CHARS)),
            Cell::Text("x".repeat(MAX_CELL_CHARS + 1)),
            Cell::Decimal("142857.1429".into()),
            Cell::DateTime("2026-01-01 00:00:01".into()),
        ]);
        for cell in &cells {
            let shown = display_width(&cell.display(MAX_CELL_CHARS));
            assert_eq!(shown_width(cell), shown, "{cell:?}");
        }
    }

    #[test]
    fn every_variant_round_trips() {
        let row = every_variant();
        let mut spool = ResultSpool::new(cols(&["a"])).expect("spool");
        spool
            .append(&[row.clone(), vec![Cell::Float(f64::NAN)], vec![]])
            .expect("append");
        assert_eq!(spool.len(), 3);
        let back = spool.read(0..3).expect("read");
        assert_eq!(back[0], row);
        // NaN is not equal to itself: compare its bits.
        match &back[1][..] {
            [Cell::Float(f)] => assert_eq!(f.to_bits(), f64::NAN.to_bits()),
            other => panic!("{other:?}"),
        }
        assert!(back[2].is_empty());
        assert_ne!(back[0][0], back[0][1], "NULL is not the text NULL");
    }

    #[test]
    fn a_ten_megabyte_value_round_trips() {
        let big: String = (0..10 << 20)
            .map(|i| (b'a' + (i % 26) as u8) as char)
            .collect();
        let mut spool = ResultSpool::new(cols(&["big", "n"])).expect("spool");
        spool
            .append(&[
                vec![Cell::Int(1), Cell::Null],
                vec![Cell::Text(big.clone()), Cell::Int(2)],
                vec![Cell::Int(3), Cell::Null],
            ])
            .expect("append");
        let back = spool.read(1..2).expect("read");
        assert_eq!(back, vec![vec![Cell::Text(big), Cell::Int(2)]]);
        assert_eq!(spool.read(2..3).expect("read")[0][0], Cell::Int(3));
        assert_eq!(spool.natural_widths()[0], MAX_CELL_CHARS);
    }

    #[test]
    fn reads_clip_and_interleave_with_appends() {
        let mut spool = ResultSpool::new(cols(&["n"])).expect("spool");
        assert!(spool.is_empty());
        assert!(spool.read(0..10).expect("read").is_empty());
        spool.append(&[vec![Cell::Int(0)]]).expect("append");
        assert_eq!(spool.read(0..10).expect("read"), vec![vec![Cell::Int(0)]]);
        spool.append(&[vec![Cell::Int(1)]]).expect("append");
        assert_eq!(spool.read(1..2).expect("read"), vec![vec![Cell::Int(1)]]);
        assert!(spool.read(5..9).expect("read").is_empty());
        #[allow(clippy::reversed_empty_ranges)]
        let backwards = spool.read(2..1).expect("read");
        assert!(backwards.is_empty());
    }

    fn row_for(i: u64) -> Vec<Cell> {
        vec![
            Cell::UInt(i),
            if i.is_multiple_of(7) {
                Cell::Null
            } else {
                Cell::Text(format!("host-{i}"))
            },
            Cell::Float(i as f64 / 3.0),
            Cell::Bytes(i.to_be_bytes()[..(i % 9) as usize].to_vec()),
        ]
    }

    #[test]
    fn two_hundred_thousand_rows_read_back_at_random() {
        let mut spool = ResultSpool::new(cols(&["id", "name", "ratio", "raw"])).expect("spool");
        let n: u64 = 200_000;
        let mut batch = Vec::new();
        for i in 0..n {
            batch.push(row_for(i));
            if batch.len() == 256 {
                spool.append(&batch).expect("append");
                batch.clear();
            }
        }
        spool.append(&batch).expect("append");
        assert_eq!(spool.len(), n);
        // A small deterministic PRNG picks the ranges.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let start = seed % n;
            let len = (seed >> 32) % 300;
            let rows = spool.read(start..start + len).expect("read");
            assert_eq!(rows.len() as u64, len.min(n - start));
            for (k, row) in rows.iter().enumerate() {
                assert_eq!(row, &row_for(start + k as u64));
            }
        }
        let last = spool.read(n - 1..n + 5).expect("read");
        assert_eq!(last, vec![row_for(n - 1)]);
        let widths = spool.natural_widths();
        assert_eq!(widths[0], "199999".len());
        assert_eq!(widths[1], "host-199999".len());
    }

    #[test]
    fn natural_widths_count_headers_and_wide_text() {
        let mut spool = ResultSpool::new(cols(&["a_long_header", "h"])).expect("spool");
        assert_eq!(spool.natural_widths(), &[13, 1]);
        spool
            .append(&[vec![Cell::Int(5), Cell::Text("接口.example".into())]])
            .expect("append");
        assert_eq!(spool.natural_widths(), &[13, 12]);
        spool
            .append(&[vec![Cell::Null, Cell::Null]])
            .expect("append");
        assert_eq!(spool.natural_widths(), &[13, 12]);
    }

    #[test]
    fn csv_export_streams_every_row() {
        let mut spool = ResultSpool::new(cols(&["id", "note, with comma"])).expect("spool");
        spool
            .append(&[
                vec![Cell::Int(1), Cell::Null],
                vec![Cell::Int(2), Cell::Text("NULL".into())],
                vec![Cell::Int(3), Cell::Text("a \"q\"\nb".into())],
                vec![Cell::Int(4), Cell::Bytes(vec![0xde, 0xad])],
            ])
            .expect("append");
        let mut out = Vec::new();
        let export = spool.export().expect("export");
        assert_eq!(export.write_csv(&mut out).expect("write"), 4);
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "id,\"note, with comma\"\n1,\n2,NULL\n3,\"a \"\"q\"\"\nb\"\n4,0xdead\n"
        );
        // Many rows, a ten-megabyte one among them.
        let mut spool = ResultSpool::new(cols(&["n"])).expect("spool");
        let rows: Vec<Vec<Cell>> = (0..3000).map(|i| vec![Cell::Int(i)]).collect();
        spool.append(&rows).expect("append");
        spool
            .append(&[vec![Cell::Text("z".repeat(10 << 20))]])
            .expect("append");
        let mut out = Vec::new();
        let export = spool.export().expect("export");
        assert_eq!(export.write_csv(&mut out).expect("write"), 3001);
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3002);
        assert_eq!(lines[0], "n");
        assert_eq!(lines[2048], "2047");
        assert_eq!(lines[3000], "2999");
        assert_eq!(lines[3001].len(), 10 << 20);
    }

    #[test]
    fn an_export_holds_the_rows_of_its_moment_while_the_spool_grows() {
        let mut spool = ResultSpool::new(cols(&["n"])).expect("spool");
        spool.append(&[vec![Cell::Int(1)]]).expect("append");
        let export = spool.export().expect("export");
        let other = export.clone();
        assert_eq!(export, other);
        assert_ne!(export, spool.export().expect("another"));
        spool.append(&[vec![Cell::Int(2)]]).expect("append");
        let writer = std::thread::spawn(move || {
            let mut out = Vec::new();
            other.write_csv(&mut out).map(|n| (n, out))
        });
        spool.append(&[vec![Cell::Int(3)]]).expect("append");
        assert_eq!(spool.read(0..3).expect("read").len(), 3);
        let (n, out) = writer.join().expect("thread").expect("write");
        assert_eq!(
            (n, String::from_utf8(out).expect("utf8")),
            (1, "n\n1\n".into())
        );
        assert_eq!(export.rows(), 1);

        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("out.csv");
        assert_eq!(export.write_csv_file(&path), Ok(1));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "n\n1\n");
        let missing = dir.path().join("no/such/dir.csv");
        let e = export.write_csv_file(&missing).expect_err("no such folder");
        assert!(
            e.starts_with(&format!("cannot write {}", missing.display())),
            "{e}"
        );
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_a_panic() {
        let cases: [&[u8]; 3] = [
            &[1, 42],
            &[
                1, TEXT, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ],
            &[1, TEXT, 2, 0xff, 0xfe],
        ];
        for bytes in cases {
            let mut d = Decoder::new(bytes, bytes.len() as u64);
            assert!(d.row().is_err(), "{bytes:?}");
        }
        // A length past the end is refused before anything is allocated for it.
        let bytes: &[u8] = &[1, TEXT, 0xff, 0xff, 0xff, 0xff, 0x0f];
        let mut d = Decoder::new(bytes, bytes.len() as u64);
        assert!(d.row().is_err());
    }
}
