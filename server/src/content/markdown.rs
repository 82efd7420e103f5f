//! Markdown to safe HTML: the parser options in one place, heading ids and the table of
//! contents, link rewriting for lesson files, and ammonia sanitising. Runs when content is
//! loaded, never on a page request.

use app::catalog::TocEntry;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;

/// The markdown dialect courses are written in.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Ids the page templates use; headings in content never take them.
const RESERVED_IDS: &[&str] = &[
    "main",
    "toc-heading",
    "featured-heading",
    "how-heading",
    "objectives-heading",
    "disclosure-heading",
    "credit-heading",
    "about-heading",
    "lessons-heading",
    "results-heading",
    "enroll-heading",
    "attempts-heading",
    "claim-heading",
    "evaluation-heading",
    "audit-heading",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    /// 1-based line within the markdown given to [`render`].
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    /// The text of the first level-1 heading, when `take_title` was asked for.
    pub title: Option<String>,
    /// Level-2 and level-3 headings, in order.
    pub toc: Vec<TocEntry>,
    /// Every link destination as written, for checking.
    pub links: Vec<Link>,
}

/// Renders `markdown`. With `take_title`, the first `# Heading` is removed from the body and
/// returned as the title (the page shows it itself). `rewrite_link` may replace a link
/// destination (lesson file names become URLs).
pub fn render(
    markdown: &str,
    take_title: bool,
    rewrite_link: &dyn Fn(&str) -> Option<String>,
) -> Rendered {
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut rendered = Rendered::default();
    let mut used_ids: HashSet<String> = RESERVED_IDS.iter().map(|s| (*s).to_owned()).collect();
    // The ids this renderer gave out: the only ones the sanitiser lets through, so raw HTML
    // in a lesson (`<div id="field-email">`) cannot clobber an id of the page around it.
    let mut given_ids: HashSet<String> = HashSet::new();

    let mut heading: Option<(HeadingLevel, Option<String>, usize)> = None;
    let mut heading_text = String::new();
    let mut skipping_title = false;
    // An image of the studio's being read: (src, title, alt text so far).
    let mut image: Option<(String, String, String)> = None;
    // Tables: in the header row, or the cell number in a body row; and whether the header
    // row starts with an empty cell (then each row's first cell heads its row).
    let mut table = TableState::default();

    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((level, id.map(|id| id.to_string()), events.len()));
                heading_text.clear();
                skipping_title =
                    take_title && level == HeadingLevel::H1 && rendered.title.is_none();
                if !skipping_title {
                    // Placeholder, replaced once the heading's text (and so its id) is known.
                    events.push(Event::Text(CowStr::Borrowed("")));
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                let (_, explicit_id, start) = heading.take().unwrap_or((level, None, events.len()));
                let text = heading_text.trim().to_owned();
                if skipping_title {
                    rendered.title = Some(text);
                    skipping_title = false;
                    continue;
                }
                let id = unique_id(explicit_id.unwrap_or_else(|| slugify(&text)), &mut used_ids);
                given_ids.insert(id.clone());
                if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                    rendered.toc.push(TocEntry {
                        level: level as u8,
                        id: id.clone(),
                        text,
                    });
                }
                events[start] = Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(id)),
                    classes: Vec::new(),
                    attrs: Vec::new(),
                });
                events.push(Event::End(TagEnd::Heading(level)));
            }
            // An image the studio stores gets its phone-sized copy through `srcset` (read before
            // headings and links, so its alt text stays its own).
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) if !skipping_title && Media::parse(&dest_url).is_some() => {
                image = Some((dest_url.to_string(), title.to_string(), String::new()));
            }
            Event::Text(ref text) | Event::Code(ref text) if image.is_some() => {
                if let Some((_, _, alt)) = image.as_mut() {
                    alt.push_str(text);
                }
            }
            Event::SoftBreak | Event::HardBreak if image.is_some() => {
                if let Some((_, _, alt)) = image.as_mut() {
                    alt.push(' ');
                }
            }
            Event::End(TagEnd::Image) if image.is_some() => {
                if let Some((src, title, alt)) = image.take() {
                    events.push(Event::InlineHtml(CowStr::from(
                        Media::parse(&src)
                            .map(|media| media.img_tag(&alt, &title))
                            .unwrap_or_default(),
                    )));
                }
            }
            _ if image.is_some() => {}
            Event::Text(ref text) | Event::Code(ref text) if heading.is_some() => {
                heading_text.push_str(text);
                if !skipping_title {
                    events.push(event);
                }
            }
            _ if skipping_title => {}
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                rendered.links.push(Link {
                    href: dest_url.to_string(),
                    line: super::front_matter::line_of(markdown, range.start),
                });
                let dest_url = rewrite_link(&dest_url).map_or(dest_url, CowStr::from);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            // Footnote ids get a prefix no page id has (`[^main]` would otherwise be `id="main"`).
            Event::FootnoteReference(label) => {
                events.push(Event::FootnoteReference(CowStr::from(format!(
                    "fn-{label}"
                ))));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let id = format!("fn-{label}");
                given_ids.insert(id.clone());
                events.push(Event::Start(Tag::FootnoteDefinition(CowStr::from(id))));
            }
            // A task list item shows its box as a character, not as a form control in the
            // lesson page's own forms.
            Event::TaskListMarker(done) => {
                events.push(Event::Text(CowStr::Borrowed(if done {
                    "☑ "
                } else {
                    "☐ "
                })));
            }
            Event::Start(Tag::TableHead) => {
                table = TableState {
                    in_head: true,
                    ..TableState::default()
                };
                events.push(event);
            }
            Event::End(TagEnd::TableHead) => {
                table.in_head = false;
                events.push(event);
            }
            Event::Start(Tag::TableRow) => {
                table.cell = 0;
                events.push(event);
            }
            Event::Start(Tag::TableCell) => {
                if !table.in_head && table.row_headers && table.cell == 0 {
                    events.push(Event::Html(CowStr::Borrowed(ROW_HEADER)));
                }
                events.push(event);
            }
            Event::End(TagEnd::TableCell) => {
                if table.in_head && table.cell == 0 {
                    table.row_headers = matches!(events.last(), Some(Event::Start(Tag::TableCell)));
                }
                table.cell += 1;
                events.push(event);
            }
            other => events.push(other),
        }
    }

    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if html.contains(ROW_HEADER) {
        html = row_headers(&html);
    }
    rendered.html = sanitize(&html, given_ids);
    rendered
}

