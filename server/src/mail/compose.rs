//! Building messages: each notification is a [`Letter`] of plain parts (paragraphs, one
//! link, a note on why it was sent) that [`Letter::render`] turns into a multipart message
//! with a plain-text and an HTML part. Templates never write HTML: every value reaches the
//! HTML part through [`escape`], so nothing a user typed (a name, a course title) can
//! change the markup.

use crate::html::escape;
use app::mail::MailKind;
use lettre::message::{Mailbox, MultiPart};

/// The media type of every calendar the site makes, attached to mail or downloaded.
pub const CALENDAR_CONTENT_TYPE: &str = "text/calendar; charset=utf-8; method=PUBLISH";

/// Who mail comes from and what links point at.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The site's name (the provider's name), shown as the sender and in every message.
    pub site_name: String,
    /// The sender's address.
    pub from: lettre::Address,
    /// The public URL links are built from, without a trailing slash.
    pub public_url: String,
    /// The domain of Message-IDs.
    pub domain: String,
}

impl Identity {
    /// `from` when given (checked), else `no-reply@<the public URL's host>`.
    pub fn new(site_name: &str, public_url: &str, from: Option<&str>) -> anyhow::Result<Self> {
        let public_url = public_url.trim_end_matches('/').to_owned();
        let host = url::Url::parse(&public_url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        // An address's domain must be a name: a site served on an IP sends as localhost.
        let domain = if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
            "localhost".to_owned()
        } else {
            host
        };
        let from = match from.map(str::trim).filter(|f| !f.is_empty()) {
            Some(given) => given.parse::<lettre::Address>().map_err(|error| {
                anyhow::anyhow!(
                    "GRANDROUNDS_MAIL_FROM \"{given}\" is not an email address ({error}); write it as name@example.org"
                )
            })?,
            None => format!("no-reply@{domain}")
                .parse::<lettre::Address>()
                .map_err(|error| anyhow::anyhow!("cannot make a sender address for {domain}: {error}; set GRANDROUNDS_MAIL_FROM"))?,
        };
        Ok(Self {
            site_name: site_name.trim().to_owned(),
            from,
            public_url,
            domain,
        })
    }

    /// A link to `path` on this site.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    pub fn sender(&self) -> Mailbox {
        Mailbox::new(Some(self.site_name.clone()), self.from.clone())
    }
}

/// One message before it is rendered.
#[derive(Debug, Clone)]
pub struct Letter {
    pub kind: MailKind,
    pub to_email: String,
    pub to_name: String,
    /// The account it is for, if there is one (an invitee has none yet).
    pub user_id: Option<i64>,
    pub subject: String,
    /// Paragraphs before the link.
    pub paragraphs: Vec<String>,
    /// The one thing to do: (button text, full URL).
    pub action: Option<(String, String)>,
    /// Paragraphs after the link.
    pub after: Vec<String>,
    /// A calendar (`.ics`, METHOD:PUBLISH) to attach: the sessions of a registration.
    pub calendar: Option<String>,
}

/// A rendered message: what the outbox stores and the sender delivers as it is.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub message_id: String,
    pub raw: Vec<u8>,
}

/// Why the reader got this message, at the foot of each.
fn footer(identity: &Identity, kind: MailKind) -> String {
    if kind.refusable() {
        format!(
            "You get this because you asked for reminders from {}. Turn them off on your account page: {}",
            identity.site_name,
            identity.link("/account")
        )
    } else {
        format!(
            "This message is about your account at {} ({}) and is sent whatever your mail settings say.",
            identity.site_name, identity.public_url
        )
    }
}

impl Letter {
    pub fn text_part(&self, identity: &Identity) -> String {
        let mut text = format!("Hello {},\n\n", self.to_name);
        for paragraph in &self.paragraphs {
            text.push_str(paragraph);
            text.push_str("\n\n");
        }
        if let Some((label, url)) = &self.action {
            text.push_str(&format!("{label}:\n{url}\n\n"));
        }
        for paragraph in &self.after {
            text.push_str(paragraph);
            text.push_str("\n\n");
        }
        text.push_str(&format!(
            "-- \n{}\n{}\n",
            identity.site_name,
            footer(identity, self.kind)
        ));
        text
    }

