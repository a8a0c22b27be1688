//! `ssl`: a TLS client and server on top of `ssl-core`, for trying the
//! library by hand and for interoperability tests with other
//! implementations.
//!
//! ```text
//! ssl server [--listen ADDR] [--cert PEM --key PEM]... [--www | --echo] ...
//! ssl client HOST:PORT [--servername NAME] [--cafile PEM | --insecure] ...
//! ssl scan HOST:PORT [--servername NAME]
//! ```
//!
//! Exit status: 0 on a clean close, 1 on a TLS or connection error, 2 on a
//! usage error.

mod args;
mod client;
mod info;
mod scan;
mod server;
mod starttls;
mod trace;
mod x509;

use args::Command;

fn main() {
    // Should a bug ever panic, say so in one line rather than a backtrace.
    std::panic::set_hook(Box::new(|p| {
        let msg = p
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".to_string());
        let at = p.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("ssl: internal error{at}: {msg}");
    }));
    let code = match args::parse(std::env::args_os().skip(1).collect()) {
        Ok(Command::Help(text)) => {
            print!("{text}");
            0
        }
        Ok(Command::Server(a)) => server::run(a),
        Ok(Command::Client(a)) => client::run(a),
        Ok(Command::Scan(a)) => scan::run(a),
        Err(e) => {
            eprintln!("ssl: {e}");
            2
        }
    };
    std::process::exit(code);
}
