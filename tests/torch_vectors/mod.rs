// Vectors from torch 2.15.0 on x86-64 (AVX512 kernels), as f32 bit patterns.
type Bits = &'static [u32];

pub struct SeedVectors {
    pub rand10: Bits,
    pub uniform10_m05_05: Bits,
    pub randn10: Bits,
    pub randn16: Bits,
    pub randn20: Bits,
    /// Linear(2,4), RNNCell(4,2), LSTMCell(7,4), Embedding(4,2) built in that order.
    pub in_order: &'static [(&'static str, Bits)],
    /// Each module built alone straight after the seed: (module, parameter, values).
    pub alone: &'static [(&'static str, &'static str, Bits)],
}

pub const SEEDS: &[(u64, SeedVectors)] = &[
    (
        0,
        SeedVectors {
            rand10: &[
                0x3efe1558, 0x3f44aa2f, 0x3db533a8, 0x3e073300, 0x3e9d6686, 0x3f2252fb, 0x3efaed86, 0x3f657d67,
                0x3ee94812, 0x3f21ded3,
            ],
            uniform10_m05_05: &[
                0xbb755400, 0x3e89545e, 0xbed2b316, 0xbebc6680, 0xbe4532f4, 0x3e094bec, 0xbc224f40, 0x3ecaface,
                0xbd35bf70, 0x3e077b4c,
            ],
            randn10: &[
                0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1, 0xbfb3052d, 0x3ece837a, 0x3f5688e5,
                0xbf382144, 0xbece830b,
            ],
            randn16: &[
                0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d, 0x3f594515, 0x3f312783, 0xbea1cc6d, 0xc0075fc1,
                0x3ea50138, 0xbfa1b4f4, 0x3eb330ff, 0x3e9dc3bb, 0x3df56f77, 0x3f9e6b93, 0x3f8ef28e, 0xbe7d367c,
            ],
            randn20: &[
                0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d, 0x3f194d8b, 0xbfc70d5b, 0xbeaec6ca, 0x3fed2f4e,
                0x3eefaa55, 0xbe217f5f, 0x3fb8c9db, 0x3e8837a1, 0x3fb1d6c0, 0x3fcb0d00, 0x3f72409c, 0xbf57fb33,
                0x3f6e8c30, 0x3fa12737, 0x4000519a, 0x3d5c1b3a,
            ],
            in_order: &[
                (
                    "Linear(2,4).weight",
                    &[
                        0xbbad7922, 0x3ec2369c, 0xbf14fcb1, 0xbf05381d, 0xbe8b70d6, 0x3e422aab, 0xbc658a57, 0x3f0f8740,
                    ],
                ),
                ("Linear(2,4).bias", &[0xbd8083de, 0x3e3f9997, 0xbe5ad35d, 0xbe0e541b]),
                (
                    "RNNCell(4,2).weight_ih",
                    &[
                        0xbf2cefc2, 0xbeefc590, 0xbe953d9f, 0x3cd6944c, 0x3e8f206b, 0x3ed93b40, 0xbef570de, 0xbe9da786,
                    ],
                ),
                (
                    "RNNCell(4,2).weight_hh",
                    &[0x3e837fa7, 0x3f1650f7, 0xbe1503e7, 0x3f07757a],
                ),
                ("RNNCell(4,2).bias_ih", &[0xbde96b1e, 0x3d993c35]),
                ("RNNCell(4,2).bias_hh", &[0x3f23e8a1, 0xbf27ed20]),
                (
                    "LSTMCell(7,4).weight_ih",
                    &[
                        0xbea12966, 0xbe019ee0, 0xbe4793dc, 0x3edd2f28, 0xbea5ef1a, 0xbe6bb0c0, 0xbeb2da1a, 0xbeefc276,
                        0xbe957004, 0x3edc0e9e, 0x3e6476bc, 0x3e782700, 0x3cd76a40, 0xbe833f3a, 0x3dad3ec0, 0xbeef069e,
                        0xbeb8fa1a, 0xbe83f9c6, 0x3ea18526, 0x3e961926, 0xbe6311c8, 0xbc93cb20, 0x3ea3ba40, 0x3efe7f82,
                        0x3e4b3424, 0x3d8a55c8, 0x3eaba4fe, 0xbe96bbc0, 0x3dbed0f8, 0xbec67a6c, 0xbeb16e18, 0xbe843ed2,
                        0x3e67aa8c, 0x3e4de7f8, 0xbe97a46a, 0x3e1aadc8, 0x3e8c896e, 0xbd813f20, 0x3c9c6440, 0x3ded4400,
                        0x3e9ed100, 0x3ef5cf48, 0xbec54796, 0xbe3ba1ec, 0x3e493898, 0x3ed41bd0, 0x3edec5e8, 0x3ee1e222,
                        0x3dcbca78, 0xbede9cf8, 0x3d3c6690, 0xbea027ac, 0xbeee948c, 0x3ee3743e, 0x3ec2a6f0, 0xbeff5dfe,
                        0x3dbfaa08, 0xbdac80c8, 0xbda882b8, 0xbe6a5f1c, 0x3e44e48c, 0xbe97a134, 0x3e3bb1dc, 0x3e817616,
                        0x3eb7435c, 0x3e3f7148, 0xbefd5f4a, 0xbea61100, 0x3e7fa638, 0x3dd65318, 0xbec7b396, 0xbe9368e8,
                        0x3ef0d4f2, 0x3eac7f54, 0xbe5f3eb0, 0xbe00dcd4, 0xbef3dd78, 0xbc133e80, 0xbec0c878, 0xbec577a2,
                        0xbce1b020, 0x3d99bfa0, 0xbe51adf4, 0x3e97e798, 0xbe9bc938, 0x3ee84968, 0x3eaf6fd0, 0xbed7e164,
                        0xbdfedb88, 0x3cb8d280, 0x3d956718, 0x3df2ddd0, 0x3e48ec5c, 0x3cf559e0, 0xbe79d1cc, 0x3e7245d4,
                        0xbef59156, 0xbe97bba0, 0xbe002b3c, 0xbe7966ec, 0xbe331d5c, 0xbed1d2ba, 0xbdd9d200, 0x3ddae2f8,
                        0xbea6c676, 0xbcd23440, 0x3eb74200, 0xbd5288f0, 0x3c63ac80, 0xbd30adc0, 0x3dcf3d10, 0x3ea2c660,
                    ],
                ),
                (
                    "LSTMCell(7,4).weight_hh",
                    &[
                        0x3ef27eba, 0x3ea29306, 0x3ef30cc4, 0xbd141d60, 0xbee5f866, 0xbe72ba40, 0x3eae4fce, 0xbb546b00,
                        0xbe7e7cdc, 0xbec42d02, 0xbeef9400, 0xbed810ec, 0xbdcfb470, 0x3e8c6456, 0x3e8a6774, 0xbef6e502,
                        0x3e9fb02e, 0xbec8528a, 0xbdd87bf0, 0xbe4f9a1c, 0xbdc53cf0, 0xbdc90e10, 0xbee5b8ba, 0xbedd0a44,
                        0xbda03c28, 0x3bd3e180, 0xbe6896b8, 0x3e40deb8, 0xbee66a3a, 0xbd0a36c0, 0x3ee121a2, 0xbe50d738,
                        0x3ee72b36, 0x3e396c38, 0xbee707ae, 0x3ea1f874, 0xbd6c53f0, 0xbe648f70, 0x3eccb614, 0xbecedf54,
                        0x3d5bc2b0, 0xbdd664c0, 0x3eb6d016, 0x3e0eec08, 0x3e7604cc, 0x3e34d140, 0xbdf63f00, 0xbdd75a50,
                        0xbed2f700, 0x3e8ab64c, 0x3ecb4226, 0x3eaf295c, 0xbeb493ac, 0x3cb6ae60, 0xbeb47690, 0xbe8cec88,
                        0xbe952c30, 0x3e2ef934, 0xbe988dc4, 0xbc32ba00, 0x3cac4fa0, 0x3ea50604, 0xbec183fa, 0xbeafbf44,
                    ],
                ),
                (
                    "LSTMCell(7,4).bias_ih",
                    &[
                        0xbe94a63c, 0x3eb32ed6, 0xbe380bcc, 0x3ed7eee0, 0x3e3924a0, 0x3d81aa40, 0xbb73ed00, 0xbdca6d08,
                        0x3d807a40, 0xbde9d330, 0xbb663e00, 0x3d82a7c0, 0xbec83e98, 0xbe862d7a, 0x3eceb7d8, 0xbecfc186,
                    ],
                ),
                (
                    "LSTMCell(7,4).bias_hh",
                    &[
                        0xbd130f20, 0x3efd3ec0, 0x3e38f410, 0x3c67f0c0, 0xbeddda26, 0x3e7da22c, 0xbeb65808, 0xbe1156a8,
                        0xbe2bc8cc, 0xbd97a438, 0x3bb33680, 0x3ed32696, 0x3d7fab80, 0x3ee54c20, 0x3e9c9930, 0xbea1d8c6,
                    ],
                ),
                (
                    "Embedding(4,2).weight",
                    &[
                        0x3e6e6035, 0xbf51f4cd, 0xbf2dd436, 0x3fb66922, 0x3ffb7ce5, 0x3f449126, 0x3ffeb559, 0x3f37df62,
                    ],
                ),
            ],
            alone: &[
                (
                    "Linear(2,4)",
                    "weight",
                    &[
                        0xbbad7922, 0x3ec2369c, 0xbf14fcb1, 0xbf05381d, 0xbe8b70d6, 0x3e422aab, 0xbc658a57, 0x3f0f8740,
                    ],
                ),
                ("Linear(2,4)", "bias", &[0xbd8083de, 0x3e3f9997, 0xbe5ad35d, 0xbe0e541b]),
                (
                    "RNNCell(4,2)",
                    "weight_ih",
                    &[
                        0xbbad7922, 0x3ec2369c, 0xbf14fcb1, 0xbf05381d, 0xbe8b70d6, 0x3e422aab, 0xbc658a57, 0x3f0f8740,
                    ],
                ),
                (
                    "RNNCell(4,2)",
                    "weight_hh",
                    &[0xbd8083de, 0x3e3f9997, 0xbe5ad35d, 0xbe0e541b],
                ),
                ("RNNCell(4,2)", "bias_ih", &[0xbf2cefc2, 0xbeefc590]),
                ("RNNCell(4,2)", "bias_hh", &[0xbe953d9f, 0x3cd6944c]),
                (
                    "LSTMCell(7,4)",
                    "weight_ih",
                    &[
                        0xbb755400, 0x3e89545e, 0xbed2b316, 0xbebc6680, 0xbe4532f4, 0x3e094bec, 0xbc224f40, 0x3ecaface,
                        0xbd35bf70, 0x3e077b4c, 0xbe1abbac, 0xbdc94870, 0xbef491b8, 0xbea98b52, 0xbe530ee8, 0x3c97bb00,
                        0x3e4a6960, 0x3e999b18, 0xbead8d8c, 0xbe5ef4fc, 0x3e39f798, 0x3ed4944e, 0xbdd2bd48, 0x3ebf915c,
                        0xbda50d40, 0x3d58b510, 0x3ee7cd4a, 0xbeed7bce, 0xbea12966, 0xbe019ee0, 0xbe4793dc, 0x3edd2f28,
                        0xbea5ef1a, 0xbe6bb0c0, 0xbeb2da1a, 0xbeefc276, 0xbe957004, 0x3edc0e9e, 0x3e6476bc, 0x3e782700,
                        0x3cd76a40, 0xbe833f3a, 0x3dad3ec0, 0xbeef069e, 0xbeb8fa1a, 0xbe83f9c6, 0x3ea18526, 0x3e961926,
                        0xbe6311c8, 0xbc93cb20, 0x3ea3ba40, 0x3efe7f82, 0x3e4b3424, 0x3d8a55c8, 0x3eaba4fe, 0xbe96bbc0,
                        0x3dbed0f8, 0xbec67a6c, 0xbeb16e18, 0xbe843ed2, 0x3e67aa8c, 0x3e4de7f8, 0xbe97a46a, 0x3e1aadc8,
                        0x3e8c896e, 0xbd813f20, 0x3c9c6440, 0x3ded4400, 0x3e9ed100, 0x3ef5cf48, 0xbec54796, 0xbe3ba1ec,
                        0x3e493898, 0x3ed41bd0, 0x3edec5e8, 0x3ee1e222, 0x3dcbca78, 0xbede9cf8, 0x3d3c6690, 0xbea027ac,
                        0xbeee948c, 0x3ee3743e, 0x3ec2a6f0, 0xbeff5dfe, 0x3dbfaa08, 0xbdac80c8, 0xbda882b8, 0xbe6a5f1c,
                        0x3e44e48c, 0xbe97a134, 0x3e3bb1dc, 0x3e817616, 0x3eb7435c, 0x3e3f7148, 0xbefd5f4a, 0xbea61100,
                        0x3e7fa638, 0x3dd65318, 0xbec7b396, 0xbe9368e8, 0x3ef0d4f2, 0x3eac7f54, 0xbe5f3eb0, 0xbe00dcd4,
                        0xbef3dd78, 0xbc133e80, 0xbec0c878, 0xbec577a2, 0xbce1b020, 0x3d99bfa0, 0xbe51adf4, 0x3e97e798,
                    ],
                ),
                (
                    "LSTMCell(7,4)",
                    "weight_hh",
                    &[
                        0xbe9bc938, 0x3ee84968, 0x3eaf6fd0, 0xbed7e164, 0xbdfedb88, 0x3cb8d280, 0x3d956718, 0x3df2ddd0,
                        0x3e48ec5c, 0x3cf559e0, 0xbe79d1cc, 0x3e7245d4, 0xbef59156, 0xbe97bba0, 0xbe002b3c, 0xbe7966ec,
                        0xbe331d5c, 0xbed1d2ba, 0xbdd9d200, 0x3ddae2f8, 0xbea6c676, 0xbcd23440, 0x3eb74200, 0xbd5288f0,
                        0x3c63ac80, 0xbd30adc0, 0x3dcf3d10, 0x3ea2c660, 0x3ef27eba, 0x3ea29306, 0x3ef30cc4, 0xbd141d60,
                        0xbee5f866, 0xbe72ba40, 0x3eae4fce, 0xbb546b00, 0xbe7e7cdc, 0xbec42d02, 0xbeef9400, 0xbed810ec,
                        0xbdcfb470, 0x3e8c6456, 0x3e8a6774, 0xbef6e502, 0x3e9fb02e, 0xbec8528a, 0xbdd87bf0, 0xbe4f9a1c,
                        0xbdc53cf0, 0xbdc90e10, 0xbee5b8ba, 0xbedd0a44, 0xbda03c28, 0x3bd3e180, 0xbe6896b8, 0x3e40deb8,
                        0xbee66a3a, 0xbd0a36c0, 0x3ee121a2, 0xbe50d738, 0x3ee72b36, 0x3e396c38, 0xbee707ae, 0x3ea1f874,
                    ],
                ),
                (
                    "LSTMCell(7,4)",
                    "bias_ih",
                    &[
                        0xbd6c53f0, 0xbe648f70, 0x3eccb614, 0xbecedf54, 0x3d5bc2b0, 0xbdd664c0, 0x3eb6d016, 0x3e0eec08,
                        0x3e7604cc, 0x3e34d140, 0xbdf63f00, 0xbdd75a50, 0xbed2f700, 0x3e8ab64c, 0x3ecb4226, 0x3eaf295c,
                    ],
                ),
                (
                    "LSTMCell(7,4)",
                    "bias_hh",
                    &[
                        0xbeb493ac, 0x3cb6ae60, 0xbeb47690, 0xbe8cec88, 0xbe952c30, 0x3e2ef934, 0xbe988dc4, 0xbc32ba00,
                        0x3cac4fa0, 0x3ea50604, 0xbec183fa, 0xbeafbf44, 0xbe94a63c, 0x3eb32ed6, 0xbe380bcc, 0x3ed7eee0,
                    ],
                ),
                (
                    "Embedding(4,2)",
                    "weight",
                    &[
                        0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1, 0xbfb3052d, 0x3ece837a, 0x3f5688e5,
                    ],
                ),
                (
                    "RNN(4,2)",
                    "weight_ih_l0",
                    &[
                        0xbbad7922, 0x3ec2369c, 0xbf14fcb1, 0xbf05381d, 0xbe8b70d6, 0x3e422aab, 0xbc658a57, 0x3f0f8740,
                    ],
                ),
                (
                    "RNN(4,2)",
                    "weight_hh_l0",
                    &[0xbd8083de, 0x3e3f9997, 0xbe5ad35d, 0xbe0e541b],
                ),
                ("RNN(4,2)", "bias_ih_l0", &[0xbf2cefc2, 0xbeefc590]),
                ("RNN(4,2)", "bias_hh_l0", &[0xbe953d9f, 0x3cd6944c]),
                (
                    "LSTM(4,4)",
                    "weight_ih_l0",
                    &[
                        0xbb755400, 0x3e89545e, 0xbed2b316, 0xbebc6680, 0xbe4532f4, 0x3e094bec, 0xbc224f40, 0x3ecaface,
                        0xbd35bf70, 0x3e077b4c, 0xbe1abbac, 0xbdc94870, 0xbef491b8, 0xbea98b52, 0xbe530ee8, 0x3c97bb00,
                        0x3e4a6960, 0x3e999b18, 0xbead8d8c, 0xbe5ef4fc, 0x3e39f798, 0x3ed4944e, 0xbdd2bd48, 0x3ebf915c,
                        0xbda50d40, 0x3d58b510, 0x3ee7cd4a, 0xbeed7bce, 0xbea12966, 0xbe019ee0, 0xbe4793dc, 0x3edd2f28,
                        0xbea5ef1a, 0xbe6bb0c0, 0xbeb2da1a, 0xbeefc276, 0xbe957004, 0x3edc0e9e, 0x3e6476bc, 0x3e782700,
                        0x3cd76a40, 0xbe833f3a, 0x3dad3ec0, 0xbeef069e, 0xbeb8fa1a, 0xbe83f9c6, 0x3ea18526, 0x3e961926,
                        0xbe6311c8, 0xbc93cb20, 0x3ea3ba40, 0x3efe7f82, 0x3e4b3424, 0x3d8a55c8, 0x3eaba4fe, 0xbe96bbc0,
                        0x3dbed0f8, 0xbec67a6c, 0xbeb16e18, 0xbe843ed2, 0x3e67aa8c, 0x3e4de7f8, 0xbe97a46a, 0x3e1aadc8,
                    ],
                ),
                (
                    "LSTM(4,4)",
                    "weight_hh_l0",
                    &[
                        0x3e8c896e, 0xbd813f20, 0x3c9c6440, 0x3ded4400, 0x3e9ed100, 0x3ef5cf48, 0xbec54796, 0xbe3ba1ec,
                        0x3e493898, 0x3ed41bd0, 0x3edec5e8, 0x3ee1e222, 0x3dcbca78, 0xbede9cf8, 0x3d3c6690, 0xbea027ac,
                        0xbeee948c, 0x3ee3743e, 0x3ec2a6f0, 0xbeff5dfe, 0x3dbfaa08, 0xbdac80c8, 0xbda882b8, 0xbe6a5f1c,
                        0x3e44e48c, 0xbe97a134, 0x3e3bb1dc, 0x3e817616, 0x3eb7435c, 0x3e3f7148, 0xbefd5f4a, 0xbea61100,
                        0x3e7fa638, 0x3dd65318, 0xbec7b396, 0xbe9368e8, 0x3ef0d4f2, 0x3eac7f54, 0xbe5f3eb0, 0xbe00dcd4,
                        0xbef3dd78, 0xbc133e80, 0xbec0c878, 0xbec577a2, 0xbce1b020, 0x3d99bfa0, 0xbe51adf4, 0x3e97e798,
                        0xbe9bc938, 0x3ee84968, 0x3eaf6fd0, 0xbed7e164, 0xbdfedb88, 0x3cb8d280, 0x3d956718, 0x3df2ddd0,
                        0x3e48ec5c, 0x3cf559e0, 0xbe79d1cc, 0x3e7245d4, 0xbef59156, 0xbe97bba0, 0xbe002b3c, 0xbe7966ec,
                    ],
                ),
                (
                    "LSTM(4,4)",
                    "bias_ih_l0",
                    &[
                        0xbe331d5c, 0xbed1d2ba, 0xbdd9d200, 0x3ddae2f8, 0xbea6c676, 0xbcd23440, 0x3eb74200, 0xbd5288f0,
                        0x3c63ac80, 0xbd30adc0, 0x3dcf3d10, 0x3ea2c660, 0x3ef27eba, 0x3ea29306, 0x3ef30cc4, 0xbd141d60,
                    ],
                ),
                (
                    "LSTM(4,4)",
                    "bias_hh_l0",
                    &[
                        0xbee5f866, 0xbe72ba40, 0x3eae4fce, 0xbb546b00, 0xbe7e7cdc, 0xbec42d02, 0xbeef9400, 0xbed810ec,
                        0xbdcfb470, 0x3e8c6456, 0x3e8a6774, 0xbef6e502, 0x3e9fb02e, 0xbec8528a, 0xbdd87bf0, 0xbe4f9a1c,
                    ],
                ),
                (
                    "Embedding(5,3)",
                    "weight",
                    &[
                        0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1, 0xbfb3052d, 0x3ece837a, 0x3f5688e5,
                        0xbf382144, 0xbece830b, 0xbf18bd18, 0x3e3a67c6, 0xbf5b4f07, 0x3f8ce099, 0xbf891cab,
                    ],
                ),
                ("Embedding(3,1)", "weight", &[0x3fc53f5c, 0xbe963c50, 0xc00b7149]),
                (
                    "Embedding(6,3)",
                    "weight",
                    &[
                        0xbf901b85, 0xbf93808a, 0x3f111004, 0x3f4b235d, 0x3f194d8b, 0xbfc70d5b, 0xbeaec6ca, 0x3fed2f4e,
                        0x3eefaa55, 0xbe217f5f, 0xbe318eeb, 0x3e3be1a4, 0x3fb1d6c0, 0x3fcb0d00, 0x3f72409c, 0xbf57fb33,
                        0x3f6e8c30, 0x3fa12737,
                    ],
                ),
            ],
        },
    ),
    (
        4,
        SeedVectors {
            rand10: &[
                0x3f0f447a, 0x3f0f20ae, 0x3dbb4db8, 0x3e570b14, 0x3bebc080, 0x3d1f9680, 0x3f7e2e57, 0x3f69c1c8,
                0x3f1e5b32, 0x3f797189,
            ],
            uniform10_m05_05: &[
                0x3d7447a0, 0x3d720ae0, 0xbed12c92, 0xbe947a76, 0xbefc50fe, 0xbeec0d30, 0x3efc5cae, 0x3ed38390,
                0x3df2d990, 0x3ef2e312,
            ],
            randn10: &[
                0xbfcd79b2, 0x3e6e10bc, 0x400f5a08, 0x3f58e83f, 0x3f99aeb6, 0xbecd9801, 0xbfb687d0, 0x3f676812,
                0x3f5b102d, 0x3f305a80,
            ],
            randn16: &[
                0xbf7100ac, 0x3fa1b212, 0xbe3c2e0b, 0x3e1a1e1a, 0x3ddc2a21, 0xbe8e5a41, 0xc0268962, 0x3f1fdc72,
                0xbf5e4d08, 0xbe51fa03, 0x3ecb8d16, 0x3f2b8045, 0xbd5bfbda, 0x3d3f4383, 0xbfe230c8, 0xc007b59c,
            ],
            randn20: &[
                0xbf7100ac, 0x3fa1b212, 0xbe3c2e0b, 0x3e1a1e1a, 0x3f91deed, 0xbe6bb642, 0x3f98079f, 0x3f448a50,
                0xbf362f86, 0x3edeb0e2, 0x3fcf5659, 0x3e99061e, 0xbed7d2b2, 0x3f594d59, 0xbf2d759d, 0xbf71cd74,
                0x400ade8e, 0xbf96373f, 0xbec87f53, 0x3fb780b5,
            ],
            in_order: &[
                (
                    "Linear(2,4).weight",
                    &[
                        0x3dacbb5d, 0x3dab265e, 0xbf13e88e, 0xbed1fae9, 0xbf326a24, 0xbf26e9e3, 0x3f327268, 0x3f15901c,
                    ],
                ),
                ("Linear(2,4).bias", &[0x3e2bb885, 0x3f2bbf3e, 0xbe831f22, 0xbece7c85]),
                (
                    "RNNCell(4,2).weight_ih",
                    &[
                        0x3f1a52a0, 0xbd196790, 0x3e097f06, 0x3ed60612, 0x3ebec879, 0xbecf4d26, 0xbe8c0382, 0xbf270fbd,
                    ],
                ),
                (
                    "RNNCell(4,2).weight_hh",
                    &[0x3cff3631, 0xbe81cbe0, 0x3e1b801f, 0x3d06bf52],
                ),
                ("RNNCell(4,2).bias_ih", &[0x3f1a5359, 0x3d79732a]),
                ("RNNCell(4,2).bias_hh", &[0x3eb56f0c, 0x3e647bdf]),
                (
                    "LSTMCell(7,4).weight_ih",
                    &[
                        0x3ee3216e, 0xbe54d7ac, 0x3ed5c12a, 0x3eb79d92, 0xbe4c5968, 0x3e9cebfa, 0x3eecabcc, 0xbe90bf90,
                        0xbe47b4f8, 0x3eaf215c, 0x3ece6aea, 0x3e071078, 0x3e1d3a20, 0x3ebd9c62, 0x3ee05a84, 0xbea1e88c,
                        0xbe529aa4, 0x3ed78b40, 0x3e8a4550, 0xbe703c34, 0xbe2db958, 0x3ef86f5a, 0xbea056be, 0x3ea4ae40,
                        0x3e948cfc, 0xbef58426, 0xbeff8cc8, 0x3e29f80c, 0x3e7b35c8, 0x3ee2eae6, 0x3d7c6cf0, 0x3eadacc4,
                        0xbeb5ef42, 0x3e98cf72, 0xbef69e02, 0x3ea6c464, 0x3d5e0910, 0x3e9e21e0, 0x3e4a3f44, 0xbeb11a4e,
                        0x3baa2480, 0x3d8185d8, 0x3d933580, 0xbee02468, 0xbe814ed2, 0xbe712e38, 0xbe8b2644, 0x3ed9fc2c,
                        0x3e90cf86, 0x3e52d2f8, 0xbe197d08, 0xbecfb56a, 0x3dd9e8b8, 0x3eec8870, 0x3e63ddc8, 0xbeceae74,
                        0xbd359190, 0x3ca65da0, 0x3ea277d4, 0x3e584b1c, 0xbeb4886e, 0xbef16c5c, 0x3e1806dc, 0x3e79f2d4,
                        0x3e92d3e6, 0x3eb039e0, 0x3ee24caa, 0xbe55b888, 0xbef90162, 0x3e7abc90, 0x3ef6efb6, 0xbeba778a,
                        0xbe80df2a, 0x3edb3066, 0x3ec7f210, 0xbd43e070, 0xbe921eb6, 0x3dbbba40, 0xbefabc8a, 0xbe4a3c18,
                        0xbd848418, 0xbdf40e50, 0x3e52f79c, 0x3c2d5800, 0xbec9b2c4, 0xbd48e7c0, 0x3d3e4360, 0x3e9ff496,
                        0x3ce6a100, 0xbe328870, 0x3e47687c, 0x3e6beca0, 0x3dc25c88, 0xbe897764, 0x3e0a8024, 0x3d9263e8,
                        0x3e8fb46a, 0xbe0be4f0, 0xbd050420, 0x3e8594e4, 0xbd880a28, 0x3e859906, 0xbda487e0, 0x3ee0d74e,
                        0xbb7bca00, 0xbdd801d0, 0x3e3188a0, 0xbccf6080, 0x3eccedc0, 0xbd8fade8, 0x3eac1bd6, 0xbe04652c,
                    ],
                ),
                (
                    "LSTMCell(7,4).weight_hh",
                    &[
                        0x3d33e960, 0x3e260bb0, 0xbef04404, 0x3dc51750, 0x3e8b3622, 0x3e4a206c, 0x3c48d840, 0xbd538c40,
                        0x3e2122ac, 0x3e1b0158, 0xbe76a604, 0x3e47d83c, 0xbedb3ae6, 0x3ca10000, 0xbe3009d8, 0xbe563a60,
                        0xbecf9f12, 0x3ec93bea, 0x3d3ca7e0, 0x3d0cd870, 0xbd9a2208, 0xbe545468, 0xbec5eb62, 0x3dc30f40,
                        0xbec7b58a, 0xbe5b1b30, 0x3e80b068, 0x3ed63380, 0xbe23a4a4, 0xbefc301c, 0x3efa5cc2, 0x3e8a955c,
                        0x3eb8bf54, 0xbdbac440, 0xbdd30040, 0x3d484310, 0x3dfa9cf8, 0x3c53bf00, 0xbe84ddba, 0x3ee4ab3c,
                        0x3e6f1d04, 0xbd3907d0, 0xbeda1354, 0xbe7c2a24, 0xbe3292d8, 0xbdaacb60, 0x3e0db340, 0xbdab1fc8,
                        0x3e312acc, 0xbea647ec, 0xbde010c8, 0x3e6768a4, 0x3efb6bac, 0xbed84414, 0x3d54e8f0, 0x3e873252,
                        0xbd5cefd0, 0x3dee9250, 0x3e9fd4c4, 0xbefe5ed2, 0x3e9796cc, 0xbee4dbf2, 0x3dbe3b48, 0x3e9af468,
                    ],
                ),
                (
                    "LSTMCell(7,4).bias_ih",
                    &[
                        0xbe68bd90, 0x3b93e580, 0xbef5c31a, 0xbcfc4800, 0x3e90434a, 0x3e7f3080, 0x3e08d464, 0xbd280db0,
                        0xbe51c864, 0x3ed0180a, 0x3e173724, 0x3e362d28, 0x3e794e60, 0xbe10b838, 0xbd1c3e30, 0x3ef18fba,
                    ],
                ),
                (
                    "LSTMCell(7,4).bias_hh",
                    &[
                        0x3ee52448, 0xbefe1486, 0xbeda77fc, 0xbe1321b4, 0x3e016b40, 0xbe85f63a, 0x3e7db058, 0xbee5adc8,
                        0xbd779070, 0x3ea50398, 0xbe02b1c0, 0xbe031134, 0x3dde1e60, 0x3ec41b98, 0x3de5b4d8, 0x3c4afd00,
                    ],
                ),
                (
                    "Embedding(4,2).weight",
                    &[
                        0x3f57be54, 0xbf1aa4d4, 0xbf1b7961, 0x3f9dc80e, 0x3e476b3d, 0xbf989aab, 0xbd8e18e8, 0x3ef08342,
                    ],
                ),
            ],
            alone: &[
                (
                    "Linear(2,4)",
                    "weight",
                    &[
                        0x3dacbb5d, 0x3dab265e, 0xbf13e88e, 0xbed1fae9, 0xbf326a24, 0xbf26e9e3, 0x3f327268, 0x3f15901c,
                    ],
                ),
                ("Linear(2,4)", "bias", &[0x3e2bb885, 0x3f2bbf3e, 0xbe831f22, 0xbece7c85]),
                (
                    "RNNCell(4,2)",
                    "weight_ih",
                    &[
                        0x3dacbb5d, 0x3dab265e, 0xbf13e88e, 0xbed1fae9, 0xbf326a24, 0xbf26e9e3, 0x3f327268, 0x3f15901c,
                    ],
                ),
                (
                    "RNNCell(4,2)",
                    "weight_hh",
                    &[0x3e2bb885, 0x3f2bbf3e, 0xbe831f22, 0xbece7c85],
                ),
                ("RNNCell(4,2)", "bias_ih", &[0x3f1a52a0, 0xbd196790]),
                ("RNNCell(4,2)", "bias_hh", &[0x3e097f06, 0x3ed60612]),
                (
                    "LSTMCell(7,4)",
                    "weight_ih",
                    &[
                        0x3d7447a0, 0x3d720ae0, 0xbed12c92, 0xbe947a76, 0xbefc50fe, 0xbeec0d30, 0x3efc5cae, 0x3ed38390,
                        0x3df2d990, 0x3ef2e312, 0xbe396f18, 0xbe920208, 0x3eda3ece, 0xbcd8f260, 0x3dc272f0, 0x3e97566e,
                        0x3e86e76e, 0xbe92958e, 0xbe460260, 0xbeec42b8, 0x3cb47640, 0xbe378f50, 0x3ddbe930, 0x3cbe8fc0,
                        0x3eda3fd4, 0x3d306340, 0x3e804b06, 0x3e219000, 0x3ee3216e, 0xbe54d7ac, 0x3ed5c12a, 0x3eb79d92,
                        0xbe4c5968, 0x3e9cebfa, 0x3eecabcc, 0xbe90bf90, 0xbe47b4f8, 0x3eaf215c, 0x3ece6aea, 0x3e071078,
                        0x3e1d3a20, 0x3ebd9c62, 0x3ee05a84, 0xbea1e88c, 0xbe529aa4, 0x3ed78b40, 0x3e8a4550, 0xbe703c34,
                        0xbe2db958, 0x3ef86f5a, 0xbea056be, 0x3ea4ae40, 0x3e948cfc, 0xbef58426, 0xbeff8cc8, 0x3e29f80c,
                        0x3e7b35c8, 0x3ee2eae6, 0x3d7c6cf0, 0x3eadacc4, 0xbeb5ef42, 0x3e98cf72, 0xbef69e02, 0x3ea6c464,
                        0x3d5e0910, 0x3e9e21e0, 0x3e4a3f44, 0xbeb11a4e, 0x3baa2480, 0x3d8185d8, 0x3d933580, 0xbee02468,
                        0xbe814ed2, 0xbe712e38, 0xbe8b2644, 0x3ed9fc2c, 0x3e90cf86, 0x3e52d2f8, 0xbe197d08, 0xbecfb56a,
                        0x3dd9e8b8, 0x3eec8870, 0x3e63ddc8, 0xbeceae74, 0xbd359190, 0x3ca65da0, 0x3ea277d4, 0x3e584b1c,
                        0xbeb4886e, 0xbef16c5c, 0x3e1806dc, 0x3e79f2d4, 0x3e92d3e6, 0x3eb039e0, 0x3ee24caa, 0xbe55b888,
                        0xbef90162, 0x3e7abc90, 0x3ef6efb6, 0xbeba778a, 0xbe80df2a, 0x3edb3066, 0x3ec7f210, 0xbd43e070,
                        0xbe921eb6, 0x3dbbba40, 0xbefabc8a, 0xbe4a3c18, 0xbd848418, 0xbdf40e50, 0x3e52f79c, 0x3c2d5800,
                    ],
                ),
                (
                    "LSTMCell(7,4)",
                    "weight_hh",
                    &[
                        0xbec9b2c4, 0xbd48e7c0, 0x3d3e4360, 0x3e9ff496, 0x3ce6a100, 0xbe328870, 0x3e47687c, 0x3e6beca0,
                        0x3dc25c88, 0xbe897764, 0x3e0a8024, 0x3d9263e8, 0x3e8fb46a, 0xbe0be4f0, 0xbd050420, 0x3e8594e4,
                        0xbd880a28, 0x3e859906, 0xbda487e0, 0x3ee0d74e, 0xbb7bca00, 0xbdd801d0, 0x3e3188a0, 0xbccf6080,
                        0x3eccedc0, 0xbd8fade8, 0x3eac1bd6, 0xbe04652c, 0x3d33e960, 0x3e260bb0, 0xbef04404, 0x3dc51750,
                        0x3e8b3622, 0x3e4a206c, 0x3c48d840, 0xbd538c40, 0x3e2122ac, 0x3e1b0158, 0xbe76a604, 0x3e47d83c,
                        0xbedb3ae6, 0x3ca10000, 0xbe3009d8, 0xbe563a60, 0xbecf9f12, 0x3ec93bea, 0x3d3ca7e0, 0x3d0cd870,
                        0xbd9a2208, 0xbe545468, 0xbec5eb62, 0x3dc30f40, 0xbec7b58a, 0xbe5b1b30, 0x3e80b068, 0x3ed63380,
                        0xbe23a4a4, 0xbefc301c, 0x3efa5cc2, 0x3e8a955c, 0x3eb8bf54, 0xbdbac440, 0xbdd30040, 0x3d484310,
                    ],
                ),
                (
                    "LSTMCell(7,4)",
                    "bias_ih",
                    &[
                        0x3dfa9cf8, 0x3c53bf00, 0xbe84ddba, 0x3ee4ab3c, 0x3e6f1d04, 0xbd3907d0, 0xbeda1354, 0xbe7c2a24,
                        0xbe3292d8, 0xbdaacb60, 0x3e0db340, 0xbdab1fc8, 0x3e312acc, 0xbea647ec, 0xbde010c8, 0x3e6768a4,
                    ],
                ),
                (
                    "LSTMCell(7,4)",
                    "bias_hh",
                    &[
                        0x3efb6bac, 0xbed84414, 0x3d54e8f0, 0x3e873252, 0xbd5cefd0, 0x3dee9250, 0x3e9fd4c4, 0xbefe5ed2,
                        0x3e9796cc, 0xbee4dbf2, 0x3dbe3b48, 0x3e9af468, 0xbe68bd90, 0x3b93e580, 0xbef5c31a, 0xbcfc4800,
                    ],
                ),
                (
                    "Embedding(4,2)",
                    "weight",
                    &[
                        0xbfcd79b2, 0x3e6e10bc, 0x400f5a08, 0x3f58e83f, 0x3f99aeb6, 0xbecd9801, 0xbfb687d0, 0x3f676812,
                    ],
                ),
                (
                    "RNN(4,2)",
                    "weight_ih_l0",
                    &[
                        0x3dacbb5d, 0x3dab265e, 0xbf13e88e, 0xbed1fae9, 0xbf326a24, 0xbf26e9e3, 0x3f327268, 0x3f15901c,
                    ],
                ),
                (
                    "RNN(4,2)",
                    "weight_hh_l0",
                    &[0x3e2bb885, 0x3f2bbf3e, 0xbe831f22, 0xbece7c85],
                ),
                ("RNN(4,2)", "bias_ih_l0", &[0x3f1a52a0, 0xbd196790]),
                ("RNN(4,2)", "bias_hh_l0", &[0x3e097f06, 0x3ed60612]),
                (
                    "LSTM(4,4)",
                    "weight_ih_l0",
                    &[
                        0x3d7447a0, 0x3d720ae0, 0xbed12c92, 0xbe947a76, 0xbefc50fe, 0xbeec0d30, 0x3efc5cae, 0x3ed38390,
                        0x3df2d990, 0x3ef2e312, 0xbe396f18, 0xbe920208, 0x3eda3ece, 0xbcd8f260, 0x3dc272f0, 0x3e97566e,
                        0x3e86e76e, 0xbe92958e, 0xbe460260, 0xbeec42b8, 0x3cb47640, 0xbe378f50, 0x3ddbe930, 0x3cbe8fc0,
                        0x3eda3fd4, 0x3d306340, 0x3e804b06, 0x3e219000, 0x3ee3216e, 0xbe54d7ac, 0x3ed5c12a, 0x3eb79d92,
                        0xbe4c5968, 0x3e9cebfa, 0x3eecabcc, 0xbe90bf90, 0xbe47b4f8, 0x3eaf215c, 0x3ece6aea, 0x3e071078,
                        0x3e1d3a20, 0x3ebd9c62, 0x3ee05a84, 0xbea1e88c, 0xbe529aa4, 0x3ed78b40, 0x3e8a4550, 0xbe703c34,
                        0xbe2db958, 0x3ef86f5a, 0xbea056be, 0x3ea4ae40, 0x3e948cfc, 0xbef58426, 0xbeff8cc8, 0x3e29f80c,
                        0x3e7b35c8, 0x3ee2eae6, 0x3d7c6cf0, 0x3eadacc4, 0xbeb5ef42, 0x3e98cf72, 0xbef69e02, 0x3ea6c464,
                    ],
                ),
                (
                    "LSTM(4,4)",
                    "weight_hh_l0",
                    &[
                        0x3d5e0910, 0x3e9e21e0, 0x3e4a3f44, 0xbeb11a4e, 0x3baa2480, 0x3d8185d8, 0x3d933580, 0xbee02468,
                        0xbe814ed2, 0xbe712e38, 0xbe8b2644, 0x3ed9fc2c, 0x3e90cf86, 0x3e52d2f8, 0xbe197d08, 0xbecfb56a,
                        0x3dd9e8b8, 0x3eec8870, 0x3e63ddc8, 0xbeceae74, 0xbd359190, 0x3ca65da0, 0x3ea277d4, 0x3e584b1c,
                        0xbeb4886e, 0xbef16c5c, 0x3e1806dc, 0x3e79f2d4, 0x3e92d3e6, 0x3eb039e0, 0x3ee24caa, 0xbe55b888,
                        0xbef90162, 0x3e7abc90, 0x3ef6efb6, 0xbeba778a, 0xbe80df2a, 0x3edb3066, 0x3ec7f210, 0xbd43e070,
                        0xbe921eb6, 0x3dbbba40, 0xbefabc8a, 0xbe4a3c18, 0xbd848418, 0xbdf40e50, 0x3e52f79c, 0x3c2d5800,
                        0xbec9b2c4, 0xbd48e7c0, 0x3d3e4360, 0x3e9ff496, 0x3ce6a100, 0xbe328870, 0x3e47687c, 0x3e6beca0,
                        0x3dc25c88, 0xbe897764, 0x3e0a8024, 0x3d9263e8, 0x3e8fb46a, 0xbe0be4f0, 0xbd050420, 0x3e8594e4,
                    ],
                ),
                (
                    "LSTM(4,4)",
                    "bias_ih_l0",
                    &[
                        0xbd880a28, 0x3e859906, 0xbda487e0, 0x3ee0d74e, 0xbb7bca00, 0xbdd801d0, 0x3e3188a0, 0xbccf6080,
                        0x3eccedc0, 0xbd8fade8, 0x3eac1bd6, 0xbe04652c, 0x3d33e960, 0x3e260bb0, 0xbef04404, 0x3dc51750,
                    ],
                ),
                (
                    "LSTM(4,4)",
                    "bias_hh_l0",
                    &[
                        0x3e8b3622, 0x3e4a206c, 0x3c48d840, 0xbd538c40, 0x3e2122ac, 0x3e1b0158, 0xbe76a604, 0x3e47d83c,
                        0xbedb3ae6, 0x3ca10000, 0xbe3009d8, 0xbe563a60, 0xbecf9f12, 0x3ec93bea, 0x3d3ca7e0, 0x3d0cd870,
                    ],
                ),
                (
                    "Embedding(5,3)",
                    "weight",
                    &[
                        0xbfcd79b2, 0x3e6e10bc, 0x400f5a08, 0x3f58e83f, 0x3f99aeb6, 0xbecd9801, 0xbfb687d0, 0x3f676812,
                        0x3f5b102d, 0x3f305a80, 0x3f628e6c, 0x3fe2a46e, 0xbda5c568, 0x3d51fa18, 0xbf5e66d4,
                    ],
                ),
                ("Embedding(3,1)", "weight", &[0xbfcd79b2, 0x3e6e10bc, 0x400f5a08]),
                (
                    "Embedding(6,3)",
                    "weight",
                    &[
                        0xbf7100ac, 0x3fa1b212, 0x3b49b365, 0xbe1d3ba3, 0x3f91deed, 0xbe6bb642, 0x3f98079f, 0x3f448a50,
                        0xbf362f86, 0x3edeb0e2, 0xbf5b151e, 0xbe70455d, 0xbed7d2b2, 0x3f594d59, 0xbf2d759d, 0xbf71cd74,
                        0x400ade8e, 0xbf96373f,
                    ],
                ),
            ],
        },
    ),
    (
        43052,
        SeedVectors {
            rand10: &[
                0x3ea73f86, 0x3d9ca460, 0x3f2e232b, 0x3f777f09, 0x3f342463, 0x3d646810, 0x3f29b5c6, 0x3e41d154,
                0x3ebda1a6, 0x3f4fef6e,
            ],
            uniform10_m05_05: &[
                0xbe3180f4, 0xbed8d6e8, 0x3e388cac, 0x3eeefe12, 0x3e50918c, 0xbee372fe, 0x3e26d718, 0xbe9f1756,
                0xbe04bcb4, 0x3e9fdedc,
            ],
            randn10: &[
                0xbf515abf, 0xbf348637, 0xbf1595c9, 0xbf1e2d5b, 0x3fff59b7, 0xbef1e23a, 0xbf703609, 0x3fd6f1cb,
                0xbfb4ad06, 0x3f605c99,
            ],
            randn16: &[
                0xbf1c3f92, 0x3e1bb968, 0x3fc06584, 0x3e1165d2, 0x3f483f3d, 0xbe8bf96b, 0xbe39fd67, 0xbf0fe619,
                0x3f259b2d, 0xbebcd2de, 0xbe1445f1, 0x4026c239, 0x3facb7d2, 0xbe4cd76d, 0xbfbb552a, 0x3ea4dea3,
            ],
            randn20: &[
                0xbf1c3f92, 0x3e1bb968, 0x3fc06584, 0x3e1165d2, 0xbf7267d0, 0xbef12263, 0xbebe6fe3, 0x3f8d1b05,
                0x3eb7f9cd, 0xbeb16b8d, 0x40045142, 0x3e3d8f20, 0xbf153ccf, 0xbfb9b7e9, 0x3e20837b, 0xbfb8c551,
                0x3fb8c912, 0x3ed29f8f, 0xbf5c64d4, 0x3fc5a2f8,
            ],
            in_order: &[
                (
                    "Linear(2,4).weight",
                    &[
                        0xbe7b0736, 0xbf195423, 0x3e827f07, 0x3f28fe42, 0x3e937af0, 0xbf20d4b3, 0x3e6bf29b, 0xbee0fd26,
                    ],
                ),
                ("Linear(2,4).bias", &[0xbe3bb7f8, 0x3ee21752, 0x3f2f7c54, 0xbebb4b05]),
                (
                    "RNNCell(4,2).weight_ih",
                    &[
                        0xbef18fb9, 0x3e1197dd, 0x3ea6ca50, 0xbdefce59, 0x3f1a63cf, 0xbe9ad3dd, 0xbd361d95, 0x3f24220c,
                    ],
                ),
                (
                    "RNNCell(4,2).weight_hh",
                    &[0xbd6153a6, 0x3e87d7b3, 0xbf18b295, 0x3edee935],
                ),
                ("RNNCell(4,2).bias_ih", &[0x3e753332, 0xbf0442bf]),
                ("RNNCell(4,2).bias_hh", &[0x3f17881f, 0x3e91f054]),
                (
                    "LSTMCell(7,4).weight_ih",
                    &[
                        0x3db3dff8, 0x3e4cd8fc, 0xbd820100, 0x3eb52558, 0xbe93e0ee, 0xbe0de940, 0x3edfd8e6, 0xbe89b924,
                        0xbc2eab00, 0x3e95dc90, 0x3ed407ec, 0x3e75c67c, 0x3e066574, 0x3d8956d8, 0xbe98d4de, 0x3edb3fc6,
                        0xbe886a98, 0x3ea1c2ae, 0xbe475820, 0xbee3bd0a, 0x3dbfa8d0, 0xbed8d4c4, 0x3e3d0798, 0xbea4062a,
                        0x3ed2deec, 0x3dc3a108, 0xbd46b3b0, 0xbd8218d0, 0xbefc04ae, 0x3efba23a, 0xbd15da70, 0x3ee38494,
                        0xbec6912c, 0x3e934c18, 0x3e6bb4bc, 0xbe946bb4, 0xbeb6f698, 0x3ef2ceae, 0xbedd1c4c, 0x3c879d20,
                        0x3eed2cca, 0x3ee33b08, 0xbee76320, 0xbefde08c, 0x3e2ac054, 0xbe634e84, 0x3ebfa90e, 0x3ecdf32c,
                        0x3e956752, 0x3efa31c6, 0x3e2ae874, 0x3ec51590, 0xbe188074, 0x3db14fd8, 0x3ec87c8c, 0x3eeee852,
                        0x3c80c860, 0xbddca1c0, 0xbd6ecc70, 0xbe4de598, 0x3efc65f8, 0x3e18e940, 0x3e904e10, 0x3efce320,
                        0xbe4880e8, 0xbe9135a0, 0xbed92c98, 0x3ec66286, 0xbe7373b8, 0xbee23740, 0x3eba0144, 0xbe707cf0,
                        0x3e13f314, 0xbe24bb00, 0xbd1a4990, 0x3e464f18, 0x3df33888, 0x3eae162e, 0xbe139a90, 0x3e618d4c,
                        0xbec1ced2, 0xbe4d80f8, 0xbe77d210, 0x3ebeaa52, 0xbea77b8a, 0xbe12a464, 0x3e6d99c8, 0xbdaec0a8,
                        0x3ede819c, 0x3d889050, 0xbdafb530, 0x3e5a7a04, 0x3ec018fc, 0xbead8ad8, 0x3ed0e948, 0x3ea1edf8,
                        0x3d473c10, 0xbeb1ed8c, 0xbd9a1448, 0x3e14b268, 0xbdc78970, 0x3ec4d0a6, 0xbe0aa934, 0x3caf98a0,
                        0x3deb9900, 0xbd847c58, 0xbe809cea, 0xbe9869aa, 0xbeca002c, 0x3e8123b0, 0xbeb29f7e, 0xbe49566c,
                    ],
                ),
                (
                    "LSTMCell(7,4).weight_hh",
                    &[
                        0x3bec2100, 0x3efd487a, 0xbeb09512, 0xbe2e69b8, 0xbefab784, 0xbea410e4, 0x3ed5a936, 0xbdca4360,
                        0xbeed1dd4, 0x3de42118, 0x3e99304e, 0xbef63262, 0x3e2446e8, 0x3eaa48fc, 0xbeda4fba, 0x3e306c2c,
                        0x3ebf709e, 0x3efccdae, 0x3e42e81c, 0x3e429f1c, 0xbeea988a, 0xbe512698, 0xbeef94a8, 0x3e8dcf12,
                        0x3e1e4024, 0xbd3779f0, 0x3d800870, 0x3e49a6f0, 0xbe20c8a4, 0x3e69d314, 0x3ece3052, 0xbd66ff10,
                        0x3ea0357a, 0xbec6fb86, 0x3ef1fe9e, 0xbd88cca0, 0xbe444e54, 0x3eac452e, 0x3ea70a3a, 0x3d0380d0,
                        0xbe8a0bee, 0x3e6415b4, 0xbd03ea20, 0x3cbc5bc0, 0xbd633010, 0x3e45d928, 0xbe8045a4, 0x3e149164,
                        0x3d033190, 0x3e027fa8, 0x3dbcf608, 0xbc8e8880, 0x3ea39b64, 0x3eab474e, 0x3ec84e6a, 0xbef20a04,
                        0xbe83b47e, 0xbee81f58, 0xbe5d7468, 0x3c21dec0, 0xbef57c30, 0xbee908e4, 0x3e894f90, 0x3ef68c44,
                    ],
                ),
                (
                    "LSTMCell(7,4).bias_ih",
                    &[
                        0x3e29cda0, 0xbd7d26b0, 0xbe5a0838, 0xbec3882a, 0x3ebfb062, 0xbe2ab970, 0xbee6f896, 0x3cae0700,
                        0xbd36ec00, 0x3e994c62, 0x3dac5ce8, 0x3e398374, 0x3efdb8be, 0xbeeb5b10, 0x3cba66a0, 0x3ee76df0,
                    ],
                ),
                (
                    "LSTMCell(7,4).bias_hh",
                    &[
                        0x3dc02cb8, 0x3ec2b1d4, 0x3ecc5ce2, 0x3e8a7528, 0x3ebe67b0, 0x3e59c77c, 0xbd90fbf8, 0x3e44b8b4,
                        0xbd3d9e60, 0xbcdfac00, 0x3ee2c838, 0xbeb54028, 0x3e706770, 0x3e0f8428, 0x3e322f50, 0x3ec6934e,
                    ],
                ),
                (
                    "Embedding(4,2).weight",
                    &[
                        0xbeaa35c8, 0x3f6c19b7, 0xbde35d10, 0x401ea0f3, 0x3fc0e9c6, 0x3eb8f681, 0x3fabef2a, 0xbf4d3ebb,
                    ],
                ),
            ],
            alone: &[
                (
                    "Linear(2,4)",
                    "weight",
                    &[
                        0xbe7b0736, 0xbf195423, 0x3e827f07, 0x3f28fe42, 0x3e937af0, 0xbf20d4b3, 0x3e6bf29b, 0xbee0fd26,
                    ],
                ),
                ("Linear(2,4)", "bias", &[0xbe3bb7f8, 0x3ee21752, 0x3f2f7c54, 0xbebb4b05]),
                (
                    "RNNCell(4,2)",
                    "weight_ih",
                    &[
                        0xbe7b0736, 0xbf195423, 0x3e827f07, 0x3f28fe42, 0x3e937af0, 0xbf20d4b3, 0x3e6bf29b, 0xbee0fd26,
                    ],
                ),
                (
                    "RNNCell(4,2)",
                    "weight_hh",
                    &[0xbe3bb7f8, 0x3ee21752, 0x3f2f7c54, 0xbebb4b05],
                ),
                ("RNNCell(4,2)", "bias_ih", &[0xbef18fb9, 0x3e1197dd]),
                ("RNNCell(4,2)", "bias_hh", &[0x3ea6ca50, 0xbdefce59]),
                (
                    "LSTMCell(7,4)",
                    "weight_ih",
                    &[
                        0xbe3180f4, 0xbed8d6e8, 0x3e388cac, 0x3eeefe12, 0x3e50918c, 0xbee372fe, 0x3e26d718, 0xbe9f1756,
                        0xbe04bcb4, 0x3e9fdedc, 0x3ef82c98, 0xbe846faa, 0xbeaacf4a, 0x3dcde660, 0x3e6be088, 0xbda99188,
                        0x3eda571c, 0xbe5af594, 0xbd00c670, 0x3ee81e7e, 0xbd1f5480, 0x3e401c44, 0xbed7f26e, 0x3e9d9f32,
                        0x3e2d61f0, 0xbebb0b80, 0x3ed64c58, 0x3e4e637c, 0x3db3dff8, 0x3e4cd8fc, 0xbd820100, 0x3eb52558,
                        0xbe93e0ee, 0xbe0de940, 0x3edfd8e6, 0xbe89b924, 0xbc2eab00, 0x3e95dc90, 0x3ed407ec, 0x3e75c67c,
                        0x3e066574, 0x3d8956d8, 0xbe98d4de, 0x3edb3fc6, 0xbe886a98, 0x3ea1c2ae, 0xbe475820, 0xbee3bd0a,
                        0x3dbfa8d0, 0xbed8d4c4, 0x3e3d0798, 0xbea4062a, 0x3ed2deec, 0x3dc3a108, 0xbd46b3b0, 0xbd8218d0,
                        0xbefc04ae, 0x3efba23a, 0xbd15da70, 0x3ee38494, 0xbec6912c, 0x3e934c18, 0x3e6bb4bc, 0xbe946bb4,
                        0xbeb6f698, 0x3ef2ceae, 0xbedd1c4c, 0x3c879d20, 0x3eed2cca, 0x3ee33b08, 0xbee76320, 0xbefde08c,
                        0x3e2ac054, 0xbe634e84, 0x3ebfa90e, 0x3ecdf32c, 0x3e956752, 0x3efa31c6, 0x3e2ae874, 0x3ec51590,
                        0xbe188074, 0x3db14fd8, 0x3ec87c8c, 0x3eeee852, 0x3c80c860, 0xbddca1c0, 0xbd6ecc70, 0xbe4de598,
                        0x3efc65f8, 0x3e18e940, 0x3e904e10, 0x3efce320, 0xbe4880e8, 0xbe9135a0, 0xbed92c98, 0x3ec66286,
                        0xbe7373b8, 0xbee23740, 0x3eba0144, 0xbe707cf0, 0x3e13f314, 0xbe24bb00, 0xbd1a4990, 0x3e464f18,
                        0x3df33888, 0x3eae162e, 0xbe139a90, 0x3e618d4c, 0xbec1ced2, 0xbe4d80f8, 0xbe77d210, 0x3ebeaa52,
                    ],
                ),
                (
                    "LSTMCell(7,4)",
                    "weight_hh",
                    &[
                        0xbea77b8a, 0xbe12a464, 0x3e6d99c8, 0xbdaec0a8, 0x3ede819c, 0x3d889050, 0xbdafb530, 0x3e5a7a04,
                        0x3ec018fc, 0xbead8ad8, 0x3ed0e948, 0x3ea1edf8, 0x3d473c10, 0xbeb1ed8c, 0xbd9a1448, 0x3e14b268,
                        0xbdc78970, 0x3ec4d0a6, 0xbe0aa934, 0x3caf98a0, 0x3deb9900, 0xbd847c58, 0xbe809cea, 0xbe9869aa,
                        0xbeca002c, 0x3e8123b0, 0xbeb29f7e, 0xbe49566c, 0x3bec2100, 0x3efd487a, 0xbeb09512, 0xbe2e69b8,
                        0xbefab784, 0xbea410e4, 0x3ed5a936, 0xbdca4360, 0xbeed1dd4, 0x3de42118, 0x3e99304e, 0xbef63262,
                        0x3e2446e8, 0x3eaa48fc, 0xbeda4fba, 0x3e306c2c, 0x3ebf709e, 0x3efccdae, 0x3e42e81c, 0x3e429f1c,
                        0xbeea988a, 0xbe512698, 0xbeef94a8, 0x3e8dcf12, 0x3e1e4024, 0xbd3779f0, 0x3d800870, 0x3e49a6f0,
                        0xbe20c8a4, 0x3e69d314, 0x3ece3052, 0xbd66ff10, 0x3ea0357a, 0xbec6fb86, 0x3ef1fe9e, 0xbd88cca0,
                    ],
                ),
                (
                    "LSTMCell(7,4)",
                    "bias_ih",
                    &[
                        0xbe444e54, 0x3eac452e, 0x3ea70a3a, 0x3d0380d0, 0xbe8a0bee, 0x3e6415b4, 0xbd03ea20, 0x3cbc5bc0,
                        0xbd633010, 0x3e45d928, 0xbe8045a4, 0x3e149164, 0x3d033190, 0x3e027fa8, 0x3dbcf608, 0xbc8e8880,
                    ],
                ),
                (
                    "LSTMCell(7,4)",
                    "bias_hh",
                    &[
                        0x3ea39b64, 0x3eab474e, 0x3ec84e6a, 0xbef20a04, 0xbe83b47e, 0xbee81f58, 0xbe5d7468, 0x3c21dec0,
                        0xbef57c30, 0xbee908e4, 0x3e894f90, 0x3ef68c44, 0x3e29cda0, 0xbd7d26b0, 0xbe5a0838, 0xbec3882a,
                    ],
                ),
                (
                    "Embedding(4,2)",
                    "weight",
                    &[
                        0xbf515abf, 0xbf348637, 0xbf1595c9, 0xbf1e2d5b, 0x3fff59b7, 0xbef1e23a, 0xbf703609, 0x3fd6f1cb,
                    ],
                ),
                (
                    "RNN(4,2)",
                    "weight_ih_l0",
                    &[
                        0xbe7b0736, 0xbf195423, 0x3e827f07, 0x3f28fe42, 0x3e937af0, 0xbf20d4b3, 0x3e6bf29b, 0xbee0fd26,
                    ],
                ),
                (
                    "RNN(4,2)",
                    "weight_hh_l0",
                    &[0xbe3bb7f8, 0x3ee21752, 0x3f2f7c54, 0xbebb4b05],
                ),
                ("RNN(4,2)", "bias_ih_l0", &[0xbef18fb9, 0x3e1197dd]),
                ("RNN(4,2)", "bias_hh_l0", &[0x3ea6ca50, 0xbdefce59]),
                (
                    "LSTM(4,4)",
                    "weight_ih_l0",
                    &[
                        0xbe3180f4, 0xbed8d6e8, 0x3e388cac, 0x3eeefe12, 0x3e50918c, 0xbee372fe, 0x3e26d718, 0xbe9f1756,
                        0xbe04bcb4, 0x3e9fdedc, 0x3ef82c98, 0xbe846faa, 0xbeaacf4a, 0x3dcde660, 0x3e6be088, 0xbda99188,
                        0x3eda571c, 0xbe5af594, 0xbd00c670, 0x3ee81e7e, 0xbd1f5480, 0x3e401c44, 0xbed7f26e, 0x3e9d9f32,
                        0x3e2d61f0, 0xbebb0b80, 0x3ed64c58, 0x3e4e637c, 0x3db3dff8, 0x3e4cd8fc, 0xbd820100, 0x3eb52558,
                        0xbe93e0ee, 0xbe0de940, 0x3edfd8e6, 0xbe89b924, 0xbc2eab00, 0x3e95dc90, 0x3ed407ec, 0x3e75c67c,
                        0x3e066574, 0x3d8956d8, 0xbe98d4de, 0x3edb3fc6, 0xbe886a98, 0x3ea1c2ae, 0xbe475820, 0xbee3bd0a,
                        0x3dbfa8d0, 0xbed8d4c4, 0x3e3d0798, 0xbea4062a, 0x3ed2deec, 0x3dc3a108, 0xbd46b3b0, 0xbd8218d0,
                        0xbefc04ae, 0x3efba23a, 0xbd15da70, 0x3ee38494, 0xbec6912c, 0x3e934c18, 0x3e6bb4bc, 0xbe946bb4,
                    ],
                ),
                (
                    "LSTM(4,4)",
                    "weight_hh_l0",
                    &[
                        0xbeb6f698, 0x3ef2ceae, 0xbedd1c4c, 0x3c879d20, 0x3eed2cca, 0x3ee33b08, 0xbee76320, 0xbefde08c,
                        0x3e2ac054, 0xbe634e84, 0x3ebfa90e, 0x3ecdf32c, 0x3e956752, 0x3efa31c6, 0x3e2ae874, 0x3ec51590,
                        0xbe188074, 0x3db14fd8, 0x3ec87c8c, 0x3eeee852, 0x3c80c860, 0xbddca1c0, 0xbd6ecc70, 0xbe4de598,
                        0x3efc65f8, 0x3e18e940, 0x3e904e10, 0x3efce320, 0xbe4880e8, 0xbe9135a0, 0xbed92c98, 0x3ec66286,
                        0xbe7373b8, 0xbee23740, 0x3eba0144, 0xbe707cf0, 0x3e13f314, 0xbe24bb00, 0xbd1a4990, 0x3e464f18,
                        0x3df33888, 0x3eae162e, 0xbe139a90, 0x3e618d4c, 0xbec1ced2, 0xbe4d80f8, 0xbe77d210, 0x3ebeaa52,
                        0xbea77b8a, 0xbe12a464, 0x3e6d99c8, 0xbdaec0a8, 0x3ede819c, 0x3d889050, 0xbdafb530, 0x3e5a7a04,
                        0x3ec018fc, 0xbead8ad8, 0x3ed0e948, 0x3ea1edf8, 0x3d473c10, 0xbeb1ed8c, 0xbd9a1448, 0x3e14b268,
                    ],
                ),
                (
                    "LSTM(4,4)",
                    "bias_ih_l0",
                    &[
                        0xbdc78970, 0x3ec4d0a6, 0xbe0aa934, 0x3caf98a0, 0x3deb9900, 0xbd847c58, 0xbe809cea, 0xbe9869aa,
                        0xbeca002c, 0x3e8123b0, 0xbeb29f7e, 0xbe49566c, 0x3bec2100, 0x3efd487a, 0xbeb09512, 0xbe2e69b8,
                    ],
                ),
                (
                    "LSTM(4,4)",
                    "bias_hh_l0",
                    &[
                        0xbefab784, 0xbea410e4, 0x3ed5a936, 0xbdca4360, 0xbeed1dd4, 0x3de42118, 0x3e99304e, 0xbef63262,
                        0x3e2446e8, 0x3eaa48fc, 0xbeda4fba, 0x3e306c2c, 0x3ebf709e, 0x3efccdae, 0x3e42e81c, 0x3e429f1c,
                    ],
                ),
                (
                    "Embedding(5,3)",
                    "weight",
                    &[
                        0xbf515abf, 0xbf348637, 0xbf1595c9, 0xbf1e2d5b, 0x3fff59b7, 0xbef1e23a, 0xbf703609, 0x3fd6f1cb,
                        0xbfb4ad06, 0x3f605c99, 0xbf06a272, 0xbfa66007, 0xbf10b29e, 0x3f3ba1e0, 0xbeaec57d,
                    ],
                ),
                ("Embedding(3,1)", "weight", &[0xbf515abf, 0xbf348637, 0xbf1595c9]),
                (
                    "Embedding(6,3)",
                    "weight",
                    &[
                        0xbf1c3f92, 0x3e1bb968, 0x3f7af985, 0xbf3dfc46, 0xbf7267d0, 0xbef12263, 0xbebe6fe3, 0x3f8d1b05,
                        0x3eb7f9cd, 0xbeb16b8d, 0xbf0cf6f0, 0xc0172d67, 0xbf153ccf, 0xbfb9b7e9, 0x3e20837b, 0xbfb8c551,
                        0x3fb8c912, 0x3ed29f8f,
                    ],
                ),
            ],
        },
    ),
];

pub const RANDN3_THEN_RANDN3: Bits = &[0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1, 0xbfb3052d];
pub const RANDN6: Bits = &[0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1, 0xbfb3052d];
