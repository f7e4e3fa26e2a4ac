//! Rows of any result set as [`Cell`]s, whatever the column types: the console shows what the
//! operator typed, so the types are only known when the rows arrive.
//!
//! Values are taken as the server sent them and read by the column's type name: without bind
//! parameters MySQL answers in its text protocol and PostgreSQL in its simple-query protocol
//! (every value is text); with bind parameters both answer in their binary formats, which are
//! read here byte by byte. SQLite values are read by their storage class. Nothing here fails:
//! an unknown type is text when its bytes are UTF-8, bytes otherwise.

use crate::core::sql::{Cell, ColumnInfo};
use sqlx::decode::Decode;
use sqlx::mysql::{MySql, MySqlRow, MySqlTypeInfo};
use sqlx::postgres::{PgRow, PgValueFormat, PgValueRef};
use sqlx::sqlite::{Sqlite, SqliteRow, SqliteValueRef};
use sqlx::{Column, Row, Type, TypeInfo, ValueRef};

/// The columns of a row: names and the server's type names.
pub(super) fn columns_of<R: Row>(row: &R) -> Vec<ColumnInfo> {
    row.columns()
        .iter()
        .map(|c| ColumnInfo {
            name: c.name().to_string(),
            type_name: c.type_info().name().to_string(),
        })
        .collect()
}

/// Text when the bytes are UTF-8, bytes otherwise.
fn text_or_bytes(bytes: &[u8]) -> Cell {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cell::Text(text.to_string()),
        Err(_) => Cell::Bytes(bytes.to_vec()),
    }
}

/// A value the server wrote as text, checked to be UTF-8 and put in `make`.
fn textual(bytes: &[u8], make: fn(String) -> Cell) -> Cell {
    match std::str::from_utf8(bytes) {
        Ok(text) => make(text.to_string()),
        Err(_) => Cell::Bytes(bytes.to_vec()),
    }
}

/// An integer written as text; out of `i64` range it is `UInt`, and anything else stays text.
fn int_text(bytes: &[u8]) -> Cell {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Cell::Bytes(bytes.to_vec());
    };
    if let Ok(v) = text.parse::<i64>() {
        Cell::Int(v)
    } else if let Ok(v) = text.parse::<u64>() {
        Cell::UInt(v)
    } else {
        Cell::Text(text.to_string())
    }
}

fn float_text(bytes: &[u8]) -> Cell {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Cell::Bytes(bytes.to_vec());
    };
    match text.parse::<f64>() {
        Ok(v) => Cell::Float(v),
        Err(_) => Cell::Text(text.to_string()),
    }
}

/// An `f32` as the `f64` its shortest text reads as (`0.1`, not `0.10000000149011612`).
fn widen(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

fn fixed<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    bytes.get(..N)?.try_into().ok()
}

// ---------------------------------------------------------------------------------- MySQL

/// Turns the rows of one driver's result sets into cells.
pub(super) trait RowReader<R> {
    /// A new result set starts with `row`.
    fn columns(&mut self, row: &R);
    /// The row's values as cells.
    fn row(&self, row: &R) -> Vec<Cell>;
}

/// Reads PostgreSQL and SQLite rows: their values say their own type and format, so there is
/// nothing to work out a result set.
pub(super) struct ByValue;

impl RowReader<PgRow> for ByValue {
    fn columns(&mut self, _: &PgRow) {}
    fn row(&self, row: &PgRow) -> Vec<Cell> {
        pg_row(row)
    }
}

impl RowReader<SqliteRow> for ByValue {
    fn columns(&mut self, _: &SqliteRow) {}
    fn row(&self, row: &SqliteRow) -> Vec<Cell> {
        sqlite_row(row)
    }
}

/// One MySQL/MariaDB row; `binary` when it came from a prepared statement.
pub(super) fn mysql_row(row: &MySqlRow, binary: bool) -> Vec<Cell> {
    let mut reader = MySqlReader::new(binary);
    reader.columns(row);
    reader.row(row)
}

