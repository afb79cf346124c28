//! The state grid (note 000's 5x5 figure): one PNG per seed group, one subplot per seed, each a
//! heat map of `[h | prob]` for the first positions. It shows at a glance which restarts found
//! a solution (the P columns turn into one red cell per row) and how they use the hidden units.
//!
//! Geometry lives in [`StateGridLayout`], computed from the data alone, so the tests can ask
//! where a cell or the separator was drawn.

use super::canvas::{self, anchored, bold, font, text_size, Area, DrawResult};
use super::colormap::{self, GREY, LIGHT_GREY, LIME, SUCCESS, TEXT};
use super::data::{Group, Results};
use super::FiguresSpec;
use crate::error::Result;
use crate::folder::RunRow;
use crate::record::RunStatus;
use crate::spec::Param;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{FontTransform, RGBColor};
use std::path::{Path, PathBuf};

const MARGIN: i32 = 24;
const HEADER_H: i32 = 88;
const TITLE_SIZE: f64 = 30.0;
const SUBTITLE_SIZE: f64 = 17.0;
const SUBPLOT_TITLE_SIZE: f64 = 15.0;
const SUBPLOT_TITLE_H: i32 = 26;
const TICK_SIZE: f64 = 14.0;
const GAP_X: i32 = 30;
const GAP_Y: i32 = 22;
const CELL_H: i32 = 24;
const MIN_CELL_W: i32 = 24;
const UPRIGHT_CELL_W: i32 = 20;
/// Above this heat-map width the column labels are turned upright instead of widening cells.
const MAX_FLAT_WIDTH: i32 = 400;
const BAR_GAP: i32 = 34;
const BAR_W: i32 = 22;
const BAR_LABELS_W: i32 = 44;

/// Where everything of one state-grid figure is drawn, in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct StateGridLayout {
    pub width: u32,
    pub height: u32,
    /// Subplot rows and columns (near-square: 5x5 for 25 seeds).
    pub grid: (usize, usize),
    pub subplots: usize,
    /// Heat-map rows (positions) and columns (hidden units, then outputs).
    pub rows: usize,
    pub h_cols: usize,
    pub p_cols: usize,
    pub cell_w: i32,
    pub cell_h: i32,
    /// Width reserved left of each heat map for the row labels.
    pub row_label_w: i32,
    /// Height reserved below each heat map for the column labels.
    pub col_label_h: i32,
    /// Column labels are drawn upright (too many columns to fit side by side).
    pub upright_labels: bool,
}

impl StateGridLayout {
    /// Lays out `subplots` heat maps of `rows` x (`h_cols` + `p_cols`) cells, sized so that
    /// the given labels and subplot titles fit.
    pub fn new(subplots: usize, rows: usize, h_cols: usize, p_cols: usize, text: &GridText) -> Self {
        let (col_labels, row_labels, subplot_titles) = (&text.columns, &text.rows, &text.subplot_titles);
        let cols = (h_cols + p_cols).max(1) as i32;
        let tick = font(TICK_SIZE);
        let widest = |labels: &[String], style| labels.iter().map(|l| text_size(l, &style).0).max().unwrap_or(0);
        let label_w = widest(col_labels, tick.clone());
        let mut cell_w = (label_w + 10).max(MIN_CELL_W);
        let upright_labels = cell_w * cols > MAX_FLAT_WIDTH;
        if upright_labels {
            // Upright labels need only a text line's height of width per column.
            cell_w = UPRIGHT_CELL_W;
        }
        // A subplot is at least as wide as its title.
        let title_w = widest(subplot_titles, font(SUBPLOT_TITLE_SIZE)) + 8;
        cell_w = cell_w.max((title_w + cols - 1) / cols);
        let col_label_h = if upright_labels { label_w + 10 } else { 24 };
        let row_label_w = widest(row_labels, tick) + 10;

        let n = subplots.max(1);
        let grid_cols = (n as f64).sqrt().ceil() as usize;
        let grid_rows = n.div_ceil(grid_cols);
        let sub_w = row_label_w + cols * cell_w;
        let sub_h = SUBPLOT_TITLE_H + rows as i32 * CELL_H + col_label_h;
        let grid_w = grid_cols as i32 * sub_w + (grid_cols as i32 - 1) * GAP_X;
        let grid_h = grid_rows as i32 * sub_h + (grid_rows as i32 - 1) * GAP_Y;
        let content_w = grid_w + BAR_GAP + BAR_W + BAR_LABELS_W;
        let title_w = text_size(&text.title, &bold(TITLE_SIZE))
            .0
            .max(text_size(&text.subtitle, &font(SUBTITLE_SIZE)).0);
        Self {
            width: (2 * MARGIN + content_w.max(title_w)) as u32,
            height: (HEADER_H + grid_h + MARGIN) as u32,
            grid: (grid_rows, grid_cols),
            subplots,
            rows,
            h_cols,
            p_cols,
            cell_w,
            cell_h: CELL_H,
            row_label_w,
            col_label_h,
            upright_labels,
        }
    }

