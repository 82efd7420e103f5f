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