#[derive(Default)]
struct TableState {
    in_head: bool,
    cell: usize,
    row_headers: bool,
}

/// Put before the first cell of a body row whose table's header row starts empty.
const ROW_HEADER: &str = "<!--row-header-->";

/// `<!--row-header--><td…>…</td>` → `<th scope="row"…>…</th>`: a table whose header row
/// starts with an empty cell has a heading at the start of each row, which screen readers
/// then announce with every cell of the row.
fn row_headers(html: &str) -> String {
    // The empty corner cell heads nothing.
    let html = html.replace("<thead><tr><th></th>", "<thead><tr><td></td>");
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html.as_str();
    while let Some(at) = rest.find(ROW_HEADER) {
        out.push_str(&rest[..at]);
        rest = &rest[at + ROW_HEADER.len()..];
        if let (Some(cell), Some(end)) = (rest.strip_prefix("<td"), rest.find("</td>")) {
            out.push_str("<th scope=\"row\"");
            out.push_str(&cell[..end - 3]);
            out.push_str("</th>");
            rest = &rest[end + "</td>".len()..];
        }
    }
    out.push_str(rest);
    out
}

/// Removes anything that could run script: `<script>`, event handlers, `javascript:` URLs,
/// inline styles; and form controls and every `id` but those in `allowed_ids` (the ones the
/// renderer gave headings and footnotes), so content cannot clobber the page's own ids or
/// add fields to its forms. Educators are trusted to write content, but it is still cleaned.
/// Runs when content is imported, not per request.
pub fn sanitize(html: &str, allowed_ids: HashSet<String>) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["id"])
        .add_tag_attributes("img", ["srcset", "sizes", "loading", "decoding"])
        .attribute_filter(move |element, attribute, value| match attribute {
            "id" if !allowed_ids.contains(value) => None,
            // `srcset` holds URLs ammonia does not check: only the studio's images.
            "srcset"
                if element != "img"
                    || !value.split(',').all(|candidate| {
                        candidate
                            .split_whitespace()
                            .next()
                            .is_some_and(|url| Media::parse(url).is_some())
                    }) =>
            {
                None
            }
            _ => Some(value.into()),
        })
        .link_rel(Some("noopener noreferrer"));
    builder.clean(html).to_string()
}

