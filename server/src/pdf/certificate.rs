//! A certificate as a one-page landscape A4 PDF: the same fields as the HTML page, and a QR
//! code of the verification address drawn as vector squares with the code printed under it.

use super::{HEIGHT, MARGIN, MM, Typesetter, WIDTH, write};
use app::certificates::{CertificateStatus, CertificateView};

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

#[cfg(test)]
mod tests {
    use super::*;
    use app::catalog::{CreditType, Hours};

    /// The PDF with its strings and streams cut out: what a reader takes as structure.
    fn structure(pdf: &[u8]) -> String {
        let mut out = Vec::new();
        let mut i = 0;
        while i < pdf.len() {
            if pdf[i..].starts_with(b"stream") && !pdf[..i].ends_with(b"end") {
                i = pdf[i..]
                    .windows(9)
                    .position(|w| w == b"endstream")
                    .map_or(pdf.len(), |end| i + end + 9);
                continue;
            }
            match pdf[i] {
                // A literal string: nested parentheses, backslash escapes.
                b'(' => {
                    let mut depth = 0;
                    while i < pdf.len() {
                        match pdf[i] {
                            b'\\' => i += 1,
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                    out.extend_from_slice(b"(...)");
                }
                // A hex string (not a dictionary's `<<`).
                b'<' if pdf.get(i + 1) != Some(&b'<') && !pdf[..i].ends_with(b"<") => {
                    while i < pdf.len() && pdf[i] != b'>' {
                        i += 1;
                    }
                    out.extend_from_slice(b"<...>");
                }
                byte => out.push(byte),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn script_and_pdf_actions_in_every_text_stay_text() {
        let payload = "Risk) /OpenAction << /S /JavaScript /JS (app.alert(1)) >> (\\) <script>alert(1)</script><img src=x onerror=alert(2)> /Launch /AA";
        let view = CertificateView {
            code: "GR-TEST-0001".into(),
            learner_name: payload.into(),
            profession: payload.into(),
            activity_title: payload.into(),
            revision: Some(1),
            format: "Online course".into(),
            completed_on: "2026-12-07".into(),
            provider: payload.into(),
            credit: CreditType::Participation,
            hours: Hours::from_quarters(4),
            accreditation_statement: payload.into(),
            designation_statement: payload.into(),
            issued_on: "2026-12-07".into(),
            status: CertificateStatus::Revoked {
                on: "2026-12-07".into(),
                reason: payload.into(),
            },
            verify_url: "https://cme.example.org/verify/GR-TEST-0001".into(),
            qr_svg: String::new(),
        };
        let pdf = render(&view).expect("pdf");
        let shape = structure(&pdf);
        assert!(shape.contains("/Type /Catalog"), "{shape}");
        for name in [
            "/OpenAction",
            "/JavaScript",
            "/JS",
            "/Launch",
            "/AA",
            "/URI",
            "/Annots",
        ] {
            assert!(
                !shape.contains(&format!("{name} ")) && !shape.contains(&format!("{name}\n")),
                "{name} outside a string: {shape}"
            );
        }
        // Text is drawn as glyph numbers in compressed streams: the words themselves are
        // nowhere in the file for a reader to run.
        let raw = String::from_utf8_lossy(&pdf);
        assert!(!raw.contains("alert(") && !raw.contains("<script"), "{raw}");
        assert!(raw.contains("/Title (Certificate GR-TEST-0001)"), "{raw}");
    }
}