    pub fn html_part(&self, identity: &Identity) -> String {
        let mut html = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n\
             <body style=\"font-family: system-ui, sans-serif; line-height: 1.5; color: #1b2530; max-width: 36em;\">\n\
             <p>Hello {},</p>\n",
            escape(&self.subject),
            escape(&self.to_name)
        );
        for paragraph in &self.paragraphs {
            html.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
        }
        if let Some((label, url)) = &self.action {
            html.push_str(&format!(
                "<p><a href=\"{}\" style=\"display: inline-block; padding: 0.6em 1.2em; background: #0b5c7a; color: #ffffff; text-decoration: none; border-radius: 4px;\">{}</a></p>\n\
                 <p style=\"font-size: 0.9em;\">If the button does not work, copy this address into your browser: {}</p>\n",
                escape(url),
                escape(label),
                escape(url)
            ));
        }
        for paragraph in &self.after {
            html.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
        }
        html.push_str(&format!(
            "<hr>\n<p style=\"font-size: 0.85em; color: #4a5663;\">{}<br>{}</p>\n</body></html>\n",
            escape(&identity.site_name),
            escape(&footer(identity, self.kind))
        ));
        html
    }

    /// The whole message: From the site, To the reader, a fresh Message-ID under the site's
    /// domain, the one clock's Date, and the two parts.
    pub fn render(&self, identity: &Identity) -> Result<Rendered, lettre::error::Error> {
        use rand::RngCore as _;
        let address: lettre::Address = self
            .to_email
            .parse()
            .map_err(|_| lettre::error::Error::EmailMissingAt)?;
        let to = Mailbox::new(Some(self.to_name.clone()), address);
        let mut random = [0u8; 16];
        rand::rng().fill_bytes(&mut random);
        let message_id = format!(
            "<{}.{}@{}>",
            hex::encode(random),
            self.kind.as_str(),
            identity.domain
        );
        let message = lettre::Message::builder()
            .from(identity.sender())
            .to(to)
            .subject(self.subject.clone())
            .message_id(Some(message_id.clone()))
            .date(std::time::SystemTime::from(crate::clock::now_instant()))
            .multipart({
                let parts = MultiPart::alternative_plain_html(
                    self.text_part(identity),
                    self.html_part(identity),
                );
                match &self.calendar {
                    None => parts,
                    Some(ics) => MultiPart::mixed().multipart(parts).singlepart(
                        lettre::message::Attachment::new("webinar.ics".to_owned()).body(
                            ics.clone(),
                            lettre::message::header::ContentType::parse(CALENDAR_CONTENT_TYPE)
                                .map_err(|_| lettre::error::Error::EmailMissingAt)?,
                        ),
                    ),
                }
            })?;
        Ok(Rendered {
            message_id,
            raw: message.formatted(),
        })
    }
}

/// The notifications, one function each.
pub mod templates {
    use super::{Identity, Letter};
    use app::mail::MailKind;

    /// The link that confirms a new account's address. Greets the address, never the name
    /// typed at registration: whoever typed it may not own the address.
    pub fn address_confirmation(
        identity: &Identity,
        user_id: i64,
        email: &str,
        link: &str,
        hours: i64,
    ) -> Letter {
        Letter {
            kind: MailKind::AddressConfirmation,
            to_email: email.to_owned(),
            to_name: email.to_owned(),
            user_id: Some(user_id),
            subject: format!("Confirm your email address for {}", identity.site_name),
            paragraphs: vec![format!(
                "An account on {} was registered with this address. Follow the link to confirm that the address is yours; until then the account cannot register for webinars, enrol or claim credit. The link works once, for {hours} hours.",
                identity.site_name
            )],
            action: Some(("Confirm my address".into(), link.to_owned())),
            after: vec![
                "If you did not register, ignore this message: the account stays unconfirmed and we send this address nothing else.".into(),
            ],
            calendar: None,
        }
    }

