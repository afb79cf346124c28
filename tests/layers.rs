//! The stage order of `src/lib.rs` holds: no module imports from a stage after its own (data
//! flows one way), and every module of `src/` has a stage. Reads the source, not the binary.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use sweeplab::STAGES;

fn rank(module: &str) -> Option<usize> {
    STAGES.iter().position(|stage| stage.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/sweep/wire.rs` -> `sweep`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The modules a file names with `crate::`, outside comments.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            // `crate::{a, b}` groups are not used in this code base; a lone name is a module.
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

#[test]
fn no_import_runs_back_up_a_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut unstaged = BTreeSet::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else { continue };
        let Some(own) = rank(&module) else {
            unstaged.insert(module);
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for target in crate_paths(&text) {
            // Root re-exports (`crate::Result`, `crate::Error`) live in `error`.
            let target_module = match target.as_str() {
                "Result" | "Error" => "error".to_string(),
                _ => target,
            };
            match rank(&target_module) {
                Some(r) if r > own => violations.push(format!(
                    "{}: {module} (stage {own}) uses crate::{target_module} (stage {r})",
                    file.strip_prefix(&src).unwrap().display()
                )),
                Some(_) => {}
                None => {
                    unstaged.insert(target_module);
                }
            }
        }
    }
    assert!(
        unstaged.is_empty(),
        "modules without a stage in lib.rs's STAGES: {unstaged:?}"
    );
    assert!(
        violations.is_empty(),
        "imports from a later stage:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_an_upward_import() {
    let paths = crate_paths("use crate::sweep::Role; // crate::cli in a comment\n/// crate::folder");
    assert_eq!(paths.into_iter().collect::<Vec<_>>(), ["sweep"]);
    assert!(rank("train").unwrap() < rank("sweep").unwrap());
    assert!(rank("spec").unwrap() < rank("figures").unwrap());
}

/// Files the size rules do not apply to: the hand-written BPTT kernels, long by nature.
const KERNELS: [&str; 1] = ["model/fused/kernels.rs"];

/// The functions of a rustfmt-formatted file with their lengths in lines: from a `fn` line to
/// the closing brace at its indentation.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let head = trimmed
            .strip_prefix("pub ")
            .or_else(|| trimmed.strip_prefix("pub(crate) "))
            .or_else(|| trimmed.strip_prefix("pub(super) "))
            .unwrap_or(trimmed);
        let Some(rest) = head.strip_prefix("fn ") else { continue };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let close = format!("{indent}}}");
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
            out.push((name, end + 1));
        }
    }
    out
}

#[test]
fn no_file_over_400_lines_and_no_function_over_90_outside_the_kernels() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut too_long = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
        if KERNELS.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let lines = text.lines().count();
        if lines > 400 {
            too_long.push(format!("{rel}: {lines} lines"));
        }
        for (name, length) in function_lengths(&text) {
            if length > 90 {
                too_long.push(format!("{rel}: fn {name} is {length} lines"));
            }
        }
    }
    assert!(too_long.is_empty(), "split these:\n{}", too_long.join("\n"));
}

#[test]
fn function_lengths_are_measured_from_fn_to_its_brace() {
    let text = "fn a() {\n    1;\n}\n\nimpl X {\n    pub fn b(&self) {\n        if x {\n        }\n    }\n}\n";
    assert_eq!(function_lengths(text), [("a".to_string(), 2), ("b".to_string(), 3)]);
}
