//! Command-line parsing (no dependency).

use crate::state::Options;

/// `--help` text.
pub const USAGE: &str = "\
usage: rimp-mock [--host 127.0.0.1] [--port 8787] [--time-scale 1.0] [--seed 1] [--no-expose-headers]

  --host H             interface to bind (default 127.0.0.1)
  --port P             port to bind; 0 picks a free port (default 8787)
  --time-scale F       multiply every duration by F (0.01 = 100x faster; default 1.0)
  --seed N             seed for ids and pictures (default 1)
  --no-expose-headers  do not send Access-Control-Expose-Headers
  -h, --help           this text

Prints `rimp-mock listening on http://HOST:PORT` once listening. See mock/README.md.";

/// What the command line asks for.
#[derive(Debug, Clone)]
pub enum Command {
    /// Serve with these options.
    Run(Options),
    /// Print usage.
    Help,
}

/// Parses the arguments after the program name. Both `--flag value` and
/// `--flag=value` work.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut opts = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "-h" | "--help" => return Ok(Command::Help),
            "--host" => opts.host = value("--host")?,
            "--port" => {
                let v = value("--port")?;
                opts.port = v.parse().map_err(|_| format!("bad --port: {v}"))?;
            }
            "--time-scale" => {
                let v = value("--time-scale")?;
                let f: f64 = v.parse().map_err(|_| format!("bad --time-scale: {v}"))?;
                if !(f.is_finite() && (1e-6..=1e6).contains(&f)) {
                    return Err(format!(
                        "--time-scale must be between 0.000001 and 1000000 (got {v})"
                    ));
                }
                opts.time_scale = f;
            }
            "--seed" => {
                let v = value("--seed")?;
                opts.seed = v.parse().map_err(|_| format!("bad --seed: {v}"))?;
            }
            "--no-expose-headers" => {
                if inline.is_some() {
                    return Err("--no-expose-headers takes no value".into());
                }
                opts.expose_headers = false;
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Command::Run(opts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Options, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match parse(&args)? {
            Command::Run(o) => Ok(o),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn flags() {
        let o = run(&[]).unwrap();
        assert_eq!(
            (
                o.host.as_str(),
                o.port,
                o.time_scale,
                o.seed,
                o.expose_headers
            ),
            ("127.0.0.1", 8787, 1.0, 1, true)
        );
        let o = run(&[
            "--port",
            "0",
            "--time-scale=0.01",
            "--seed",
            "7",
            "--no-expose-headers",
            "--host",
            "0.0.0.0",
        ])
        .unwrap();
        assert_eq!(
            (
                o.host.as_str(),
                o.port,
                o.time_scale,
                o.seed,
                o.expose_headers
            ),
            ("0.0.0.0", 0, 0.01, 7, false)
        );
        for bad in [
            &["--port"][..],
            &["--port", "x"],
            &["--time-scale", "0"],
            &["--time-scale", "nan"],
            &["--bogus"],
            &["--seed", "-1"],
        ] {
            assert!(run(bad).is_err(), "{bad:?}");
        }
        assert_eq!(run(&["--help"]).unwrap_err(), "help");
    }
}
