use super::{Report, DEVICES_EXPLAINED, DEVICE_TOP};
use crate::compare::Table;
use crate::error::{Error, Result};
use crate::stats::fmt_loss;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Standard base64 (RFC 4648) for embedding PNGs as data URIs.
pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn table(t: &Table) -> String {
    let mut s = String::from("<table>\n<tr>");
    for h in &t.header {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr>\n");
    for row in &t.rows {
        s.push_str("<tr>");
        for c in row {
            s.push_str(&format!("<td>{}</td>", esc(c)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    s
}

fn devices_section(r: &Report) -> String {
    let Some(devices) = &r.devices else {
        return String::new();
    };
    let mut s = format!("<h2>Devices compared</h2>\n<p>{}</p>\n", esc(DEVICES_EXPLAINED));
    match devices {
        Err(e) => s.push_str(&format!("<p>The comparison could not be made: {}</p>\n", esc(e))),
        Ok(comparisons) => {
            for c in comparisons {
                s.push_str(&format!("<h3>{} vs {}</h3>\n<ul>\n", esc(&c.a.label), esc(&c.b.label)));
                for line in c.summary() {
                    s.push_str(&format!("<li>{}</li>\n", esc(&line)));
                }
                s.push_str("</ul>\n");
                s.push_str(&table(&c.group_table()));
                let top = c.top_table(DEVICE_TOP);
                if !top.rows.is_empty() {
                    s.push_str(&format!(
                        "<p>Largest differences per run ({} of {} pairs):</p>\n",
                        top.rows.len(),
                        c.pairs.len()
                    ));
                    s.push_str(&table(&top));
                }
            }
        }
    }
    s
}

pub fn render(r: &Report) -> Result<String> {
    let mut s = String::from("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">");
    s.push_str(&format!("<title>sweeplab report: {}</title>", esc(&r.name)));
    s.push_str("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee}pre{background:#f6f6f6;padding:1em;overflow:auto}</style></head><body>\n");
    s.push_str(&format!("<h1>sweeplab report: {}</h1>\n", esc(&r.name)));
    if let Some(d) = &r.description {
        s.push_str(&format!("<p>{}</p>\n", esc(d)));
    }
    s.push_str(&format!(
        "<p>{} runs in {} groups; {} failed.</p>\n<h2>Results per group</h2>\n<table>\n",
        r.total_runs,
        r.groups.len(),
        r.failed_runs
    ));
    s.push_str(&groups_rows(r));
    s.push_str("</table>\n");
    s.push_str(&devices_section(r));
    s.push_str("<h2>Training details</h2>\n<ul>\n");
    for d in r.training_details() {
        s.push_str(&format!("<li>{}</li>\n", esc(&d)));
    }
    s.push_str("</ul>\n<h2>Environment and compute</h2>\n<ul>\n");
    s.push_str(&environment_items(r));
    let total: f64 = r.groups.iter().map(|(_, g)| g.train_seconds).sum();
    s.push_str(&format!("<li>total training time {total:.1} s</li>\n</ul>\n"));
    s.push_str(&figures_section(r)?);
    s.push_str("<h2>Reproduce</h2>\n<pre>");
    for c in r.reproduce_commands() {
        s.push_str(&format!("{}\n", esc(&c)));
    }
    s.push_str("</pre>\n<h2>Experiment</h2>\n<pre>");
    s.push_str(&esc(&r.experiment_yaml));
    s.push_str("</pre>\n</body></html>\n");
    Ok(s)
}

/// The header and one row per group of the results table.
fn groups_rows(r: &Report) -> String {
    let mut s = String::new();
    s.push_str("<tr><th>group</th><th>n</th><th>successes</th><th>95% CI of success rate</th><th>median final loss</th><th>mean &plusmn; sd final loss</th><th>mean accuracy</th><th>median epochs to success</th><th>train time (s)</th></tr>\n");
    for (key, g) in &r.groups {
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>[{:.2}, {:.2}]</td><td>{}</td><td>{} &plusmn; {}</td><td>{:.3}</td><td>{}</td><td>{:.2}</td></tr>\n",
            esc(key),
            g.n,
            g.successes,
            g.wilson.0,
            g.wilson.1,
            fmt_loss(g.median_loss),
            fmt_loss(g.mean_loss),
            fmt_loss(g.sd_loss),
            g.mean_accuracy,
            crate::stats::fmt_epochs(g.median_epochs_to_success),
            g.train_seconds
        ));
    }
    s
}

/// The environment list's items, from the manifest.
fn environment_items(r: &Report) -> String {
    let mut s = String::new();
    if let Some(m) = &r.manifest {
        s.push_str(&format!(
            "<li>sweeplab {}, burn {}</li>\n",
            esc(&m.sweeplab_version),
            esc(&m.burn_version)
        ));
        if let Some(g) = &m.git {
            s.push_str(&format!(
                "<li>git commit {}{}</li>\n",
                esc(&g.commit),
                if g.dirty { " (dirty)" } else { "" }
            ));
        }
        s.push_str(&format!("<li>backends: {}</li>\n", esc(&m.backends.join("; "))));
        s.push_str(&format!(
            "<li>CPU: {} ({} cores); OS: {}</li>\n",
            esc(&m.cpu_model),
            m.cpu_cores,
            esc(&m.os)
        ));
        s.push_str(&format!(
            "<li>sweep {} to {} ({} runs trained, {} resumed)</li>\n",
            esc(&m.started),
            esc(&m.finished),
            m.trained_now,
            m.resumed
        ));
        s.push_str(&format!(
            "<li>experiment file sha256 {}</li>\n",
            esc(&m.experiment_sha256)
        ));
    } else {
        s.push_str("<li>no manifest.json in this folder</li>\n");
    }
    s
}

/// Every figure embedded as a data URI.
fn figures_section(r: &Report) -> Result<String> {
    let mut s = String::new();
    if !r.figures.is_empty() {
        s.push_str("<h2>Figures</h2>\n");
        for f in &r.figures {
            let bytes = std::fs::read(f).map_err(|e| Error::io(f, "read figure", e))?;
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            s.push_str(&format!(
                "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption>{}</figcaption></figure>\n",
                esc(&name),
                base64(&bytes),
                esc(&name)
            ));
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(input.as_bytes()), want);
        }
    }
}
