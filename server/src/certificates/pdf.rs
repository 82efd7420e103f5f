//! A certificate as a one-page landscape A4 PDF: the same fields as the HTML page, DejaVu
//! Sans embedded as a subset (only the glyphs used, with a ToUnicode map so the text can be
//! copied and searched), and a QR code of the verification address drawn as vector squares
//! with the code printed under it. Written with `pdf-writer`; fonts subset with `subsetter`.

use app::model::{CertificateStatus, CertificateView};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Name, Pdf, Rect, Ref, Str};
use std::io::Write as _;
use subsetter::GlyphRemapper;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/DejaVuSans-LICENSE.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

const MM: f32 = 72.0 / 25.4;
const WIDTH: f32 = 297.0 * MM;
const HEIGHT: f32 = 210.0 * MM;
const MARGIN: f32 = 18.0 * MM;

/// Text measured and encoded with the embedded font.
struct Typesetter<'a> {
    face: ttf_parser::Face<'a>,
    remapper: GlyphRemapper,
    /// Width (1/1000 em) of each glyph of the subset, by its new id.
    widths: Vec<f32>,
    /// (new glyph id, character) for the ToUnicode map.
    unicode: Vec<(u16, char)>,
    /// Finished pages, then the one being written.
    done: Vec<Content>,
    content: Content,
}

impl<'a> Typesetter<'a> {
    fn new() -> Option<Self> {
        Some(Self {
            face: ttf_parser::Face::parse(FONT_BYTES, 0).ok()?,
            remapper: GlyphRemapper::new(),
            widths: Vec::new(),
            unicode: Vec::new(),
            done: Vec::new(),
            content: Content::new(),
        })
    }

    fn new_page(&mut self) {
        let page = std::mem::replace(&mut self.content, Content::new());
        self.done.push(page);
    }

    fn advance(&self, ch: char) -> f32 {
        let gid = self.face.glyph_index(ch).unwrap_or(ttf_parser::GlyphId(0));
        f32::from(self.face.glyph_hor_advance(gid).unwrap_or(0)) * 1000.0
            / f32::from(self.face.units_per_em())
    }

