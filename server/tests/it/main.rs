//! One integration-test binary: every test drives the real router from `build_router` on a
//! fresh temporary database, without a socket.

mod access;
mod accounts;
mod attendance;
mod audit;
mod certificates;
mod cli;
mod faults;
mod learning;
mod mail;
mod pages;
mod quizzes;
mod recovery;
mod reports;
mod scale;
mod schema;
mod smtp;
mod studio;
mod support;
mod transcript;
mod two_servers;
mod webinar_calendar;
mod webinars;
