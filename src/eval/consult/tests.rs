use super::*;

fn d(s: &str) -> Decimal {
    Decimal::parse(s).unwrap()
}

fn values(ty: AttrType, hints: &[Hint<'_>]) -> Vec<String> {
    let hints: Vec<&Hint<'_>> = hints.iter().collect();
    candidates(Some(ty), &hints)
        .unwrap()
        .values
        .iter()
        .map(|c| match &c.value {
            Value::Number(n) => n.to_string(),
            Value::Text(t) => t.to_string(),
            Value::Bool(b) => b.to_string(),
            other => format!("{other:?}"),
        })
        .collect()
}

const PERCENT: AttrType = AttrType::Number {
    min: Some(0),
    max: Some(100),
    integer: false,
};
const COUNT: AttrType = AttrType::Number {
    min: Some(0),
    max: None,
    integer: true,
};
const ANY: AttrType = AttrType::Number {
    min: None,
    max: None,
    integer: false,
};

#[test]
fn numbers_visit_every_interval_the_cuts_make() {
    // viable_percent > 50 cuts just above 50: at most 50, or more.
    assert_eq!(
        values(PERCENT, &[Hint::Cut(d("50"), Side::Above)]),
        ["0", "100"]
    );
    // >= 50 cuts just below it.
    assert_eq!(
        values(PERCENT, &[Hint::Cut(d("50"), Side::Below)]),
        ["0", "50"]
    );
    // Equality (or a neighbour in a series) cuts on both sides: 50 itself is apart.
    assert_eq!(values(PERCENT, &[Hint::Near(d("50"))]), ["0", "50", "100"]);
    // A series neighbour and a reference: between them too; no range, one beyond each.
    assert_eq!(
        values(ANY, &[Hint::Near(d("911.7")), Hint::Near(d("1755.9"))]),
        ["910.7", "911.7", "1333.8", "1755.9", "1756.9"]
    );
    // Whole numbers only, and nothing below 0: tumor_count > 5.
    assert_eq!(values(COUNT, &[Hint::Cut(d("5"), Side::Above)]), ["0", "6"]);
    assert_eq!(values(COUNT, &[Hint::Near(d("0"))]), ["0", "1"]);
    // A cut at 2.5 between whole numbers.
    assert_eq!(values(COUNT, &[Hint::Near(d("2.5"))]), ["0", "3"]);
    assert_eq!(
        values(COUNT, &[Hint::Near(d("5")), Hint::Near(d("6"))]),
        ["0", "5", "6", "7"]
    );
    // A cut outside the range is no cut.
    assert_eq!(values(PERCENT, &[Hint::Near(d("150"))]), ["0"]);
    assert_eq!(values(PERCENT, &[Hint::Cut(d("100"), Side::Above)]), ["0"]);
}

#[test]
fn words_yes_no_and_texts() {
    let words = AttrType::Category(&["CR", "PR", "SD", "PD", "NE"]);
    let cr = Value::Text("CR".into());
    let pr = Value::Text("PR".into());
    let pd = Value::Text("PD".into());
    // `mrecist in [CR, PR]`: inside the list or not; NE is what is filled in.
    let in_list = [
        Hint::Words,
        Hint::Among(1, Cow::Borrowed(&cr)),
        Hint::Among(1, Cow::Borrowed(&pr)),
    ];
    assert_eq!(values(words, &in_list), ["CR", "SD"]);
    // And `mrecist is PD` as well: PD is apart from SD.
    let both = [
        Hint::Words,
        Hint::Among(1, Cow::Borrowed(&cr)),
        Hint::Among(1, Cow::Borrowed(&pr)),
        Hint::Among(2, Cow::Borrowed(&pd)),
    ];
    assert_eq!(values(words, &both), ["CR", "SD", "PD"]);
    assert_eq!(values(AttrType::Bool, &[Hint::Bool]), ["true", "false"]);
    let s4 = Value::Text("S4".into());
    assert_eq!(
        values(AttrType::Text, &[Hint::Equal(Cow::Borrowed(&s4))]),
        ["S4", "another value 0"]
    );
    // Arithmetic: no finite set covers it.
    let opaque = [Hint::Near(d("1")), Hint::Opaque];
    let hints: Vec<&Hint<'_>> = opaque.iter().collect();
    assert!(candidates(Some(ANY), &hints).is_none());
    // Compared with another missing number: tried, but not proven complete.
    let open = [Hint::Open];
    let hints: Vec<&Hint<'_>> = open.iter().collect();
    assert!(candidates(Some(ANY), &hints).unwrap().approximate);
}

#[test]
fn covered_is_whether_candidates_gives_a_set() {
    let text = Value::Text(Cow::Borrowed("x"));
    let hint_sets: Vec<Vec<Hint<'_>>> = vec![
        vec![],
        vec![Hint::Opaque],
        vec![Hint::Open],
        vec![Hint::Words],
        vec![Hint::Bool],
        vec![Hint::Near(d("50"))],
        vec![Hint::Cut(d("5"), Side::Above), Hint::Opaque],
        vec![Hint::Equal(Cow::Borrowed(&text))],
        vec![Hint::Among(1, Cow::Borrowed(&text))],
        vec![Hint::Near(d("1e28")), Hint::Near(d("-1e28"))],
    ];
    let types = [
        None,
        Some(AttrType::Bool),
        Some(PERCENT),
        Some(COUNT),
        Some(AttrType::Category(&["CR", "PR", "NE"])),
        Some(AttrType::Text),
        Some(AttrType::TextList),
    ];
    for hints in &hint_sets {
        let hints: Vec<&Hint<'_>> = hints.iter().collect();
        for ty in types {
            assert_eq!(
                covered(ty, &hints),
                candidates(ty, &hints).is_some(),
                "{ty:?} {hints:?}"
            );
        }
    }
}
