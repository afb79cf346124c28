//! The optimisers (`optimizer`, `momentum`, `nesterov`, `beta1`, `beta2`, `eps`, `alpha`,
//! `weight_decay`): PyTorch 2.15's numbers for each (`init: torch`, reference cases made by
//! `shared/reference/torch_options/make_cases.py`; the numbers a test needs are below), a batch
//! of replicas equal to each run alone, and the rule for arguments that do not apply.

use sweeplab::record::RunRecord;
use sweeplab::schedule::train_runs;

mod common;
use common::{ids, plan_from, sweep, train_all, write};

struct Case {
    name: &'static str,
    pattern: &'static str,
    repeat: usize,
    vocab: &'static [&'static str],
    cell: &'static str,
    hidden: usize,
    seed: u64,
    epochs: usize,
    lr: f64,
    /// The grid lines of the optimiser, comma separated.
    options: &'static str,
    loss_epoch1: f64,
    final_loss: f64,
    /// `softmax(logits)` of the first six positions after training.
    probs: &'static [&'static [f64]],
    /// For a run that sits on a plateau and escapes it at an epoch that last-bit differences
    /// of the forward pass move: the last epoch before the escape and PyTorch's loss there;
    /// final loss and probabilities are then only reported.
    plateau: Option<(usize, f64)>,
}

