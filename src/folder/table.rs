//! A CSV file opened with its header resolved: columns are found by name (an added column
//! breaks nothing) and every error names the file, and the line and column where known.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

pub(super) struct Table {
    path: PathBuf,
    reader: csv::Reader<std::fs::File>,
    header: csv::StringRecord,
}

impl Table {
    pub(super) fn open(path: &Path) -> Result<Self> {
        let file = crate::input::open_regular(path).map_err(|e| Error::io(path, "read", e))?;
        let mut reader = csv::Reader::from_reader(file);
        let header = reader.headers().map_err(|e| csv_error(path, e))?.clone();
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            header,
        })
    }

    /// Indices of `names` in the header, or an error naming the first missing column.
    pub(super) fn columns<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N]> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self
                .column(name)
                .ok_or_else(|| Error::config(&self.path, Some(1), None, format!("missing column `{name}`")))?;
        }
        Ok(out)
    }

    /// The index of a column that older files may lack.
    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Calls `row` for every record with a cell getter that parses and reports bad values.
    pub(super) fn for_each(&mut self, mut row: impl FnMut(&Cells) -> Result<()>) -> Result<()> {
        for record in self.reader.records() {
            let record = record.map_err(|e| csv_error(&self.path, e))?;
            let line = record.position().map(|p| p.line() as usize);
            row(&Cells {
                path: &self.path,
                header: &self.header,
                record: &record,
                line,
            })?;
        }
        Ok(())
    }
}

/// One record of a [`Table`].
pub(super) struct Cells<'a> {
    path: &'a Path,
    header: &'a csv::StringRecord,
    record: &'a csv::StringRecord,
    line: Option<usize>,
}

impl Cells<'_> {
    pub(super) fn text(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or("")
    }

    pub(super) fn parse<T: std::str::FromStr>(&self, column: usize) -> Result<T> {
        let text = self.text(column);
        text.trim().parse().map_err(|_| {
            self.error(
                self.header.get(column).unwrap_or("?"),
                format!("cannot read `{text}` as a {}", std::any::type_name::<T>()),
            )
        })
    }

    /// A count parsed and bounded: sizes are later allocated from it.
    pub(super) fn parse_at_most(&self, column: usize, max: usize) -> Result<usize> {
        let n: usize = self.parse(column)?;
        if n > max {
            return Err(self.error(
                self.header.get(column).unwrap_or("?"),
                format!("{n} is more than the largest allowed, {max}"),
            ));
        }
        Ok(n)
    }

    /// An error located at this record's line and the column `field`.
    pub(super) fn error(&self, field: &str, message: impl Into<String>) -> Error {
        Error::config(self.path, self.line, Some(field), message)
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this row has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not UTF-8 text", err.field() + 1),
        csv::ErrorKind::Io(_) => match e.into_kind() {
            csv::ErrorKind::Io(io) => return Error::io(path, "read", io),
            _ => unreachable!("matched as an io error"),
        },
        _ => format!("not a valid CSV file: {e}"),
    };
    Error::config(path, line, None, message)
}