    /// The layout `draw` uses for `group` (as `figures::draw_all` draws it: with its label).
    pub fn for_group(results: &Results, group: &Group, spec: &FiguresSpec) -> Self {
        let groups = results.groups();
        let labels = super::summary::distinguishing_labels(&groups, TITLED);
        let label = groups
            .iter()
            .zip(&labels)
            .find(|(g, _)| g.index == group.index)
            .map_or("", |(_, l)| l.as_str());
        Content::of(results, group, label, spec).layout
    }

    fn subplot_size(&self) -> (i32, i32) {
        let cols = (self.h_cols + self.p_cols) as i32;
        (
            self.row_label_w + cols * self.cell_w,
            SUBPLOT_TITLE_H + self.rows as i32 * self.cell_h + self.col_label_h,
        )
    }

    /// Left of the grid: centred horizontally when the title is wider than the grid.
    fn grid_left(&self) -> i32 {
        let (sub_w, _) = self.subplot_size();
        let cols = self.grid.1 as i32;
        let content_w = cols * sub_w + (cols - 1) * GAP_X + BAR_GAP + BAR_W + BAR_LABELS_W;
        MARGIN + (self.width as i32 - 2 * MARGIN - content_w) / 2
    }

    /// Top-left pixel of subplot `subplot`'s heat map (subplots fill the grid row by row).
    pub fn heatmap_origin(&self, subplot: usize) -> (i32, i32) {
        let (sub_w, sub_h) = self.subplot_size();
        let (r, c) = ((subplot / self.grid.1) as i32, (subplot % self.grid.1) as i32);
        (
            self.grid_left() + c * (sub_w + GAP_X) + self.row_label_w,
            HEADER_H + r * (sub_h + GAP_Y) + SUBPLOT_TITLE_H,
        )
    }

    /// The heat map of `subplot`: `(x0, y0, x1, y1)`, end exclusive.
    pub fn heatmap_rect(&self, subplot: usize) -> (i32, i32, i32, i32) {
        let (x, y) = self.heatmap_origin(subplot);
        let cols = (self.h_cols + self.p_cols) as i32;
        (x, y, x + cols * self.cell_w, y + self.rows as i32 * self.cell_h)
    }

    /// The pixels of cell (`row`, `col`) of `subplot`: `(x0, y0, x1, y1)`, end exclusive.
    /// Columns count hidden units first, then outputs.
    pub fn cell_rect(&self, subplot: usize, row: usize, col: usize) -> (i32, i32, i32, i32) {
        let (x, y) = self.heatmap_origin(subplot);
        let x0 = x + col as i32 * self.cell_w;
        let y0 = y + row as i32 * self.cell_h;
        (x0, y0, x0 + self.cell_w, y0 + self.cell_h)
    }

    /// The x of the lime line between the hidden units and the outputs: the first output
    /// column's left edge; the line covers the pixel columns `x - 1 ..= x + 1`.
    pub fn separator_x(&self, subplot: usize) -> i32 {
        self.heatmap_origin(subplot).0 + self.h_cols as i32 * self.cell_w
    }

    /// The colour bar's rectangle, right of the grid, as tall as a heat map.
    pub fn colour_bar_rect(&self) -> (i32, i32, i32, i32) {
        let (_, y0, x1, _) = self.heatmap_rect(self.grid.1 - 1);
        let height = (self.rows as i32 * self.cell_h).max(120);
        let x = x1 + BAR_GAP;
        (x, y0, x + BAR_W, y0 + height)
    }
}

