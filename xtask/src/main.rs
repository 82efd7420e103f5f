//! `cargo xtask site`: builds what `grandrounds serve` serves (the server binary, the islands'
//! wasm and its JavaScript, the stylesheet and the static files) the way cargo-leptos 0.3.10
//! does, so that the README's serve command needs neither cargo-leptos nor the wasm-bindgen
//! CLI, which took about 21 of a fresh 2-core machine's first 33 minutes to compile.
//! cargo-leptos stays the development tool (`cargo leptos watch`).
//!
//! This is the one place where the project writes what a tool already does, so it stays small
//! and follows cargo-leptos step for step (its `command/build.rs`), with the libraries and
//! versions cargo-leptos' own lock file pins:
//! 1. empty the site root, copy the assets folder into it;
//! 2. build the app crate for wasm32 (`--target-dir target/front`, its features, the
//!    `lib-profile-release` profile in release) and, at the same time, the server binary;
//! 3. wasm-bindgen's generator (`--target web`, TypeScript declarations on) into
//!    `<site>/pkg`, `<name>_bg.wasm` renamed `<name>.wasm`; in release binaryen's
//!    `wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int`;
//! 4. Lightning CSS: the style file minified for the `browserquery` targets, printed
//!    minified in release;
//! 5. every pkg file named `<stem>.<md5, base64url>.<ext>`, and `hash.txt` written next to
//!    the server binary (it tells the server the names);
//! 6. with `--release --precompress`, a `.gz` (libflate) and a `.br` (brotli, default
//!    settings) beside every file of the site.
//!
//! One deliberate difference in configuration, not in code: `js-minify = false` in
//! Cargo.toml (and `--js-minify false` on cargo-leptos' command line, whose default wins over
//! the file), because cargo-leptos minifies the glue JavaScript with swc, the compiler this
//! task exists to avoid. Both routes therefore write the glue as wasm-bindgen wrote it.
//!
//! Its cargo builds get RUSTFLAGS from the environment (plus `--cfg erase_components` where
//! cargo-leptos adds it); unlike cargo-leptos it does not merge `rustflags` from cargo's
//! config files, which this repository does not set.
//!
//! `cargo xtask compare [--release]` builds the site both ways and fails on any file whose
//! name or bytes differ, so the two routes cannot drift apart (the test command runs it).
//! The one difference it allows: the time of writing in each `.gz` file's header.

use anyhow::{Context, Result, bail, ensure};
use base64::Engine;
use clap::{Parser, Subcommand};
use md5::{Digest, Md5};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Instant;

#[derive(Parser)]
#[command(about = "Grand Rounds' build tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build the site into the site root (target/site) and the server binary.
    Site(Build),
    /// Build the site with this task and with cargo-leptos and compare every file's name and
    /// bytes (needs cargo-leptos 0.3.10 on PATH).
    Compare(Build),
}

#[derive(clap::Args, Clone, Copy)]
struct Build {
    /// Optimised build: the wasm with the `lib-profile-release` profile and wasm-opt, the
    /// server with `--release`, the stylesheet minified.
    #[arg(long)]
    release: bool,
    /// With --release: write `.gz` and `.br` copies of every site file.
    #[arg(long)]
    precompress: bool,
    /// Only the browser's files (wasm, JavaScript, stylesheet, assets); no server build.
    #[arg(long)]
    frontend_only: bool,
    /// With --release: the server with the workspace's `demo` profile (optimised less, so
    /// it compiles in far less time) into target/demo; the README's serve command uses it.
    /// The browser's files are the same as with --release alone.
    #[arg(long)]
    demo: bool,
}

impl Build {
    /// The server's cargo profile folder under target/.
    fn server_profile(self) -> &'static str {
        match (self.release, self.demo) {
            (true, true) => "demo",
            (true, false) => "release",
            (false, _) => "debug",
        }
    }
}

fn main() -> Result<()> {
    let settings = Settings::read()?;
    match Cli::parse().task {
        Task::Site(build) => site(&settings, build),
        Task::Compare(build) => compare(&settings, build),
    }
}