const CASES: &[Case] = &[
    Case {
        name: "rnn_sgd_momentum",
        pattern: "abcabC",
        repeat: 20,
        vocab: &["C", "a", "b", "c"],
        cell: "rnn",
        hidden: 4,
        seed: 2,
        epochs: 150,
        lr: 0.3,
        options: "optimizer: sgd, momentum: 0.9",
        loss_epoch1: 1.4516371488571167,
        final_loss: 0.0221251267939806,
        plateau: Some((100, 0.2269091159105301)),
        probs: &[
            &[
                7.020604243734851e-05,
                0.0006517005385830998,
                0.9981927275657654,
                0.0010853222338482738,
            ],
            &[
                0.18300725519657135,
                0.00012145756772952154,
                5.985364623484202e-05,
                0.8168114423751831,
            ],
            &[
                3.69558620150201e-05,
                0.9999545812606812,
                8.185534170479514e-06,
                2.3169121732280473e-07,
            ],
            &[
                1.9960016288678162e-05,
                2.084303105220897e-06,
                0.9984673857688904,
                0.0015106089413166046,
            ],
            &[
                0.9558193683624268,
                0.004668475594371557,
                1.0576554814178962e-06,
                0.03951120004057884,
            ],
            &[
                0.044111669063568115,
                0.9556623101234436,
                1.467235620111751e-06,
                0.00022453277779277414,
            ],
        ],
    },
    Case {
        name: "gru_sgd_nesterov",
        pattern: "abcabC",
        repeat: 20,
        vocab: &["C", "a", "b", "c"],
        cell: "gru",
        hidden: 4,
        seed: 12,
        epochs: 150,
        lr: 0.3,
        options: "optimizer: sgd, momentum: 0.9, nesterov: true",
        loss_epoch1: 1.389707326889038,
        final_loss: 0.23123550415039062,
        plateau: None,
        probs: &[
            &[
                4.9156795284943655e-05,
                0.001265130122192204,
                0.9985729455947876,
                0.00011275229917373508,
            ],
            &[
                0.5205786824226379,
                0.0008494486100971699,
                1.3526696420740336e-05,
                0.4785583019256592,
            ],
            &[
                8.9223962277174e-05,
                0.9991057515144348,
                0.000687832070980221,
                0.00011716764856828377,
            ],
            &[
                3.2512747566215694e-05,
                0.0010002318304032087,
                0.9988849759101868,
                8.228882506955415e-05,
            ],
            &[
                0.5067313313484192,
                0.0008238967857323587,
                1.3509013115253765e-05,
                0.4924311935901642,
            ],
            &[
                0.0001349028607364744,
                0.9987370371818542,
                0.0009123655036091805,
                0.00021567780640907586,
            ],
        ],
    },
    Case {
        name: "lstm_rmsprop",
        pattern: "abcabC",
        repeat: 20,
        vocab: &["C", "a", "b", "c"],
        cell: "lstm",
        hidden: 4,
        seed: 3,
        epochs: 120,
        lr: 0.01,
        options: "optimizer: rmsprop",
        loss_epoch1: 1.3300625085830688,
        final_loss: 0.2507874667644501,
        plateau: None,
        probs: &[
            &[
                0.03547777980566025,
                0.0355110727250576,
                0.8926682472229004,
                0.03634289652109146,
            ],
            &[
                0.4860050082206726,
                0.010997121222317219,
                0.015695638954639435,
                0.48730218410491943,
            ],
            &[
                0.0040176850743591785,
                0.9772084951400757,
                0.014051270671188831,
                0.004722489044070244,
            ],
            &[
                0.004951138515025377,
                0.006816339213401079,
                0.9834156036376953,
                0.004816983360797167,
            ],
            &[
                0.49091026186943054,
                0.00750640407204628,
                0.011491673067212105,
                0.4900916516780853,
            ],
            &[
                0.0029508303850889206,
                0.9839606285095215,
                0.00960930623114109,
                0.0034791056532412767,
            ],
        ],
    },
    Case {
        name: "rnn_rmsprop_momentum",
        pattern: "AbAcAd",
        repeat: 20,
        vocab: &["A", "b", "c", "d"],
        cell: "rnn",
        hidden: 3,
        seed: 13,
        epochs: 120,
        lr: 0.005,
        options: "optimizer: rmsprop, momentum: 0.5",
        loss_epoch1: 1.7038511037826538,
        final_loss: 0.09676942229270935,
        plateau: None,
        probs: &[
            &[
                0.1353762447834015,
                0.5922116041183472,
                0.036937400698661804,
                0.23547473549842834,
            ],
            &[
                0.9619961977005005,
                0.02858293056488037,
                0.007939818315207958,
                0.0014810726279392838,
            ],
            &[
                0.05019770935177803,
                0.001211306662298739,
                0.8585295677185059,
                0.09006152302026749,
            ],
            &[
                0.9757843017578125,
                0.0020829010754823685,
                0.020365048199892044,
                0.0017677403520792723,
            ],
            &[
                0.011341760866343975,
                0.060216885060071945,
                0.099455326795578,
                0.8289861083030701,
            ],
            &[
                0.9074721336364746,
                0.01866770349442959,
                0.032667502760887146,
                0.04119263216853142,
            ],
        ],
    },
    Case {
        name: "gru_adagrad",
        pattern: "hi?hello!!",
        repeat: 10,
        vocab: &["!", "?", "e", "h", "i", "l", "o"],
        cell: "gru",
        hidden: 4,
        seed: 14,
        epochs: 100,
        lr: 0.1,
        options: "optimizer: adagrad",
        loss_epoch1: 1.9289573431015015,
        final_loss: 0.09593439847230911,
        plateau: None,
        probs: &[
            &[
                6.969772221054882e-05,
                0.01742953434586525,
                0.14711852371692657,
                0.010499351657927036,
                0.8019382953643799,
                0.02233855612576008,
                0.0006060044397599995,
            ],
            &[
                0.01957755908370018,
                0.9074645638465881,
                0.0007563040708191693,
                0.012128744274377823,
                0.016982829198241234,
                0.0429314486682415,
                0.00015854423691052943,
            ],
            &[
                0.03392888233065605,
                0.0008485709549859166,
                0.0009640672942623496,
                0.9567524194717407,
                0.0012287157587707043,
                0.002107324544340372,
                0.0041700704023242,
            ],
            &[
                0.0011552126379683614,
                0.001750122639350593,
                0.87026447057724,
                0.02219357155263424,
                0.08303070813417435,
                0.0021031848154962063,
                0.019502731040120125,
            ],
            &[
                0.0032656979747116566,
                0.014485208317637444,
                0.004732879810035229,
                0.00122732762247324,
                0.046301569789648056,
                0.9172136783599854,
                0.012773561291396618,
            ],
            &[
                0.003906262572854757,
                0.0005682608461938798,
                0.0006269651930779219,
                0.0008757272735238075,
                0.004716651514172554,
                0.9462934732437134,
                0.043012648820877075,
            ],
        ],
    },
    Case {
        name: "gru_adamw",
        pattern: "hi?hello!!",
        repeat: 10,
        vocab: &["!", "?", "e", "h", "i", "l", "o"],
        cell: "gru",
        hidden: 5,
        seed: 4,
        epochs: 100,
        lr: 0.05,
        options: "optimizer: adamw, weight_decay: 0.05",
        loss_epoch1: 1.9849320650100708,
        final_loss: 0.010236850008368492,
        plateau: None,
        probs: &[
            &[
                0.010931076481938362,
                0.0006971661350689828,
                0.006075774319469929,
                0.009838560596108437,
                0.9721587300300598,
                6.693158411508193e-06,
                0.00029189398628659546,
            ],
            &[
                1.1867148259625537e-06,
                0.9913135170936584,
                0.0001385917275911197,
                0.001887394580990076,
                0.0004101703525520861,
                0.0036832464393228292,
                0.002565959468483925,
            ],
            &[
                0.0006421392899937928,
                0.0003961264155805111,
                0.002634765114635229,
                0.9935789108276367,
                0.000937228905968368,
                0.001810455578379333,
                3.967802797433251e-07,
            ],
            &[
                0.0018005629535764456,
                0.0002505307784304023,
                0.9894129633903503,
                0.0014390683500096202,
                0.004482359625399113,
                0.0025421108584851027,
                7.237194222398102e-05,
            ],
            &[
                5.812584640807472e-05,
                0.0036364912521094084,
                0.0008010007441043854,
                0.0014390944270417094,
                7.67866481510282e-07,
                0.9937169551849365,
                0.00034753791987895966,
            ],
            &[
                0.0017275373684242368,
                0.0004957004566676915,
                0.001052092993631959,
                0.00024070017389021814,
                1.080633182937163e-06,
                0.990917980670929,
                0.005564894527196884,
            ],
        ],
    },
    Case {
        name: "lstm_adam_l2",
        pattern: "hi?hello!!",
        repeat: 10,
        vocab: &["!", "?", "e", "h", "i", "l", "o"],
        cell: "lstm",
        hidden: 4,
        seed: 15,
        epochs: 100,
        lr: 0.05,
        options: "optimizer: adam, weight_decay: 0.01",
        loss_epoch1: 1.9981077909469604,
        final_loss: 0.23407043516635895,
        plateau: None,
        probs: &[
            &[
                0.0828402191400528,
                0.07606464624404907,
                0.16087451577186584,
                0.02829955331981182,
                0.5774757862091064,
                0.014243913814425468,
                0.06020133197307587,
            ],
            &[
                0.007616102229803801,
                0.687286913394928,
                0.01869751699268818,
                0.0814223363995552,
                0.10343634337186813,
                0.09413503855466843,
                0.00740577420219779,
            ],
            &[
                0.007052612025290728,
                0.027739793062210083,
                0.032479073852300644,
                0.8565521836280823,
                0.005873055662959814,
                0.06708831340074539,
                0.0032149236649274826,
            ],
            &[
                0.0057772072032094,
                0.013730005361139774,
                0.7485243678092957,
                0.023287251591682434,
                0.08533809334039688,
                0.06897986680269241,
                0.054363153874874115,
            ],
            &[
                0.0010969536378979683,
                0.04212847352027893,
                0.05589084327220917,
                0.022415226325392723,
                0.005168183706700802,
                0.8434677124023438,
                0.029832564294338226,
            ],
            &[
                0.006913282908499241,
                0.019030839204788208,
                0.02179212123155594,
                0.006764029618352652,
                0.0032218655105680227,
                0.7758112549781799,
                0.1664665788412094,
            ],
        ],
    },
];

