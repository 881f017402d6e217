//! Where `facts.expect` sits in a patient's line, so that `refract test --update` can
//! replace that value and leave every other byte of the line as the author wrote it.

use std::ops::Range;

/// The byte range of the value at `facts.expect`, if there is one; otherwise where to
/// insert it (see [`Place`]). `None` when the line is not a JSON object.
pub fn locate(line: &str) -> Option<Place> {
    let bytes = line.as_bytes();
    let top = skip_ws(bytes, 0);
    let members = object_members(bytes, top)?;
    let Some(facts) = members.iter().find(|m| m.key == "facts") else {
        return Some(Place::NoFacts {
            after_brace: top + 1,
            empty: members.is_empty(),
        });
    };
    if bytes.get(facts.value.start) != Some(&b'{') {
        // `"facts": null`: the whole value is replaced by an object.
        return Some(Place::FactsValue(facts.value.clone()));
    }
    let inner = object_members(bytes, facts.value.start)?;
    match inner.iter().find(|m| m.key == "expect") {
        Some(expect) => Some(Place::Expect(expect.value.clone())),
        None => Some(Place::NoExpect {
            after_brace: facts.value.start + 1,
            empty: inner.is_empty(),
        }),
    }
}

/// Where the expectation goes in a line.
#[derive(Debug, PartialEq)]
pub enum Place {
    /// The current value of `facts.expect`.
    Expect(Range<usize>),
    /// `facts` has no `expect`: insert after its opening brace.
    NoExpect { after_brace: usize, empty: bool },
    /// `facts` is not an object (`null`): this value is replaced.
    FactsValue(Range<usize>),
    /// The patient has no `facts`: insert after its opening brace.
    NoFacts { after_brace: usize, empty: bool },
}

/// A key and the byte range of its value.
struct Member {
    key: String,
    value: Range<usize>,
}

/// The members of the object opening at `start`, or `None` if it is not one.
fn object_members(bytes: &[u8], start: usize) -> Option<Vec<Member>> {
    if bytes.get(start) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut at = skip_ws(bytes, start + 1);
    if bytes.get(at) == Some(&b'}') {
        return Some(members);
    }
    loop {
        let key_end = string_end(bytes, at)?;
        let key: String = serde_json::from_slice(bytes.get(at..key_end)?).ok()?;
        at = skip_ws(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(bytes, at + 1);
        let value_end = value_end(bytes, value_start)?;
        members.push(Member {
            key,
            value: value_start..value_end,
        });
        at = skip_ws(bytes, value_end);
        match bytes.get(at) {
            Some(b',') => at = skip_ws(bytes, at + 1),
            Some(b'}') => return Some(members),
            _ => return None,
        }
    }
}

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| b" \t\r\n".contains(b)) {
        at += 1;
    }
    at
}

/// The end (exclusive) of the string opening at `at`.
fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The end (exclusive) of the JSON value starting at `at`; brackets are matched and
/// strings skipped, the rest was already checked by the timeline reader.
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = at;
            while bytes.get(i).is_some_and(|b| !b",}] \t\r\n".contains(b)) {
                i += 1;
            }
            (i > at).then_some(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_expect_value_past_strings_with_braces() {
        let line = r#"{"id":"a}","facts":{"why":"x\"}{","expect": {"result":"met"} },"events":[]}"#;
        let Some(Place::Expect(range)) = locate(line) else {
            panic!("{:?}", locate(line))
        };
        assert_eq!(line.get(range), Some(r#"{"result":"met"}"#));
    }

    #[test]
    fn says_where_to_insert_when_absent() {
        assert_eq!(
            locate(r#"{"id":"a","events":[]}"#),
            Some(Place::NoFacts {
                after_brace: 1,
                empty: false
            })
        );
        assert_eq!(
            locate(r#"{"id":"a","facts":{},"events":[]}"#),
            Some(Place::NoExpect {
                after_brace: 19,
                empty: true
            })
        );
        assert_eq!(locate("[1]"), None);
    }
}