    /// Someone registered with an address that has an account: what happened, and a way
    /// back in (a reset link) for its owner.
    pub fn account_exists(
        identity: &Identity,
        user_id: i64,
        email: &str,
        link: &str,
        minutes: i64,
    ) -> Letter {
        Letter {
            kind: MailKind::AccountExists,
            to_email: email.to_owned(),
            to_name: email.to_owned(),
            user_id: Some(user_id),
            subject: format!("You already have a {} account", identity.site_name),
            paragraphs: vec![
                format!(
                    "Someone (we hope you) tried to register on {} with this address, which already has an account. No second account was made.",
                    identity.site_name
                ),
                format!(
                    "If it was you, sign in with your password, or choose a new one with the link below (it works once, for {minutes} minutes)."
                ),
            ],
            action: Some(("Choose a new password".into(), link.to_owned())),
            after: vec![
                "If it was not you, ignore this message: nothing about your account changed."
                    .into(),
            ],
            calendar: None,
        }
    }

    pub fn password_reset(
        identity: &Identity,
        user_id: i64,
        email: &str,
        name: &str,
        link: &str,
        minutes: i64,
    ) -> Letter {
        Letter {
            kind: MailKind::PasswordReset,
            to_email: email.to_owned(),
            to_name: name.to_owned(),
            user_id: Some(user_id),
            subject: format!("Reset your {} password", identity.site_name),
            paragraphs: vec![format!(
                "Someone (we hope you) asked to reset the password of your {} account. The link below works once, for {minutes} minutes.",
                identity.site_name
            )],
            action: Some(("Choose a new password".into(), link.to_owned())),
            after: vec![
                "If you did not ask for this, you can ignore this message: your password stays as it is.".into(),
            ],
            calendar: None,
        }
    }

    pub fn password_changed(
        identity: &Identity,
        user_id: i64,
        email: &str,
        name: &str,
        when_utc: &str,
    ) -> Letter {
        Letter {
            kind: MailKind::PasswordChanged,
            to_email: email.to_owned(),
            to_name: name.to_owned(),
            user_id: Some(user_id),
            subject: format!("Your {} password was changed", identity.site_name),
            paragraphs: vec![
                format!(
                    "The password of your {} account was changed at {when_utc} (UTC), and every session of your account was signed out.",
                    identity.site_name
                ),
                "If it was you, there is nothing more to do. If it was not, reset your password now with the link below and tell your administrator.".into(),
            ],
            action: Some((
                "Reset your password".into(),
                identity.link("/forgot-password"),
            )),
            after: Vec::new(),
            calendar: None,
        }
    }

    pub fn invitation(
        identity: &Identity,
        email: &str,
        inviter: Option<&str>,
        role: &str,
        link: &str,
        expires_on: &str,
    ) -> Letter {
        let who = inviter.map_or_else(
            || format!("The administrators of {}", identity.site_name),
            |name| format!("{name}, an administrator of {},", identity.site_name),
        );
        Letter {
            kind: MailKind::Invitation,
            to_email: email.to_owned(),
            to_name: email.to_owned(),
            user_id: None,
            subject: format!("You are invited to {}", identity.site_name),
            paragraphs: vec![format!(
                "{who} invited you to join as {role}. Follow the link to choose your password and fill in your profile; the link works once, until {expires_on} (UTC)."
            )],
            action: Some(("Accept the invitation".into(), link.to_owned())),
            after: vec!["If you did not expect this invitation, ignore this message: no account is made until the link is followed.".into()],
            calendar: None,
        }
    }

    /// A seat (`place` None) or a waitlist place (`Some(n)`), confirmed.
    #[allow(clippy::too_many_arguments)]
    pub fn webinar_registration(
        identity: &Identity,
        user_id: i64,
        email: &str,
        name: &str,
        title: &str,
        slug: &str,
        when: &[String],
        place: Option<u32>,
    ) -> Letter {
        let sessions = when.join("; ");
        let (kind, subject, first) = match place {
            None => (
                MailKind::WebinarRegistered,
                format!("You are registered: {title}"),
                format!("Your seat for \"{title}\" is confirmed. When: {sessions}."),
            ),
            Some(place) => (
                MailKind::WebinarWaitlisted,
                format!("You are on the waitlist: {title}"),
                format!(
                    "\"{title}\" is full, so you are number {place} on its waitlist. If a seat frees up, it goes to the waitlist in order and we tell you at once. When: {sessions}."
                ),
            ),
        };
        Letter {
            kind,
            to_email: email.to_owned(),
            to_name: name.to_owned(),
            user_id: Some(user_id),
            subject,
            paragraphs: vec![first],
            action: Some(("Open the webinar".into(), identity.link(&format!("/webinars/{slug}")))),
            after: vec!["The join link appears on the webinar's page 15 minutes before each session. If you cannot come, cancel there so the seat goes to the next person waiting.".into()],
            calendar: None,
        }
    }