const SCHEDULE_AND_CLIP_CASES: &[Case] = &[
    Case {
        name: "rnn_clip_norm",
        pattern: "hi?hello!!",
        repeat: 10,
        vocab: &["!", "?", "e", "h", "i", "l", "o"],
        cell: "rnn",
        hidden: 6,
        seed: 5,
        epochs: 100,
        lr: 0.1,
        options: "clip_norm: 1.0",
        loss_epoch1: 2.1214230060577393,
        final_loss: 0.0017346881795674562,
        plateau: None,
        probs: &[
            &[
                4.964348363500903e-07,
                0.0002166606136597693,
                0.00351954554207623,
                1.6712873218693858e-07,
                0.9950932264328003,
                0.001158287050202489,
                1.1630416338448413e-05,
            ],
            &[
                0.0003173836157657206,
                0.9988605976104736,
                1.634724139876198e-05,
                7.494111741834786e-06,
                2.6980369511875324e-06,
                0.0007125162519514561,
                8.294390863738954e-05,
            ],
            &[
                0.0005962592549622059,
                4.167567112745019e-06,
                8.168957720045e-06,
                0.9993857145309448,
                7.497421017355066e-10,
                5.6456105994584505e-06,
                1.1573615665838588e-07,
            ],
            &[
                0.0009617887553758919,
                0.0005346369580365717,
                0.9962853193283081,
                0.000774249027017504,
                0.001436458551324904,
                7.415574145852588e-06,
                1.197152528220613e-07,
            ],
            &[
                7.891535425130769e-09,
                0.0006812165374867618,
                4.742577402794268e-06,
                0.00022832870308775455,
                0.0007765582413412631,
                0.9983090162277222,
                1.5479851356303698e-07,
            ],
            &[
                5.032224947854047e-08,
                0.0001564610720379278,
                8.47250234414787e-08,
                4.8661913751857355e-05,
                0.0007580335950478911,
                0.9988759160041809,
                0.00016072306607384235,
            ],
        ],
    },
    Case {
        name: "rnn_clip_value",
        pattern: "AbAcAd",
        repeat: 20,
        vocab: &["A", "b", "c", "d"],
        cell: "rnn",
        hidden: 4,
        seed: 16,
        epochs: 100,
        lr: 0.1,
        options: "clip_value: 0.05",
        loss_epoch1: 1.632247805595398,
        final_loss: 0.5450513958930969,
        plateau: None,
        probs: &[
            &[
                0.006603596266359091,
                0.9486194849014282,
                0.019855545833706856,
                0.024921437725424767,
            ],
            &[
                0.9999834299087524,
                1.458673068555072e-05,
                6.125934532974497e-07,
                1.4397862742043799e-06,
            ],
            &[
                4.611597614712082e-05,
                0.32529813051223755,
                0.3372846245765686,
                0.3373711407184601,
            ],
            &[
                0.9999864101409912,
                1.197663186758291e-05,
                5.016373165744881e-07,
                1.212700453834259e-06,
            ],
            &[
                4.541107045952231e-05,
                0.32266661524772644,
                0.33873721957206726,
                0.33855071663856506,
            ],
            &[
                0.9999864101409912,
                1.1961256859649438e-05,
                5.011777375329984e-07,
                1.211379299093096e-06,
            ],
        ],
    },
    Case {
        name: "lstm_steplr",
        pattern: "AbAcAd",
        repeat: 30,
        vocab: &["A", "b", "c", "d"],
        cell: "lstm",
        hidden: 4,
        seed: 6,
        epochs: 150,
        lr: 0.1,
        options: "schedule: step, step_every: 50, gamma: 0.5",
        loss_epoch1: 1.362507939338684,
        final_loss: 0.0033189323730766773,
        plateau: None,
        probs: &[
            &[
                0.002970633562654257,
                0.9476944208145142,
                0.010237344540655613,
                0.03909756988286972,
            ],
            &[
                0.9984069466590881,
                0.0008122833096422255,
                0.0007796788704581559,
                1.0556094593994203e-06,
            ],
            &[
                1.7124929172496195e-06,
                0.005008658394217491,
                0.9949581027030945,
                3.149550684611313e-05,
            ],
            &[
                0.9976686835289001,
                5.566976687987335e-05,
                0.0004072506562806666,
                0.001868470455519855,
            ],
            &[
                4.475954847293906e-05,
                0.004048651084303856,
                6.522607145598158e-05,
                0.9958413243293762,
            ],
            &[
                0.999757707118988,
                0.00023587913892697543,
                1.5799653283465886e-06,
                4.913564680464333e-06,
            ],
        ],
    },
    Case {
        name: "rnn_cosine_warmup",
        pattern: "AbAcAd",
        repeat: 30,
        vocab: &["A", "b", "c", "d"],
        cell: "rnn",
        hidden: 4,
        seed: 17,
        epochs: 150,
        lr: 0.1,
        options: "schedule: cosine, warmup: 10",
        loss_epoch1: 1.410732388496399,
        final_loss: 0.0036525430623441935,
        plateau: None,
        probs: &[
            &[
                0.02746829017996788,
                0.9397600293159485,
                0.014534085057675838,
                0.018237600103020668,
            ],
            &[
                0.9996975660324097,
                2.297056425959454e-06,
                4.384079875308089e-05,
                0.00025629621814005077,
            ],
            &[
                3.914251919923117e-06,
                0.0019197039073333144,
                0.9960533380508423,
                0.0020231246016919613,
            ],
            &[
                0.9934462904930115,
                0.001321799703873694,
                2.722931640164461e-06,
                0.005229190923273563,
            ],
            &[
                0.0022911534179002047,
                0.0023473999463021755,
                0.0011276528239250183,
                0.9942337870597839,
            ],
            &[
                0.9996781349182129,
                7.466542592737824e-05,
                2.994381134158175e-07,
                0.0002468271122779697,
            ],
        ],
    },
    Case {
        name: "gru_exponential",
        pattern: "abcabC",
        repeat: 20,
        vocab: &["C", "a", "b", "c"],
        cell: "gru",
        hidden: 4,
        seed: 18,
        epochs: 120,
        lr: 0.05,
        options: "schedule: exponential, gamma: 0.98",
        loss_epoch1: 1.4453293085098267,
        final_loss: 0.23326872289180756,
        plateau: None,
        probs: &[
            &[
                0.031453996896743774,
                0.003978199791163206,
                0.9484711289405823,
                0.016096629202365875,
            ],
            &[
                0.4229610562324524,
                0.009793559089303017,
                0.002869768999516964,
                0.564375638961792,
            ],
            &[
                0.002487161196768284,
                0.9922966361045837,
                0.0019690473563969135,
                0.0032470575533807278,
            ],
            &[
                0.0023122290149331093,
                0.001163764507509768,
                0.9958407282829285,
                0.0006832381477579474,
            ],
            &[
                0.5140703320503235,
                0.003034273162484169,
                0.005886542610824108,
                0.4770088493824005,
            ],
            &[
                0.0011363131925463676,
                0.9920827150344849,
                0.004711163230240345,
                0.0020698648877441883,
            ],
        ],
    },
];