    /// The width of `text` at `size` points.
    fn measure(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|ch| self.advance(ch)).sum::<f32>() * size / 1000.0
    }

    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for ch in text.chars() {
            let old = self.face.glyph_index(ch).map_or(0, |g| g.0);
            let new = self.remapper.remap(old);
            let index = usize::from(new);
            if self.widths.len() <= index {
                self.widths.resize(index + 1, 0.0);
            }
            self.widths[index] = self.advance(ch);
            if !self.unicode.iter().any(|(g, _)| *g == new) {
                self.unicode.push((new, ch));
            }
            bytes.extend(new.to_be_bytes());
        }
        bytes
    }

    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        let encoded = self.encode(text);
        self.content
            .begin_text()
            .set_font(Name(b"F1"), size)
            .next_line(x, y)
            .show(Str(&encoded))
            .end_text();
    }

    /// `text` wrapped to `width` points; returns the baseline below the last line.
    fn paragraph(&mut self, x: f32, mut y: f32, width: f32, size: f32, text: &str) -> f32 {
        let leading = size * 1.35;
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && self.measure(&candidate, size) > width {
                self.text(x, y, size, &line);
                y -= leading;
                line = word.to_owned();
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            self.text(x, y, size, &line);
            y -= leading;
        }
        y
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(6));
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// The PDF bytes of a certificate; `None` only if the bundled font cannot be read.
pub fn render(c: &CertificateView) -> Option<Vec<u8>> {
    let mut t = Typesetter::new()?;

    // A frame.
    t.content
        .set_stroke_rgb(0.08, 0.33, 0.45)
        .set_line_width(2.0)
        .rect(8.0 * MM, 8.0 * MM, WIDTH - 16.0 * MM, HEIGHT - 16.0 * MM)
        .stroke()
        .set_fill_rgb(0.1, 0.1, 0.1);

    let left = MARGIN;
    let text_width = WIDTH - 2.0 * MARGIN - 70.0 * MM;
    let mut y = HEIGHT - MARGIN - 6.0 * MM;
    t.text(left, y, 11.0, &c.provider);
    y -= 36.0;
    t.text(left, y, 26.0, "Certificate of completion");
    y -= 30.0;
    let status = match &c.status {
        CertificateStatus::Valid => None,
        CertificateStatus::Revoked { on, reason } => Some(format!("REVOKED on {on}: {reason}")),
        CertificateStatus::Superseded { by } => Some(format!("SUPERSEDED by certificate {by}")),
    };
    if let Some(status) = status {
        t.content.set_fill_rgb(0.64, 0.0, 0.06);
        y = t.paragraph(left, y, text_width, 12.0, &status) - 4.0;
        t.content.set_fill_rgb(0.1, 0.1, 0.1);
    }
    t.text(left, y, 11.0, "This certifies that");
    y -= 30.0;
    t.text(left, y, 22.0, &c.learner_name);
    y -= 20.0;
    t.text(left, y, 11.0, &format!("{}, completed", c.profession));
    y -= 24.0;
    y = t.paragraph(left, y, text_width, 16.0, &c.activity_title) - 6.0;
    let revision = c
        .revision
        .map(|n| format!(" (revision {n})"))
        .unwrap_or_default();
    for (label, value) in [
        ("Format", format!("{}{revision}", c.format)),
        ("Completed", c.completed_on.clone()),
        ("Credit", format!("{} {}", c.hours, c.credit.label())),
        ("Provider", c.provider.clone()),
        ("Issued", c.issued_on.clone()),
    ] {
        t.text(left, y, 9.5, label);
        t.text(left + 70.0, y, 11.0, &value);
        y -= 17.0;
    }
    y -= 6.0;
    t.text(left, y, 10.0, "Accreditation statement");
    y -= 13.0;
    y = t.paragraph(left, y, text_width, 8.5, &c.accreditation_statement) - 6.0;
    t.text(left, y, 10.0, "Credit designation statement");
    y -= 13.0;
    t.paragraph(left, y, text_width, 8.5, &c.designation_statement);

    // The QR code, bottom right, the code and address under it.
    let side = 52.0 * MM;
    let qr_x = WIDTH - MARGIN - 58.0 * MM;
    let qr_y = MARGIN + 26.0 * MM;
    if let Ok(qr) = qrcode::QrCode::new(c.verify_url.as_bytes()) {
        let modules = qr.width();
        #[expect(
            clippy::cast_precision_loss,
            reason = "a QR code is at most 177 modules wide"
        )]
        let module = side / modules as f32;
        for (index, color) in qr.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                #[expect(clippy::cast_precision_loss, reason = "small grid coordinates")]
                let (col, row) = ((index % modules) as f32, (index / modules) as f32);
                t.content.rect(
                    qr_x + col * module,
                    qr_y + side - (row + 1.0) * module,
                    module,
                    module,
                );
            }
        }
        t.content.fill_nonzero();
    }
    t.text(qr_x, qr_y - 16.0, 9.0, "Certificate code");
    t.text(qr_x, qr_y - 30.0, 10.0, &c.code);
    // The address, broken before the code so it stays inside the frame.
    let (site, tail) = c
        .verify_url
        .rsplit_once('/')
        .unwrap_or((c.verify_url.as_str(), ""));
    t.text(qr_x, qr_y - 44.0, 7.5, "Verify at");
    t.text(qr_x, qr_y - 54.0, 7.5, &format!("{site}/"));
    t.text(qr_x, qr_y - 64.0, 7.5, tail);

    write(t, &format!("Certificate {}", c.code), WIDTH, HEIGHT)
}

/// A transcript as PDF (A4 portrait, as many pages as it needs).
pub fn transcript(page: &app::model::TranscriptPage) -> Option<Vec<u8>> {
    const W: f32 = 210.0 * MM;
    const H: f32 = 297.0 * MM;
    let mut t = Typesetter::new()?;
    t.content.set_fill_rgb(0.1, 0.1, 0.1);
    let left = MARGIN;
    let mut y = H - MARGIN - 10.0;
    t.text(left, y, 20.0, "Transcript");
    y -= 22.0;
    t.text(left, y, 12.0, &page.learner_name);
    y -= 16.0;
    let period = match (page.from.as_str(), page.to.as_str()) {
        ("", "") => "All dates".to_owned(),
        (from, "") => format!("From {from}"),
        ("", to) => format!("Up to {to}"),
        (from, to) => format!("{from} to {to}"),
    };
    t.text(left, y, 10.0, &period);
    y -= 24.0;
    for (heading, entries, totals, empty) in [
        (
            "Verified credit (certificates)",
            &page.verified,
            &page.verified_totals,
            "No verified credit in this period.",
        ),
        (
            "Self-reported credit (not verified, not in the totals above)",
            &page.reported,
            &page.reported_totals,
            "Nothing self-reported in this period.",
        ),
    ] {
        t.text(left, y, 12.5, heading);
        y -= 16.0;
        if totals.is_empty() {
            t.text(left, y, 10.0, empty);
            y -= 14.0;
        }
        for total in totals {
            t.text(
                left,
                y,
                10.5,
                &format!("Total: {} {}", total.hours, total.credit.label()),
            );
            y -= 14.0;
        }
        y -= 4.0;
        for entry in entries {
            if y < MARGIN + 40.0 {
                t.new_page();
                t.content.set_fill_rgb(0.1, 0.1, 0.1);
                y = H - MARGIN - 10.0;
            }
            t.text(left, y, 9.0, &entry.completed_on);
            let after = t.paragraph(left + 62.0, y, W - 2.0 * MARGIN - 62.0, 9.5, &entry.title);
            let detail = format!(
                "{} {} · {}{}{}",
                entry.hours,
                entry.credit.label(),
                entry.provider,
                entry
                    .code
                    .as_deref()
                    .map(|c| format!(" · certificate {c}"))
                    .unwrap_or_default(),
                if entry.revoked {
                    " · REVOKED, not counted"
                } else {
                    ""
                }
            );
            y = t.paragraph(left + 62.0, after, W - 2.0 * MARGIN - 62.0, 8.5, &detail) - 6.0;
        }
        y -= 14.0;
    }
    write(t, &format!("Transcript of {}", page.learner_name), W, H)
}