/// The text of a state-grid figure; the layout makes room for all of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GridText {
    /// Heat-map column labels: `h1..hk`, then `P(symbol)`.
    pub columns: Vec<String>,
    /// Heat-map row labels: `input→target` per position.
    pub rows: Vec<String>,
    /// One per subplot: seed, final loss, success mark.
    pub subplot_titles: Vec<String>,
    pub title: String,
    pub subtitle: String,
}

/// Everything one state-grid figure shows, resolved from the CSVs.
struct Content<'a> {
    runs: Vec<&'a RunRow>,
    /// Per subplot: the `[h | prob]` rows, or `None` when the run has no recorded states.
    matrices: Vec<Option<Vec<Vec<f64>>>>,
    text: GridText,
    layout: StateGridLayout,
}

impl<'a> Content<'a> {
    fn of(results: &'a Results, group: &Group<'a>, label: &str, spec: &FiguresSpec) -> Self {
        let first = group.first();
        let shown = &group.runs[..group.runs.len().min(spec.state_grid_runs)];
        let states: Vec<_> = shown
            .iter()
            .map(|r| results.states.get(&r.run_id).filter(|s| !s.positions.is_empty()))
            .collect();
        // The group shares its dataset, so any run with states gives the labels.
        let reference = states.iter().flatten().next();
        let rows = reference.map_or(0, |s| s.positions.len()).min(spec.positions);
        let h_cols = reference.map_or(first.hidden, |s| s.positions[0].h.len());
        let vocab: Vec<String> = reference.map(|s| s.vocab.clone()).unwrap_or_default();
        // The stored labels (`l1.h1`, ... for every layer's states), else `h1..hk`.
        let mut col_labels: Vec<String> = (0..h_cols)
            .map(|i| {
                reference
                    .and_then(|s| s.units.get(i))
                    .filter(|l| !l.is_empty())
                    .cloned()
                    .unwrap_or_else(|| format!("h{}", i + 1))
            })
            .collect();
        col_labels.extend(vocab.iter().map(|v| format!("P({})", canvas::show_symbol(v))));
        let row_labels: Vec<String> = reference
            .map(|s| {
                s.positions[..rows]
                    .iter()
                    .map(|p| format!("{}→{}", canvas::show_symbol(&p.input), canvas::show_symbol(&p.target)))
                    .collect()
            })
            .unwrap_or_default();
        let matrices = states
            .iter()
            .map(|s| {
                s.map(|s| {
                    s.positions
                        .iter()
                        .take(rows)
                        .map(|p| {
                            let mut row = p.h.clone();
                            row.resize(h_cols, f64::NAN);
                            row.extend(&p.probs);
                            row
                        })
                        .collect()
                })
            })
            .collect();
        let subplot_titles = shown.iter().map(|r| subplot_title(r)).collect::<Vec<_>>();
        let title = format!(
            "{} -- # of hidden nodes = {}  ({})",
            canvas::cell_title(first.cell),
            first.hidden,
            first.dataset
        );
        let mut subtitle = format!(
            "{} of {} restarts reached 100% accuracy (green frame)  ·  lr {}, {} epochs, head {}, {}  ·  rows: input→target, first {} positions",
            group.successes(),
            group.runs.len(),
            first.lr,
            first.epochs,
            first.head,
            first.device,
            rows
        );
        if !label.is_empty() {
            subtitle.push_str(&format!("  ·  {label}"));
        }
        if shown.len() < group.runs.len() {
            subtitle.push_str(&format!("  ·  shown: the first {} runs", shown.len()));
        }
        let text = GridText {
            columns: col_labels,
            rows: row_labels,
            subplot_titles,
            title,
            subtitle,
        };
        let layout = StateGridLayout::new(shown.len(), rows, h_cols, vocab.len(), &text);
        Self {
            runs: shown.to_vec(),
            matrices,
            text,
            layout,
        }
    }
}

fn subplot_title(run: &RunRow) -> String {
    let loss = crate::stats::fmt_loss(f64::from(run.final_loss));
    match run.status {
        RunStatus::Ok if run.success => format!("✓ seed {}  loss {loss}", run.seed),
        RunStatus::Ok => format!("seed {}  loss {loss}", run.seed),
        status => format!("seed {}  {}", run.seed, status.name()),
    }
}

