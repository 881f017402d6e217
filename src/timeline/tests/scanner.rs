//! The byte scanner's edges, each line compared with the checked path.

use super::*;

/// The byte scanner's own edges: what it takes it reads as the checked path does, and the
/// shapes it leaves to serde's tier (which may still take them) it refuses.
#[test]
fn scanner_takes_plain_lines_and_leaves_the_rest() {
    let taken = [
        r#"{"id":"P","events":[]}"#,
        " {\t\"id\" :\r\"P\" ,\n\"facts\" : null , \"events\" : [ ] } ",
        r#"{"events":[{"kind":"lab","value":-0.50,"date":"2021-02-01","time":null}],"id":"P"}"#,
        r#"{"id":"P","facts":{"sex":"F","n":[1,{"a":"]"}]},"events":[{"date":"2021-02-01","kind":"imaging","tumor_count":3,"mrecist":"PD","contrast":true,"viable_percent":1.5e1,"vascular_invasion":null}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"tace","time":"09:30","agents":["a","b"],"custom":{"x":[1]},"note":"caf\u00e9 \"x\"","list":[true,2,"x"]}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"status","ecog":2.0,"child_pugh_score":5,"zzz":1,"a":true}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"visit","b":1,"a":"x"}]}"#,
        r#"{"id":"Pé","events":[{"date":"2021-02-01","kind":"lab","test":"AFP","value":12,"unit":"ng/mL"}]}"#,
        // Flat facts (read by the scanner itself) with numbers in every JSON form, and
        // facts it hands to serde_json whole: nested, escaped, a number key.
        r#"{"id":"P","facts":{ "a" : -0 ,"b":1.50,"c":1E+5,"d":2e-3,"e":true,"f":false,"g":null,"h":"x y","i":12345678901234567890123},"events":[]}"#,
        r#"{"id":"P","facts":{},"events":[]}"#,
        r#"{"id":"P","facts":{"a":"\u00e9","b":{"c":1}},"events":[]}"#,
        // Lists of agents read by the scanner (spaces, empty, non-ASCII) and by serde_json.
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"tace","agents":[ "a" , "é" ]},{"date":"2021-02-02","kind":"tace","agents":[ ]},{"date":"2021-02-03","kind":"tace","agents":["a\"b"]}]}"#,
    ];
    for text in taken {
        assert!(scan::patient(text, None, &vocab()).is_some(), "{text}");
        assert!(fast_agrees(text), "{text}");
    }
    let left = [
        // Keys of the patient the second tier reads for us, escapes where the scanner
        // reads text itself, a control character, numbers JSON does not allow.
        r#"{"id":"P","extra":1,"events":[]}"#,
        r#"{"id":"P\u0041","events":[]}"#,
        r#"{"id":"P","events":[{"d\u0061te":"2021-02-01","kind":"lab"}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"l\u0061b"}]}"#,
        "{\"id\":\"P\u{1}\",\"events\":[]}",
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab","value":01}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab","value":1.}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab","value":nul}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab","value":1,}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab"},]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab","x":[1,2}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab","x":"a"#,
        r#"{"id":"P","events":[]}}"#,
        r#"{"id":"P","events":[{}]}"#,
        // Facts and lists the checked path refuses: a key twice, a number JSON does not
        // allow, a list item that is not a string, a trailing comma, a missing comma.
        r#"{"id":"P","facts":{"a":1,"a":1},"events":[]}"#,
        r#"{"id":"P","facts":{"a":01},"events":[]}"#,
        r#"{"id":"P","facts":{"a":+1},"events":[]}"#,
        r#"{"id":"P","facts":{"a":tru},"events":[]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"tace","agents":["a",1]}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"tace","agents":["a",]}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"tace","agents":["a""b"]}]}"#,
        // Objects under serde_json's own keys, which its tree reads as the JSON text or
        // the number they hold: left to the checked path.
        r#"{"id":"P","facts":{"$serde_json::private::RawValue":"{\"x\":1}"},"events":[]}"#,
        r#"{"id":"P","facts":{"$serde_json::private::RawValue":"[1]"},"events":[]}"#,
        r#"{"id":"P","facts":{"a":{"$serde_json::private::RawValue":"2"}},"events":[]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab","x":{"$serde_json::private::RawValue":"1"}}]}"#,
        r#"{"id":"P","facts":{"a":{"$serde_json::private::Number":" 1"}},"events":[]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab","x":{"$serde_json::private::Number":"1 "}}]}"#,
    ];
    for text in left {
        assert!(scan::patient(text, None, &vocab()).is_none(), "{text}");
        assert!(fast_agrees(text), "{text}");
    }
}

/// Whole numbers are read where they stand in a known event: every form around them
/// (bounds, leading zeros, 18 and 19 digits, a point, an exponent, a letter after) reads
/// as the checked path reads it, or is left to it.
#[test]
fn whole_numbers_read_in_place_agree_with_the_checked_path() {
    let line = |attribute: &str, number: &str| {
        format!(
            r#"{{"id":"P","events":[{{"date":"2021-02-01","kind":"imaging","{attribute}":{number},"contrast":true}}]}}"#
        )
    };
    let whole = [
        ("viable_percent", "0", true),
        ("viable_percent", "100", true),
        ("viable_percent", "101", false),
        ("target_viable_sum_mm", "7", true),
        ("target_viable_sum_mm", "123456789012345678", true),
        ("target_viable_sum_mm", "1234567890123456789", true),
        ("tumor_count", "3", true),
    ];
    for (attribute, number, taken) in whole {
        let text = line(attribute, number);
        assert!(fast_agrees(&text), "{text}");
        let read = scan::patient(&text, None, &vocab());
        assert_eq!(read.is_some(), taken, "{text}");
        if let Some(patient) = read {
            let value = patient.events.first().and_then(|e| e.get(attribute));
            assert_eq!(
                value.and_then(Value::as_number),
                crate::number::Decimal::parse(number),
                "{text}"
            );
        }
    }
    for number in [
        "00", "01", "12.5", "12.0", "1e2", "1E2", "12x", "-0", "-4", "1-", "1+", "1 ", " 1",
    ] {
        for attribute in ["viable_percent", "tumor_count", "target_viable_sum_mm"] {
            let text = line(attribute, number);
            assert!(fast_agrees(&text), "{text}");
        }
    }
}
