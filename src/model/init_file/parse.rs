//! Reading a weights file: its sections, parameters and arrays, each problem located at its line.

use super::{Array, Entry, WeightsFile};
use crate::error::{Error, Result};
use crate::spec::WeightsDigest;
use serde_yaml_ng::Value;
use std::path::Path;

const SECTIONS: [&str; 4] = ["cell", "embedding", "input_embedding", "head"];

fn known_parameters(section: &str) -> &'static [&'static str] {
    match section {
        "cell" => &["weight_ih", "weight_hh", "bias_ih", "bias_hh"],
        "embedding" | "input_embedding" => &["weight"],
        _ => &["weight", "bias"],
    }
}

impl WeightsFile {
    pub(super) fn parse(path: &Path, source: String, digest: WeightsDigest) -> Result<Self> {
        crate::spec::check_depth(path, &source)?;
        let root: Value = serde_yaml_ng::from_str(&source).map_err(|e| crate::spec::yaml_error(path, e))?;
        let at = |keys: &[&str], message: String| {
            Error::config(path, line_of(&source, keys).or(Some(1)), Some(&keys.join(".")), message)
        };
        let Value::Mapping(root) = root else {
            return Err(Error::config(
                path,
                Some(1),
                None,
                "expected a mapping with the sections cell, input_embedding, embedding and/or head",
            ));
        };
        let mut entries: Vec<Entry> = Vec::new();
        let mut sections = Vec::new();
        for (key, value) in &root {
            let Some(section) = key.as_str() else {
                return Err(Error::config(
                    path,
                    Some(1),
                    None,
                    format!("section names are text, got {key:?}"),
                ));
            };
            if !SECTIONS.contains(&section) {
                let owner = SECTIONS
                    .into_iter()
                    .find(|s| known_parameters(s).contains(&layer_base(section)));
                let hint = match owner {
                    Some(owner) => {
                        format!("; {section} is a parameter: put it under its module, e.g. {owner}: {{{section}: ...}}")
                    }
                    None if section.contains('.') => {
                        "; a state_dict key such as 0.weight goes under its module, e.g. embedding: {weight: ...}"
                            .into()
                    }
                    None => String::new(),
                };
                return Err(at(
                    &[section],
                    format!("unknown section (expected cell, input_embedding, embedding or head){hint}"),
                ));
            }
            let Value::Mapping(params) = value else {
                return Err(at(
                    &[section],
                    format!(
                        "expected a mapping of parameters ({})",
                        known_parameters(section).join(", ")
                    ),
                ));
            };
            sections.push(section.to_string());
            for (pkey, pvalue) in params {
                let Some(written) = pkey.as_str() else {
                    return Err(at(&[section], format!("parameter names are text, got {pkey:?}")));
                };
                let keys = [section, written];
                let name = if section == "cell" { strip_l0(written) } else { written };
                if !known_parameters(section).contains(&layer_base(name))
                    || (section != "cell" && name != layer_base(name))
                {
                    return Err(at(
                        &keys,
                        format!("unknown parameter (expected {})", known_parameters(section).join(", ")),
                    ));
                }
                if let Some(other) = entries.iter().find(|e| e.section == section && e.name == name) {
                    return Err(at(&keys, format!("given twice (also as {})", other.written)));
                }
                let array = parse_array(pvalue).map_err(|m| at(&keys, m))?;
                entries.push(Entry {
                    section: section.to_string(),
                    name: name.to_string(),
                    written: written.to_string(),
                    array,
                });
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            digest,
            source,
            entries,
            sections,
        })
    }
}

fn strip_l0(name: &str) -> &str {
    name.strip_suffix("_l0").unwrap_or(name)
}

/// `weight_ih` of `weight_ih_l2` (nn.RNN's name of a layer's parameter); the name itself
/// when it has no layer suffix.
fn layer_base(name: &str) -> &str {
    match name.rsplit_once("_l") {
        Some((base, digits)) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => name,
    }
}

