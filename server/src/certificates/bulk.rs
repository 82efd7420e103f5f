//! Issuing by hand and in bulk. A CSV (`email,activity,format,credit_type,hours,completed_on`)
//! is checked row by row first: the preview names every row's problem and nothing is
//! written. Issuing checks again and writes every certificate in one transaction, or none.

use super::{Issuer, NewCertificate};
use crate::values::parse_date;
use crate::values::parse_hours;
use app::catalog::{CourseDetail, CreditType};
use app::certificates::{BulkPreview, BulkRow, IssuedRow};
use std::collections::HashSet;

/// The header a bulk file must start with.
pub const HEADER: [&str; 6] = [
    "email",
    "activity",
    "format",
    "credit_type",
    "hours",
    "completed_on",
];

/// Most rows one file may carry.
const MAX_ROWS: usize = 2000;

/// One row read from a file or the single-issue form.
#[derive(Debug, Clone, Default)]
pub struct RowInput {
    pub line: u32,
    pub email: String,
    pub activity: String,
    pub format: String,
    pub credit_type: String,
    pub hours: String,
    pub completed_on: String,
}

/// Reads a bulk file; a problem with the file as a whole is an `Err`.
pub fn read_csv(text: &str) -> Result<Vec<RowInput>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the file is not CSV: {e}"))?
        .iter()
        .map(str::to_lowercase)
        .collect();
    if header != HEADER {
        return Err(format!(
            "the first line must be the header \"{}\" (it is \"{}\")",
            HEADER.join(","),
            header.join(",")
        ));
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = u32::try_from(index + 2).unwrap_or(u32::MAX);
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or_default().to_owned();
        rows.push(RowInput {
            line,
            email: field(0),
            activity: field(1),
            format: field(2),
            credit_type: field(3),
            hours: field(4),
            completed_on: field(5),
        });
        if rows.len() > MAX_ROWS {
            return Err(format!("the file has more than {MAX_ROWS} rows: split it"));
        }
    }
    if rows.is_empty() {
        return Err("the file has a header but no rows".into());
    }
    Ok(rows)
}

/// Checks one row against the database; the certificate it would issue, or its problem.
async fn check_row(
    conn: &mut crate::db::Connection,
    issuer: &Issuer,
    row: &RowInput,
) -> Result<Result<NewCertificate, String>, crate::error::Error> {
    let mut problems = Vec::new();
    let email = row.email.trim().to_lowercase();
    let user = super::store::learner_by_email(conn, &email).await?;
    match &user {
        None => problems.push(format!("no account with the email \"{}\"", row.email)),
        Some((id, ..)) if !crate::accounts::confirmation::is_confirmed(conn, *id).await? => {
            problems.push(format!(
                "the account {email} has not confirmed its address yet: a certificate goes to an account only once its owner has"
            ));
        }
        Some(_) => {}
    }
    let course = super::store::latest_course_revision(conn, row.activity.trim()).await?;
    let detail = match &course {
        None => {
            problems.push(format!("no activity \"{}\"", row.activity));
            None
        }
        Some((_, rendered)) => serde_json::from_str::<CourseDetail>(rendered).ok(),
    };
    let format = row.format.trim();
    if !matches!(format, "online-course" | "live-webinar" | "recording") {
        problems.push(format!(
            "format \"{format}\" is not online-course, live-webinar or recording"
        ));
    }
    let credit = CreditType::from_slug(row.credit_type.trim());
    let offered = credit.and_then(|kind| {
        detail
            .as_ref()
            .and_then(|d| d.card.credits.iter().find(|c| c.kind == kind))
    });
    match (credit, &detail) {
        (None, _) => problems.push(format!("\"{}\" is not a credit type", row.credit_type)),
        (Some(kind), Some(_)) if offered.is_none() => {
            problems.push(format!("the activity does not offer {}", kind.label()));
        }
        _ => {}
    }
    let hours = match parse_hours(&row.hours) {
        Ok(h) if h.quarters == 0 => {
            problems.push("hours must be more than 0".into());
            None
        }
        Ok(h) if offered.is_some_and(|c| h > c.max_hours) => {
            problems.push(format!(
                "{h} hours is more than the activity's maximum of {}",
                offered.map(|c| c.max_hours.to_string()).unwrap_or_default()
            ));
            None
        }
        Ok(h) => Some(h),
        Err(message) => {
            problems.push(message);
            None
        }
    };
    let today = crate::clock::now_instant().date();
    let completed = match parse_date("completed_on", &row.completed_on) {
        Ok(Some(date)) if date > today => {
            problems.push(format!("completed_on {date} is in the future"));
            None
        }
        Ok(Some(date)) => Some(date),
        Ok(None) => {
            problems.push("completed_on is missing".into());
            None
        }
        Err((_, message)) => {
            problems.push(format!("completed_on: {message}"));
            None
        }
    };
    if let (Some((user_id, ..)), Some(kind), Some(date)) = (&user, credit, completed) {
        let exists = super::store::holds_certificate(
            conn,
            *user_id,
            row.activity.trim(),
            kind.slug(),
            &date.to_string(),
        )
        .await?;
        if exists {
            problems.push("this learner already has this certificate".into());
        }
    }
    let (
        Some((user_id, learner_name, profession)),
        Some((revision, _)),
        Some(detail),
        Some(kind),
        Some(hours),
        Some(date),
        true,
    ) = (
        user,
        course,
        detail,
        credit,
        hours,
        completed,
        problems.is_empty(),
    )
    else {
        return Ok(Err(problems.join("; ")));
    };
    Ok(Ok(NewCertificate {
        user_id,
        learner_name,
        profession,
        activity_slug: row.activity.trim().to_owned(),
        activity_title: detail.card.title,
        revision_number: Some(revision),
        format: format.to_owned(),
        completed_on: date.to_string(),
        provider: issuer.provider.clone(),
        credit_type: kind.slug().to_owned(),
        quarters: i64::from(hours.quarters),
        accreditation_statement: detail.accreditation_statement,
        designation_statement: detail.designation_statement,
    }))
}

