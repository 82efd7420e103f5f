//! The layers of the server, bottom first, and the test that keeps them: a module may use
//! the modules of its own layer and of the layers below it, never one above. The order is
//! the one the crate's `//!` states; a new module joins a layer here, or the test says so.
//!
//! Read from the source itself (every `crate::…` path outside comments, grouped imports
//! included), so no outside tool is needed. `crate::AppState`, the state every handler is
//! given, is the one item of the crate root any layer may name; what is reached through its
//! fields is not seen here (one such use points up: enrollment's form reads the release and
//! expiry dates from the in-memory catalog, `state.catalog`).

/// Bottom first. The kernel is one layer: its parts use one another freely.
pub const LAYERS: &[(&str, &[&str])] = &[
    (
        "kernel",
        &[
            "error",
            "clock",
            "values",
            "db",
            "read_cache",
            "keys",
            "client_addr",
            "download",
            "pdf",
            "forms",
            "html",
            "auth",
            "access",
            "backend",
        ],
    ),
    ("content", &["content"]),
    ("mail", &["mail"]),
    ("accounts", &["accounts"]),
    ("enrollment", &["enrollment"]),
    ("catalog", &["catalog"]),
    ("quizzes", &["quizzes"]),
    ("certificates", &["certificates"]),
    ("credit", &["credit"]),
    ("transcript", &["transcript"]),
    ("webinars", &["webinars"]),
    ("attendance", &["attendance"]),
    ("studio", &["studio"]),
    ("reports", &["reports"]),
    // What puts the site together: the router, start-up settings and the command line,
    // the connection loop, the page cache (which knows the catalog), and this test.
    (
        "site",
        &[
            "page_cache",
            "http",
            "config",
            "serve",
            "commands",
            "layers",
        ],
    ),
];

/// The layer a top-level module belongs to, as its index in [`LAYERS`].
fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// The top-level module a file under `src/` belongs to (`accounts/store.rs` → `accounts`,
/// `catalog.rs` → `catalog`); `None` for the crate root files.
fn module_of(path: &str) -> Option<&str> {
    let first = path.split('/').next()?;
    let module = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(module, "lib" | "main")).then_some(module)
}

/// The source with its comments and the contents of its string and character literals
/// blanked (line breaks kept, so line numbers stay right): only code is read.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let word_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                out.push(blank(chars[i]));
                i += 1;
            }
            i += 2;
        } else if c == 'r' && !word_before && matches!(next, Some('#' | '"')) {
            // A raw string: r"…", r#"…"#.
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            i += hashes + 2;
            while i < chars.len() {
                if chars[i] == '"'
                    && chars[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|c| **c == '#')
                        .count()
                        == hashes
                {
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // '\n', '\'', '\u{…}'
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Every `crate::…` path in `text`, as `(line, first segment, the path as written)`;
/// `crate::{a, b::c}` gives one entry per group member.
fn crate_paths(text: &str) -> Vec<(usize, String, String)> {
    let code = code_only(text);
    let mut found = Vec::new();
    let mut rest = code.as_str();
    let mut offset = 0;
    while let Some(at) = rest.find("crate::") {
        let start = offset + at;
        // `server::crate::` cannot occur; a preceding identifier character means another
        // word (`my_crate::`).
        let before = code[..start].chars().next_back();
        let after = &code[start + "crate::".len()..];
        offset = start + "crate::".len();
        rest = &code[offset..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 1;
            let mut end = group.len();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let mut depth = 0;
            let mut member = String::new();
            for c in group[..end].chars().chain([',']) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let path = member.split_whitespace().collect::<String>();
                        let first = path.split("::").next().unwrap_or("").to_owned();
                        if !first.is_empty() {
                            found.push((line, first, format!("crate::{path}")));
                        }
                        member.clear();
                        continue;
                    }
                    _ => {}
                }
                member.push(c);
            }
        } else {
            let path: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let path = path.trim_end_matches(':').to_owned();
            let first = path.split("::").next().unwrap_or("").to_owned();
            if !first.is_empty() {
                found.push((line, first, format!("crate::{path}")));
            }
        }
    }
    found
}

