//! What the `grandrounds` binary does, command by command (`serve`, `migrate`, `content
//! check` and `import`, `user add` and invitations, `key rotate`, `cert verify`, `backup`,
//! `copy`): the library's side of the command line, so `main.rs` only parses it and starts
//! the runtime, and tests can run any command in-process.

use crate::config::{
    CertCommand, Cli, Command, ContentCommand, KeyCommand, ServeArgs, UserCommand,
};
use crate::{Settings, build_router, content, db, start};
use std::process::ExitCode;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Only the commands that use keys need the folder named.
    let key_dir = cli.key_dir();
    let mail = cli.mail_settings();
    match cli
        .command
        .unwrap_or(Command::Serve(ServeArgs::default_from_env()?))
    {
        Command::Serve(args) => {
            serve(cli.database_url, cli.content_dir, key_dir?, mail, args).await
        }
        Command::Key {
            action: KeyCommand::Rotate,
        } => {
            let pool = db::connect(&cli.database_url).await?;
            db::migrate(&pool).await?;
            let keys = crate::keys::KeyDir::open(&key_dir?)?;
            // The current keys first (and a legacy key moved out of the database), so the
            // new one is numbered after them.
            crate::certificates::signing::Signer::load_or_create(&pool, &keys).await?;
            let (kid, file) = crate::certificates::signing::Signer::rotate(&pool, &keys).await?;
            println!(
                "new signing key {kid} in {}; restart every server to sign with it (the old keys stay in /issuer/jwks.json)",
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let pool = db::connect(&cli.database_url).await?;
            db::migrate(&pool).await?;
            println!(
                "database is up to date: {} ({})",
                db::redacted(&cli.database_url),
                db::Backend::of(&pool).name()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Content {
            action: ContentCommand::Check { dir },
        } => Ok(check(&dir.unwrap_or(cli.content_dir))),
        Command::Content {
            action:
                ContentCommand::Import {
                    dir,
                    public_url,
                    provider,
                },
        } => {
            let identity =
                crate::mail::compose::Identity::new(&provider, &public_url, mail.from.as_deref())?;
            import(
                &cli.database_url,
                &dir.unwrap_or(cli.content_dir),
                &identity,
            )
            .await
        }
        Command::User {
            action:
                UserCommand::Add {
                    email,
                    role,
                    name,
                    profession,
                    invite,
                    public_url,
                    provider,
                },
        } => {
            if invite {
                invite_user(
                    &cli.database_url,
                    &mail,
                    &email,
                    role,
                    &public_url,
                    &provider,
                )
                .await
            } else {
                add_user(&cli.database_url, &email, role, name.as_deref(), profession).await
            }
        }
        Command::Cert {
            action: CertCommand::Verify { file, keys },
        } => verify_credential(&cli.database_url, &file, keys.as_deref()).await,
        Command::Backup { file } => backup(&cli.database_url, &file).await,
        Command::Copy { to } => copy_database(&cli.database_url, &to).await,
    }
}

/// `content import [DIR]`: the deploy step for servers started with `--no-import`. Strict:
/// any problem in the folder and nothing is stored (a server's start skips bad courses).
async fn import(
    database_url: &str,
    dir: &std::path::Path,
    identity: &crate::mail::compose::Identity,
) -> anyhow::Result<ExitCode> {
    let report = crate::content::load_dir(dir);
    if !report.errors.is_empty() {
        for error in &report.errors {
            eprintln!("{error}");
        }
        eprintln!(
            "error: {} problem(s) in {}; nothing was imported",
            report.errors.len(),
            dir.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    let pool = db::connect(database_url).await?;
    db::migrate(&pool).await?;
    let summary = crate::import_content(&pool, dir, identity).await?;
    for (slug, number) in &summary.created {
        println!("{slug}: revision {number} stored");
    }
    for slug in &summary.retired {
        println!("{slug}: retired (its folder is gone)");
    }
    println!(
        "imported {}: {} new revision(s), {} unchanged, {} retired; every server serves it within a few seconds",
        dir.display(),
        summary.created.len(),
        summary.unchanged,
        summary.retired.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `copy --to URL`: every table into a new database, then checked: the same rows per table
/// on both sides, and every certificate's signed credential verifying against the signing
/// keys as copied.
async fn copy_database(from: &str, to: &str) -> anyhow::Result<ExitCode> {
    use crate::certificates::signing;
    let source = db::connect_existing(from).await?;
    if db::redacted(from) == db::redacted(to) {
        eprintln!("error: --to names the database being copied; give a new, empty database");
        return Ok(ExitCode::FAILURE);
    }
    let target = db::connect(to).await?;
    db::migrate(&target).await?;
    let copied = match db::copy::copy(&source, &target).await {
        Ok(copied) => copied,
        Err(error) => {
            eprintln!("error: nothing was copied: {error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let schema = db::schema::describe(&target).await?;
    let before = db::copy::counts(&source, &schema).await?;
    let after = db::copy::counts(&target, &schema).await?;
    let mut same = true;
    println!("{:<24} {:>10} {:>10}", "table", "source", "copy");
    for ((name, a), (_, b)) in before.iter().zip(&after) {
        let mark = if a == b { "" } else { "  DIFFERENT" };
        same &= a == b;
        println!("{name:<24} {a:>10} {b:>10}{mark}");
    }
    let keys = signing::PublicKey::from_jwks(&signing::jwks(&target).await?.to_string())
        .map_err(|error| anyhow::anyhow!(error))?;
    let credentials = crate::certificates::store::credentials(&target).await?;
    let failing: Vec<&str> = credentials
        .iter()
        .filter(|(_, credential)| signing::verify(credential, &keys).is_err())
        .map(|(code, _)| code.as_str())
        .collect();
    println!(
        "{} of {} certificates verify against the copied signing keys",
        credentials.len() - failing.len(),
        credentials.len()
    );
    if !same || !failing.is_empty() {
        eprintln!(
            "error: the copy does not match{}",
            if failing.is_empty() {
                String::new()
            } else {
                format!(" (certificates failing: {})", failing.join(", "))
            }
        );
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "copied {} tables from {} to {}; sessions are not copied (everyone signs in again). \
         Start the servers with --database-url set to the new database and the same key folder.",
        copied.tables.len(),
        db::redacted(from),
        db::redacted(to)
    );
    Ok(ExitCode::SUCCESS)
}

/// `backup FILE`: a consistent copy while the server runs. SQLite: `VACUUM INTO`, a compact
/// database file. PostgreSQL: `pg_dump` in its custom format (restore with `pg_restore`),
/// taken in one snapshot; without `pg_dump` on the PATH it says so and what to use instead.
async fn backup(database_url: &str, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let backend = db::Backend::of_url(database_url)?;
    let pool = db::connect_existing(database_url).await?;
    // The copy holds password hashes: created owner-only before it is filled, and never
    // over an existing file.
    match db::create_private_file(file) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: {} already exists; choose a new file name (a backup never overwrites)",
                file.display()
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(error) => anyhow::bail!("cannot create {}: {error}", file.display()),
    }
    let target = file.to_string_lossy().into_owned();
    let made = match backend {
        db::Backend::Sqlite => db::copy_into(&pool, &target)
            .await
            .map_err(anyhow::Error::from),
        db::Backend::Postgres => pg_dump(database_url, file),
    };
    if let Err(error) = made {
        // No half-written copy left behind to be mistaken for a backup.
        let _ = std::fs::remove_file(file);
        anyhow::bail!("the backup to {target} failed: {error}");
    }
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} to {target} ({bytes} bytes{})",
        db::redacted(database_url),
        if backend == db::Backend::Postgres {
            ", pg_dump custom format: restore with pg_restore"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `pg_dump` into `file` (which exists, empty, owner-only). The password, if the URL has
/// one, goes through the environment, never the command line others can see.
fn pg_dump(database_url: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let mut url = url::Url::parse(database_url)
        .map_err(|error| anyhow::anyhow!("{} is not a URL: {error}", db::redacted(database_url)))?;
    let mut password = url.password().map(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    });
    let _ = url.set_password(None);
    // A password given as a parameter moves to the environment too.
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter_map(|(name, value)| {
            if name.eq_ignore_ascii_case("password") {
                password = Some(value.into_owned());
                None
            } else {
                Some((name.into_owned(), value.into_owned()))
            }
        })
        .collect();
    if url.query().is_some() {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let mut command = std::process::Command::new("pg_dump");
    command
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(file)
        .arg("--dbname")
        .arg(url.as_str());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = match command.output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "pg_dump is not installed: install PostgreSQL's client programs (Debian: postgresql-client, \
             the server's major version or newer), or back up with your provider's snapshots or \
             point-in-time recovery"
        ),
        Err(error) => anyhow::bail!("cannot run pg_dump: {error}"),
    };
    if !output.status.success() {
        anyhow::bail!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// `cert verify FILE [--keys JWKS]`: checks the signature offline and prints the fields.
async fn verify_credential(
    database_url: &str,
    file: &std::path::Path,
    keys: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    use crate::certificates::{credential_fields, signing};
    let token = match std::fs::read_to_string(file) {
        Ok(token) => token,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", file.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    let keys = match keys {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read the key file {}: {e}", path.display()))?;
            signing::PublicKey::from_jwks(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => {
            let pool = db::connect_existing(database_url).await.map_err(|e| {
                anyhow::anyhow!(
                    "{e}; on another machine pass --keys with the issuer's /issuer/jwks.json"
                )
            })?;
            let set = signing::jwks(&pool).await?;
            signing::PublicKey::from_jwks(&set.to_string()).map_err(|e| anyhow::anyhow!(e))?
        }
    };
    match signing::verify(&token, &keys) {
        Ok(payload) => {
            println!("VALID: signed by the issuer's key; every field below is as issued.");
            for (label, value) in credential_fields(&payload) {
                println!("{label:<12} {value}");
            }
            println!(
                "(revocation is not recorded in the file: the verification page above shows the current status)"
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("INVALID: {}: {error}", file.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `user add`: validates everything before writing; the password comes from stdin.
async fn add_user(
    database_url: &str,
    email: &str,
    role: crate::accounts::Role,
    name: Option<&str>,
    profession: app::accounts::Profession,
) -> anyhow::Result<ExitCode> {
    use crate::accounts::{password, store, validate};
    let fail = |message: String| {
        eprintln!("error: {message}");
        Ok(ExitCode::FAILURE)
    };
    let email = match validate::email(email) {
        Ok(email) => email,
        Err(message) => return fail(format!("--email: {message}")),
    };
    let default_name = email.split('@').next().unwrap_or_default().to_owned();
    let full_name = match validate::full_name(name.unwrap_or(&default_name)) {
        Ok(name) => name,
        Err(message) => return fail(format!("--name: {message}")),
    };
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let secret = line.trim_end_matches(['\n', '\r']).to_owned();
    if let Err(message) = password::check_policy(&secret, &email) {
        return fail(format!("password (standard input): {message}"));
    }

    let pool = db::connect(database_url).await?;
    db::migrate(&pool).await?;
    let password_hash = password::Hasher::new(1).hash(secret).await?;
    let user = store::NewUser {
        email: email.clone(),
        password_hash,
        full_name,
        profession,
        role,
    };
    match store::create(&pool, &user).await {
        Ok(id) => {
            println!("created {role} {email} (user {id})");
            Ok(ExitCode::SUCCESS)
        }
        Err(store::CreateError::EmailTaken) => {
            fail(format!("--email: an account with {email} already exists"))
        }
        Err(error) => Err(error.into()),
    }
}

/// `user add --invite`: an invitation mailed now (through the outbox, like every message).
async fn invite_user(
    database_url: &str,
    mail: &crate::mail::MailSettings,
    email: &str,
    role: crate::accounts::Role,
    public_url: &str,
    provider: &str,
) -> anyhow::Result<ExitCode> {
    use crate::accounts::{invitations, validate};
    let email = match validate::email(email) {
        Ok(email) => email,
        Err(message) => {
            eprintln!("error: --email: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mailer = std::sync::Arc::new(crate::mail::Mail::new(mail, provider, public_url)?);
    let pool = db::connect(database_url).await?;
    db::migrate(&pool).await?;
    match invitations::create(&pool, &mailer.identity, &email, role, None).await {
        Ok(created) => {
            let id = created.invitation;
            // Only this invitation: anyone else's mail is the servers' to send.
            let round = match created.message {
                Some(message) => crate::mail::deliver::deliver_one(&pool, &mailer, message).await?,
                None => crate::mail::deliver::Round::default(),
            };
            println!(
                "invited {email} as {role} (invitation {id}, valid {} days); {}",
                invitations::INVITATION_DAYS,
                if round.sent > 0 {
                    format!("the link went to {}", mailer.transport.describe())
                } else {
                    "the message is queued: a running server's sender delivers it (see /admin/outbox)".to_owned()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(invitations::Refusal::HasAccount) => {
            eprintln!("error: --email: an account with {email} already exists");
            Ok(ExitCode::FAILURE)
        }
        Err(invitations::Refusal::Database(error)) => Err(anyhow::anyhow!("{error}")),
    }
}

fn check(dir: &std::path::Path) -> ExitCode {
    let report = content::load_dir(dir);
    let (webinars, webinar_errors) = crate::webinars::format::load_dir(dir);
    for error in report.errors.iter().chain(&webinar_errors) {
        println!("{error}");
    }
    let lessons: usize = report.courses.iter().map(|c| c.lessons.len()).sum();
    let quizzes: usize = report.courses.iter().map(|c| c.quizzes.len()).sum();
    let problems = report.errors.len() + webinar_errors.len();
    if problems == 0 {
        println!(
            "ok: {} courses, {lessons} lessons, {quizzes} quizzes, {} webinars in {}",
            report.courses.len(),
            webinars.len(),
            dir.display()
        );
        ExitCode::SUCCESS
    } else {
        println!(
            "{problems} problem(s) in {}; {} course(s) and {} webinar(s) passed",
            dir.display(),
            report.courses.len(),
            webinars.len()
        );
        ExitCode::FAILURE
    }
}

async fn serve(
    database_url: String,
    content_dir: std::path::PathBuf,
    key_dir: std::path::PathBuf,
    mail: crate::mail::MailSettings,
    args: ServeArgs,
) -> anyhow::Result<ExitCode> {
    // A rehearsal clock left in the environment stops the start before anything else.
    let clock = match args.rehearsal_clock(std::env::var("GRANDROUNDS_CLOCK").ok().as_deref()) {
        Ok(clock) => clock,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    // Bind first: a busy port fails before any work, and port 0 resolves to the real one.
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {}: {error}", args.listen))?;
    let local = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let settings = Settings {
        database_url,
        content_dir,
        site_root: args.site_root.clone(),
        public_url: public_url.clone(),
        provider: args.provider.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
        password_cost: crate::accounts::password::HashCost::Production,
        key_dir,
        import_content: !args.no_import,
        mail,
    };
    if let Some(at) = clock {
        crate::clock::start_rehearsal(at);
        tracing::warn!(
            "REHEARSAL CLOCK: the site's time starts at {at} and runs on from there (not today's date); every page shows a banner"
        );
    }
    let state = start(&settings).await?;
    crate::auth::spawn_session_cleanup(&state.pool, &state.sessions);
    crate::attendance::imports::spawn_preview_sweep(&state.pool);
    state.catalog.clone().watch(state.pool.clone());
    crate::mail::deliver::spawn_sender(state.pool.clone(), state.mail.clone());
    crate::webinars::reminders::spawn(state.pool.clone(), state.mail.clone());
    let app = build_router(state);
    tracing::info!("listening on http://{local}");
    println!("Grand Rounds is serving at http://{local} (public URL {public_url})");
    crate::serve::serve(
        listener,
        app,
        crate::serve::Limits::for_this_machine(),
        shutdown_signal(),
    )
    .await;
    tracing::info!("shut down cleanly");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests are then allowed to finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
