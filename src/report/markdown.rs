use super::{Report, DEVICES_EXPLAINED, DEVICE_TOP};
use crate::compare::Table;
use crate::stats::fmt_loss;

fn table(t: &Table) -> String {
    let row = |cells: &[String]| {
        format!(
            "| {} |\n",
            cells
                .iter()
                .map(|c| c.replace('|', "\\|"))
                .collect::<Vec<_>>()
                .join(" | ")
        )
    };
    let mut s = row(&t.header);
    s.push_str(&format!("|{}\n", "---|".repeat(t.header.len())));
    for r in &t.rows {
        s.push_str(&row(r));
    }
    s
}

fn devices_section(r: &Report) -> String {
    let Some(devices) = &r.devices else {
        return String::new();
    };
    let mut s = String::from("\n## Devices compared\n\n");
    s.push_str(DEVICES_EXPLAINED);
    s.push_str("\n\n");
    match devices {
        Err(e) => s.push_str(&format!("The comparison could not be made: {e}\n")),
        Ok(comparisons) => {
            for c in comparisons {
                s.push_str(&format!("### {} vs {}\n\n", c.a.label, c.b.label));
                for line in c.summary() {
                    s.push_str(&format!("- {line}\n"));
                }
                s.push('\n');
                s.push_str(&table(&c.group_table()));
                let top = c.top_table(DEVICE_TOP);
                if !top.rows.is_empty() {
                    s.push_str(&format!(
                        "\nLargest differences per run ({} of {} pairs):\n\n",
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

pub fn render(r: &Report) -> String {
    let mut s = format!("# sweeplab report: {}\n\n", r.name);
    if let Some(d) = &r.description {
        s.push_str(&format!("{d}\n\n"));
    }
    s.push_str(&format!(
        "{} runs in {} groups{}.\n\n",
        r.total_runs,
        r.groups.len(),
        if r.failed_runs > 0 {
            format!(", {} of them failed", r.failed_runs)
        } else {
            String::new()
        }
    ));
    s.push_str("## Results per group\n\n");
    s.push_str("| group | n | successes | 95% CI of success rate | median final loss | mean +- sd final loss | mean accuracy | median epochs to success | train time (s) |\n");
    s.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for (key, g) in &r.groups {
        s.push_str(&format!(
            "| {} | {} | {} | [{:.2}, {:.2}] | {} | {} +- {} | {:.3} | {} | {:.2} |\n",
            key,
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
    s.push_str(&devices_section(r));
    s.push_str("\n## Training details\n\n");
    for d in r.training_details() {
        s.push_str(&format!("- {d}\n"));
    }
    s.push_str("\n## Environment and compute\n\n");
    match &r.manifest {
        Some(m) => {
            s.push_str(&format!("- sweeplab {}, burn {}\n", m.sweeplab_version, m.burn_version));
            if let Some(g) = &m.git {
                s.push_str(&format!(
                    "- git commit {}{}\n",
                    g.commit,
                    if g.dirty { " (dirty)" } else { "" }
                ));
            }
            s.push_str(&format!("- backends: {}\n", m.backends.join("; ")));
            s.push_str(&format!(
                "- CPU: {} ({} cores); OS: {}\n",
                m.cpu_model, m.cpu_cores, m.os
            ));
            s.push_str(&format!(
                "- sweep {} to {} (this invocation trained {} runs, {} resumed)\n",
                m.started, m.finished, m.trained_now, m.resumed
            ));
            s.push_str(&format!("- experiment file sha256 {}\n", m.experiment_sha256));
        }
        None => s.push_str("- no manifest.json in this folder\n"),
    }
    let total: f64 = r.groups.iter().map(|(_, g)| g.train_seconds).sum();
    s.push_str(&format!("- total training time {total:.1} s\n"));
    if !r.figures.is_empty() {
        s.push_str("\n## Figures\n\n");
        for f in &r.figures {
            let rel = f.strip_prefix(&r.results_dir).unwrap_or(f);
            s.push_str(&format!("![{}]({})\n\n", rel.display(), rel.display()));
        }
    }
    s.push_str("\n## Reproduce\n\n```sh\n");
    for c in r.reproduce_commands() {
        s.push_str(&format!("{c}\n"));
    }
    s.push_str("```\n\n## Experiment\n\n```yaml\n");
    s.push_str(&r.experiment_yaml);
    if !r.experiment_yaml.ends_with('\n') {
        s.push('\n');
    }
    s.push_str("```\n");
    s
}