fn experiment(case: &Case, init: &str, seeds: &str) -> String {
    let vocab: Vec<String> = case.vocab.iter().map(|v| format!("{v:?}")).collect();
    let options: String = case.options.split(", ").map(|o| format!("  {o}\n")).collect();
    format!(
        "name: {}\nrecord: {{positions: 6}}\ndatasets:\n  - {{name: d, cyclic: {:?}, repeat: {}, vocab: [{}]}}\n\
         grid:\n  cell: {}\n  hidden: {}\n  lr: {}\n  epochs: {}\n  seed: {seeds}\n  init: {init}\n{options}",
        case.name,
        case.pattern,
        case.repeat,
        vocab.join(", "),
        case.cell,
        case.hidden,
        case.lr,
        case.epochs,
    )
}

#[test]
fn each_optimizer_matches_pytorch() {
    matches_pytorch(CASES);
}

#[test]
fn clipping_and_schedules_match_pytorch() {
    matches_pytorch(SCHEDULE_AND_CLIP_CASES);
}

fn matches_pytorch(cases: &[Case]) {
    for case in cases {
        let plan = plan_from(&experiment(case, "torch", &case.seed.to_string())).unwrap();
        let record = &train_all(&plan)[0];
        let e1 = (f64::from(record.curve[0]) - case.loss_epoch1).abs();
        let last = (f64::from(record.final_loss) - case.final_loss).abs();
        let probs = &record.snapshot.as_ref().expect("trained").probs;
        let rows = probs
            .iter()
            .zip(case.probs)
            .flat_map(|(got, want)| got.iter().zip(*want).map(|(&g, &w)| (f64::from(g) - w).abs()))
            .fold(0.0, f64::max);
        eprintln!(
            "{}: epoch 1 {e1:.2e}, final loss {last:.2e}, probabilities {rows:.2e}",
            case.name
        );
        assert!(e1 <= 1e-5, "{}: first epoch's loss off by {e1}", case.name);
        if let Some((epoch, loss)) = case.plateau {
            let at = (f64::from(record.curve[epoch - 1]) - loss).abs();
            eprintln!("  epoch {epoch} (on the plateau) {at:.2e}");
            assert!(at <= 1e-5, "{}: epoch {epoch} off by {at}", case.name);
            continue;
        }
        assert!(
            last <= 1e-4,
            "{}: final loss {} vs {}",
            case.name,
            record.final_loss,
            case.final_loss
        );
        assert!(rows <= 1e-4, "{}: probabilities off by {rows}", case.name);
    }
}