/// `[[workspace.metadata.leptos]]`: the keys this task reads, with cargo-leptos' meaning.
#[derive(Clone)]
struct Settings {
    root: PathBuf,
    name: String,
    bin_package: String,
    bin_target: String,
    bin_features: Vec<String>,
    bin_default_features: bool,
    lib_package: String,
    lib_features: Vec<String>,
    lib_default_features: bool,
    lib_profile_release: String,
    site_root: String,
    pkg_dir: String,
    style_file: String,
    assets_dir: String,
    site_addr: String,
    reload_port: String,
    browserquery: String,
    always_erase_components: bool,
    /// RUSTFLAGS from the environment, which the cargo builds inherit.
    rustflags: Option<String>,
}

impl Settings {
    fn read() -> Result<Settings> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask lives in a folder of the workspace")?
            .to_path_buf();
        let manifest: toml::Table = fs::read_to_string(root.join("Cargo.toml"))?.parse()?;
        let leptos = manifest
            .get("workspace")
            .and_then(|w| w.get("metadata"))
            .and_then(|m| m.get("leptos"))
            .and_then(|l| l.as_array())
            .and_then(|projects| projects.first())
            .and_then(|p| p.as_table())
            .context("Cargo.toml has no [[workspace.metadata.leptos]]")?;
        let text = |key: &str| -> Result<String> {
            leptos
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .with_context(|| format!("[[workspace.metadata.leptos]] has no {key}"))
        };
        let flag =
            |key: &str, default: bool| leptos.get(key).and_then(|v| v.as_bool()).unwrap_or(default);
        let list = |key: &str| -> Vec<String> {
            leptos
                .get(key)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        // What this task does not do is refused, rather than built differently.
        ensure!(
            flag("hash-files", false),
            "xtask builds only hash-files = true sites"
        );
        ensure!(
            !flag("js-minify", true),
            "js-minify must be false: cargo-leptos minifies with swc, which xtask does not have"
        );
        for key in [
            "tailwind-input-file",
            "tailwind-config-file",
            "bin-target-triple",
            "bin-target-dir",
            "bin-cargo-command",
            "lib-cargo-command",
            "lib-cargo-args",
            "bin-cargo-args",
            "bin-profile-release",
            "bin-profile-dev",
            "lib-profile-dev",
            "hash-file-name",
            "wasm-opt-features",
            "wasm-debug",
            "style-bundle",
            "disable-erase-components",
            "js-dir",
            "server-fn-prefix",
            "disable-server-fn-hash",
            "server-fn-mod-path",
            "split",
        ] {
            ensure!(
                leptos.get(key).is_none(),
                "xtask does not handle {key}: build with cargo-leptos, or teach xtask"
            );
        }
        // Every path below is under target/, as cargo-leptos' are by default.
        ensure!(
            std::env::var_os("CARGO_TARGET_DIR").is_none(),
            "xtask builds into target/: unset CARGO_TARGET_DIR"
        );
        let port = leptos
            .get("reload-port")
            .and_then(|v| v.as_integer())
            .unwrap_or(3001);
        Ok(Settings {
            name: text("name")?,
            bin_package: text("bin-package")?,
            bin_target: text("bin-target")?,
            bin_features: list("bin-features"),
            bin_default_features: flag("bin-default-features", true),
            lib_package: text("lib-package")?,
            lib_features: list("lib-features"),
            lib_default_features: flag("lib-default-features", true),
            lib_profile_release: text("lib-profile-release").unwrap_or_else(|_| "release".into()),
            site_root: text("site-root")?,
            pkg_dir: text("site-pkg-dir")?,
            style_file: text("style-file")?,
            assets_dir: text("assets-dir")?,
            site_addr: text("site-addr")?,
            reload_port: port.to_string(),
            browserquery: text("browserquery").unwrap_or_else(|_| "defaults".into()),
            always_erase_components: flag("always-erase-components", false),
            rustflags: std::env::var("RUSTFLAGS").ok(),
            root,
        })
    }

    fn site(&self) -> PathBuf {
        self.root.join(&self.site_root)
    }

