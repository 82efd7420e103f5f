//! Time to make one certificate PDF (layout, font subsetting, QR code, compression), the
//! work behind each `/certificates/{code}/certificate.pdf` download: prints p50/p95/max.
//!
//! Run by hand: `cargo bench -p server --bench certificate_pdf`

mod common;
use app::catalog::{CreditType, Hours};
use app::certificates::{CertificateStatus, CertificateView};
use common::percentile;
use server::pdf::certificate::render;
use std::time::Instant;

fn main() {
    let certificate = CertificateView {
        code: "R2EK-2VAT-QER8-RMKA-ANCB-X7TV-VZ".into(),
        learner_name: "Ana Beatriz Silva Santos".into(),
        profession: "Nurses".into(),
        activity_title: "Telehealth and telemedicine for clinical teams".into(),
        revision: Some(3),
        format: "Online course".into(),
        completed_on: "2026-11-21".into(),
        provider: "Grand Rounds Demonstration Provider".into(),
        credit: CreditType::NursingContactHours,
        hours: Hours::from_quarters(3),
        accreditation_statement: "Grand Rounds Demonstration Provider is accredited to provide continuing education for the healthcare team. This is demonstration content: a real provider replaces it with its own statement.".into(),
        designation_statement: "Grand Rounds Demonstration Provider designates this enduring material for a maximum of 1.0 AMA PRA Category 1 Credit™ and 1.0 nursing contact hour. Clinicians should claim only the credit commensurate with the extent of their participation in the activity.".into(),
        issued_on: "2026-11-21".into(),
        status: CertificateStatus::Valid,
        verify_url: "https://cme.example.org/verify/R2EK-2VAT-QER8-RMKA-ANCB-X7TV-VZ".into(),
        qr_svg: String::new(),
    };
    for _ in 0..20 {
        render(&certificate).expect("pdf");
    }
    let mut samples = Vec::with_capacity(500);
    let mut size = 0;
    for _ in 0..500 {
        let started = Instant::now();
        size = render(&certificate).expect("pdf").len();
        samples.push(started.elapsed());
    }
    println!("certificate PDF benchmark (one thread, release build)");
    let (p50, p95, max) = (
        percentile(&mut samples, 0.50),
        percentile(&mut samples, 0.95),
        percentile(&mut samples, 1.0),
    );
    println!("500 PDFs of {size} bytes: p50 {p50:.2} ms  p95 {p95:.2} ms  max {max:.2} ms");
    common::figure("certificate PDF: p50", &format!("{p50:.2} ms"), "");
    common::figure("certificate PDF: p95", &format!("{p95:.2} ms"), "");
    common::figure("certificate PDF: max", &format!("{max:.2} ms"), "");
    common::figure("certificate PDF: size", &format!("{size} bytes"), "");
    common::print_memory("certificate PDF");
}
