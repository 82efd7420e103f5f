//! One integration-test binary: every test drives the real router from `build_router` on a
//! fresh temporary database, without a socket.

mod access;
mod accounts;
mod audit;
mod certificates;
mod cli;
mod learning;
mod pages;
mod quizzes;
mod reports;
mod scale;
mod schema;
mod support;
mod transcript;
mod two_servers;