/// Why `rnn_sgd_momentum` is compared on its plateau only: its escape from the plateau is
/// decided by rounding. Learning rates one part in 10^7 apart (a float32 rounding of the rate)
/// give the same loss on the plateau, then end on different sides of the escape, final losses
/// up to 0.2 apart. Matching PyTorch's final loss there within 1e-4 would take PyTorch's every
/// rounding, not its formulas; the other cases are not so balanced and match to 1e-4.
#[test]
fn the_sgd_momentum_case_escapes_its_plateau_by_rounding() {
    let case = &CASES[0];
    assert_eq!(case.name, "rnn_sgd_momentum");
    let mut finals = Vec::new();
    let mut on_plateau = Vec::new();
    for lr in [0.3, 0.30000003, 0.29999998, 0.3000001] {
        let plan = plan_from(&experiment(&Case { lr, ..*case }, "torch", "2")).unwrap();
        let record = &train_all(&plan)[0];
        on_plateau.push(f64::from(record.curve[99]));
        finals.push(f64::from(record.final_loss));
    }
    eprintln!("epoch 100: {on_plateau:?}; final: {finals:?}");
    let spread = |xs: &[f64]| xs.iter().cloned().fold(f64::MIN, f64::max) - xs.iter().cloned().fold(f64::MAX, f64::min);
    assert!(
        spread(&on_plateau) < 1e-6,
        "the plateau is reached alike: {on_plateau:?}"
    );
    assert!(spread(&finals) > 0.1, "and left differently: {finals:?}");
}

