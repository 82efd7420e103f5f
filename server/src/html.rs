//! HTML the server writes by hand (mail bodies, the plain error page): the one escape.

/// `&`, `<`, `>`, `"` and `'` as entities: safe in element content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_five_characters_become_entities() {
        assert_eq!(
            super::escape("Care & \"Safety\" <b>'s"),
            "Care &amp; &quot;Safety&quot; &lt;b&gt;&#39;s"
        );
    }
}
