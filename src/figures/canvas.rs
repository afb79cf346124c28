//! Pixel-level drawing shared by the figures: the bundled font, text in fixed pixel sizes,
//! heat-map cells, colour bars and writing a PNG atomically. Heat maps are drawn in plain pixel
//! coordinates (not through a plotters chart) so that a cell's rectangle is known exactly,
//! which the tests use to check colours where a value is drawn.

use super::colormap::{self, TEXT};
use crate::error::{Error, Result};
use crate::spec::CellKind;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::{Path, PathBuf};
use std::sync::Once;

pub type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
/// Drawing errors are boxed: plotters' error types are generic over the backend.
pub type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// The only font family figures use; registered from the `dejavu` crate's bytes, so no system
/// font library is needed and text renders the same on every machine.
pub const FAMILY: &str = "sans-serif";

static FONTS: Once = Once::new();

pub fn register_fonts() {
    FONTS.call_once(|| {
        // The bundled fonts are valid OpenType; should registration ever fail, drawing text
        // reports a font error instead of panicking here.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Text of `size` pixels, anchored at its top-left corner.
pub fn font(size: f64) -> TextStyle<'static> {
    // A font description looks its font up when it is created: register first, or the first
    // figure of a process would be laid out with estimated text widths.
    register_fonts();
    (FAMILY, size).into_font().color(&TEXT)
}

pub fn bold(size: f64) -> TextStyle<'static> {
    register_fonts();
    (FAMILY, size, FontStyle::Bold).into_font().color(&TEXT)
}

/// `style` anchored at the given horizontal/vertical position of the text box.
pub fn anchored<'a>(style: TextStyle<'a>, h: HPos, v: VPos) -> TextStyle<'a> {
    style.pos(Pos::new(h, v))
}

/// Width and height in pixels of `text` in `style`.
pub fn text_size(text: &str, style: &TextStyle) -> (i32, i32) {
    register_fonts();
    style
        .font
        .box_size(text)
        .map(|(w, h)| (w as i32, h as i32))
        .unwrap_or((text.chars().count() as i32 * style.font.get_size() as i32 / 2, 0))
}

/// Fills the pixels `x0..x1` x `y0..y1` (end exclusive: the bitmap backend fills a solid
/// rectangle up to, not including, its second corner).
pub fn fill_rect(area: &Area, (x0, y0, x1, y1): (i32, i32, i32, i32), color: RGBColor) -> DrawResult {
    if x1 > x0 && y1 > y0 {
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()))?;
    }
    Ok(())
}

/// A frame of `width` pixels drawn just outside the rectangle `x0..x1` x `y0..y1`.
pub fn frame(area: &Area, (x0, y0, x1, y1): (i32, i32, i32, i32), width: i32, color: RGBColor) -> DrawResult {
    fill_rect(area, (x0 - width, y0 - width, x1 + width, y0), color)?;
    fill_rect(area, (x0 - width, y1, x1 + width, y1 + width), color)?;
    fill_rect(area, (x0 - width, y0, x0, y1), color)?;
    fill_rect(area, (x1, y0, x1 + width, y1), color)
}

/// Draws `rows` (one inner vector per heat-map row, row 0 at the top) as `cell`-sized
/// rectangles starting at `origin`, coloured with `bwr` on `[lo, hi]`.
pub fn heat_cells(
    area: &Area,
    origin: (i32, i32),
    cell: (i32, i32),
    rows: &[Vec<f64>],
    (lo, hi): (f64, f64),
) -> DrawResult {
    for (r, row) in rows.iter().enumerate() {
        for (c, &value) in row.iter().enumerate() {
            let x0 = origin.0 + c as i32 * cell.0;
            let y0 = origin.1 + r as i32 * cell.1;
            fill_rect(area, (x0, y0, x0 + cell.0, y0 + cell.1), colormap::bwr(value, lo, hi))?;
        }
    }
    Ok(())
}

/// A vertical colour bar filling `rect` (high values at the top) with tick labels at `ticks`
/// on its right.
pub fn colour_bar(
    area: &Area,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    (lo, hi): (f64, f64),
    ticks: &[f64],
    label_size: f64,
) -> DrawResult {
    let span = (y1 - y0 - 1).max(1) as f64;
    for y in y0..y1 {
        let value = hi - (y - y0) as f64 / span * (hi - lo);
        fill_rect(area, (x0, y, x1, y + 1), colormap::bwr(value, lo, hi))?;
    }
    frame(area, (x0, y0, x1, y1), 1, colormap::GREY)?;
    let style = anchored(font(label_size), HPos::Left, VPos::Center);
    for &t in ticks {
        let y = y0 + ((hi - t) / (hi - lo) * span).round() as i32;
        fill_rect(area, (x1, y, x1 + 5, y + 1), colormap::TEXT)?;
        area.draw_text(&fmt_tick(t), &style, (x1 + 8, y))?;
    }
    Ok(())
}

/// Ticks for a colour bar over `[lo, hi]`: the ends, and 0 when it lies strictly inside.
pub fn bar_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut ticks = vec![hi];
    if lo < 0.0 && hi > 0.0 {
        ticks.push(0.0);
    }
    ticks.push(lo);
    ticks
}

/// A tick value without trailing zeros: `1`, `-0.5`, `7`, `0.001`; `1e-5` below 1e-3.
pub fn fmt_tick(v: f64) -> String {
    // Axis ticks computed as sums of steps land near, not on, zero (-2e-16).
    if v.abs() < 1e-9 {
        return "0".into();
    }
    if v.abs() < 1e-3 {
        return format!("{v:.0e}");
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// A vocabulary symbol made visible: a space would be an invisible label.
pub fn show_symbol(symbol: &str) -> String {
    match symbol {
        " " => "␣".into(),
        "" => "∅".into(),
        s => s.replace('\n', "⏎"),
    }
}

/// The name a lecture note gives a cell type in titles.
pub fn cell_title(cell: CellKind) -> String {
    crate::spec::cell_title(cell.name())
}

/// Draws into a new `size` PNG at `path` with a white background, through the results folder's
/// one atomic write (`crate::folder::replace_file`), so a reader never sees half a picture.
pub fn write_png(path: &Path, size: (u32, u32), draw: impl FnOnce(&Area) -> DrawResult) -> Result<PathBuf> {
    register_fonts();
    let mut drawn: DrawResult = Ok(());
    let written = crate::folder::replace_file(path, |tmp| {
        drawn = (|| -> DrawResult {
            let root = BitMapBackend::new(tmp, size).into_drawing_area();
            root.fill(&WHITE)?;
            draw(&root)?;
            root.present()?;
            Ok(())
        })();
        drawn
            .as_ref()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .copied()
    });
    if let Err(e) = drawn {
        return Err(Error::Other(format!("{}: cannot draw: {e}", path.display())));
    }
    written.map(|()| path.to_path_buf())
}
