//! Loss per epoch of every run of a seed group in one plot, log-scale y. Restarts that got
//! stuck stay on a plateau (for AbAcAd near ln 3 / 3 ≈ 0.55: the model cannot tell what
//! follows A) while successful ones fall by orders of magnitude, so runs are coloured by
//! whether they succeeded. Runs with a validation split (`val`) add their held-out loss per
//! epoch as a dashed line of the same colour.

use super::canvas::{self, bold, font, DrawResult};
use super::colormap::{FAILURE, GREY, SUCCESS};
use super::data::{Group, Results};
use crate::error::Result;
use crate::spec::Param;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

const SIZE: (u32, u32) = (1100, 700);

/// One run's line: whether it succeeded, its (epoch, loss) points, and the point of the first
/// epoch whose pass predicted every position (marked with a dot).
type Curve = (bool, Vec<(f64, f64)>, Option<(f64, f64)>);

/// (epoch, loss) points that a log axis can draw: finite and positive.
fn drawable(curve: &[f32]) -> Vec<(f64, f64)> {
    curve
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_finite() && **l > 0.0)
        .map(|(e, &l)| ((e + 1) as f64, f64::from(l)))
        .collect()
}

/// The parameters the title names (the rest that sets a group apart comes as its label).
pub const TITLED: &[Param] = &[Param::Cell, Param::Hidden, Param::Dataset];

/// Draws `loss_<group>.png` for `group` into `out`; a non-empty `label` (what sets the group
/// apart from the sweep's other groups) is added to the title.
pub fn draw(results: &Results, group: &Group, label: &str, out: &Path) -> Result<Vec<PathBuf>> {
    let path = out.join(format!("loss_{}.png", group.file_stem()));
    // (succeeded, points, where it first reached 100% accuracy) per run; log scale: only
    // finite, positive losses can be drawn.
    let curves: Vec<Curve> = group
        .runs
        .iter()
        .filter_map(|r| results.curves.get(&r.run_id).map(|c| (r, c)))
        .map(|(r, c)| {
            let points = drawable(c);
            let success = r
                .epochs_to_success
                .and_then(|e| points.iter().copied().find(|&(x, _)| x == e as f64));
            (r.success, points, success)
        })
        .collect();
    // The held-out curves, coloured as their runs.
    let val: Vec<(bool, Vec<(f64, f64)>)> = group
        .runs
        .iter()
        .filter_map(|r| results.val_curves.get(&r.run_id).map(|c| (r.success, drawable(c))))
        .collect();
    let first = group.first();
    let mut title = format!(
        "Loss per epoch -- {}, {} hidden ({}): {} of {} succeeded",
        canvas::cell_title(first.cell),
        first.hidden,
        first.dataset,
        group.successes(),
        group.runs.len()
    );
    if !label.is_empty() {
        title.push_str(&format!("  ·  {label}"));
    }
    let written = canvas::write_png(&path, SIZE, |area| draw_curves(area, &title, &curves, &val))?;
    Ok(vec![written])
}

fn draw_curves(area: &canvas::Area, title: &str, curves: &[Curve], val: &[(bool, Vec<(f64, f64)>)]) -> DrawResult {
    let points = curves
        .iter()
        .flat_map(|(_, p, _)| p.iter())
        .chain(val.iter().flat_map(|(_, p)| p.iter()));
    let (mut lo, mut hi, mut last) = (f64::INFINITY, f64::NEG_INFINITY, 1.0f64);
    for &(e, l) in points {
        lo = lo.min(l);
        hi = hi.max(l);
        last = last.max(e);
    }
    if !lo.is_finite() {
        // Nothing trained (e.g. every run failed): say so instead of an empty chart.
        area.draw_text(title, &bold(22.0), (30, 20))?;
        area.draw_text("no loss values recorded", &font(18.0), (30, 70))?;
        return Ok(());
    }
    if hi / lo < 10.0 {
        // A log axis needs at least a decade to show labelled ticks.
        lo = (hi / 10.0).min(lo);
    }
    let mut chart = ChartBuilder::on(area)
        .caption(title, bold(22.0))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(1f64..last.max(2.0), (lo * 0.8..hi * 1.25).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("loss (cross-entropy, log scale)")
        .label_style(font(15.0))
        .axis_desc_style(font(17.0))
        .x_label_formatter(&|e| format!("{e:.0}"))
        .y_label_formatter(&|v| canvas::fmt_tick(*v))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(230, 230, 230))
        .draw()?;
    // Failures first, so the successful (green) curves are drawn on top of them.
    for wanted in [false, true] {
        let colour = if wanted { SUCCESS } else { FAILURE };
        let count = curves.iter().filter(|(ok, _, _)| *ok == wanted).count();
        let mut labelled = false;
        for (_, points, _) in curves.iter().filter(|(ok, _, _)| *ok == wanted) {
            let series = chart.draw_series(LineSeries::new(
                points.iter().copied(),
                colour.mix(0.75).stroke_width(2),
            ))?;
            if !labelled {
                let label = if wanted {
                    format!("succeeded ({count})")
                } else {
                    format!("not succeeded ({count})")
                };
                series
                    .label(label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3)));
                labelled = true;
            }
        }
    }
    draw_held_out(&mut chart, val)?;
    // Where each run first predicted every position (`epochs_to_success`).
    let marks: Vec<(f64, f64)> = curves.iter().filter_map(|(_, _, m)| *m).collect();
    if !marks.is_empty() {
        chart
            .draw_series(marks.iter().map(|&p| Circle::new(p, 5, SUCCESS.filled())))?
            .label(format!("first 100% accuracy ({})", marks.len()))
            .legend(|(x, y)| Circle::new((x + 12, y), 5, SUCCESS.filled()));
    }
    chart
        .configure_series_labels()
        .label_font(font(16.0))
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

/// The held-out losses, dashed, in their runs' colours, with one legend entry.
fn draw_held_out<'a, CT>(
    chart: &mut ChartContext<'a, BitMapBackend<'a>, CT>,
    val: &[(bool, Vec<(f64, f64)>)],
) -> DrawResult
where
    CT: plotters::coord::CoordTranslate<From = (f64, f64)>,
{
    let mut labelled = false;
    for (ok, points) in val {
        let colour = if *ok { SUCCESS } else { FAILURE };
        let style = colour.mix(0.75).stroke_width(2);
        let series = chart.draw_series(DashedLineSeries::new(points.iter().copied(), 8, 6, style))?;
        if !labelled {
            series
                .label(format!("held-out loss, val_loss ({})", val.len()))
                .legend(|(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (9, 0)], GREY.stroke_width(3))
                        + PathElement::new(vec![(15, 0), (24, 0)], GREY.stroke_width(3))
                });
            labelled = true;
        }
    }
    Ok(())
}