/// Checks every row; duplicates within the file are problems too.
async fn check_all(
    conn: &mut crate::db::Connection,
    issuer: &Issuer,
    rows: &[RowInput],
) -> Result<Vec<(BulkRow, Option<NewCertificate>)>, crate::error::Error> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut result = check_row(conn, issuer, row).await?;
        let key = (
            row.email.trim().to_lowercase(),
            row.activity.trim().to_owned(),
            row.credit_type.trim().to_owned(),
            row.completed_on.trim().to_owned(),
        );
        if !seen.insert(key) {
            result = Err("the same row appears earlier in the file".into());
        }
        let (problem, certificate) = match result {
            Ok(c) => (None, Some(c)),
            Err(p) => (Some(p), None),
        };
        out.push((
            BulkRow {
                line: row.line,
                email: row.email.clone(),
                activity: row.activity.clone(),
                credit: row.credit_type.clone(),
                hours: row.hours.clone(),
                completed_on: row.completed_on.clone(),
                problem,
            },
            certificate,
        ));
    }
    Ok(out)
}

/// The preview of a file: nothing is written.
pub async fn preview(
    pool: &crate::db::Pool,
    issuer: &Issuer,
    text: &str,
) -> Result<BulkPreview, crate::error::Error> {
    let rows = match read_csv(text) {
        Ok(rows) => rows,
        Err(problem) => {
            return Ok(BulkPreview {
                csv: text.to_owned(),
                rows: Vec::new(),
                file_problem: Some(problem),
            });
        }
    };
    let mut conn = pool.acquire().await?;
    let checked = check_all(&mut conn, issuer, &rows).await?;
    Ok(BulkPreview {
        csv: text.to_owned(),
        rows: checked.into_iter().map(|(row, _)| row).collect(),
        file_problem: None,
    })
}

/// Issues every row of `rows` in one transaction, or nothing (returning the preview with
/// the problems). Audited as one action.
pub async fn issue(
    pool: &crate::db::Pool,
    issuer: &Issuer,
    admin: i64,
    rows: &[RowInput],
    csv: &str,
) -> Result<Result<Vec<String>, BulkPreview>, crate::error::Error> {
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on bulk issues: a file sent twice at once issues once.
    crate::db::lock(&mut tx, crate::db::On::Key("certificates:bulk")).await?;
    // And on every learner in the file, in id order: a learner's own claim cannot slip in
    // between the "already has this certificate" check and the issue.
    let mut emails: Vec<String> = rows.iter().map(|r| r.email.trim().to_lowercase()).collect();
    emails.sort();
    emails.dedup();
    let mut learners = Vec::new();
    for email in &emails {
        learners.extend(
            super::store::learner_by_email(&mut tx, email)
                .await?
                .map(|(id, ..)| id),
        );
    }
    learners.sort_unstable();
    for id in learners {
        crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, id)).await?;
    }
    let checked = check_all(&mut tx, issuer, rows).await?;
    if checked.iter().any(|(row, _)| row.problem.is_some()) || checked.is_empty() {
        return Ok(Err(BulkPreview {
            csv: csv.to_owned(),
            rows: checked.into_iter().map(|(row, _)| row).collect(),
            file_problem: None,
        }));
    }
    let mut codes = Vec::with_capacity(checked.len());
    for (_, certificate) in checked {
        if let Some(certificate) = certificate {
            codes.push(
                issuer
                    .insert(&mut tx, certificate, None, Some(admin))
                    .await?
                    .code,
            );
        }
    }
    crate::db::audit::record(
        &mut tx,
        Some(admin),
        "certificate.issue",
        &codes.join(" "),
        &format!("{} certificate(s) issued by hand", codes.len()),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(codes))
}

/// The latest certificates, for the administrators' page.
pub async fn recent(pool: &crate::db::Pool) -> Result<Vec<IssuedRow>, crate::error::Error> {
    let rows = super::store::recent(pool).await?;
    rows.into_iter()
        .map(
            |(
                code,
                learner_name,
                activity_title,
                credit,
                quarters,
                issued_on,
                crate::db::Flag(revoked),
                crate::db::Flag(superseded),
            )| {
                Ok(IssuedRow {
                    code,
                    learner_name,
                    activity_title,
                    credit: format!(
                        "{} {}",
                        app::catalog::Hours::from_quarters(crate::db::decode::<u32>(
                            quarters,
                            "credit hours"
                        )?),
                        CreditType::from_slug(&credit)
                            .map_or_else(|| credit.clone(), |c| c.label().to_owned())
                    ),
                    issued_on,
                    status: if revoked {
                        "revoked".into()
                    } else if superseded {
                        "superseded".into()
                    } else {
                        "valid".into()
                    },
                })
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_need_the_header_and_rows() {
        assert!(read_csv("").is_err());
        assert!(read_csv("name,course\nx,y\n").is_err_and(|e| e.contains("header")));
        assert!(read_csv(&HEADER.join(",")).is_err_and(|e| e.contains("no rows")));
        let rows = read_csv(
            "email,activity,format,credit_type,hours,completed_on\n\
             a@b.org, demo ,live-webinar,participation,1,2026-01-01\n\n",
        )
        .expect("one row");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].activity, "demo");
    }
}
