//! Generated patient timelines for property tests: events on distinct days in a small
//! range (so windows overlap), with times, kinds and attributes drawn from the vocabulary.

use proptest::prelude::*;

/// Generated events on distinct days in a small range (so windows overlap): with ties, input
/// order decides by the contract, so only tie-free timelines must be order-independent.
pub fn events() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_set(0u32..400, 0..14).prop_flat_map(|days| {
        let days: Vec<u32> = days.into_iter().collect();
        let n = days.len();
        (Just(days), proptest::collection::vec(event(), n)).prop_map(|(days, bodies)| {
            days.iter()
                .zip(bodies)
                .map(|(d, body)| {
                    let day = refract::date::Date::parse("2021-01-01")
                        .unwrap()
                        .add_days(i64::from(*d))
                        .unwrap();
                    format!(r#"{{"date":"{day}"{body}"#)
                })
                .collect()
        })
    })
}

/// Generated events of which several may fall on one day (with or without times): ties
/// the record does not order.
pub fn events_with_ties() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec((0u32..90, event()), 0..14).prop_map(|events| {
        events
            .into_iter()
            .map(|(d, body)| {
                let day = refract::date::Date::parse("2021-01-01")
                    .unwrap()
                    .add_days(i64::from(d))
                    .unwrap();
                format!(r#"{{"date":"{day}"{body}"#)
            })
            .collect()
    })
}

/// One event's fields after its date: maybe a time, a kind, some attributes.
pub fn event() -> impl Strategy<Value = String> {
    let kind = prop_oneof![Just("tace"), Just("imaging"), Just("lab"), Just("status")];
    let time = prop_oneof![
        Just(String::new()),
        (6u8..18).prop_map(|h| format!(r#","time":"{h:02}:00""#))
    ];
    let attrs = proptest::collection::vec(
        prop_oneof![
            (0u32..120).prop_map(|v| format!(r#""target_viable_sum_mm":{v}"#)),
            (0u32..=100).prop_map(|v| format!(r#""viable_percent":{v}"#)),
            (0u32..=100).prop_map(|v| format!(r#""lipiodol_percent":{v}"#)),
            (0u32..6).prop_map(|v| format!(r#""tumor_count":{v}"#)),
            prop_oneof![Just("CR"), Just("PR"), Just("SD"), Just("PD"), Just("NE")]
                .prop_map(|v| format!(r#""mrecist":"{v}","mrecist_target":"{v}""#)),
            prop_oneof![Just("CT"), Just("MRI"), Just("US")]
                .prop_map(|v| format!(r#""modality":"{v}""#)),
            any::<bool>().prop_map(|v| format!(
                r#""vascular_invasion":{v},"extrahepatic_spread":{v},"new_intrahepatic_lesion":{v}"#
            )),
            prop_oneof![Just("AFP"), Just("PIVKA-II"), Just("AST")]
                .prop_map(|t| format!(r#""test":"{t}","unit":"ng/mL""#)),
            (0u32..120).prop_map(|v| format!(r#""largest_diameter_mm":{v}"#)),
            (1u32..500).prop_map(|v| format!(r#""value":{v}"#)),
            prop_oneof![Just("S8"), Just("S4")].prop_map(|t| format!(r#""target":"{t}""#)),
            prop_oneof![Just("curative"), Just("palliative")]
                .prop_map(|t| format!(r#""intent":"{t}""#)),
            prop_oneof![Just(r#"["epirubicin"]"#), Just(r#"["cisplatin"]"#)]
                .prop_map(|a| format!(r#""agents":{a}"#)),
            (0u32..6).prop_map(|v| format!(r#""ecog":{v}"#)),
            (5u32..16).prop_map(|v| format!(r#""child_pugh_score":{v}"#)),
            any::<bool>().prop_map(|v| format!(
                r#""feeding_artery_reanalysis":{v},"hepatic_artery_occlusion":{v}"#
            )),
        ],
        0..5,
    );
    (time, kind, attrs).prop_map(|(time, kind, attrs)| {
        let mut object = format!(r#"{time},"kind":"{kind}""#);
        // A key given twice makes the patient unreadable: each attribute once.
        let mut seen = Vec::new();
        for attr in attrs {
            let key = attr.split(':').next().unwrap_or("").to_string();
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            object.push(',');
            object.push_str(&attr);
        }
        object.push('}');
        object
    })
}
