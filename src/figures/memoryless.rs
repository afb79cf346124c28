//! Note 001's two views of a memoryless model (Embedding -> tanh -> Linear), for `memoryless`
//! groups. Without memory the model maps each input symbol to one fixed output, so both views
//! repeat with the input's period; they show how the few hidden values are stretched by the
//! head into logits, and why AbAcAd cannot be learned (after `A` the output is one compromise).
//!
//! - Vis1: line plots of h, the logits and the probabilities over the first positions.
//! - Vis2: one heat map of `[h | logits | prob]` with its values written in, and a colour bar.
//!
//! A group with several seeds is shown through its lowest seed (the title says which).

use super::canvas::{self, anchored, bold, font, text_size, Area, DrawResult};
use super::colormap::{self, GREY, TAB10, TEXT};
use super::data::{Group, Results};
use super::FiguresSpec;
use crate::error::Result;
use crate::folder::{PositionStates, RunRow, RunStates};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::{Path, PathBuf};

const VIS1_SIZE: (u32, u32) = (1500, 560);
const MARGIN: i32 = 30;
const HEADER_H: i32 = 90;
const CELL_H: i32 = 32;
const LABEL_SIZE: f64 = 15.0;
const VALUE_SIZE: f64 = 13.0;

/// Draws `memoryless_vis1_<group>.png` and `memoryless_vis2_<group>.png` into `out`; nothing
/// when the group's runs recorded no states (e.g. they failed).
pub fn draw(results: &Results, group: &Group, spec: &FiguresSpec, out: &Path) -> Result<Vec<PathBuf>> {
    let Some((run, states)) = group.runs.iter().find_map(|r| {
        results
            .states
            .get(&r.run_id)
            .filter(|s| !s.positions.is_empty())
            .map(|s| (*r, s))
    }) else {
        return Ok(Vec::new());
    };
    let stem = group.file_stem();
    let vis1 = out.join(format!("memoryless_vis1_{stem}.png"));
    let vis2 = out.join(format!("memoryless_vis2_{stem}.png"));
    let about = describe(run);
    let lines = &states.positions[..spec.memoryless_lines.min(states.positions.len())];
    let written1 = canvas::write_png(&vis1, VIS1_SIZE, |area| draw_vis1(area, &about, lines, &states.vocab))?;
    let rows = &states.positions[..spec.memoryless_positions.min(states.positions.len())];
    let heat = Vis2::new(&about, rows, states, spec.memoryless_range);
    let written2 = canvas::write_png(&vis2, heat.size(), |area| heat.draw(area))?;
    Ok(vec![written1, written2])
}

fn describe(run: &RunRow) -> String {
    format!(
        "{}, {} hidden, seed {}: loss {}, accuracy {:.0}%",
        run.dataset,
        run.hidden,
        run.seed,
        crate::stats::fmt_loss(f64::from(run.final_loss)),
        f64::from(run.accuracy) * 100.0
    )
}

/// One line plot of Vis1: a title and one series per column of `values`.
struct Panel<'a> {
    title: &'a str,
    labels: Vec<String>,
    values: Vec<Vec<f64>>,
}

fn draw_vis1(area: &Area, about: &str, positions: &[PositionStates], vocab: &[String]) -> DrawResult {
    let (header, body) = area.split_vertically(HEADER_H);
    header.draw_text(
        "Vis1: h, net(x), ŷ",
        &anchored(bold(28.0), HPos::Center, VPos::Top),
        (VIS1_SIZE.0 as i32 / 2, 14),
    )?;
    header.draw_text(
        about,
        &anchored(font(17.0).color(&GREY), HPos::Center, VPos::Top),
        (VIS1_SIZE.0 as i32 / 2, 54),
    )?;
    let symbols: Vec<String> = vocab.iter().map(|v| canvas::show_symbol(v)).collect();
    let hidden = positions.first().map_or(0, |p| p.h.len());
    let panels = [
        Panel {
            title: "h = tanh(embedding(x))",
            labels: (1..=hidden).map(|i| format!("h{i}")).collect(),
            values: positions.iter().map(|p| p.h.clone()).collect(),
        },
        Panel {
            title: "net(x) = linear(h)   (logits)",
            labels: symbols.iter().map(|s| format!("y={s}?")).collect(),
            values: positions.iter().map(|p| p.logits.clone()).collect(),
        },
        Panel {
            title: "ŷ = softmax(net(x))",
            labels: symbols.iter().map(|s| format!("P(y={s})")).collect(),
            values: positions.iter().map(|p| p.probs.clone()).collect(),
        },
    ];
    let inputs: Vec<String> = positions.iter().map(|p| canvas::show_symbol(&p.input)).collect();
    for (panel, cell) in panels.iter().zip(body.split_evenly((1, 3))) {
        draw_panel(&cell, panel, &inputs)?;
    }
    Ok(())
}