fn number(v: &Value) -> Result<f32, String> {
    let x = match v {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .ok_or_else(|| {
        let shown = serde_yaml_ng::to_string(v).map_or_else(|_| "?".into(), |s| s.trim().to_string());
        format!("expected a number, got {shown}")
    })?;
    let f = x as f32;
    if !f.is_finite() {
        return Err(format!("values must be finite float32 numbers, got {x}"));
    }
    Ok(f)
}

/// A list of numbers (`[n]`) or a list of equally long lists of numbers (`[rows, cols]`).
fn parse_array(v: &Value) -> Result<Array, String> {
    const SHAPES: &str = "expected a list of numbers (a bias) or a list of rows (a weight matrix)";
    let Value::Sequence(items) = v else {
        return Err(SHAPES.into());
    };
    if items.iter().all(|x| !matches!(x, Value::Sequence(_))) {
        let data = items.iter().map(number).collect::<Result<Vec<_>, _>>()?;
        return Ok(Array {
            shape: vec![data.len()],
            data,
        });
    }
    let mut data = Vec::new();
    let mut cols = None;
    for (r, row) in items.iter().enumerate() {
        let Value::Sequence(row) = row else {
            return Err(format!("row {r} is not a list; {SHAPES}"));
        };
        if row.iter().any(|x| matches!(x, Value::Sequence(_))) {
            return Err(format!("row {r} holds lists; parameters have at most two dimensions"));
        }
        match cols {
            None => cols = Some(row.len()),
            Some(c) if c != row.len() => {
                return Err(format!(
                    "rows have different lengths: row 0 has {c} values, row {r} has {}",
                    row.len()
                ))
            }
            Some(_) => {}
        }
        for x in row {
            data.push(number(x)?);
        }
    }
    Ok(Array {
        shape: vec![items.len(), cols.unwrap_or(0)],
        data,
    })
}

/// 1-based line of the nested mapping key `keys` (each searched after the previous one), in
/// block YAML, flow YAML or JSON; `None` when a key is not found (or `keys` is empty).
pub(super) fn line_of(source: &str, keys: &[&str]) -> Option<usize> {
    let mut line = 0usize;
    let mut col = 0usize;
    let lines: Vec<&str> = source.lines().collect();
    let mut found = None;
    for key in keys {
        let mut hit = None;
        'search: for (li, text) in lines.iter().enumerate().skip(line) {
            if text.trim_start().starts_with('#') {
                continue;
            }
            let from = if li == line { col } else { 0 };
            let mut start = from;
            while let Some(pos) = text.get(start..).and_then(|t| t.find(key)) {
                let at = start + pos;
                let end = at + key.len();
                let before = text[..at].chars().next_back();
                let quoted = matches!(before, Some('"' | '\''));
                let key_start = if quoted { at - 1 } else { at };
                let ok_before = text[..key_start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| c.is_whitespace() || c == '{' || c == ',' || c == '-');
                let mut rest = &text[end..];
                if quoted {
                    rest = rest.strip_prefix(before.unwrap()).unwrap_or("x");
                }
                if ok_before && rest.trim_start().starts_with(':') {
                    hit = Some((li, end));
                    break 'search;
                }
                start = end;
            }
        }
        let (li, end) = hit?;
        line = li;
        col = end;
        found = Some(li + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_in_block_flow_and_json_text() {
        let block = "# weights\ncell:\n  weight_ih: [[1]]\nhead:\n  weight:\n    - [1]\n  bias: [0]\n";
        assert_eq!(line_of(block, &["head", "weight"]), Some(5));
        assert_eq!(line_of(block, &["head", "bias"]), Some(7));
        assert_eq!(line_of(block, &["cell", "weight_ih"]), Some(3));
        let json = "{\n  \"head\": {\n    \"weight\": [[1]],\n    \"bias\": [0]\n  },\n  \"embedding\": {\"weight\": [[2]]}\n}\n";
        assert_eq!(line_of(json, &["head", "bias"]), Some(4));
        assert_eq!(line_of(json, &["embedding", "weight"]), Some(6));
        assert_eq!(line_of(json, &["cell"]), None);
        let flow = "embedding: {weight: [[1]]}\nhead: {weight: [[1]], bias: [2]}\n";
        assert_eq!(line_of(flow, &["head", "bias"]), Some(2));
        // A key is not found inside a longer name.
        assert_eq!(line_of("cell:\n  weight_ih_l0: []\n", &["cell", "weight_ih"]), None);
    }
}