    fn pkg(&self) -> PathBuf {
        self.site().join(&self.pkg_dir)
    }

    /// The server binary's folder, where `hash.txt` goes.
    fn bin_dir(&self, build: Build) -> PathBuf {
        self.root.join("target").join(build.server_profile())
    }

    /// The environment cargo-leptos gives both cargo builds (its `Project::to_envs`): Leptos
    /// reads some of these while compiling, so the same values keep the two routes' builds
    /// sharing one cache.
    fn envs(&self, release: bool) -> Vec<(&'static str, String)> {
        let mut envs = vec![
            ("LEPTOS_OUTPUT_NAME", self.name.clone()),
            ("LEPTOS_SITE_ROOT", self.site_root.clone()),
            ("LEPTOS_SITE_PKG_DIR", self.pkg_dir.clone()),
            ("LEPTOS_SITE_ADDR", self.site_addr.clone()),
            ("LEPTOS_RELOAD_PORT", self.reload_port.clone()),
            ("LEPTOS_LIB_DIR", self.lib_package.clone()),
            ("LEPTOS_BIN_DIR", self.bin_package.clone()),
            ("LEPTOS_JS_MINIFY", "false".into()),
            ("LEPTOS_HASH_FILES", "true".into()),
            ("LEPTOS_HASH_FILE_NAME", "hash.txt".into()),
        ];
        // Debug builds, and release builds with `always-erase-components`, erase component
        // types (far less to compile), as cargo-leptos does. cargo-leptos appends the flag to
        // RUSTFLAGS even when they already hold it; this task adds it only when missing, so a
        // test command that exports it shares one build between tests and site.
        let flags = self.rustflags.clone().unwrap_or_default();
        if (!release || self.always_erase_components) && !flags.contains("--cfg erase_components") {
            envs.push((
                "RUSTFLAGS",
                format!("{flags} --cfg erase_components").trim().to_owned(),
            ));
        } else {
            envs.push(("RUSTFLAGS", flags));
        }
        envs
    }

    fn cargo(&self, release: bool) -> Command {
        let mut cmd = plain_cargo();
        cmd.current_dir(&self.root).envs(self.envs(release));
        cmd
    }

    /// `cargo build` of the app crate for the browser, as cargo-leptos runs it.
    fn front_build(&self, release: bool) -> Result<Child> {
        let mut cmd = self.cargo(release);
        cmd.args(["build", "--locked", "--lib"])
            .arg(format!("--package={}", self.lib_package))
            .arg("--target-dir=target/front")
            .arg("--target=wasm32-unknown-unknown");
        features(&mut cmd, self.lib_default_features, &self.lib_features);
        if release {
            cmd.arg(format!("--profile={}", self.lib_profile_release));
        }
        cmd.spawn().context("starting cargo for the wasm build")
    }

    /// `cargo build` of the server binary, as cargo-leptos runs it.
    fn server_build(&self, build: Build) -> Result<Child> {
        let mut cmd = self.cargo(build.release);
        cmd.args(["build", "--locked"])
            .arg(format!("--package={}", self.bin_package))
            .arg(format!("--bin={}", self.bin_target));
        features(&mut cmd, self.bin_default_features, &self.bin_features);
        match build.server_profile() {
            "debug" => {}
            "release" => {
                cmd.arg("--release");
            }
            profile => {
                cmd.arg(format!("--profile={profile}"));
            }
        }
        cmd.spawn().context("starting cargo for the server build")
    }

    fn wasm_file(&self, release: bool) -> PathBuf {
        let profile = if release {
            self.lib_profile_release.as_str()
        } else {
            "debug"
        };
        self.root
            .join("target/front/wasm32-unknown-unknown")
            .join(profile)
            .join(format!("{}.wasm", self.lib_package.replace('-', "_")))
    }
}

/// Cargo, without the variables `cargo run` gave this task for its own package: build
/// scripts (ring's, for one) rebuild when these change, so the builds would not share the
/// cache with a plain `cargo build`, `cargo nextest` or cargo-leptos.
fn plain_cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || [
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "OUT_DIR",
            ]
            .contains(&name.as_ref())
        {
            cmd.env_remove(name.as_ref());
        }
    }
    cmd
}

