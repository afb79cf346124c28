//! Colour scales. The heat maps use matplotlib's `bwr` (blue-white-red, what the lecture notes
//! draw with), centred at 0 so that white always means "zero" even for a lopsided range.

use plotters::style::RGBColor;

pub const BLUE: RGBColor = RGBColor(0, 0, 255);
pub const RED: RGBColor = RGBColor(255, 0, 0);
pub const WHITE: RGBColor = RGBColor(255, 255, 255);
/// The separator between hidden units and outputs (matplotlib's `lime`).
pub const LIME: RGBColor = RGBColor(0, 255, 0);
/// Cells whose value is NaN: neither blue nor red.
pub const MISSING: RGBColor = RGBColor(160, 160, 160);
/// Marks runs that succeeded (frames, check marks, bars, curves).
pub const SUCCESS: RGBColor = RGBColor(0, 150, 60);
/// Runs that did not succeed, in curves and bars.
pub const FAILURE: RGBColor = RGBColor(214, 39, 40);
pub const TEXT: RGBColor = RGBColor(20, 20, 20);
pub const GREY: RGBColor = RGBColor(120, 120, 120);
pub const LIGHT_GREY: RGBColor = RGBColor(225, 225, 225);

/// matplotlib's `tab10`, for line plots with one colour per series.
pub const TAB10: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Where `value` sits on a diverging scale over `[lo, hi]`, in `[-1, 1]` with 0 at value 0.
/// Each side is scaled separately when the range straddles 0 (like matplotlib's
/// `TwoSlopeNorm`); otherwise the range maps linearly. Values outside are clamped.
pub fn diverging_position(value: f64, lo: f64, hi: f64) -> f64 {
    let s = if lo < 0.0 && hi > 0.0 {
        if value < 0.0 {
            value / -lo
        } else {
            value / hi
        }
    } else {
        2.0 * (value - lo) / (hi - lo) - 1.0
    };
    s.clamp(-1.0, 1.0)
}

/// The `bwr` colour of `value` on `[lo, hi]`: blue at `lo`, white at 0, red at `hi`.
pub fn bwr(value: f64, lo: f64, hi: f64) -> RGBColor {
    if value.is_nan() {
        return MISSING;
    }
    let s = diverging_position(value, lo, hi);
    if s < 0.0 {
        blend(WHITE, BLUE, -s)
    } else {
        blend(WHITE, RED, s)
    }
}

/// White to green over `[0, 1]`, for shares of successful runs.
pub fn greens(fraction: f64) -> RGBColor {
    blend(WHITE, SUCCESS, fraction.clamp(0.0, 1.0))
}

/// Linear blend from `a` (t = 0) to `b` (t = 1), rounded to the nearest channel value.
pub fn blend(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}