/// What the layering forbids in `files` (`(path under src/, text)`), one message each,
/// naming the file and line, the import and the rule. `modules` are the crate's top-level
/// modules.
pub fn forbidden(files: &[(String, String)], modules: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for module in modules {
        if layer_of(module).is_none() {
            problems.push(format!(
                "src/lib.rs: the module `{module}` is in no layer: add it to LAYERS in src/layers.rs, above everything it uses"
            ));
        }
    }
    for (path, text) in files {
        let Some(from) = module_of(path) else {
            continue;
        };
        let Some(from_layer) = layer_of(from) else {
            continue;
        };
        let is_store = path.ends_with("/store.rs") || path == "store.rs";
        for (line, first, written) in crate_paths(text) {
            if first == "AppState" {
                continue;
            }
            if is_store && (written.contains("::pages::") || written.ends_with("::pages")) {
                problems.push(format!(
                    "src/{path}:{line}: `{written}`: a store holds SQL and never uses a pages file"
                ));
            }
            if first == from {
                continue;
            }
            let Some(to_layer) = layer_of(&first) else {
                if LAYERS[from_layer].0 == "site" {
                    continue;
                }
                problems.push(format!(
                    "src/{path}:{line}: `{written}` names `{first}`, an item of the crate root: only the site layer may (the root puts the site together)"
                ));
                continue;
            };
            if to_layer > from_layer {
                problems.push(format!(
                    "src/{path}:{line}: `{written}`: `{from}` ({}) may not use `{first}` ({}), a layer above it; the layers, bottom first: {}",
                    LAYERS[from_layer].0,
                    LAYERS[to_layer].0,
                    LAYERS
                        .iter()
                        .map(|(name, _)| *name)
                        .collect::<Vec<_>>()
                        .join(" → ")
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn sources(dir: &Path, under: &str, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("src is readable")
            .map(|entry| entry.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("UTF-8 name")
                .to_owned();
            let relative = if under.is_empty() {
                name
            } else {
                format!("{under}/{name}")
            };
            if path.is_dir() {
                sources(&path, &relative, out);
            } else if relative.ends_with(".rs") {
                let text = std::fs::read_to_string(&path).expect("source is readable");
                out.push((relative, text));
            }
        }
    }

    fn modules(lib: &str) -> Vec<String> {
        lib.lines()
            .map(str::trim)
            .filter_map(|line| {
                let line = line.strip_prefix("pub ").unwrap_or(line);
                let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
                line.strip_prefix("mod ")?
                    .strip_suffix(';')
                    .map(str::to_owned)
            })
            .collect()
    }

    fn file(path: &str, text: &str) -> (String, String) {
        (path.to_owned(), text.to_owned())
    }

    #[test]
    fn the_server_keeps_its_layers() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, "", &mut files);
        assert!(files.len() > 50, "read the server's source files");
        let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
        let problems = forbidden(&files, &modules(&lib));
        assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
    }

    #[test]
    fn every_layer_is_stated_in_the_crate_docs() {
        let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
            .expect("lib.rs");
        let order = LAYERS
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(" → ");
        assert!(
            lib.contains(&order),
            "src/lib.rs's //! states the layer order as: {order}"
        );
    }

    #[test]
    fn an_import_from_a_layer_above_is_named_with_its_file_and_rule() {
        let problems = forbidden(
            &[file(
                "enrollment/store.rs",
                "use crate::db::Pool;\nuse crate::credit::store::missing;\n",
            )],
            &["enrollment".into(), "credit".into(), "db".into()],
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("src/enrollment/store.rs:2: `crate::credit::store::missing`: `enrollment` (enrollment) may not use `credit` (credit), a layer above it"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn grouped_inline_and_kernel_imports_are_read_and_comments_are_not() {
        let text = "use crate::{\n    error::Error,\n    webinars::{store, format},\n};\n\
                    // crate::reports is only mentioned here\n\
                    /* and crate::attendance here */\n\
                    fn f() { let _ = crate::attendance::join::join; }\n\
                    const S: &str = \"// not a comment\"; fn g() { crate::webinars::x(); }\n";
        let problems = forbidden(&[file("db/mod.rs", text)], &["db".into(), "error".into()]);
        let lines: Vec<&str> = problems
            .iter()
            .map(|p| p.split(": ").next().unwrap_or(""))
            .collect();
        assert_eq!(
            lines,
            ["src/db/mod.rs:1", "src/db/mod.rs:7", "src/db/mod.rs:8"],
            "{problems:#?}"
        );
        assert!(problems[0].contains("`db` (kernel) may not use `webinars` (webinars)"));
    }

    #[test]
    fn a_store_never_uses_a_pages_file_and_every_module_has_a_layer() {
        let problems = forbidden(
            &[file(
                "credit/store.rs",
                "use crate::enrollment::pages::not_enrolled;\n",
            )],
            &["credit".into(), "enrollment".into(), "gradebook".into()],
        );
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].contains("`gradebook` is in no layer"));
        assert!(problems[1].contains("a store holds SQL and never uses a pages file"));
    }
}