/// Reads the rows of MySQL/MariaDB result sets: how each column's values read is worked out
/// from its type once a result set, not again for every value (a million-row result has six
/// million values).
pub(super) struct MySqlReader {
    binary: bool,
    kinds: Vec<MySqlKind>,
}

impl MySqlReader {
    /// A reader of rows from the text protocol, or the binary one (`binary`: a prepared
    /// statement's).
    pub(super) fn new(binary: bool) -> Self {
        Self {
            binary,
            kinds: Vec::new(),
        }
    }
}

impl RowReader<MySqlRow> for MySqlReader {
    fn columns(&mut self, row: &MySqlRow) {
        self.kinds = row
            .columns()
            .iter()
            .map(|c| MySqlKind::of(c.type_info()))
            .collect();
    }

    fn row(&self, row: &MySqlRow) -> Vec<Cell> {
        (0..row.len())
            .map(|i| match row.try_get_raw(i) {
                Ok(value) if value.is_null() => Cell::Null,
                Ok(value) => {
                    let kind = match self.kinds.get(i) {
                        Some(kind) => *kind,
                        None => MySqlKind::of(&value.type_info()),
                    };
                    match <&[u8] as Decode<MySql>>::decode(value) {
                        Ok(bytes) => kind.cell(bytes, self.binary),
                        Err(_) => Cell::Null,
                    }
                }
                Err(_) => Cell::Null,
            })
            .collect()
    }
}

/// How the values of a MySQL/MariaDB column read, by its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MySqlKind {
    Null,
    Int {
        unsigned: bool,
    },
    Float,
    Double,
    Decimal,
    Date,
    DateTime,
    Time,
    Json,
    Bytes,
    /// Text when the bytes are UTF-8, bytes otherwise.
    Text,
}

impl MySqlKind {
    fn of(info: &MySqlTypeInfo) -> Self {
        let is_text = <str as Type<MySql>>::compatible(info);
        let name = info.name();
        let unsigned = name.ends_with("UNSIGNED");
        match name.trim_end_matches(" UNSIGNED") {
            "NULL" => Self::Null,
            "BOOLEAN" | "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" | "YEAR" => {
                Self::Int { unsigned }
            }
            "FLOAT" => Self::Float,
            "DOUBLE" => Self::Double,
            "DECIMAL" => Self::Decimal,
            "DATE" => Self::Date,
            "DATETIME" | "TIMESTAMP" => Self::DateTime,
            "TIME" => Self::Time,
            "JSON" => Self::Json,
            "BIT" | "GEOMETRY" => Self::Bytes,
            // Character columns with a real character set are text (the server converts them
            // to the connection's utf8mb4, but a session may ask for raw bytes);
            // binary-collation columns (BINARY, VARBINARY, BLOB, CAST(… AS BINARY)) are bytes.
            _ if is_text => Self::Text,
            "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" => Self::Bytes,
            _ => Self::Text,
        }
    }

    /// A value of this kind, as the server sent it (`binary`: in the binary protocol).
    fn cell(self, bytes: &[u8], binary: bool) -> Cell {
        match self {
            Self::Null => Cell::Null,
            Self::Int { unsigned } if binary => mysql_binary_int(bytes, unsigned),
            Self::Int { .. } => int_text(bytes),
            Self::Float if binary => fixed::<4>(bytes)
                .map(|b| Cell::Float(widen(f32::from_le_bytes(b))))
                .unwrap_or_else(|| Cell::Bytes(bytes.to_vec())),
            Self::Double if binary => fixed::<8>(bytes)
                .map(|b| Cell::Float(f64::from_le_bytes(b)))
                .unwrap_or_else(|| Cell::Bytes(bytes.to_vec())),
            Self::Float | Self::Double => float_text(bytes),
            Self::Decimal => textual(bytes, Cell::Decimal),
            Self::Date if binary => Cell::Date(mysql_binary_datetime(bytes)),
            Self::DateTime if binary => Cell::DateTime(mysql_binary_datetime(bytes)),
            Self::Time if binary => Cell::Time(mysql_binary_time(bytes)),
            Self::Date => textual(bytes, Cell::Date),
            Self::DateTime => textual(bytes, Cell::DateTime),
            Self::Time => textual(bytes, Cell::Time),
            Self::Json => textual(bytes, Cell::Json),
            Self::Bytes => Cell::Bytes(bytes.to_vec()),
            Self::Text => text_or_bytes(bytes),
        }
    }
}

