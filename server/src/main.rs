//! The `grandrounds` binary: parses the command line and hands over to the library.

use clap::Parser;
use server::config::{Cli, Command, ContentCommand, ServeArgs};
use server::{Settings, build_router, content, db, start};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // A missing .env is normal; values already in the environment win.
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli
        .command
        .unwrap_or(Command::Serve(ServeArgs::default_from_env()?))
    {
        Command::Serve(args) => serve(cli.database_url, cli.content_dir, args).await,
        Command::Migrate => {
            let pool = db::connect(&cli.database_url).await?;
            db::migrate(&pool).await?;
            println!("database is up to date: {}", cli.database_url);
            Ok(ExitCode::SUCCESS)
        }
        Command::Content {
            action: ContentCommand::Check { dir },
        } => Ok(check(&dir.unwrap_or(cli.content_dir))),
    }
}

fn check(dir: &std::path::Path) -> ExitCode {
    let report = content::load_dir(dir);
    for error in &report.errors {
        println!("{error}");
    }
    let lessons: usize = report.courses.iter().map(|c| c.lessons.len()).sum();
    if report.errors.is_empty() {
        println!(
            "ok: {} courses, {lessons} lessons in {}",
            report.courses.len(),
            dir.display()
        );
        ExitCode::SUCCESS
    } else {
        println!(
            "{} problem(s) in {}; {} course(s) passed",
            report.errors.len(),
            dir.display(),
            report.courses.len()
        );
        ExitCode::FAILURE
    }
}

async fn serve(
    database_url: String,
    content_dir: std::path::PathBuf,
    args: ServeArgs,
) -> anyhow::Result<ExitCode> {
    let settings = Settings {
        database_url,
        content_dir,
        site_root: args.site_root.clone(),
    };
    let state = start(&settings).await?;
    let app = build_router(state);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {}: {error}", args.listen))?;
    let local = listener.local_addr()?;
    tracing::info!("listening on http://{local}");
    println!(
        "Grand Rounds is serving at http://{local} (public URL {})",
        args.public_url()
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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
