//! `rimp-mock [--host 127.0.0.1] [--port 8787] [--time-scale 1.0] [--seed 1] [--no-expose-headers]`

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match rimp_mock::cli::parse(&args) {
        Ok(rimp_mock::cli::Command::Run(opts)) => opts,
        Ok(rimp_mock::cli::Command::Help) => {
            let _ = writeln!(std::io::stdout(), "{}", rimp_mock::cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            let _ = writeln!(
                std::io::stderr(),
                "rimp-mock: {msg}\n\n{}",
                rimp_mock::cli::USAGE
            );
            return ExitCode::from(2);
        }
    };
    match rimp_mock::server::run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "rimp-mock: {e}");
            ExitCode::FAILURE
        }
    }
}