    pub fn webinar_promoted(
        identity: &Identity,
        user_id: i64,
        email: &str,
        name: &str,
        title: &str,
        slug: &str,
        when: &[String],
    ) -> Letter {
        Letter {
            kind: MailKind::WebinarPromoted,
            to_email: email.to_owned(),
            to_name: name.to_owned(),
            user_id: Some(user_id),
            subject: format!("A seat is yours: {title}"),
            paragraphs: vec![format!(
                "A seat for \"{title}\" became free and, as next on the waitlist, it is now yours. When: {}.",
                when.join("; ")
            )],
            action: Some(("Open the webinar".into(), identity.link(&format!("/webinars/{slug}")))),
            after: vec!["If you can no longer come, cancel on the webinar's page so the seat goes to the next person waiting.".into()],
            calendar: None,
        }
    }

    /// A registration ended: by the learner, or by an organizer (`by_organizer`).
    pub fn webinar_cancelled(
        identity: &Identity,
        user_id: i64,
        email: &str,
        name: &str,
        title: &str,
        slug: &str,
        by_organizer: bool,
    ) -> Letter {
        let first = if by_organizer {
            format!(
                "An organizer of \"{title}\" cancelled your registration. If you think this is a mistake, reply to the organizers or register again on the webinar's page."
            )
        } else {
            format!(
                "Your registration for \"{title}\" is cancelled, as you asked. Thank you for freeing the seat."
            )
        };
        Letter {
            kind: MailKind::WebinarCancelled,
            to_email: email.to_owned(),
            to_name: name.to_owned(),
            user_id: Some(user_id),
            subject: format!("Registration cancelled: {title}"),
            paragraphs: vec![first],
            action: Some((
                "Open the webinar".into(),
                identity.link(&format!("/webinars/{slug}")),
            )),
            after: vec![
                "The attached calendar file removes the sessions from your calendar.".into(),
            ],
            calendar: None,
        }
    }