fn draw_panel(area: &Area, panel: &Panel, inputs: &[String]) -> DrawResult {
    let finite = panel.values.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.08).max(0.05);
    // Extra room at the top keeps the legend clear of the data.
    let top = (hi - lo).max(0.1) * 0.3;
    let n = panel.values.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, font(19.0))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.4f64..(n as f64 - 0.6), (lo - pad)..(hi + top))?;
    chart
        .configure_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            let exact = (x - i).abs() < 1e-6 && i >= 0.0;
            exact
                .then(|| inputs.get(i as usize).cloned())
                .flatten()
                .unwrap_or_default()
        })
        .x_desc("input at position")
        .y_label_formatter(&|v| canvas::fmt_tick(*v))
        .label_style(font(14.0))
        .axis_desc_style(font(14.0))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(232, 232, 232))
        .draw()?;
    let columns = panel.values.first().map_or(0, |row| row.len());
    for c in 0..columns {
        let colour = TAB10[c % TAB10.len()];
        let points: Vec<(f64, f64)> = panel
            .values
            .iter()
            .enumerate()
            .filter_map(|(p, row)| row.get(c).filter(|v| v.is_finite()).map(|&v| (p as f64, v)))
            .collect();
        chart.draw_series(LineSeries::new(points.iter().copied(), colour.stroke_width(2)))?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 5, colour.filled())))?
            .label(panel.labels.get(c).cloned().unwrap_or_default())
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, colour.filled()));
    }
    chart
        .configure_series_labels()
        .label_font(font(14.0))
        .background_style(WHITE.mix(0.85))
        .border_style(GREY)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

/// Vis2: `[h | logits | prob]` as one heat map, each cell with its value written in.
struct Vis2 {
    title: String,
    about: String,
    columns: Vec<String>,
    rows: Vec<String>,
    matrix: Vec<Vec<f64>>,
    /// Where the blocks end: after the hidden units, after the logits.
    blocks: [usize; 2],
    range: f64,
    cell_w: i32,
    row_label_w: i32,
}

impl Vis2 {
    fn new(about: &str, positions: &[PositionStates], states: &RunStates, range: Option<f64>) -> Self {
        let hidden = positions.first().map_or(0, |p| p.h.len());
        let vocab = states.vocab.len();
        let mut columns: Vec<String> = if hidden == 1 {
            vec!["h".into()]
        } else {
            (1..=hidden).map(|i| format!("h{i}")).collect()
        };
        let symbols: Vec<String> = states.vocab.iter().map(|v| canvas::show_symbol(v)).collect();
        columns.extend(symbols.iter().map(|s| format!("y={s}?")));
        columns.extend(symbols.iter().map(|s| format!("P(y={s})")));
        let matrix: Vec<Vec<f64>> = positions
            .iter()
            .map(|p| {
                let mut row = p.h.clone();
                row.resize(hidden, f64::NAN);
                row.extend(p.logits.iter().copied().chain(std::iter::repeat(f64::NAN)).take(vocab));
                row.extend(p.probs.iter().copied().chain(std::iter::repeat(f64::NAN)).take(vocab));
                row
            })
            .collect();
        // The notes pick the range by hand (5, 7, 15); automatically: the largest |value|
        // shown, rounded up to a whole number, so the logits' spread stays visible.
        let largest = matrix
            .iter()
            .flatten()
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let range = range.unwrap_or_else(|| largest.ceil().max(1.0));
        let rows: Vec<String> = positions
            .iter()
            .map(|p| format!("{}→{}", canvas::show_symbol(&p.input), canvas::show_symbol(&p.target)))
            .collect();
        let label = font(LABEL_SIZE);
        let widest = |texts: &[String]| texts.iter().map(|t| text_size(t, &label).0).max().unwrap_or(0);
        Self {
            title: "Vis2: [h | net(x) | ŷ]".into(),
            about: about.to_string(),
            cell_w: (widest(&columns) + 14)
                .max(text_size("-0.00", &font(VALUE_SIZE)).0 + 14)
                .max(56),
            row_label_w: widest(&rows) + 12,
            columns,
            rows,
            matrix,
            blocks: [hidden, hidden + vocab],
            range,
        }
    }