/// An image the studio stores: `/media/{sha-256}-{width}.{png|jpeg|webp}`. The width in
/// the name lets a page offer the phone-sized copy without asking the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub hash: String,
    pub width: u32,
    pub format: String,
}

impl Media {
    /// The width of the phone-sized copy of a wider image.
    pub const PHONE_WIDTH: u32 = 640;

    pub fn path(hash: &str, width: u32, format: &str) -> String {
        format!("/media/{hash}-{width}.{format}")
    }

    /// The image a `/media/…` path names, if it is one.
    pub fn parse(path: &str) -> Option<Self> {
        let name = path.strip_prefix("/media/")?;
        let (stem, format) = name.rsplit_once('.')?;
        let (hash, width) = stem.split_once('-')?;
        let valid = hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && matches!(format, "png" | "jpeg" | "webp")
            && !width.is_empty()
            && !width.starts_with('0')
            && width.len() <= 5
            && width.bytes().all(|b| b.is_ascii_digit());
        Some(Self {
            hash: hash.to_owned(),
            width: width.parse().ok().filter(|w| valid && *w > 0)?,
            format: format.to_owned(),
        })
    }

    /// `<img>` with the phone-sized copy offered to narrow screens (for an image wider
    /// than it), loaded lazily.
    pub fn img_tag(&self, alt: &str, title: &str) -> String {
        let full = Self::path(&self.hash, self.width, &self.format);
        let srcset = if self.width > Self::PHONE_WIDTH {
            format!(
                " srcset=\"{} {}w, {full} {}w\" sizes=\"(max-width: 48rem) 100vw, 48rem\"",
                Self::path(&self.hash, Self::PHONE_WIDTH, &self.format),
                Self::PHONE_WIDTH,
                self.width
            )
        } else {
            String::new()
        };
        let title = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", escape_attribute(title))
        };
        format!(
            "<img src=\"{full}\"{srcset} alt=\"{}\"{title} loading=\"lazy\" decoding=\"async\">",
            escape_attribute(alt)
        )
    }
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The lines (1-based, in `markdown`) of images without alt text: `![](x.png)` and raw
/// `<img>` tags with no `alt` or an empty one. Learners who cannot see an image are told
/// what it shows, so content check refuses these.
pub fn images_without_alt(markdown: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut image: Option<(usize, String)> = None;
    // An HTML block comes one line at a time: read it whole, from its first line.
    let mut block: Option<(usize, String)> = None;
    let scan = |start: usize, html: &str, lines: &mut Vec<usize>| {
        for offset in raw_images_without_alt(html) {
            lines.push(
                start
                    + html.as_bytes()[..offset]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count(),
            );
        }
    };
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        if let Event::Html(html) = &event {
            block
                .get_or_insert_with(|| {
                    (
                        super::front_matter::line_of(markdown, range.start),
                        String::new(),
                    )
                })
                .1
                .push_str(html);
            continue;
        }
        if let Some((start, html)) = block.take() {
            scan(start, &html, &mut lines);
        }
        match event {
            Event::Start(Tag::Image { .. }) => {
                image = Some((
                    super::front_matter::line_of(markdown, range.start),
                    String::new(),
                ));
            }
            Event::End(TagEnd::Image) => {
                if let Some((line, _)) = image.take().filter(|(_, alt)| alt.trim().is_empty()) {
                    lines.push(line);
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, alt)) = image.as_mut() {
                    alt.push_str(&text);
                }
            }
            Event::InlineHtml(html) => {
                scan(
                    super::front_matter::line_of(markdown, range.start),
                    &html,
                    &mut lines,
                );
            }
            _ => {}
        }
    }
    if let Some((start, html)) = block.take() {
        scan(start, &html, &mut lines);
    }
    lines.sort_unstable();
    lines
}