    /// The webinar a letter is about.
    #[derive(Clone, Copy)]
    pub struct Webinar<'a> {
        pub title: &'a str,
        pub slug: &'a str,
    }

    /// A session's time changed, or a session was cancelled, after the learner registered.
    pub fn webinar_changed(
        identity: &Identity,
        user_id: i64,
        email: &str,
        name: &str,
        webinar: Webinar<'_>,
        changes: &[String],
        when: &[String],
    ) -> Letter {
        let Webinar { title, slug } = webinar;
        let mut paragraphs = vec![format!("The schedule of \"{title}\" changed:")];
        paragraphs.extend(changes.iter().cloned());
        paragraphs.push(if when.is_empty() {
            "No session is left on the schedule.".to_owned()
        } else {
            format!("The sessions now: {}.", when.join("; "))
        });
        Letter {
            kind: MailKind::WebinarChanged,
            to_email: email.to_owned(),
            to_name: name.to_owned(),
            user_id: Some(user_id),
            subject: format!("Schedule changed: {title}"),
            paragraphs,
            action: Some(("Open the webinar".into(), identity.link(&format!("/webinars/{slug}")))),
            after: vec!["If you hold a seat, the attached calendar file updates your calendar. If you can no longer come, cancel on the webinar's page so the seat goes to the next person waiting.".into()],
            calendar: None,
        }
    }

    /// A day or an hour before a session.
    pub fn webinar_reminder(
        identity: &Identity,
        user_id: i64,
        email: &str,
        name: &str,
        webinar: Webinar<'_>,
        when: &str,
        soon: bool,
    ) -> Letter {
        let Webinar { title, slug } = webinar;
        let (subject, first) = if soon {
            (
                format!("Starting soon: {title}"),
                format!(
                    "\"{title}\" starts within the hour: {when}. The join link is on the webinar's page from 15 minutes before the start."
                ),
            )
        } else {
            (
                format!("Reminder: {title}"),
                format!(
                    "A reminder that \"{title}\" is on {when}. The join link appears on the webinar's page 15 minutes before the start."
                ),
            )
        };
        Letter {
            kind: MailKind::WebinarReminder,
            to_email: email.to_owned(),
            to_name: name.to_owned(),
            user_id: Some(user_id),
            subject,
            paragraphs: vec![first],
            action: Some(("Open the webinar".into(), identity.link(&format!("/webinars/{slug}")))),
            after: vec!["If you cannot come, cancel on the webinar's page so your seat goes to the next person waiting.".into()],
            calendar: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn certificate_issued(
        identity: &Identity,
        user_id: i64,
        email: &str,
        name: &str,
        activity: &str,
        credit: &str,
        code: &str,
    ) -> Letter {
        Letter {
            kind: MailKind::CertificateIssued,
            to_email: email.to_owned(),
            to_name: name.to_owned(),
            user_id: Some(user_id),
            subject: format!("Your certificate for {activity}"),
            paragraphs: vec![format!(
                "Your certificate {code} for \"{activity}\" ({credit}) is issued. You can download it as a PDF and a signed credential from your certificate page."
            )],
            action: Some((
                "Open your certificate".into(),
                identity.link(&format!("/certificates/{code}")),
            )),
            after: vec![format!(
                "Anyone you show it to (a licensing board, an employer) can check it at {}",
                identity.link(&format!("/verify/{code}"))
            )],
            calendar: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity::new("Grand Rounds", "https://cme.example.org/", None).expect("identity")
    }

    #[test]
    fn the_sender_is_the_site_at_its_own_domain() {
        let identity = identity();
        assert_eq!(identity.from.to_string(), "no-reply@cme.example.org");
        let laptop = Identity::new("Grand Rounds", "http://127.0.0.1:3000", None).expect("ip");
        assert_eq!(laptop.from.to_string(), "no-reply@localhost");
        let error = Identity::new("Grand Rounds", "http://x", Some("not an address"))
            .expect_err("refused")
            .to_string();
        assert!(error.contains("GRANDROUNDS_MAIL_FROM"), "{error}");
    }

    #[test]
    fn every_value_is_escaped_in_the_html_part() {
        let identity = identity();
        let letter = templates::certificate_issued(
            &identity,
            1,
            "lee@clinic.org",
            "Lee <script>alert(1)</script> O'Neil",
            "Care & \"Safety\" <b>",
            "1 AMA PRA Category 1 Credit",
            "ABCD-EFGH",
        );
        let html = letter.html_part(&identity);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("Lee &lt;script&gt;alert(1)&lt;/script&gt; O&#39;Neil"));
        assert!(html.contains("Care &amp; &quot;Safety&quot; &lt;b&gt;"));
        assert!(html.contains("href=\"https://cme.example.org/certificates/ABCD-EFGH\""));
        let text = letter.text_part(&identity);
        assert!(text.contains("https://cme.example.org/verify/ABCD-EFGH"));
    }

    #[test]
    fn a_rendered_message_has_both_parts_and_its_headers() {
        let identity = identity();
        let letter = templates::password_changed(
            &identity,
            1,
            "lee@clinic.org",
            "Lee Park",
            "2026-12-02 10:00",
        );
        let rendered = letter.render(&identity).expect("render");
        let raw = String::from_utf8_lossy(&rendered.raw);
        assert!(
            raw.contains(&format!("Message-ID: {}", rendered.message_id)),
            "{raw}"
        );
        assert!(rendered.message_id.ends_with("@cme.example.org>"));
        assert!(
            raw.contains("From: \"Grand Rounds\" <no-reply@cme.example.org>")
                || raw.contains("From: Grand Rounds <no-reply@cme.example.org>"),
            "{raw}"
        );
        assert!(raw.contains("Date: "));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain"));
        assert!(raw.contains("text/html"));
    }
}
