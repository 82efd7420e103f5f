//! The migrations are embedded in the binary (`sqlx::migrate!`): a new or changed file in
//! `migrations/` must rebuild the server, which cargo does not notice on its own.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