/// Replicas never interact, whatever the optimiser: four seeds trained as one batch give each
/// seed's numbers trained alone, bit for bit, on both inits.
#[test]
fn a_batch_equals_each_run_alone_for_every_optimizer() {
    for case in CASES.iter().chain(SCHEDULE_AND_CLIP_CASES) {
        for init in ["sweeplab", "torch"] {
            let short = Case { epochs: 12, ..*case };
            let plan = plan_from(&experiment(&short, init, "0..4")).unwrap();
            let batch = train_all(&plan);
            let group = &plan.groups[0];
            for (i, &run) in group.runs.iter().enumerate() {
                let alone = &train_runs(&plan, group, &[run], &mut |_| {})[0];
                let bits = |r: &RunRecord| r.curve.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(alone), bits(&batch[i]), "{} {init} seed {i}", case.name);
                assert_eq!(alone.final_loss.to_bits(), batch[i].final_loss.to_bits());
            }
        }
    }
}

const BASE: &str = "name: o\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 3}\ngrid:\n  cell: rnn\n  hidden: 2\n  lr: 0.1\n  epochs: 3\n  seed: 0..2\n";

#[test]
fn arguments_that_do_not_apply_reset_to_defaults_or_are_refused() {
    let adam = plan_from(BASE).unwrap();
    // Adam's runs keep today's ids: momentum does not apply to them; eps at its default.
    let both = plan_from(&format!("{BASE}  optimizer: [adam, sgd]\n  momentum: 0.9\n")).unwrap();
    assert_eq!(both.runs.len(), 4);
    assert_eq!(ids(&both)[..2], ids(&adam)[..]);
    assert!(both.runs[2..].iter().all(|r| r.optimizer.momentum == 0.9));
    assert_eq!(
        ids(&plan_from(&format!("{BASE}  eps: 1.0e-8\n  beta1: 0.9\n")).unwrap()),
        ids(&adam)
    );
    let adamw = plan_from(&format!("{BASE}  optimizer: adamw\n")).unwrap();
    let adamw_default = plan_from(&format!("{BASE}  optimizer: adamw\n  weight_decay: 0.01\n")).unwrap();
    assert_eq!(ids(&adamw), ids(&adamw_default));
    assert!(ids(&adamw).iter().all(|id| !ids(&adam).contains(id)));

    for (extra, message) in [
        (
            "  momentum: 0.9\n",
            "inline.yaml:10: grid.momentum: momentum does not apply to optimizer adam (only to sgd, rmsprop)",
        ),
        (
            "  optimizer: sgd\n  beta2: 0.9\n",
            "beta2 does not apply to optimizer sgd (only to adam, adamw)",
        ),
        (
            "  optimizer: sgd\n  eps: 0.001\n",
            "eps does not apply to optimizer sgd",
        ),
        (
            "  optimizer: [adam, adagrad]\n  alpha: 0.9\n",
            "alpha does not apply to optimizer adam (only to rmsprop)",
        ),
        ("  optimizer: sgd\n  nesterov: true\n", "nesterov needs momentum > 0"),
        (
            "  optimizer: adamax\n",
            "unknown optimizer 'adamax' (expected adam, adamw, sgd, rmsprop, adagrad)",
        ),
        ("  beta1: 1.0\n", "beta1 must be a number in [0, 1), got 1.0"),
        (
            "  optimizer: rmsprop\n  alpha: 0\n",
            "alpha must be a number in (0, 1), got 0",
        ),
        (
            "  optimizer: sgd\n  momentum: -1\n",
            "momentum must be a number >= 0, got -1",
        ),
        ("  weight_decay: x\n", "weight_decay must be a number >= 0, got 'x'"),
        ("  nesterov: 1\n", "nesterov must be true or false, got 1"),
        (
            "  schedule: cosine\n  gamma: 0.5\n",
            "gamma does not apply to schedule cosine (only to step, exponential)",
        ),
        ("  schedule: step\n  gamma: 0.5\n", "schedule step needs step_every"),
        ("  schedule: exponential\n", "schedule exponential needs gamma"),
        (
            "  schedule: linear\n",
            "unknown schedule 'linear' (expected constant, step, exponential, cosine)",
        ),
        (
            "  clip_norm: 1\n  clip_value: 5\n",
            "grid.clip_value: clip_norm and clip_value exclude each other",
        ),
        ("  warmup: 3\n", "grid.warmup: warmup 3 must be fewer than the 3 epochs"),
        (
            "  step_every: 0\n",
            "step_every must be an integer from 1 to 10000000, got 0",
        ),
        ("  clip_norm: 0\n", "clip_norm must be a number > 0 or none, got 0"),
    ] {
        let err = plan_from(&format!("{BASE}{extra}")).unwrap_err();
        assert!(err.contains(message), "{extra}: {err}");
    }
}