/// A cargo build running beside this task: killed and waited for if this task stops first
/// (an error elsewhere), so no build is left holding the target folder.
struct Running(Option<Child>, &'static str);

impl Running {
    fn finish(mut self) -> Result<()> {
        let Some(mut child) = self.0.take() else {
            return Ok(());
        };
        let status = child.wait()?;
        ensure!(status.success(), "the {} build failed ({status})", self.1);
        Ok(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn features(cmd: &mut Command, default_features: bool, features: &[String]) {
    if !default_features {
        cmd.arg("--no-default-features");
    }
    if !features.is_empty() {
        cmd.arg(format!("--features={}", features.join(",")));
    }
}

fn site(settings: &Settings, build: Build) -> Result<()> {
    let started = Instant::now();
    ensure!(
        !build.precompress || build.release,
        "--precompress applies to --release builds only (as in cargo-leptos)"
    );
    ensure!(
        !build.demo || build.release,
        "--demo applies to --release builds only"
    );
    // The server build starts first (it is the longest) and runs beside the browser's files.
    // Either build is stopped if this task stops first (see `Running`).
    let server = if build.frontend_only {
        None
    } else {
        Some(Running(Some(settings.server_build(build)?), "server"))
    };
    let front = Running(Some(settings.front_build(build.release)?), "wasm");
    frontend(settings, build, front)?;
    if let Some(server) = server {
        server.finish()?;
    }
    say(&format!(
        "site built in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        settings.site().display()
    ));
    Ok(())
}

fn frontend(settings: &Settings, build: Build, front: Running) -> Result<()> {
    let site = settings.site();
    let pkg = settings.pkg();
    if site.exists() {
        empty_folder(&site)?;
    }
    fs::create_dir_all(&pkg)?;
    copy_folder(&settings.root.join(&settings.assets_dir), &site, &pkg)?;
    style(settings, build.release)?;
    front.finish()?;
    bindgen(settings, build.release)?;
    add_hashes(settings, build)?;
    if build.precompress {
        precompress(&site)?;
    }
    Ok(())
}

fn empty_folder(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            fs::remove_dir_all(&path)?;
        } else {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// cargo-leptos' asset mirror: everything but `index.html` and a folder named like pkg.
fn copy_folder(from: &Path, to: &Path, pkg: &Path) -> Result<()> {
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let source = entry.path();
        let dest = to.join(entry.file_name());
        if entry.file_name() == "index.html" || dest == pkg {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&dest)?;
            copy_folder(&source, &dest, pkg)?;
        } else {
            fs::copy(&source, &dest)?;
        }
    }
    Ok(())
}

fn style(settings: &Settings, release: bool) -> Result<()> {
    use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
    use lightningcss::targets::{Browsers, Targets};
    let source = settings.root.join(&settings.style_file);
    let css =
        fs::read_to_string(&source).with_context(|| format!("reading {}", source.display()))?;
    let browsers = Browsers::from_browserslist([settings.browserquery.as_str()])
        .map_err(|e| anyhow::anyhow!("browserquery {:?}: {e}", settings.browserquery))?;
    let targets = Targets::from(browsers);
    let options = ParserOptions {
        filename: source.display().to_string(),
        ..Default::default()
    };
    // cargo-leptos keeps the file as written when it does not parse; this task says why.
    let mut sheet = StyleSheet::parse(&css, options)
        .map_err(|e| anyhow::anyhow!("{}: {e}", settings.style_file))?;
    sheet
        .minify(MinifyOptions {
            targets,
            ..Default::default()
        })
        .map_err(|e| anyhow::anyhow!("{}: {e}", settings.style_file))?;
    let printed = sheet
        .to_css(PrinterOptions {
            targets,
            minify: release,
            ..Default::default()
        })
        .map_err(|e| anyhow::anyhow!("{}: {e}", settings.style_file))?;
    fs::write(
        settings.pkg().join(format!("{}.css", settings.name)),
        printed.code,
    )?;
    Ok(())
}

fn bindgen(settings: &Settings, release: bool) -> Result<()> {
    let pkg = settings.pkg();
    let input = settings.wasm_file(release);
    // The options the wasm-bindgen CLI passes its generator for `--target=web` with
    // `--out-name` and nothing else, which is how cargo-leptos runs it.
    #[allow(deprecated)]
    wasm_bindgen_cli_support::Bindgen::new()
        .web(true)?
        .input_path(&input)
        .debug(false)
        .demangle(true)
        .keep_lld_exports(false)
        .keep_debug(false)
        .split_debug_info(false)
        .remove_name_section(false)
        .remove_producers_section(false)
        .typescript(true)
        .omit_imports(false)
        .omit_default_module_path(false)
        .split_linked_modules(false)
        .js_string_builtins(false)
        .ts_typed_array_buffers(false)
        .reference_types(false)
        .reset_state_function(false)
        .force_enable_abort_handler(false)
        .out_name(&settings.name)
        .generate(&pkg)
        .with_context(|| format!("wasm-bindgen on {}", input.display()))?;
    let wasm = pkg.join(format!("{}.wasm", settings.name));
    fs::rename(pkg.join(format!("{}_bg.wasm", settings.name)), &wasm)?;
    if release {
        let status = Command::new("wasm-opt")
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
            ])
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm)
            .status()
            .context("running wasm-opt: install binaryen 132 from npm (bash .ci/serve does)")?;
        ensure!(status.success(), "wasm-opt failed ({status})");
    }
    Ok(())
}

