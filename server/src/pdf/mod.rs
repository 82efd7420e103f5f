//! The PDF writer certificates and transcripts share: DejaVu Sans embedded as a subset (only
//! the glyphs used, with a ToUnicode map so the text can be copied and searched), text
//! measured and wrapped, pages flowed. Written with `pdf-writer`; fonts subset with
//! `subsetter`. The documents themselves: [`certificate`] and [`transcript`].

pub mod certificate;
pub mod transcript;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Name, Pdf, Rect, Ref, Str};
use std::io::Write as _;
use subsetter::GlyphRemapper;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/DejaVuSans-LICENSE.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

pub(crate) const MM: f32 = 72.0 / 25.4;
pub(crate) const WIDTH: f32 = 297.0 * MM;
pub(crate) const HEIGHT: f32 = 210.0 * MM;
pub(crate) const MARGIN: f32 = 18.0 * MM;

/// Text measured and encoded with the embedded font.
pub(crate) struct Typesetter<'a> {
    pub(crate) face: ttf_parser::Face<'a>,
    pub(crate) remapper: GlyphRemapper,
    /// Width (1/1000 em) of each glyph of the subset, by its new id.
    pub(crate) widths: Vec<f32>,
    /// (new glyph id, character) for the ToUnicode map.
    pub(crate) unicode: Vec<(u16, char)>,
    /// Finished pages, then the one being written.
    pub(crate) done: Vec<Content>,
    pub(crate) content: Content,
}

impl<'a> Typesetter<'a> {
    pub(crate) fn new() -> Option<Self> {
        Some(Self {
            face: ttf_parser::Face::parse(FONT_BYTES, 0).ok()?,
            remapper: GlyphRemapper::new(),
            widths: Vec::new(),
            unicode: Vec::new(),
            done: Vec::new(),
            content: Content::new(),
        })
    }

    pub(crate) fn new_page(&mut self) {
        let page = std::mem::replace(&mut self.content, Content::new());
        self.done.push(page);
    }

    pub(crate) fn advance(&self, ch: char) -> f32 {
        let gid = self.face.glyph_index(ch).unwrap_or(ttf_parser::GlyphId(0));
        f32::from(self.face.glyph_hor_advance(gid).unwrap_or(0)) * 1000.0
            / f32::from(self.face.units_per_em())
    }

    /// The width of `text` at `size` points.
    pub(crate) fn measure(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|ch| self.advance(ch)).sum::<f32>() * size / 1000.0
    }

    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
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

    pub(crate) fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        let encoded = self.encode(text);
        self.content
            .begin_text()
            .set_font(Name(b"F1"), size)
            .next_line(x, y)
            .show(Str(&encoded))
            .end_text();
    }

    /// `text` wrapped to `width` points; returns the baseline below the last line.
    pub(crate) fn paragraph(
        &mut self,
        x: f32,
        mut y: f32,
        width: f32,
        size: f32,
        text: &str,
    ) -> f32 {
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

pub(crate) fn write(
    mut t: Typesetter<'_>,
    title: &str,
    width: f32,
    height: f32,
) -> Option<Vec<u8>> {
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
