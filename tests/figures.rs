//! Figures, checked by decoding the PNGs: colours where known values are drawn, the lime
//! separator, one subplot per seed, the files each figure kind writes, CSV errors, speed, and
//! that `sweeplab plot` redraws byte for byte what `sweeplab sweep` drew.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use sweeplab::figures::data::Results;
use sweeplab::figures::state_grid::StateGridLayout;
use sweeplab::figures::{draw_all, FiguresSpec};

const RED: [u8; 3] = [255, 0, 0];
const BLUE: [u8; 3] = [0, 0, 255];
const WHITE: [u8; 3] = [255, 255, 255];
const LIME: [u8; 3] = [0, 255, 0];
const SUCCESS_GREEN: [u8; 3] = [0, 150, 60];
const FRAME_GREY: [u8; 3] = [120, 120, 120];

struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Image {
    fn open(path: &Path) -> Self {
        let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
        buf.truncate(info.buffer_size());
        Self {
            width: info.width,
            height: info.height,
            rgb: buf,
        }
    }

    fn at(&self, x: i32, y: i32) -> [u8; 3] {
        assert!(x >= 0 && y >= 0 && (x as u32) < self.width && (y as u32) < self.height);
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// The colour at the centre of an end-exclusive rectangle.
    fn centre(&self, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> [u8; 3] {
        self.at((x0 + x1) / 2, (y0 + y1) / 2)
    }

    /// Connected areas (4-neighbour) of pixels of exactly `colour`.
    fn components(&self, colour: [u8; 3]) -> usize {
        let (w, h) = (self.width as i32, self.height as i32);
        let mut seen = vec![false; (w * h) as usize];
        let mut count = 0;
        for start in 0..w * h {
            if seen[start as usize] || self.at(start % w, start / w) != colour {
                continue;
            }
            count += 1;
            let mut stack = vec![start];
            seen[start as usize] = true;
            while let Some(p) = stack.pop() {
                let (x, y) = (p % w, p / w);
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] {
                    if nx < 0 || ny < 0 || nx >= w || ny >= h {
                        continue;
                    }
                    let q = ny * w + nx;
                    if !seen[q as usize] && self.at(nx, ny) == colour {
                        seen[q as usize] = true;
                        stack.push(q);
                    }
                }
            }
        }
        count
    }
}

const RUNS_HEADER: &str = "run_id,experiment,group,dataset,cell,hidden,seed,device,epochs,lr,head,final_loss,accuracy,success,train_seconds,status,error\n";

/// A synthetic results folder with known states.
///
/// Group 0: RNN(2) on vocabulary [A, b], seeds 0..7 written in reverse order; seeds 0 and 3
/// succeeded. Each run records 10 positions: h = [+1, -1] for even seeds and [-1, +1] for odd
/// ones; probabilities [1, 0] at even positions and [0.5, 0.5] at odd ones.
/// Group 1: memoryless(1), seeds 0 and 1, seed 1 failed (no states, no curve).
fn synthetic(dir: &Path) {
    let mut runs = String::from(RUNS_HEADER);
    let mut curves = String::from("run_id,epoch,loss\n");
    let mut states = String::from("run_id,position,input,target,kind,index,label,value\n");
    let mut add_states = |id: &str, h: &[f64]| {
        for p in 0..10 {
            let (input, target) = if p % 2 == 0 { ("A", "b") } else { ("b", "A") };
            let probs = if p % 2 == 0 { [1.0, 0.0] } else { [0.5, 0.5] };
            let mut row = |kind: &str, i: usize, label: &str, v: f64| {
                writeln!(states, "{id},{p},{input},{target},{kind},{i},{label},{v}").unwrap();
            };
            for (i, &v) in h.iter().enumerate() {
                row("h", i, &format!("h{}", i + 1), v);
            }
            for (i, label) in ["A", "b"].iter().enumerate() {
                row("logit", i, label, 2.0 * probs[i] - 1.0);
            }
            for (i, label) in ["A", "b"].iter().enumerate() {
                row("prob", i, label, probs[i]);
            }
        }
    };
    for seed in (0..7).rev() {
        let id = format!("rnn{seed}");
        let success = seed == 0 || seed == 3;
        let loss = if success { 0.01 } else { 0.55 };
        writeln!(
            runs,
            "{id},synthetic,0,AbAb,rnn,2,{seed},cpu,20,0.1,linear,{loss},{},{success},0.1,ok,",
            if success { 1.0 } else { 0.5 }
        )
        .unwrap();
        for e in 1..=20 {
            writeln!(curves, "{id},{e},{}", 1.5 / e as f64 + loss).unwrap();
        }
        let s = if seed % 2 == 0 { 1.0 } else { -1.0 };
        add_states(&id, &[s, -s]);
    }
    runs.push_str("mem0,synthetic,1,AbAb,memoryless,1,0,cpu,20,0.1,linear,0.3,1,true,0.1,ok,\n");
    runs.push_str("mem1,synthetic,1,AbAb,memoryless,1,1,cuda,20,0.1,linear,NaN,NaN,false,0,failed,no driver\n");
    for e in 1..=20 {
        writeln!(curves, "mem0,{e},{}", 1.0 / e as f64).unwrap();
    }
    add_states("mem0", &[0.25]);
    std::fs::write(dir.join("runs.csv"), runs).unwrap();
    std::fs::write(dir.join("curves.csv"), curves).unwrap();
    std::fs::write(dir.join("states.csv"), states).unwrap();
}

fn names(paths: &[PathBuf]) -> BTreeSet<String> {
    paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_figure_kind_is_written_under_figures() {
    let dir = tempfile::tempdir().unwrap();
    synthetic(dir.path());
    let written = draw_all(dir.path(), &FiguresSpec::default()).unwrap();
    let expected: BTreeSet<String> = [
        "states_00_AbAb_rnn2.png",
        "loss_00_AbAb_rnn2.png",
        "states_01_AbAb_memoryless1.png",
        "loss_01_AbAb_memoryless1.png",
        // Only the memoryless group gets note 001's views.
        "memoryless_vis1_01_AbAb_memoryless1.png",
        "memoryless_vis2_01_AbAb_memoryless1.png",
        "summary.png",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(names(&written), expected);
    for path in &written {
        assert_eq!(path.parent().unwrap(), dir.path().join("figures"));
        let image = Image::open(path);
        assert!(image.width >= 300 && image.height >= 200, "{}", path.display());
    }
    assert_eq!(
        (
            Image::open(&dir.path().join("figures/loss_00_AbAb_rnn2.png")).width,
            700
        ),
        (
            1100,
            Image::open(&dir.path().join("figures/loss_00_AbAb_rnn2.png")).height
        )
    );

    // Switching kinds off draws only what is asked for.
    let spec: FiguresSpec =
        serde_yaml_ng::from_str("{state_grid: false, loss_curves: false, memoryless: false}").unwrap();
    let other = tempfile::tempdir().unwrap();
    synthetic(other.path());
    assert_eq!(
        names(&draw_all(other.path(), &spec).unwrap()),
        BTreeSet::from(["summary.png".to_string()])
    );
}

#[test]
fn state_grid_cells_have_the_colour_of_their_value() {
    let dir = tempfile::tempdir().unwrap();
    synthetic(dir.path());
    let spec = FiguresSpec::default();
    draw_all(dir.path(), &spec).unwrap();
    let results = Results::load(dir.path()).unwrap();
    let groups = results.groups();
    let layout = StateGridLayout::for_group(&results, &groups[0], &spec);
    let image = Image::open(&dir.path().join("figures/states_00_AbAb_rnn2.png"));
    assert_eq!((image.width, image.height), (layout.width, layout.height));
    // 10 positions recorded, the first 8 shown; columns h1 h2 | P(A) P(b).
    assert_eq!((layout.rows, layout.h_cols, layout.p_cols), (8, 2, 2));

    // Subplots are in seed order although runs.csv lists seeds backwards.
    for seed in 0..7 {
        let (pos, neg) = if seed % 2 == 0 { (RED, BLUE) } else { (BLUE, RED) };
        for row in 0..8 {
            assert_eq!(
                image.centre(layout.cell_rect(seed, row, 0)),
                pos,
                "seed {seed} row {row} h1"
            );
            assert_eq!(
                image.centre(layout.cell_rect(seed, row, 1)),
                neg,
                "seed {seed} row {row} h2"
            );
            // P = 1 is full red, P = 0 white, P = 0.5 halfway between white and red.
            let (p_a, p_b) = if row % 2 == 0 {
                (RED, WHITE)
            } else {
                ([255, 128, 128], [255, 128, 128])
            };
            assert_eq!(
                image.centre(layout.cell_rect(seed, row, 2)),
                p_a,
                "seed {seed} row {row} P(A)"
            );
            assert_eq!(
                image.centre(layout.cell_rect(seed, row, 3)),
                p_b,
                "seed {seed} row {row} P(b)"
            );
        }
        // A whole cell is one colour, corners included.
        let (x0, y0, x1, y1) = layout.cell_rect(seed, 0, 0);
        for (x, y) in [(x0, y0), (x1 - 1, y1 - 1)] {
            assert_eq!(image.at(x, y), pos);
        }
    }
}

#[test]
fn lime_separator_sits_between_hidden_units_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    synthetic(dir.path());
    let spec = FiguresSpec::default();
    draw_all(dir.path(), &spec).unwrap();
    let results = Results::load(dir.path()).unwrap();
    let layout = StateGridLayout::for_group(&results, &results.groups()[0], &spec);
    let image = Image::open(&dir.path().join("figures/states_00_AbAb_rnn2.png"));
    for subplot in 0..7 {
        let x = layout.separator_x(subplot);
        // Exactly between h2 and P(A): the right edge of h2's cell.
        assert_eq!(x, layout.cell_rect(subplot, 0, 1).2);
        assert_eq!(x, layout.cell_rect(subplot, 0, 2).0);
        let (_, y0, _, y1) = layout.heatmap_rect(subplot);
        for y in [y0, (y0 + y1) / 2, y1 - 1] {
            for dx in -1..=1 {
                assert_eq!(image.at(x + dx, y), LIME, "subplot {subplot} x {} y {y}", x + dx);
            }
            assert_ne!(image.at(x - 3, y), LIME);
            assert_ne!(image.at(x + 3, y), LIME);
        }
    }
}

#[test]
fn one_subplot_per_seed_in_a_near_square_grid() {
    let dir = tempfile::tempdir().unwrap();
    synthetic(dir.path());
    let spec = FiguresSpec::default();
    draw_all(dir.path(), &spec).unwrap();
    let results = Results::load(dir.path()).unwrap();
    let layout = StateGridLayout::for_group(&results, &results.groups()[0], &spec);
    assert_eq!((layout.subplots, layout.grid), (7, (3, 3)));
    // Each subplot draws one lime separator: counting them counts the subplots drawn.
    let image = Image::open(&dir.path().join("figures/states_00_AbAb_rnn2.png"));
    assert_eq!(image.components(LIME), 7);
    // Succeeded runs (seeds 0 and 3) get a green frame, the others a thin grey one.
    for seed in 0..7 {
        let (x0, y0, _, y1) = layout.heatmap_rect(seed);
        let y = (y0 + y1) / 2;
        if seed == 0 || seed == 3 {
            assert_eq!(
                [image.at(x0 - 1, y), image.at(x0 - 3, y)],
                [SUCCESS_GREEN; 2],
                "seed {seed}"
            );
        } else {
            assert_eq!(
                [image.at(x0 - 1, y), image.at(x0 - 3, y)],
                [FRAME_GREY, WHITE],
                "seed {seed}"
            );
        }
    }

    // The memoryless group: 2 seeds, of which one failed and has no heat map (no separator).
    let layout = StateGridLayout::for_group(&results, &results.groups()[1], &spec);
    assert_eq!((layout.subplots, layout.grid, layout.h_cols), (2, (1, 2), 1));
    let image = Image::open(&dir.path().join("figures/states_01_AbAb_memoryless1.png"));
    assert_eq!(image.components(LIME), 1);
    // h = 0.25 on the default range [-1, 1]: a quarter of the way from white to red.
    assert_eq!(image.centre(layout.cell_rect(0, 0, 0)), [255, 191, 191]);
}

#[test]
fn positions_and_range_are_configurable() {
    let dir = tempfile::tempdir().unwrap();
    synthetic(dir.path());
    let spec: FiguresSpec = serde_yaml_ng::from_str("{positions: 4, range: [-2, 2]}").unwrap();
    assert_eq!(
        (spec.positions, spec.range, spec.memoryless_positions),
        (4, [-2.0, 2.0], 15)
    );
    draw_all(dir.path(), &spec).unwrap();
    let results = Results::load(dir.path()).unwrap();
    let layout = StateGridLayout::for_group(&results, &results.groups()[0], &spec);
    let default_layout = StateGridLayout::for_group(&results, &results.groups()[0], &FiguresSpec::default());
    assert_eq!(layout.rows, 4);
    assert!(layout.height < default_layout.height);
    let image = Image::open(&dir.path().join("figures/states_00_AbAb_rnn2.png"));
    assert_eq!(image.height, layout.height);
    // +1 and -1 are now half-way colours; P = 1 too.
    assert_eq!(image.centre(layout.cell_rect(0, 3, 0)), [255, 128, 128]);
    assert_eq!(image.centre(layout.cell_rect(0, 3, 1)), [128, 128, 255]);
    assert_eq!(image.centre(layout.cell_rect(0, 0, 2)), [255, 128, 128]);
}

/// A big group's state grid shows its first `state_grid_runs` runs (a 10,000-seed group would
/// otherwise be a 100x100 grid of subplots).
#[test]
fn state_grids_show_at_most_state_grid_runs_subplots() {
    let dir = tempfile::tempdir().unwrap();
    synthetic(dir.path());
    let spec: FiguresSpec = serde_yaml_ng::from_str("{state_grid_runs: 4}").unwrap();
    draw_all(dir.path(), &spec).unwrap();
    let results = Results::load(dir.path()).unwrap();
    let layout = StateGridLayout::for_group(&results, &results.groups()[0], &spec);
    assert_eq!((layout.subplots, layout.grid), (4, (2, 2)));
    let image = Image::open(&dir.path().join("figures/states_00_AbAb_rnn2.png"));
    assert_eq!(image.components(LIME), 4);
    assert_eq!(image.height, layout.height);
    let err = serde_yaml_ng::from_str::<FiguresSpec>("{state_grid_runs: 0}")
        .unwrap()
        .check()
        .unwrap_err();
    assert_eq!(err.0, "state_grid_runs", "{err:?}");
}

#[test]
fn figures_section_is_optional_and_checked() {
    let spec: FiguresSpec = serde_yaml_ng::from_str("{}").unwrap();
    assert_eq!(spec, FiguresSpec::default());
    assert_eq!((spec.positions, spec.range, spec.memoryless_lines), (8, [-1.0, 1.0], 9));
    assert!(serde_yaml_ng::from_str::<FiguresSpec>("{postions: 4}").is_err());

    let dir = tempfile::tempdir().unwrap();
    synthetic(dir.path());
    for bad in ["{range: [1, -1]}", "{positions: 0}", "{memoryless_range: -3}"] {
        let spec: FiguresSpec = serde_yaml_ng::from_str(bad).unwrap();
        let err = draw_all(dir.path(), &spec).unwrap_err().to_string();
        assert!(err.starts_with("figures."), "{bad}: {err}");
    }
}

#[test]
fn missing_or_corrupt_csv_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = draw_all(dir.path(), &FiguresSpec::default()).unwrap_err().to_string();
    assert!(err.contains("runs.csv") && err.contains("cannot read"), "{err}");

    synthetic(dir.path());
    std::fs::remove_file(dir.path().join("states.csv")).unwrap();
    let err = draw_all(dir.path(), &FiguresSpec::default()).unwrap_err().to_string();
    assert!(err.contains("states.csv"), "{err}");

    synthetic(dir.path());
    let runs = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
    std::fs::write(
        dir.path().join("runs.csv"),
        runs.replacen(",rnn,2,6,", ",rnn,two,6,", 1),
    )
    .unwrap();
    let err = draw_all(dir.path(), &FiguresSpec::default()).unwrap_err().to_string();
    assert!(
        err.contains("runs.csv:2") && err.contains("hidden") && err.contains("`two`"),
        "{err}"
    );

    synthetic(dir.path());
    std::fs::write(dir.path().join("curves.csv"), "run_id,loss\nx,1\n").unwrap();
    let err = draw_all(dir.path(), &FiguresSpec::default()).unwrap_err().to_string();
    assert!(
        err.contains("curves.csv") && err.contains("missing column `epoch`"),
        "{err}"
    );
}

#[test]
fn a_five_by_five_grid_draws_identically_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = String::from(RUNS_HEADER);
    let mut states = String::from("run_id,position,input,target,kind,index,label,value\n");
    for seed in 0..25 {
        writeln!(
            runs,
            "r{seed},big,0,AbAcAd,rnn,4,{seed},cpu,200,0.1,linear,0.1,1,true,0.1,ok,"
        )
        .unwrap();
        for p in 0..15 {
            for i in 0..4 {
                let v = ((seed * 7 + p * 3 + i) % 21) as f64 / 10.0 - 1.0;
                writeln!(states, "r{seed},{p},A,b,h,{i},h{},{v}", i + 1).unwrap();
            }
            for (i, s) in ["A", "b", "c", "d"].iter().enumerate() {
                writeln!(states, "r{seed},{p},A,b,prob,{i},{s},0.25").unwrap();
            }
        }
    }
    std::fs::write(dir.path().join("runs.csv"), runs).unwrap();
    std::fs::write(dir.path().join("curves.csv"), "run_id,epoch,loss\n").unwrap();
    std::fs::write(dir.path().join("states.csv"), states).unwrap();
    let spec: FiguresSpec = serde_yaml_ng::from_str("{loss_curves: false, memoryless: false, summary: false}").unwrap();
    // Drawing time is measured in the README (about 0.1 s), not asserted: timed tests fail on busy machines.
    let written = draw_all(dir.path(), &spec).unwrap();
    assert_eq!(written.len(), 1);
    let first = std::fs::read(&written[0]).unwrap();
    assert_eq!(Image::open(&written[0]).components(LIME), 25);
    draw_all(dir.path(), &spec).unwrap();
    assert!(
        first == std::fs::read(&written[0]).unwrap(),
        "redrawing changed the PNG"
    );
}

