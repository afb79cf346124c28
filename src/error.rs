//! One error type for everything a user can get wrong. Each variant renders as a single line
//! that names the file (and line and field where known); `exit_code` maps it to the CLI status.

use std::fmt;
use std::path::{Path, PathBuf};

// The exit statuses of every command, in one place.
/// Success.
pub const EXIT_OK: i32 = 0;
/// The command ran, and something it judged failed: some runs failed (retrying may help), a
/// check failed, `reproduce` found a difference.
pub const EXIT_FAILED: i32 = 1;
/// A configuration or usage error (bad YAML, bad arguments, unwritable output, ...): do not retry.
pub const EXIT_CONFIG: i32 = 2;
/// `merge` found runs of the plan without any record.
pub const EXIT_INCOMPLETE: i32 = 3;
/// The reader of our output went away (`sweeplab ... | head`): what a tool killed by SIGPIPE
/// reports (128 + 13).
pub const EXIT_BROKEN_PIPE: i32 = 141;

#[derive(Debug)]
pub enum Error {
    /// The experiment file (or a file it points to) is wrong.
    Config {
        file: PathBuf,
        line: Option<usize>,
        field: Option<String>,
        message: String,
    },
    /// Reading or writing a file failed.
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    /// Anything else the user should see as one line.
    Other(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn config(file: &Path, line: Option<usize>, field: Option<&str>, message: impl Into<String>) -> Self {
        Error::Config {
            file: file.to_path_buf(),
            line,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    pub fn io(path: &Path, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }

    pub fn exit_code(&self) -> i32 {
        EXIT_CONFIG
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config {
                file,
                line,
                field,
                message,
            } => {
                write!(f, "{}", file.display())?;
                if let Some(line) = line {
                    write!(f, ":{line}")?;
                }
                write!(f, ": ")?;
                if let Some(field) = field {
                    write!(f, "{field}: ")?;
                }
                write!(f, "{message}")
            }
            Error::Io { path, action, source } => write!(f, "{}: cannot {action}: {source}", path.display()),
            Error::Other(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for Error {}
