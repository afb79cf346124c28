//! The sweep's answer in one picture: for every seed group, how many restarts reached 100%
//! accuracy (a bar out of n) and the median final loss, labelled by the parameters that vary
//! between groups (e.g. `RNN · hidden 2`), so "more hidden units help" or "LSTM beats RNN"
//! reads off the bar lengths.

use super::canvas::{self, anchored, bold, font, text_size, Area, DrawResult};
use super::colormap::{GREY, LIGHT_GREY, SUCCESS, TEXT};
use super::data::{Group, Results};
use crate::error::Result;
use crate::spec::{Param, PARAMS};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::RGBColor;
use std::path::{Path, PathBuf};

const MARGIN: i32 = 30;
const HEADER_H: i32 = 100;
const ROW_H: i32 = 46;
const BAR_H: i32 = 28;
const BAR_W: i32 = 520;
const AXIS_H: i32 = 44;
const LABEL_SIZE: f64 = 17.0;
const GRID: RGBColor = RGBColor(200, 200, 200);

/// A parameter a figure can name, with its label.
type Named = (Param, fn(&str) -> String);

/// The parameters a figure can name, with their labels (`crate::spec::PARAMS`): in declaration
/// order, the device last (`hidden 2 · cuda:0`).
fn named_parameters() -> Vec<Named> {
    let (device, mut named): (Vec<_>, Vec<_>) = PARAMS
        .iter()
        .filter_map(|d| Some((d.param, d.figure_label?)))
        .partition(|(p, _)| *p == Param::Device);
    named.extend(device);
    named
}

/// A group's label for one parameter; empty where the parameter does not apply to the group
/// (an empty cell of runs.csv: `momentum` of Adam).
fn describe(g: &Group, (p, label): &Named) -> String {
    let value = g.first().value(*p);
    if value.is_empty() {
        String::new()
    } else {
        label(&value)
    }
}

/// The nameable parameters whose labels are not the same for every group.
fn varying<'n>(groups: &[Group], named: &'n [Named]) -> Vec<&'n Named> {
    named
        .iter()
        .filter(|n| {
            let first = groups.first().map(|g| describe(g, n));
            groups.iter().any(|g| Some(describe(g, n)) != first)
        })
        .collect()
}

fn label_of(g: &Group, shown: &[&Named]) -> String {
    let parts: Vec<String> = shown.iter().map(|n| describe(g, n)).filter(|d| !d.is_empty()).collect();
    parts.join(" · ")
}

/// One label per group naming only what differs between groups; with a single group, or
/// groups that differ in nothing shown, the first three parameters are named.
pub fn group_labels(groups: &[Group]) -> Vec<String> {
    let named = named_parameters();
    let mut shown = varying(groups, &named);
    if shown.is_empty() {
        shown = named.iter().take(3).collect();
    }
    groups.iter().map(|g| label_of(g, &shown)).collect()
}

/// For each group's own figures: what sets the group apart from the others, leaving out the
/// parameters in `named_already` (those its title names anyway). Empty when nothing else
/// differs, so two groups that differ only in `dropout` get figures that say which is which.
pub fn distinguishing_labels(groups: &[Group], named_already: &[Param]) -> Vec<String> {
    let named: Vec<Named> = named_parameters()
        .into_iter()
        .filter(|(p, _)| !named_already.contains(p))
        .collect();
    let shown = varying(groups, &named);
    groups.iter().map(|g| label_of(g, &shown)).collect()
}

/// Draws `summary.png` into `out`.
pub fn draw(results: &Results, out: &Path) -> Result<PathBuf> {
    let groups = results.groups();
    let labels = group_labels(&groups);
    let notes: Vec<String> = groups
        .iter()
        .map(|g| {
            format!(
                "{} / {}   median loss {}",
                g.successes(),
                g.runs.len(),
                crate::stats::fmt_loss(g.stats().median_loss)
            )
        })
        .collect();
    let title = format!("{}: restarts that reached 100% accuracy", results.experiment);
    let subtitle = "bar: share of a group's runs (seeds) that succeeded;  right: count and median final loss";
    let widest = |texts: &[String]| {
        texts
            .iter()
            .map(|t| text_size(t, &font(LABEL_SIZE)).0)
            .max()
            .unwrap_or(0)
    };
    let label_w = widest(&labels) + 24;
    let note_w = widest(&notes) + 24;
    let body_w = label_w + BAR_W + note_w;
    let header_w = text_size(&title, &bold(26.0)).0.max(text_size(subtitle, &font(16.0)).0);
    let width = 2 * MARGIN + body_w.max(header_w);
    let height = HEADER_H + groups.len() as i32 * ROW_H + AXIS_H;
    let left = MARGIN + (width - 2 * MARGIN - body_w) / 2;
    let path = out.join("summary.png");
    canvas::write_png(&path, (width as u32, height as u32), |area| {
        area.draw_text(&title, &anchored(bold(26.0), HPos::Center, VPos::Top), (width / 2, 18))?;
        area.draw_text(
            subtitle,
            &anchored(font(16.0).color(&GREY), HPos::Center, VPos::Top),
            (width / 2, 58),
        )?;
        let bar_x = left + label_w;
        draw_axis(area, bar_x, HEADER_H, HEADER_H + groups.len() as i32 * ROW_H)?;
        for (i, group) in groups.iter().enumerate() {
            let y = HEADER_H + i as i32 * ROW_H + (ROW_H - BAR_H) / 2;
            let mid = y + BAR_H / 2;
            area.draw_text(
                &labels[i],
                &anchored(font(LABEL_SIZE), HPos::Right, VPos::Center),
                (bar_x - 12, mid),
            )?;
            canvas::fill_rect(area, (bar_x, y, bar_x + BAR_W, y + BAR_H), LIGHT_GREY)?;
            let share = group.successes() as f64 / group.runs.len().max(1) as f64;
            let filled = (share * BAR_W as f64).round() as i32;
            canvas::fill_rect(area, (bar_x, y, bar_x + filled, y + BAR_H), SUCCESS)?;
            area.draw_text(
                &notes[i],
                &anchored(font(LABEL_SIZE), HPos::Left, VPos::Center),
                (bar_x + BAR_W + 12, mid),
            )?;
        }
        Ok(())
    })
}

/// Vertical grid lines at 0, 25, ..., 100 % under the bars, labelled below.
fn draw_axis(area: &Area, x: i32, top: i32, bottom: i32) -> DrawResult {
    for q in 0..=4 {
        let gx = x + q * BAR_W / 4;
        canvas::fill_rect(area, (gx, top, gx + 1, bottom + 6), GRID)?;
        area.draw_text(
            &format!("{}%", q * 25),
            &anchored(font(15.0).color(&TEXT), HPos::Center, VPos::Top),
            (gx, bottom + 10),
        )?;
    }
    Ok(())
}