/// Where (byte offsets) in `html` an `<img>` tag starts that has no non-empty `alt`
/// attribute; tags inside comments are not images. Reads bytes only, so any text, closed
/// or not, is read to its end without a panic.
fn raw_images_without_alt(html: &str) -> Vec<usize> {
    let mut bytes = html.as_bytes().to_ascii_lowercase();
    // Comments blanked out (lines kept).
    let mut i = 0;
    while let Some(open) = find(&bytes, i, b"<!--") {
        let close = find(&bytes, open + 4, b"-->").map_or(bytes.len(), |c| c + 3);
        for byte in &mut bytes[open..close] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
        i = close;
    }
    let len = bytes.len();
    let space = |b: u8| b.is_ascii_whitespace();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&bytes, from, b"<img") {
        let mut i = at + 4;
        from = i;
        if i < len && !(space(bytes[i]) || bytes[i] == b'/' || bytes[i] == b'>') {
            continue;
        }
        // `name`, `name=value`, `name = "value"` pairs to the closing `>`.
        let mut has_alt = false;
        while i < len && bytes[i] != b'>' {
            if space(bytes[i]) || bytes[i] == b'/' {
                i += 1;
                continue;
            }
            let name_start = i;
            while i < len && !space(bytes[i]) && !b"/>=".contains(&bytes[i]) {
                i += 1;
            }
            let name = &bytes[name_start..i];
            let mut j = i;
            while j < len && space(bytes[j]) {
                j += 1;
            }
            if j < len && bytes[j] == b'=' {
                i = j + 1;
                while i < len && space(bytes[i]) {
                    i += 1;
                }
                let value = if i < len && (bytes[i] == b'"' || bytes[i] == b'\'') {
                    let quote = bytes[i];
                    let start = i + 1;
                    let end = find(&bytes, start, &[quote]).unwrap_or(len);
                    i = (end + 1).min(len);
                    &bytes[start..end]
                } else {
                    let start = i;
                    while i < len && !space(bytes[i]) && bytes[i] != b'>' {
                        i += 1;
                    }
                    &bytes[start..i]
                };
                if name == b"alt" && value.iter().any(|b| !space(*b)) {
                    has_alt = true;
                }
            }
        }
        if !has_alt {
            found.push(at);
        }
        from = from.max(i);
    }
    found
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// `"Store-and-forward (async) care"` → `"store-and-forward-async-care"`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        "section".to_owned()
    } else {
        slug
    }
}