/// The parameters the title and subtitle name (the rest that sets a group apart comes as its
/// label).
pub const TITLED: &[Param] = &[
    Param::Cell,
    Param::Hidden,
    Param::Dataset,
    Param::Lr,
    Param::Epochs,
    Param::Head,
    Param::Device,
];

/// Draws `states_<group>.png` for `group` into `out`; a non-empty `label` (what sets the group
/// apart from the sweep's other groups) is added to the subtitle.
pub fn draw(results: &Results, group: &Group, label: &str, spec: &FiguresSpec, out: &Path) -> Result<Vec<PathBuf>> {
    let content = Content::of(results, group, label, spec);
    let path = out.join(format!("states_{}.png", group.file_stem()));
    let size = (content.layout.width, content.layout.height);
    let range = (spec.range[0], spec.range[1]);
    let written = canvas::write_png(&path, size, |area| draw_content(area, &content, range))?;
    Ok(vec![written])
}

fn draw_content(area: &Area, content: &Content, range: (f64, f64)) -> DrawResult {
    let layout = &content.layout;
    let centre = layout.width as i32 / 2;
    area.draw_text(
        &content.text.title,
        &anchored(bold(TITLE_SIZE), HPos::Center, VPos::Top),
        (centre, 14),
    )?;
    area.draw_text(
        &content.text.subtitle,
        &anchored(font(SUBTITLE_SIZE).color(&colormap::GREY), HPos::Center, VPos::Top),
        (centre, 54),
    )?;
    for (i, run) in content.runs.iter().enumerate() {
        draw_subplot(area, content, i, run, range)?;
    }
    if layout.rows > 0 {
        let bar = layout.colour_bar_rect();
        canvas::colour_bar(area, bar, range, &canvas::bar_ticks(range.0, range.1), TICK_SIZE)?;
    }
    Ok(())
}

fn draw_subplot(area: &Area, content: &Content, i: usize, run: &RunRow, range: (f64, f64)) -> DrawResult {
    let layout = &content.layout;
    let rect = layout.heatmap_rect(i);
    let (x0, y0, x1, y1) = rect;
    let mid_x = (x0 + x1) / 2;
    let title_colour: &RGBColor = if run.success { &SUCCESS } else { &TEXT };
    area.draw_text(
        &content.text.subplot_titles[i],
        &anchored(font(SUBPLOT_TITLE_SIZE).color(title_colour), HPos::Center, VPos::Bottom),
        (mid_x, y0 - 8),
    )?;
    let Some(matrix) = &content.matrices[i] else {
        // A failed run has nothing recorded: an empty grey box says so.
        canvas::fill_rect(area, rect, LIGHT_GREY)?;
        let label = if run.status == RunStatus::Ok {
            "no states"
        } else {
            run.status.name()
        };
        area.draw_text(
            label,
            &anchored(font(TICK_SIZE), HPos::Center, VPos::Center),
            (mid_x, (y0 + y1) / 2),
        )?;
        return Ok(());
    };
    canvas::heat_cells(area, (x0, y0), (layout.cell_w, layout.cell_h), matrix, range)?;
    if layout.h_cols > 0 && layout.p_cols > 0 {
        let x = layout.separator_x(i);
        canvas::fill_rect(area, (x - 1, y0, x + 2, y1), LIME)?;
    }
    if run.success {
        canvas::frame(area, rect, 3, SUCCESS)?;
    } else {
        canvas::frame(area, rect, 1, GREY)?;
    }
    let tick = font(TICK_SIZE);
    let right = anchored(tick.clone(), HPos::Right, VPos::Center);
    for (r, label) in content.text.rows.iter().enumerate().take(layout.rows) {
        let y = y0 + r as i32 * layout.cell_h + layout.cell_h / 2;
        area.draw_text(label, &right, (x0 - 6, y))?;
    }
    for (c, label) in content.text.columns.iter().enumerate() {
        let x = x0 + c as i32 * layout.cell_w + layout.cell_w / 2;
        if layout.upright_labels {
            let style = anchored(tick.clone(), HPos::Right, VPos::Center).transform(FontTransform::Rotate270);
            area.draw_text(label, &style, (x, y1 + 6))?;
        } else {
            area.draw_text(label, &anchored(tick.clone(), HPos::Center, VPos::Top), (x, y1 + 6))?;
        }
    }
    Ok(())
}