const SMALL: &str = "name: small
datasets:
  - name: AbAcAd
    cyclic: AbAcAd
    repeat: 10
    vocab: [A, b, c, d]
grid:
  cell: [rnn, memoryless]
  hidden: 2
  seed: 0..5
  lr: 0.1
  epochs: 20
figures:
  positions: 6
";

#[test]
fn plot_redraws_byte_for_byte_what_sweep_drew() {
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("small.yaml");
    std::fs::write(&exp, SMALL).unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("sweeplab")
        .unwrap()
        .arg("sweep")
        .arg(&exp)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let figures = out.join("figures");
    let mut drawn: Vec<(String, Vec<u8>)> = std::fs::read_dir(&figures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    drawn.sort();
    let listed: Vec<&str> = drawn.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        listed,
        [
            "loss_00_AbAcAd_rnn2.png",
            "loss_01_AbAcAd_memoryless2.png",
            "memoryless_vis1_01_AbAcAd_memoryless2.png",
            "memoryless_vis2_01_AbAcAd_memoryless2.png",
            "states_00_AbAcAd_rnn2.png",
            "states_01_AbAcAd_memoryless2.png",
            "summary.png",
        ]
    );
    // The experiment's `figures: positions: 6` reached the drawing.
    let results = Results::load(&out).unwrap();
    let spec: FiguresSpec = serde_yaml_ng::from_str("positions: 6").unwrap();
    let layout = StateGridLayout::for_group(&results, &results.groups()[0], &spec);
    assert_eq!((layout.rows, layout.subplots), (6, 5));
    assert_eq!(
        Image::open(&figures.join("states_00_AbAcAd_rnn2.png")).height,
        layout.height
    );

    std::fs::remove_dir_all(&figures).unwrap();
    let assert = Command::cargo_bin("sweeplab")
        .unwrap()
        .arg("plot")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert_eq!(stdout.lines().count(), drawn.len(), "{stdout}");
    for (name, bytes) in &drawn {
        assert!(stdout.contains(name.as_str()), "{name} not listed: {stdout}");
        let again = std::fs::read(figures.join(name)).unwrap();
        assert!(&again == bytes, "{name} differs after `sweeplab plot`");
    }
}

