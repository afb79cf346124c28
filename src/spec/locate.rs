//! Finds the line of a field in YAML text. serde's parse tree carries no positions once it has
//! become values, so validation errors found after parsing look their field up here. Block
//! mappings and sequences are followed by indentation; a field inside a flow collection
//! (`hidden: [2, 0]`) resolves to the line of its key.

/// One step of a path into the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

impl Seg<'_> {
    /// `grid.hidden[1]`-style rendering of a path.
    pub fn render(path: &[Seg<'_>]) -> String {
        let mut out = String::new();
        for seg in path {
            match seg {
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

struct Line<'a> {
    indent: usize,
    /// Text after the indentation and any `- ` sequence markers.
    body: &'a str,
    /// Indentation of the body (after `- ` markers), i.e. of a key on this line.
    body_indent: usize,
    is_item: bool,
}

fn parse_line(raw: &str) -> Option<Line<'_>> {
    let trimmed = raw.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let indent = raw.len() - trimmed.len();
    let mut body = trimmed;
    let mut body_indent = indent;
    let is_item = body.starts_with("- ") || body == "-";
    while body.starts_with("- ") || body == "-" {
        let rest = body.get(1..).unwrap_or("");
        let rest_trimmed = rest.trim_start();
        body_indent += body.len() - rest_trimmed.len();
        body = rest_trimmed;
    }
    Some(Line {
        indent,
        body,
        body_indent,
        is_item,
    })
}

fn key_of(body: &str) -> Option<&str> {
    let colon = body.find(':')?;
    let after = &body[colon + 1..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some(body[..colon].trim().trim_matches(|c| c == '"' || c == '\''))
}

/// 1-based line of `path` in `source`, or the deepest line found on the way, or `None`.
pub fn locate(source: &str, path: &[Seg<'_>]) -> Option<usize> {
    let lines: Vec<Option<Line<'_>>> = source.lines().map(parse_line).collect();
    // The region being searched: lines after `start` whose indentation exceeds `parent`.
    let mut start = 0usize;
    // Indentation of the node we are inside, and whether it is a key (whose sequence items may
    // sit at the key's own indentation) or a sequence item.
    let mut parent: Option<(usize, bool)> = None;
    let mut found: Option<usize> = None;
    for seg in path {
        let from = if found.is_some() { start + 1 } else { start };
        let mut end = from;
        while end < lines.len() {
            if let (Some(l), Some((p, parent_is_key))) = (&lines[end], parent) {
                let inside = l.indent > p || (parent_is_key && l.indent == p && l.is_item);
                if !inside {
                    break;
                }
            }
            end += 1;
        }
        let mut hit = None;
        match seg {
            Seg::Key(key) => {
                // A mapping that starts on the `- ` line of its sequence item.
                if let Some(f) = found {
                    if let Some(l) = &lines[f] {
                        if l.is_item && !parent.is_some_and(|(_, k)| k) && key_of(l.body) == Some(key) {
                            hit = Some((f, l.body_indent, true));
                        }
                    }
                }
                if hit.is_none() {
                    for (i, l) in lines.iter().enumerate().take(end).skip(from) {
                        if let Some(l) = l {
                            if key_of(l.body) == Some(key) {
                                hit = Some((i, l.body_indent, true));
                                break;
                            }
                        }
                    }
                }
            }
            Seg::Index(n) => {
                let mut count = 0;
                let mut item_indent = None;
                for (i, l) in lines.iter().enumerate().take(end).skip(from) {
                    if let Some(l) = l {
                        if l.is_item && item_indent.is_none_or(|ind| ind == l.indent) {
                            item_indent = Some(l.indent);
                            if count == *n {
                                hit = Some((i, l.indent, false));
                                break;
                            }
                            count += 1;
                        }
                    }
                }
            }
        }
        match hit {
            Some((i, ind, is_key)) => {
                found = Some(i);
                start = i;
                parent = Some((ind, is_key));
            }
            None => break,
        }
    }
    found.map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name: x\ndatasets:\n  - name: a\n    cyclic: ab\n  - name: b\n    text: hello\ngrid:\n  cell: rnn\n  hidden: [2, 0]\n  seed:\n    - 1\n    - 2\n";

    #[test]
    fn finds_nested_keys_and_items() {
        assert_eq!(locate(DOC, &[Seg::Key("name")]), Some(1));
        assert_eq!(locate(DOC, &[Seg::Key("grid"), Seg::Key("hidden")]), Some(9));
        assert_eq!(
            locate(DOC, &[Seg::Key("grid"), Seg::Key("hidden"), Seg::Index(1)]),
            Some(9)
        );
        assert_eq!(
            locate(DOC, &[Seg::Key("grid"), Seg::Key("seed"), Seg::Index(1)]),
            Some(12)
        );
        assert_eq!(locate(DOC, &[Seg::Key("datasets"), Seg::Index(1)]), Some(5));
        assert_eq!(
            locate(DOC, &[Seg::Key("datasets"), Seg::Index(1), Seg::Key("text")]),
            Some(6)
        );
        assert_eq!(
            locate(DOC, &[Seg::Key("datasets"), Seg::Index(0), Seg::Key("name")]),
            Some(3)
        );
        assert_eq!(
            Seg::render(&[Seg::Key("grid"), Seg::Key("hidden"), Seg::Index(1)]),
            "grid.hidden[1]"
        );
    }
}