/// cargo-leptos' `add_hashes_to_site`: every pkg file but wasm-bindgen's snippets gets its
/// MD5 (base64url, unpadded) in its name; the JavaScript's references to them (names
/// relative to the pkg folder) are rewritten.
fn add_hashes(settings: &Settings, build: Build) -> Result<()> {
    let pkg = settings.pkg();
    let css = pkg.join(format!("{}.css", settings.name));
    let mut hashes = BTreeMap::new();
    let mut stack = vec![pkg.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            let in_pkg = path.strip_prefix(&pkg)?.to_string_lossy().into_owned();
            if (extension == "css" && path != css) || in_pkg.contains("snippets") {
                continue;
            }
            hashes.insert(path.clone(), md5_name(&fs::read(&path)?));
        }
    }
    let mut renamed = BTreeMap::new();
    for (path, hash) in &hashes {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .context("file name")?;
        let extension = path
            .extension()
            .and_then(|s| s.to_str())
            .context("file extension")?;
        let new = path.with_file_name(format!("{stem}.{hash}.{extension}"));
        fs::rename(path, &new)?;
        renamed.insert(path.clone(), new);
    }
    let js = pkg.join(format!("{}.js", settings.name));
    let hashed_js = renamed
        .get(&js)
        .context("wasm-bindgen wrote no JavaScript")?;
    let mut text = fs::read_to_string(hashed_js)?;
    for (old, new) in &renamed {
        let old = old.strip_prefix(&pkg)?.to_string_lossy().into_owned();
        let new = new.strip_prefix(&pkg)?.to_string_lossy().into_owned();
        text = text.replace(&old, &new);
    }
    fs::write(hashed_js, text)?;
    let hash_of = |file: &Path| hashes.get(file).cloned().context("a pkg file is missing");
    let bin_dir = settings.bin_dir(build);
    fs::create_dir_all(&bin_dir)?;
    fs::write(
        bin_dir.join("hash.txt"),
        format!(
            "js: {}\nwasm: {}\ncss: {}\n",
            hash_of(&js)?,
            hash_of(&pkg.join(format!("{}.wasm", settings.name)))?,
            hash_of(&css)?
        ),
    )?;
    Ok(())
}

fn md5_name(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Md5::digest(bytes))
}

