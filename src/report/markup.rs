//! Text inside XML and HTML (JUnit reports, the compare page): the five characters that
//! would end or open markup are written as entities.

/// `text` with `&`, `<`, `>`, `"` and `'` written as entities, for an element's text or a
/// quoted attribute.
pub fn markup_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::markup_escape;

    #[test]
    fn every_markup_character_is_an_entity() {
        assert_eq!(
            markup_escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(markup_escape("plain"), "plain");
    }
}