fn unique_id(base: String, used: &mut HashSet<String>) -> String {
    // Form fields (`field-…`, quiz `q-…`, `user-…`) and footnotes (`fn-…`) have ids of
    // these shapes.
    // The pages' own section headings all end in `-heading`.
    let base = if ["field-", "fn-", "q-", "user-"]
        .iter()
        .any(|prefix| base.starts_with(prefix))
        || base.ends_with("-heading")
    {
        format!("section-{base}")
    } else {
        base
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(markdown: &str) -> Rendered {
        render(markdown, false, &|_| None)
    }

    #[test]
    fn removes_script_event_handlers_and_javascript_links() {
        let out = plain(
            "Hello <script>alert(1)</script>\n\n\
             <img src=\"x.png\" onerror=\"alert(2)\">\n\n\
             [click](javascript:alert(3)) and <a href=\"JaVaScRiPt:alert(4)\">raw</a>\n\n\
             <p onclick=\"alert(5)\" style=\"color:red\">para</p>\n",
        );
        let html = out.html.to_lowercase();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("alert(1)"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(
            html.contains("<img src=\"x.png\""),
            "safe parts stay: {html}"
        );
        assert!(html.contains(">click</a>"), "link text stays: {html}");
    }

    #[test]
    fn headings_get_unique_ids_and_a_table_of_contents() {
        let out = plain(
            "## Live video\n\ntext\n\n### Why it matters\n\n## Live video\n\n## Own {#custom}\n\n#### Deep\n",
        );
        assert!(
            out.html.contains("<h2 id=\"live-video\">Live video</h2>"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<h2 id=\"live-video-2\">"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<h2 id=\"custom\">Own</h2>"),
            "{}",
            out.html
        );
        let toc: Vec<_> = out.toc.iter().map(|e| (e.level, e.id.as_str())).collect();
        assert_eq!(
            toc,
            [
                (2, "live-video"),
                (3, "why-it-matters"),
                (2, "live-video-2"),
                (2, "custom")
            ]
        );
    }

    #[test]
    fn a_heading_never_takes_a_page_id() {
        let out = plain("## Main\n");
        assert!(out.html.contains("id=\"main-2\""), "{}", out.html);
    }

    #[test]
    fn takes_the_first_h1_as_title() {
        let out = render(
            "# What telehealth covers\n\nBody\n\n# Second\n",
            true,
            &|_| None,
        );
        assert_eq!(out.title.as_deref(), Some("What telehealth covers"));
        assert!(!out.html.contains("What telehealth covers"), "{}", out.html);
        assert!(
            out.html.contains("<h1 id=\"second\">Second</h1>"),
            "{}",
            out.html
        );
    }

    #[test]
    fn enabled_extensions_render() {
        let out = plain(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n- [ ] open\n\nNote[^1]\n\n[^1]: The footnote.\n",
        );
        assert!(out.html.contains("<table>"), "{}", out.html);
        assert!(out.html.contains("<del>old</del>"), "{}", out.html);
        assert!(out.html.contains("<li>☑ done</li>"), "{}", out.html);
        assert!(out.html.contains("<li>☐ open</li>"), "{}", out.html);
        assert!(!out.html.contains("<input"), "{}", out.html);
        assert!(out.html.contains("The footnote."), "{}", out.html);
        assert!(out.html.contains("id=\"fn-1\""), "{}", out.html);
    }

    #[test]
    fn links_are_collected_with_lines_and_rewritten() {
        let out = render(
            "Intro\n\nSee [next](02-next.md#top) and [web](https://example.org).\n",
            false,
            &|href| {
                href.strip_prefix("02-next.md")
                    .map(|rest| format!("/courses/c/next{rest}"))
            },
        );
        assert_eq!(out.links.len(), 2);
        assert_eq!(
            out.links[0],
            Link {
                href: "02-next.md#top".into(),
                line: 3
            }
        );
        assert!(
            out.html.contains("href=\"/courses/c/next#top\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("rel=\"noopener noreferrer\""),
            "{}",
            out.html
        );
    }

    #[test]
    fn studio_images_get_a_phone_sized_copy_and_keep_their_alt_text() {
        let hash = "ab".repeat(32);
        let out = plain(&format!(
            "![A nurse's \"tablet\" & chart](/media/{hash}-1600.png)\n\n![Small](/media/{hash}-300.webp)\n"
        ));
        assert!(
            out.html.contains(&format!(
                "srcset=\"/media/{hash}-640.png 640w, /media/{hash}-1600.png 1600w\""
            )),
            "{}",
            out.html
        );
        assert!(
            out.html
                .contains("alt=\"A nurse's &quot;tablet&quot; &amp; chart\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("loading=\"lazy\""), "{}", out.html);
        assert!(
            out.html.contains(&format!(
                "<img src=\"/media/{hash}-300.webp\" alt=\"Small\""
            )),
            "an image narrower than a phone has no copy: {}",
            out.html
        );
        // Raw HTML may not point srcset anywhere but the studio's images.
        let raw =
            plain("<img src=\"/x.png\" alt=\"x\" srcset=\"https://tracker.example/p.png 2x\">\n");
        assert!(!raw.html.contains("tracker"), "{}", raw.html);
        assert_eq!(Media::parse("/media/../../etc-1.png"), None);
        assert_eq!(Media::parse(&format!("/media/{hash}-0.png")), None);
        assert_eq!(Media::parse(&format!("/media/{hash}-10.svg")), None);
    }

    #[test]
    fn images_without_alt_text_are_found_at_their_lines() {
        let text = "Intro\n\n![](a.png)\n\n![Described](b.png)\n\n<img src=\"c.png\">\n\n<p>x <img alt=\"\" src=\"d.png\"> and <img alt='fine' src=e.png></p>\n\n<img src=f.png alt=ok>\n\n![ ](g.png)\n";
        assert_eq!(images_without_alt(text), vec![3, 7, 9, 13]);
        // An HTML block read whole: a tag over two lines, spaces around `=`, a comment, an
        // unclosed quote and text in other alphabets never panic.
        let text = "<figure>\n<img alt=\"Chart of\nrates\" src=c.png>\n<img alt = 'ok' src=d.png>\n<!-- <img src=e.png> -->\n</figure>\n\nPara.\n\n<p>Überweisung <img src=f.png alt=\"Überweisung\n";
        assert_eq!(images_without_alt(text), Vec::<usize>::new());
        let text = "<div>\nÜber\n<img src=\"g.png\" alt=\"\n";
        assert_eq!(images_without_alt(text), vec![3]);
        for odd in [
            "<img",
            "<img ",
            "<img alt",
            "<img alt=",
            "<img alt='",
            "<img alt=\"é",
            "<img\u{0}",
            "é<img src=é alt=é",
        ] {
            let _ = images_without_alt(odd);
        }
    }

    #[test]
    fn an_image_in_a_heading_keeps_its_alt_text() {
        let hash = "cd".repeat(32);
        let out = plain(&format!(
            "## A chart ![Rates by [year](x)](/media/{hash}-800.png)\n\nAfter.\n"
        ));
        assert!(out.html.contains("alt=\"Rates by year\""), "{}", out.html);
        assert!(out.html.contains("<p>After.</p>"), "{}", out.html);
        assert_eq!(out.toc[0].text, "A chart");
    }

    #[test]
    fn a_table_whose_header_row_starts_empty_has_row_headers() {
        let out = plain(
            "| | Live | Async |\n|---|:-:|---|\n| **Speed** | now | later |\n| Cost | high | low |\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(
            out.html
                .contains("<th scope=\"row\"><strong>Speed</strong></th>"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<th scope=\"row\">Cost</th>"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<td>now</td><td>later</td>"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<thead><tr><td></td><th>Live</th>"),
            "the empty corner is no header: {}",
            out.html
        );
        assert!(
            out.html.contains("<td>1</td>"),
            "a table with a full header row is unchanged: {}",
            out.html
        );
        assert!(!out.html.contains("row-header"), "{}", out.html);
    }

    #[test]
    fn slugify_keeps_words() {
        assert_eq!(
            slugify("Store-and-forward (async) care"),
            "store-and-forward-async-care"
        );
        assert_eq!(slugify("  ?? "), "section");
    }
}