/// cargo-leptos' `compress_dir_all`: libflate gzip and brotli's default settings.
fn precompress(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        if name.ends_with(".gz") || name.ends_with(".br") {
            continue;
        }
        let bytes = fs::read(&path)?;
        let mut gzip = libflate::gzip::Encoder::new(Vec::new())?;
        gzip.write_all(&bytes)?;
        fs::write(format!("{name}.gz"), gzip.finish().into_result()?)?;
        let mut brotli = fs::File::create(format!("{name}.br"))?;
        brotli8::BrotliCompress(&mut bytes.as_slice(), &mut brotli, &Default::default())?;
    }
    Ok(())
}

/// Builds the site with this task, keeps it aside, builds it with cargo-leptos, and compares
/// every file under the site root and `hash.txt` by name and bytes.
fn compare(settings: &Settings, build: Build) -> Result<()> {
    // Both routes build without the caller's RUSTFLAGS: cargo-leptos would repeat an
    // `--cfg erase_components` they already hold, and so build with other flags.
    let settings = &Settings {
        rustflags: None,
        ..settings.clone()
    };
    let ours = settings.root.join("target/site-xtask");
    ensure!(
        !build.demo,
        "compare builds the server as cargo-leptos does: without --demo"
    );
    let hash_file = settings.bin_dir(build).join("hash.txt");
    site(settings, build)?;
    if ours.exists() {
        fs::remove_dir_all(&ours)?;
    }
    fs::rename(settings.site(), &ours)?;
    let our_hashes = fs::read_to_string(&hash_file)?;
    fs::remove_file(&hash_file)?;

    say("the same site with cargo-leptos");
    let mut cmd = plain_cargo();
    cmd.current_dir(&settings.root)
        .args(["leptos", "build"])
        .env_remove("RUSTFLAGS");
    if build.release {
        // cargo-leptos minifies release JavaScript unless told not to on its command line too.
        cmd.args(["--release", "--js-minify", "false"]);
    }
    if build.precompress {
        cmd.arg("--precompress");
    }
    if build.frontend_only {
        cmd.arg("--frontend-only");
    }
    let status = cmd
        .status()
        .context("running cargo leptos (install cargo-leptos 0.3.10)")?;
    ensure!(status.success(), "cargo leptos build failed ({status})");
    let theirs = settings.site();
    let their_hashes = fs::read_to_string(&hash_file)?;

    let mut problems = Vec::new();
    if our_hashes != their_hashes {
        problems.push(format!(
            "hash.txt differs:\n  xtask: {our_hashes:?}\n  cargo-leptos: {their_hashes:?}"
        ));
    }
    let our_files = files(&ours)?;
    let their_files = files(&theirs)?;
    for (name, bytes) in &their_files {
        match our_files.get(name) {
            None => problems.push(format!("{name}: written by cargo-leptos only")),
            Some(ours) if !same_bytes(name, ours, bytes) => problems.push(format!(
                "{name}: different bytes ({} from xtask, {} from cargo-leptos)",
                ours.len(),
                bytes.len()
            )),
            Some(_) => {}
        }
    }
    for name in our_files
        .keys()
        .filter(|name| !their_files.contains_key(*name))
    {
        problems.push(format!("{name}: written by xtask only"));
    }
    for (name, bytes) in &their_files {
        println!("{:>9} bytes  {name}", bytes.len());
    }
    if !problems.is_empty() {
        bail!("the two builds differ:\n{}", problems.join("\n"));
    }
    say(&format!(
        "xtask and cargo-leptos wrote the same {} files and the same hash.txt",
        their_files.len()
    ));
    Ok(())
}

/// The one documented difference: a gzip file's header holds the time it was written (MTIME,
/// bytes 4 to 7, RFC 1952), which libflate sets to the moment of writing in both routes.
fn same_bytes(name: &str, ours: &[u8], theirs: &[u8]) -> bool {
    if name.ends_with(".gz") && ours.len() == theirs.len() && ours.len() > 8 {
        return ours[..4] == theirs[..4] && ours[8..] == theirs[8..];
    }
    ours == theirs
}

/// Every file under `dir`, by its path relative to `dir`.
fn files(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir)?.to_string_lossy().into_owned();
                out.insert(name, fs::read(&path)?);
            }
        }
    }
    Ok(out)
}

fn say(message: &str) {
    eprintln!("\x1b[1m==> {message}\x1b[0m");
}
