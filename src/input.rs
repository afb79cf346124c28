//! Reading the files a user points sweeplab at (the experiment, text datasets, weights files,
//! plan files, results folders): only regular files, because a FIFO or a device would block
//! forever or never end; at most a documented size (`docs/conventions.md`), checked while
//! reading so that `/dev/zero` behind a symlink cannot grow without bound; and YAML whose
//! nesting depth is bounded before the parser sees it, since deeply nested flow collections
//! make the parser's work grow roughly quadratically.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// The largest experiment file (and stored `experiment.yaml`) read.
pub const MAX_EXPERIMENT_BYTES: u64 = 16 << 20;
/// The largest text dataset or weights file read.
pub const MAX_DATA_BYTES: u64 = 1 << 30;
/// The largest run record, manifest or plan file read.
pub const MAX_RECORD_BYTES: u64 = 1 << 30;
/// The deepest nesting of YAML collections accepted (experiment files nest about 5 deep).
pub const MAX_YAML_DEPTH: usize = 64;

/// Opens `path` for reading if it is a regular file (symlinks followed); a FIFO, a device or a
/// folder is refused without blocking on it.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO without O_NONBLOCK waits for a writer; on regular files it changes nothing.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Err(std::io::Error::other(format!("it is {kind}")));
    }
    Ok(file)
}

/// The bytes of the regular file `path`, refused beyond `cap` bytes.
pub fn read_limited(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::other(format!(
            "it is larger than the limit of {}",
            human_bytes(cap)
        )));
    }
    Ok(bytes)
}

/// [`read_limited`] with the error naming the file and what was being done.
pub fn read_bytes(path: &Path, action: &'static str, cap: u64) -> Result<Vec<u8>> {
    read_limited(path, cap).map_err(|e| Error::io(path, action, e))
}

/// [`read_bytes`] as UTF-8 text.
pub fn read_text(path: &Path, action: &'static str, cap: u64) -> Result<String> {
    let bytes = read_bytes(path, action, cap)?;
    String::from_utf8(bytes).map_err(|_| Error::io(path, action, std::io::Error::other("it is not UTF-8 text")))
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n => format!("{n} bytes"),
    }
}

/// The first line (1-based) where YAML `text` nests deeper than [`MAX_YAML_DEPTH`]: flow
/// collections (`[`, `{`) outside quotes and comments, plus block levels (indentation and
/// compact `- ` entries). Block scalars (`|`, `>`) are skipped. An estimate that errs high
/// only for files far deeper than any real experiment.
pub fn yaml_too_deep(text: &str) -> Option<usize> {
    let mut flow = 0usize;
    let mut blocks: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    // While inside a block scalar: the indentation of the line that opened it.
    let mut scalar_of: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let body = &line[indent..];
        if let Some(opener) = scalar_of {
            if body.is_empty() || indent > opener {
                continue;
            }
            scalar_of = None;
        }
        let mut dashes = 0;
        if quote.is_none() && flow == 0 && !body.is_empty() && !body.starts_with('#') {
            while blocks.last().is_some_and(|&b| b >= indent) {
                blocks.pop();
            }
            blocks.push(indent);
            // Compact nested sequences: `- - - x` opens one level per dash.
            let mut rest = body;
            while let Some(r) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
                dashes += 1;
                rest = r.trim_start();
            }
        }
        let (depth_in_line, ends_open) = scan_flow(body, &mut flow, &mut quote);
        if blocks.len() + dashes + depth_in_line > MAX_YAML_DEPTH {
            return Some(n + 1);
        }
        if ends_open && quote.is_none() && flow == 0 {
            scalar_of = Some(indent);
        }
    }
    None
}

/// Updates the flow depth and quote state over one line; returns the deepest flow depth seen
/// and whether the line ends with a block scalar indicator (`key: |`, `- >-`).
fn scan_flow(body: &str, flow: &mut usize, quote: &mut Option<char>) -> (usize, bool) {
    let mut deepest = *flow;
    let mut prev = ' ';
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match (*quote, c) {
            (Some('\''), '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
            }
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => *quote = None,
            (Some(_), _) => {}
            (None, '#') if prev == ' ' || prev == '\t' => break,
            (None, '\'' | '"') if matches!(prev, ' ' | '\t' | '[' | '{' | ',' | ':') => *quote = Some(c),
            (None, '[' | '{') => {
                *flow += 1;
                deepest = deepest.max(*flow);
            }
            (None, ']' | '}') => *flow = flow.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    let code = body.split(" #").next().unwrap_or("").trim_end();
    let last = code.rsplit([' ', '\t']).next().unwrap_or("");
    let indicator = matches!(last.chars().next(), Some('|' | '>'))
        && last.chars().skip(1).all(|c| matches!(c, '+' | '-' | '0'..='9'));
    let opens_scalar =
        indicator && (code.len() == last.len() || code[..code.len() - last.len()].trim_end().ends_with([':', '-']));
    (deepest, opens_scalar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_files_pass_and_deep_flow_or_block_nesting_is_caught() {
        let ok = "name: x\ngrid:\n  hidden: [1, [2, 3]]\n  text: |\n        deeply\n            indented\n  seed: \"[[[[\"\n";
        assert_eq!(yaml_too_deep(ok), None);
        let flow = format!("name: x\ngrid: {}\n", "[".repeat(MAX_YAML_DEPTH + 1));
        assert_eq!(yaml_too_deep(&flow), Some(2));
        let dashes = format!("a:\n  {}x\n", "- ".repeat(MAX_YAML_DEPTH + 1));
        assert_eq!(yaml_too_deep(&dashes), Some(2));
        let mut stairs = String::new();
        for i in 0..=MAX_YAML_DEPTH {
            stairs.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        assert_eq!(yaml_too_deep(&stairs), Some(MAX_YAML_DEPTH + 1));
    }
}