#[test]
fn plot_of_a_folder_without_csvs_exits_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("experiment.yaml"), SMALL).unwrap();
    let assert = Command::cargo_bin("sweeplab")
        .unwrap()
        .arg("plot")
        .arg(dir.path())
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.starts_with("error: ") && stderr.contains("runs.csv"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// Two groups that differ only in `dropout`: each group's figures name it (the titles name
/// cell, hidden and dataset already), the sweep-wide summary labels them by it too, and a
/// sweep whose groups differ only in what the titles name adds nothing.
#[test]
fn each_groups_figures_name_what_sets_it_apart() {
    use sweeplab::figures::{loss_curves, state_grid, summary};
    use sweeplab::spec::Param;
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("drop.yaml");
    std::fs::write(
        &yaml,
        "name: drop\ndatasets:\n  - {name: ab, cyclic: AbAcAd, repeat: 3}\n\
         grid: {cell: lstm, hidden: [2, 3], layers: 2, dropout: [0, 0.5], seed: 0, lr: 0.1, epochs: 3}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("sweeplab")
        .unwrap()
        .args([
            "sweep",
            yaml.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "1",
        ])
        .assert()
        .success();
    let results = Results::load(&out).unwrap();
    let groups = results.groups();
    assert_eq!(groups.len(), 4);
    let grid = summary::distinguishing_labels(&groups, state_grid::TITLED);
    let loss = summary::distinguishing_labels(&groups, loss_curves::TITLED);
    let drop = |g: &sweeplab::figures::data::Group| g.first().value(Param::Dropout);
    let dropout: Vec<String> = groups.iter().map(|g| format!("dropout {}", drop(g))).collect();
    assert_eq!(grid, dropout, "hidden is in the titles, dropout is not");
    assert_eq!(loss, dropout);
    assert_eq!(
        summary::group_labels(&groups),
        groups
            .iter()
            .map(|g| format!("hidden {} · dropout {}", g.first().hidden, drop(g)))
            .collect::<Vec<_>>()
    );
    // The figures drawn with the labels have the layout for_group computes with them.
    let spec = FiguresSpec::default();
    for g in &groups {
        let layout = StateGridLayout::for_group(&results, g, &spec);
        let image = Image::open(&out.join(format!("figures/states_{}.png", g.file_stem())));
        assert_eq!((image.width, image.height), (layout.width, layout.height));
    }
    let plain: Vec<_> = groups.iter().filter(|g| drop(g) == "0").cloned().collect();
    assert_eq!(
        summary::distinguishing_labels(&plain, state_grid::TITLED),
        vec![String::new(); 2]
    );
}

/// A folder whose curves.csv has `val_loss` for some runs: the figures read those values
/// exactly (runs without a split have none), and the loss figure draws them.
#[test]
fn loss_figures_draw_the_held_out_loss_where_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    synthetic(dir.path());
    draw_all(dir.path(), &FiguresSpec::default()).unwrap();
    let loss_figure = dir.path().join("figures/loss_00_AbAb_rnn2.png");
    let without = std::fs::read(&loss_figure).unwrap();
    let memoryless_figure = dir.path().join("figures/loss_01_AbAb_memoryless1.png");
    let memoryless = std::fs::read(&memoryless_figure).unwrap();
    let curves = std::fs::read_to_string(dir.path().join("curves.csv")).unwrap();
    let mut with_val = String::new();
    for (i, line) in curves.lines().enumerate() {
        let cell = match (i, line.starts_with("rnn3,")) {
            (0, _) => "val_loss".to_string(),
            (_, true) => format!("{}", 4.0 + i as f64 / 100.0),
            _ => String::new(),
        };
        writeln!(with_val, "{line},{cell}").unwrap();
    }
    std::fs::write(dir.path().join("curves.csv"), with_val).unwrap();
    let results = Results::load(dir.path()).unwrap();
    assert_eq!(results.val_curves.keys().collect::<Vec<_>>(), ["rnn3"]);
    let rnn3 = &results.val_curves["rnn3"];
    assert_eq!(rnn3.len(), 20);
    assert!(rnn3.windows(2).all(|w| w[1] - w[0] > 0.005), "{rnn3:?}");
    draw_all(dir.path(), &FiguresSpec::default()).unwrap();
    assert_ne!(
        std::fs::read(&loss_figure).unwrap(),
        without,
        "the held-out curve is drawn"
    );
    // The memoryless group has no split: its figure is the one drawn without the column.
    assert_eq!(std::fs::read(&memoryless_figure).unwrap(), memoryless);
}