/// A binary-protocol integer: little-endian, as wide as the value.
fn mysql_binary_int(bytes: &[u8], unsigned: bool) -> Cell {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    let raw = u64::from_le_bytes(buf);
    if unsigned {
        return match i64::try_from(raw) {
            Ok(v) => Cell::Int(v),
            Err(_) => Cell::UInt(raw),
        };
    }
    // Sign-extend from the value's width.
    let shift = 64 - 8 * n as u32;
    if n == 0 {
        return Cell::Int(0);
    }
    Cell::Int(((raw << shift) as i64) >> shift)
}

/// `[len] year(2) month day [hour min sec [micros(4)]]` as `YYYY-MM-DD[ HH:MM:SS[.ffffff]]`.
fn mysql_binary_datetime(bytes: &[u8]) -> String {
    let body = bytes.get(1..).unwrap_or_default();
    if body.len() < 4 {
        return "0000-00-00".into();
    }
    let year = u16::from_le_bytes([body[0], body[1]]);
    let mut out = format!("{year:04}-{:02}-{:02}", body[2], body[3]);
    if body.len() >= 7 {
        out.push_str(&format!(" {:02}:{:02}:{:02}", body[4], body[5], body[6]));
    }
    if let Some(micros) = body.get(7..11).and_then(fixed::<4>).map(u32::from_le_bytes)
        && micros != 0
    {
        out.push_str(&format!(".{micros:06}"));
    }
    out
}

/// `[len] negative days(4) hour min sec [micros(4)]` as `[-]HHH:MM:SS[.ffffff]`.
fn mysql_binary_time(bytes: &[u8]) -> String {
    let body = bytes.get(1..).unwrap_or_default();
    if body.len() < 8 {
        return "00:00:00".into();
    }
    let negative = body[0] != 0;
    let days = fixed::<4>(&body[1..5]).map_or(0, u32::from_le_bytes);
    let hours = u64::from(days) * 24 + u64::from(body[5]);
    let mut out = format!(
        "{}{hours:02}:{:02}:{:02}",
        if negative { "-" } else { "" },
        body[6],
        body[7]
    );
    if let Some(micros) = body.get(8..12).and_then(fixed::<4>).map(u32::from_le_bytes)
        && micros != 0
    {
        out.push_str(&format!(".{micros:06}"));
    }
    out
}

// ------------------------------------------------------------------------------- PostgreSQL

/// One PostgreSQL row (text or binary format, as each value says).
pub(super) fn pg_row(row: &PgRow) -> Vec<Cell> {
    (0..row.len())
        .map(|i| match row.try_get_raw(i) {
            Ok(value) => pg_value(value),
            Err(_) => Cell::Null,
        })
        .collect()
}

fn pg_value(value: PgValueRef<'_>) -> Cell {
    if value.is_null() {
        return Cell::Null;
    }
    let format = value.format();
    let info = value.type_info().into_owned();
    let Ok(bytes) = value.as_bytes() else {
        return Cell::Null;
    };
    match format {
        PgValueFormat::Text => pg_text(info.name(), bytes),
        PgValueFormat::Binary => pg_binary(info.name(), bytes),
    }
}