/// Through the binary: runs.csv has a column per argument, empty where it does not apply, and
/// the progress lines name the optimiser.
#[test]
fn runs_csv_shows_each_argument_where_it_applies() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "o.yaml",
        &format!("{BASE}  optimizer: [adam, sgd, rmsprop]\n  momentum: 0.5\n"),
    );
    let out = dir.path().join("out");
    let output = sweep(&exp, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("optimizer=sgd momentum=0.5"), "{stderr}");
    let mut reader = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cells = |name: &str| rows.iter().map(|r| r[col(name)].to_string()).collect::<Vec<_>>();
    assert_eq!(cells("optimizer"), ["adam", "adam", "sgd", "sgd", "rmsprop", "rmsprop"]);
    assert_eq!(cells("momentum"), ["", "", "0.5", "0.5", "0.5", "0.5"]);
    assert_eq!(cells("beta1"), ["0.9", "0.9", "", "", "", ""]);
    assert_eq!(cells("alpha"), ["", "", "", "", "0.99", "0.99"]);
    assert_eq!(cells("nesterov"), ["", "", "false", "false", "", ""]);
    assert!(cells("status").iter().all(|s| s == "ok"));
}

/// `epochs_to_success` is the first epoch whose pass (the one curves.csv records) predicted
/// every position; curves.csv carries that pass's accuracy; `median_epochs_to_success` checks.
#[test]
fn epochs_to_success_is_the_first_epoch_at_full_accuracy() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "e.yaml",
        "name: e\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 5}\ngrid:\n  cell: [rnn, memoryless]\n  hidden: 4\n  lr: 0.1\n  epochs: 60\n  seed: 0..3\nchecks:\n  - where: {cell: rnn}\n    require: median_epochs_to_success <= 60\n",
    );
    let out = dir.path().join("out");
    let output = sweep(&exp, &out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut runs = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let header = runs.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = runs.records().map(Result::unwrap).collect();
    let mut curves = csv::Reader::from_path(out.join("curves.csv")).unwrap();
    assert_eq!(
        curves.headers().unwrap().iter().collect::<Vec<_>>(),
        ["run_id", "epoch", "loss", "accuracy"]
    );
    let curve_rows: Vec<csv::StringRecord> = curves.records().map(Result::unwrap).collect();
    let mut succeeded = 0;
    for row in &rows {
        let first_full = curve_rows
            .iter()
            .filter(|c| c[0] == row[col("run_id")])
            .find(|c| c[3].parse::<f32>().unwrap() >= 1.0)
            .map(|c| c[1].to_string())
            .unwrap_or_default();
        assert_eq!(row[col("epochs_to_success")], first_full, "{row:?}");
        succeeded += usize::from(!first_full.is_empty());
    }
    // RNN(4) learns AbAcAd within 60 epochs; the memoryless cell cannot predict every position.
    assert!(succeeded >= 1, "no run reached full accuracy");
    let check = common::sweeplab().arg("check").arg(&out).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

/// `stop: success`: a stopped run's model is frozen exactly - it equals the run trained for one
/// epoch fewer without stopping, bit for bit, however many replicas trained beside it - and its
/// curves end at the stopping epoch.
#[test]
fn a_stopped_run_is_frozen_exactly_and_its_curves_end_there() {
    let yaml = |extra: &str, epochs: usize, seeds: &str| {
        format!("name: s\ndatasets:\n  - {{name: d, cyclic: AbAcAd, repeat: 5}}\ngrid:\n  cell: rnn\n  hidden: 4\n  epochs: {epochs}\n  seed: {seeds}\n{extra}")
    };
    for (optimizer, epochs) in [
        ("adam\n  lr: 0.1", 150),
        ("sgd\n  momentum: 0.9\n  lr: 0.3", 150),
        ("rmsprop\n  lr: 0.01", 300),
    ] {
        let extra = format!("  optimizer: {optimizer}\n");
        let plan = plan_from(&yaml(&format!("{extra}  stop: success\n"), epochs, "0..4")).unwrap();
        let batch = train_all(&plan);
        let stopped: Vec<&RunRecord> = batch.iter().filter(|r| r.stopped_epoch.is_some()).collect();
        assert!(
            !stopped.is_empty(),
            "{optimizer}: no run reached full accuracy in {epochs} epochs"
        );
        for (i, record) in batch.iter().enumerate() {
            let group = &plan.groups[0];
            let alone = &train_runs(&plan, group, &[group.runs[i]], &mut |_| {})[0];
            assert_eq!(
                alone.final_loss.to_bits(),
                record.final_loss.to_bits(),
                "{optimizer} seed {i}"
            );
            assert_eq!(alone.curve.len(), record.curve.len());
            let Some(e) = record.stopped_epoch else {
                assert_eq!(record.curve.len(), epochs);
                continue;
            };
            assert_eq!(record.curve.len(), e, "the curves end at the stopping epoch");
            assert_eq!(record.epochs_to_success(), Some(e));
            // Stopped at e: e - 1 updates applied, like a run of e - 1 epochs.
            let seed = record.spec.seed.to_string();
            let shorter = plan_from(&yaml(&extra, e - 1, &seed)).unwrap();
            let reference = &train_all(&shorter)[0];
            assert_eq!(
                reference.final_loss.to_bits(),
                record.final_loss.to_bits(),
                "{optimizer} seed {seed}"
            );
            let probs = |r: &RunRecord| {
                r.snapshot
                    .as_ref()
                    .unwrap()
                    .probs
                    .concat()
                    .iter()
                    .map(|x| x.to_bits())
                    .collect::<Vec<_>>()
            };
            assert_eq!(probs(reference), probs(record));
        }
    }
    let err = plan_from(&yaml("  lr: 0.1\n  stop: loss > 3\n", 5, "0")).unwrap_err();
    assert!(
        err.contains("stop must be never, success or `loss < X` with X > 0, got 'loss > 3'"),
        "{err}"
    );
    let plan = plan_from(&yaml("  lr: 0.1\n  stop: loss < 0.5\n", 200, "0..2")).unwrap();
    for record in train_all(&plan) {
        let e = record.stopped_epoch.expect("RNN(4) gets below 0.5 within 200 epochs");
        assert!(record.curve[e - 1] < 0.5 && record.curve[..e - 1].iter().all(|&l| l >= 0.5));
    }
}