    fn heat_origin(&self) -> (i32, i32) {
        (MARGIN + self.row_label_w, HEADER_H + 10)
    }

    fn size(&self) -> (u32, u32) {
        let (x, y) = self.heat_origin();
        let heat_w = self.columns.len() as i32 * self.cell_w;
        let header_w = text_size(&self.about, &font(17.0)).0 + 2 * MARGIN;
        let width = (x + heat_w + 30 + 24 + 60 + MARGIN).max(header_w);
        let height = y + self.rows.len() as i32 * CELL_H + 40 + MARGIN;
        (width as u32, height as u32)
    }

    fn draw(&self, area: &Area) -> DrawResult {
        let (width, _) = self.size();
        let centre = width as i32 / 2;
        area.draw_text(
            &self.title,
            &anchored(bold(28.0), HPos::Center, VPos::Top),
            (centre, 14),
        )?;
        area.draw_text(
            &self.about,
            &anchored(font(17.0).color(&GREY), HPos::Center, VPos::Top),
            (centre, 54),
        )?;
        let (x0, y0) = self.heat_origin();
        let range = (-self.range, self.range);
        canvas::heat_cells(area, (x0, y0), (self.cell_w, CELL_H), &self.matrix, range)?;
        let y1 = y0 + self.matrix.len() as i32 * CELL_H;
        let x1 = x0 + self.columns.len() as i32 * self.cell_w;
        for (r, row) in self.matrix.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                // Dark text on light cells, white on saturated ones.
                let strong = colormap::diverging_position(v, range.0, range.1).abs() > 0.6;
                let colour = if strong { WHITE } else { TEXT };
                let x = x0 + c as i32 * self.cell_w + self.cell_w / 2;
                let y = y0 + r as i32 * CELL_H + CELL_H / 2;
                let style = anchored(font(VALUE_SIZE).color(&colour), HPos::Center, VPos::Center);
                area.draw_text(&format!("{v:.2}"), &style, (x, y))?;
            }
        }
        for &b in &self.blocks {
            let x = x0 + b as i32 * self.cell_w;
            canvas::fill_rect(area, (x - 1, y0, x + 1, y1), TEXT)?;
        }
        canvas::frame(area, (x0, y0, x1, y1), 1, GREY)?;
        let label = font(LABEL_SIZE);
        for (r, text) in self.rows.iter().enumerate() {
            let y = y0 + r as i32 * CELL_H + CELL_H / 2;
            area.draw_text(text, &anchored(label.clone(), HPos::Right, VPos::Center), (x0 - 8, y))?;
        }
        for (c, text) in self.columns.iter().enumerate() {
            let x = x0 + c as i32 * self.cell_w + self.cell_w / 2;
            area.draw_text(text, &anchored(label.clone(), HPos::Center, VPos::Top), (x, y1 + 8))?;
        }
        let bar_h = (y1 - y0).min(360);
        let bar = (x1 + 30, y0, x1 + 54, y0 + bar_h);
        canvas::colour_bar(area, bar, range, &canvas::bar_ticks(range.0, range.1), 14.0)
    }
}