fn pg_text(name: &str, bytes: &[u8]) -> Cell {
    match name {
        "BOOL" => match bytes {
            b"t" => Cell::Bool(true),
            b"f" => Cell::Bool(false),
            _ => text_or_bytes(bytes),
        },
        "INT2" | "INT4" | "INT8" | "OID" => int_text(bytes),
        "FLOAT4" | "FLOAT8" => float_text(bytes),
        "NUMERIC" => textual(bytes, Cell::Decimal),
        "DATE" => textual(bytes, Cell::Date),
        "TIME" | "TIMETZ" | "INTERVAL" => textual(bytes, Cell::Time),
        "TIMESTAMP" | "TIMESTAMPTZ" => textual(bytes, Cell::DateTime),
        "JSON" | "JSONB" => textual(bytes, Cell::Json),
        "BYTEA" => match bytes.strip_prefix(b"\\x").map(hex::decode) {
            Some(Ok(decoded)) => Cell::Bytes(decoded),
            _ => Cell::Bytes(bytes.to_vec()),
        },
        _ => text_or_bytes(bytes),
    }
}

fn pg_binary(name: &str, bytes: &[u8]) -> Cell {
    let cell = match name {
        "BOOL" => bytes.first().map(|b| Cell::Bool(*b != 0)),
        "INT2" => fixed::<2>(bytes).map(|b| Cell::Int(i16::from_be_bytes(b).into())),
        "INT4" => fixed::<4>(bytes).map(|b| Cell::Int(i32::from_be_bytes(b).into())),
        "INT8" => fixed::<8>(bytes).map(|b| Cell::Int(i64::from_be_bytes(b))),
        "OID" => fixed::<4>(bytes).map(|b| Cell::Int(u32::from_be_bytes(b).into())),
        "FLOAT4" => fixed::<4>(bytes).map(|b| Cell::Float(widen(f32::from_be_bytes(b)))),
        "FLOAT8" => fixed::<8>(bytes).map(|b| Cell::Float(f64::from_be_bytes(b))),
        "NUMERIC" => pg_numeric(bytes).map(Cell::Decimal),
        "DATE" => fixed::<4>(bytes).map(|b| Cell::Date(pg_date(i32::from_be_bytes(b)))),
        "TIME" => fixed::<8>(bytes).map(|b| Cell::Time(clock(i64::from_be_bytes(b)))),
        "TIMESTAMP" => fixed::<8>(bytes).map(|b| Cell::DateTime(pg_timestamp(b, ""))),
        "TIMESTAMPTZ" => fixed::<8>(bytes).map(|b| Cell::DateTime(pg_timestamp(b, "+00"))),
        "INTERVAL" => pg_interval(bytes).map(Cell::Time),
        "UUID" => fixed::<16>(bytes).map(|b| {
            let h = hex::encode(b);
            Cell::Text(format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            ))
        }),
        "JSON" => Some(textual(bytes, Cell::Json)),
        // JSONB: a version byte (1), then the text.
        "JSONB" => Some(textual(bytes.get(1..).unwrap_or_default(), Cell::Json)),
        "BYTEA" => Some(Cell::Bytes(bytes.to_vec())),
        "TEXT" | "VARCHAR" | "CHAR" | "NAME" | "\"CHAR\"" | "CITEXT" | "UNKNOWN" | "VOID" => {
            Some(text_or_bytes(bytes))
        }
        // Other types (enums send their label; the rest their own binary layout).
        _ => Some(Cell::Bytes(bytes.to_vec())),
    };
    cell.unwrap_or_else(|| Cell::Bytes(bytes.to_vec()))
}

/// PostgreSQL's epoch, 2000-01-01, as days since 1970-01-01.
const PG_EPOCH_DAYS: i64 = 10_957;

fn pg_date(days: i32) -> String {
    match days {
        i32::MAX => "infinity".into(),
        i32::MIN => "-infinity".into(),
        _ => chrono::DateTime::from_timestamp((PG_EPOCH_DAYS + i64::from(days)) * 86_400, 0)
            .map_or_else(|| days.to_string(), |d| d.format("%Y-%m-%d").to_string()),
    }
}