fn write(mut t: Typesetter<'_>, title: &str, width: f32, height: f32) -> Option<Vec<u8>> {
    t.new_page();
    let subset = subsetter::subset(FONT_BYTES, 0, &t.remapper).ok()?;
    let upem = f32::from(t.face.units_per_em());
    let scale = |v: i16| f32::from(v) * 1000.0 / upem;
    let bbox = t.face.global_bounding_box();

    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let type0 = Ref::new(3);
    let cid = Ref::new(4);
    let descriptor = Ref::new(5);
    let font_file = Ref::new(6);
    let to_unicode = Ref::new(7);
    let info = Ref::new(8);
    let page_refs: Vec<(Ref, Ref)> = (0..t.done.len())
        .map(|i| {
            let i = i32::try_from(i).unwrap_or(i32::MAX / 4);
            (Ref::new(9 + 2 * i), Ref::new(10 + 2 * i))
        })
        .collect();
    let font_name = Name(b"GRCERT+DejaVuSans");
    let system = || SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages)
        .kids(page_refs.iter().map(|(page, _)| *page))
        .count(i32::try_from(page_refs.len()).unwrap_or(i32::MAX));
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("Grand Rounds"));
    for ((page, contents), content) in page_refs.iter().zip(std::mem::take(&mut t.done)) {
        {
            let mut p = pdf.page(*page);
            p.media_box(Rect::new(0.0, 0.0, width, height))
                .parent(pages)
                .contents(*contents);
            p.resources().fonts().pair(Name(b"F1"), type0);
        }
        let content = deflate(&content.finish());
        pdf.stream(*contents, &content).filter(Filter::FlateDecode);
    }

    pdf.type0_font(type0)
        .base_font(font_name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(to_unicode);
    {
        let mut font = pdf.cid_font(cid);
        font.subtype(CidFontType::Type2)
            .base_font(font_name)
            .system_info(system())
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        font.widths().consecutive(0, t.widths.iter().copied());
    }
    pdf.font_descriptor(descriptor)
        .name(font_name)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            scale(bbox.x_min),
            scale(bbox.y_min),
            scale(bbox.x_max),
            scale(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(scale(t.face.ascender()))
        .descent(scale(t.face.descender()))
        .cap_height(scale(t.face.capital_height().unwrap_or(t.face.ascender())))
        .stem_v(80.0)
        .font_file2(font_file);
    let compressed_font = deflate(&subset);
    pdf.stream(font_file, &compressed_font)
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(subset.len()).unwrap_or(i32::MAX),
        );

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system());
    for (glyph, ch) in &t.unicode {
        cmap.pair(*glyph, *ch);
    }
    let cmap = cmap.finish();
    pdf.cmap(to_unicode, &cmap);

    Some(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::{CreditType, Hours, TranscriptEntry, TranscriptPage};

    fn pages(pdf: &[u8]) -> usize {
        String::from_utf8_lossy(pdf)
            .matches("/Type /Page\n")
            .count()
            + String::from_utf8_lossy(pdf).matches("/Type /Page ").count()
            + String::from_utf8_lossy(pdf).matches("/Type /Page/").count()
    }

    #[test]
    fn a_long_transcript_flows_onto_more_pages() {
        let entry = |i: u32| TranscriptEntry {
            code: Some(format!("CODE-{i:04}")),
            external_id: None,
            title: format!("Activity number {i} with a title long enough to need some room"),
            provider: "Grand Rounds".into(),
            credit: CreditType::Participation,
            hours: Hours::from_quarters(4),
            completed_on: "2026-01-01".into(),
            revoked: false,
        };
        let page = |n: u32| TranscriptPage {
            learner_name: "Ana Silva".into(),
            from: String::new(),
            to: String::new(),
            verified: (0..n).map(entry).collect(),
            verified_totals: Vec::new(),
            reported: Vec::new(),
            reported_totals: Vec::new(),
            state: app::model::FormState::default(),
        };
        let short = transcript(&page(3)).expect("pdf");
        let long = transcript(&page(80)).expect("pdf");
        assert!(short.starts_with(b"%PDF-"));
        assert_eq!(pages(&short), 1);
        assert!(pages(&long) >= 3, "{} pages", pages(&long));
    }
}