/// Microseconds since midnight as `HH:MM:SS[.ffffff]`.
fn clock(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let mut out = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    );
    push_fraction(&mut out, micros.rem_euclid(1_000_000));
    out
}

/// `.ffffff` without trailing zeros, as PostgreSQL writes fractional seconds.
fn push_fraction(out: &mut String, micros: i64) {
    if micros != 0 {
        let digits = format!("{micros:06}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

fn pg_timestamp(b: [u8; 8], offset: &str) -> String {
    let micros = i64::from_be_bytes(b);
    match micros {
        i64::MAX => return "infinity".into(),
        i64::MIN => return "-infinity".into(),
        _ => {}
    }
    let since_1970 = micros + PG_EPOCH_DAYS * 86_400 * 1_000_000;
    let secs = since_1970.div_euclid(1_000_000);
    let frac = since_1970.rem_euclid(1_000_000);
    let Some(at) = chrono::DateTime::from_timestamp(secs, 0) else {
        return micros.to_string();
    };
    let mut out = at.format("%Y-%m-%d %H:%M:%S").to_string();
    push_fraction(&mut out, frac);
    out.push_str(offset);
    out
}

/// `micros(8) days(4) months(4)` as PostgreSQL writes it: `1 year 2 mons 3 days 04:05:06`.
fn pg_interval(bytes: &[u8]) -> Option<String> {
    let micros = i64::from_be_bytes(fixed::<8>(bytes)?);
    let days = i32::from_be_bytes(fixed::<4>(bytes.get(8..)?)?);
    let months = i32::from_be_bytes(fixed::<4>(bytes.get(12..)?)?);
    let mut parts = Vec::new();
    for (n, one, many) in [
        (months / 12, "year", "years"),
        (months % 12, "mon", "mons"),
        (days, "day", "days"),
    ] {
        if n != 0 {
            parts.push(format!("{n} {}", if n.abs() == 1 { one } else { many }));
        }
    }
    if micros != 0 || parts.is_empty() {
        let sign = if micros < 0 { "-" } else { "" };
        let abs = i64::try_from(micros.unsigned_abs()).unwrap_or(i64::MAX);
        parts.push(format!("{sign}{}", clock(abs)));
    }
    Some(parts.join(" "))
}

/// NUMERIC's binary form: `ndigits weight sign dscale` then base-10000 digits, written out
/// exactly (no rounding through a float or a 28-digit decimal).
fn pg_numeric(bytes: &[u8]) -> Option<String> {
    let word =
        |i: usize| -> Option<u16> { fixed::<2>(bytes.get(i * 2..)?).map(u16::from_be_bytes) };
    let ndigits = i64::from(word(0)?);
    let weight = i64::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = usize::from(word(3)?);
    match sign {
        0xC000 => return Some("NaN".into()),
        0xD000 => return Some("Infinity".into()),
        0xF000 => return Some("-Infinity".into()),
        _ => {}
    }
    let digit = |i: i64| -> Option<u16> {
        if i < 0 || i >= ndigits {
            Some(0)
        } else {
            word(4 + usize::try_from(i).ok()?)
        }
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for i in 0..=weight {
            let d = digit(i)?;
            if i == 0 {
                out.push_str(&d.to_string());
            } else {
                out.push_str(&format!("{d:04}"));
            }
        }
    }
    if dscale > 0 {
        let mut frac = String::new();
        let mut i = weight + 1;
        while frac.len() < dscale {
            frac.push_str(&format!("{:04}", digit(i)?));
            i += 1;
        }
        frac.truncate(dscale);
        out.push('.');
        out.push_str(&frac);
    }
    Some(out)
}

// ----------------------------------------------------------------------------------- SQLite

/// One SQLite row, each value by its storage class (not the declared column type).
pub(super) fn sqlite_row(row: &SqliteRow) -> Vec<Cell> {
    (0..row.len())
        .map(|i| match row.try_get_raw(i) {
            Ok(value) => sqlite_value(value),
            Err(_) => Cell::Null,
        })
        .collect()
}

fn sqlite_value(value: SqliteValueRef<'_>) -> Cell {
    if value.is_null() {
        return Cell::Null;
    }
    let class = value.type_info().name().to_string();
    match class.as_str() {
        "INTEGER" => <i64 as Decode<Sqlite>>::decode(value).map_or(Cell::Null, Cell::Int),
        "REAL" => <f64 as Decode<Sqlite>>::decode(value).map_or(Cell::Null, Cell::Float),
        "BLOB" => {
            <&[u8] as Decode<Sqlite>>::decode(value).map_or(Cell::Null, |b| Cell::Bytes(b.to_vec()))
        }
        _ => <&[u8] as Decode<Sqlite>>::decode(value).map_or(Cell::Null, text_or_bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(ndigits: u16, weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> Vec<u8> {
        let mut b = Vec::new();
        for w in [ndigits, weight as u16, sign, dscale].iter().chain(digits) {
            b.extend_from_slice(&w.to_be_bytes());
        }
        b
    }

    #[test]
    fn pg_numeric_is_written_out_exactly() {
        // 12345678901234.567890 = 12 3456 7890 1234 . 5678 9000
        let b = numeric(6, 3, 0, 6, &[12, 3456, 7890, 1234, 5678, 9000]);
        assert_eq!(pg_numeric(&b).as_deref(), Some("12345678901234.567890"));
        // -0.000123, scale 6: groups 0001 (10^-4) and 2300 (10^-8)
        let b = numeric(2, -1, 0x4000, 6, &[1, 2300]);
        assert_eq!(pg_numeric(&b).as_deref(), Some("-0.000123"));
        let b = numeric(0, 0, 0, 2, &[]);
        assert_eq!(pg_numeric(&b).as_deref(), Some("0.00"));
        let b = numeric(1, 1, 0, 0, &[5]);
        assert_eq!(pg_numeric(&b).as_deref(), Some("50000"));
        assert_eq!(
            pg_numeric(&numeric(0, 0, 0xC000, 0, &[])).as_deref(),
            Some("NaN")
        );
    }

    #[test]
    fn mysql_binary_values() {
        assert_eq!(mysql_binary_int(&[0xff], false), Cell::Int(-1));
        assert_eq!(mysql_binary_int(&[0xff], true), Cell::Int(255));
        assert_eq!(mysql_binary_int(&[0xff; 8], true), Cell::UInt(u64::MAX));
        assert_eq!(
            mysql_binary_int(&[0xfe, 0xff, 0xff, 0xff], false),
            Cell::Int(-2)
        );
        // -838:59:59 = 34 days 22 h
        assert_eq!(
            mysql_binary_time(&[8, 1, 34, 0, 0, 0, 22, 59, 59]),
            "-838:59:59"
        );
        assert_eq!(
            mysql_binary_datetime(&[11, 0xea, 0x07, 11, 21, 10, 5, 7, 0x40, 0xe2, 0x01, 0]),
            "2026-11-21 10:05:07.123456"
        );
        assert_eq!(
            mysql_binary_datetime(&[4, 0xea, 0x07, 11, 21]),
            "2026-11-21"
        );
    }

    #[test]
    fn pg_binary_dates_and_times() {
        assert_eq!(pg_date(0), "2000-01-01");
        assert_eq!(pg_date(-1), "1999-12-31");
        assert_eq!(clock(3_723_000_001), "01:02:03.000001");
        assert_eq!(
            pg_timestamp(0i64.to_be_bytes(), "+00"),
            "2000-01-01 00:00:00+00"
        );
        assert_eq!(widen(0.1f32), 0.1f64);
    }
}
