//! Test support: start `rimp-mock` on a free port and talk HTTP/1.1 to it over
//! a plain `TcpStream` (so tests can also send odd headers and huge bodies).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running mock, killed on drop.
pub struct Mock {
    pub child: Child,
    pub base: String,
    pub addr: String,
}

impl Mock {
    /// `rimp-mock --port 0 <args>`.
    pub fn start(args: &[&str]) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rimp-mock"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn rimp-mock");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("rimp-mock listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        let addr = base.strip_prefix("http://").unwrap().to_owned();
        Mock { child, base, addr }
    }

    /// Fast clocks: `--time-scale 0.01`.
    pub fn fast() -> Mock {
        Mock::start(&["--time-scale", "0.01"])
    }

    /// Real-time clock (scale 1), for tests that step the clock by hand.
    pub fn slow() -> Mock {
        Mock::start(&["--time-scale", "1"])
    }

    /// Any request; `None` when the server closed the connection without an answer.
    pub fn try_req(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Option<Resp> {
        let mut raw = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        )
        .into_bytes();
        for (n, v) in headers {
            raw.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
        }
        if let Some(b) = body {
            raw.extend_from_slice(format!("Content-Length: {}\r\n", b.len()).as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        if let Some(b) = body {
            raw.extend_from_slice(b);
        }
        raw_exchange(&self.addr, &raw)
    }

    /// Any request that must be answered.
    pub fn req(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        self.try_req(method, path, headers, body)
            .unwrap_or_else(|| panic!("{method} {path}: connection dropped"))
    }

    /// GET with a key.
    pub fn get(&self, path: &str, key: &str) -> Resp {
        let auth = format!("Bearer {key}");
        self.req("GET", path, &[("Authorization", &auth)], None)
    }

    /// POST a JSON body with a key (and optionally an Idempotency-Key).
    pub fn post(&self, path: &str, key: &str, body: &str, idem: Option<&str>) -> Resp {
        self.try_post(path, key, body, idem)
            .unwrap_or_else(|| panic!("POST {path}: connection dropped"))
    }

    /// POST that may be dropped.
    pub fn try_post(&self, path: &str, key: &str, body: &str, idem: Option<&str>) -> Option<Resp> {
        let auth = format!("Bearer {key}");
        let mut h = vec![
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        if let Some(k) = idem {
            h.push(("Idempotency-Key", k));
        }
        self.try_req("POST", path, &h, Some(body.as_bytes()))
    }

    /// A control call (`/__mock/...`) with a JSON body (or none).
    pub fn control(&self, method: &str, path: &str, body: Option<&str>) -> Value {
        let r = self.req(
            method,
            path,
            &[("Content-Type", "application/json")],
            body.map(str::as_bytes),
        );
        assert!(
            r.status < 300,
            "{method} {path} -> {} {}",
            r.status,
            r.text()
        );
        r.json()
    }

    pub fn fault(&self, spec: &str) -> String {
        self.control("POST", "/__mock/faults", Some(spec))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn ledger(&self) -> Value {
        self.control("GET", "/__mock/ledger", None)
    }

    pub fn config(&self, body: &str) -> Value {
        self.control("POST", "/__mock/config", Some(body))
    }

    pub fn advance(&self, ms: u64) {
        self.control(
            "POST",
            "/__mock/clock/advance",
            Some(&format!("{{\"ms\": {ms}}}")),
        );
    }

    /// Polls a generation until it is terminal (real-time bounded).
    pub fn wait_gen(&self, id: &str, key: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let g = self.get(&format!("/v1/generations/{id}"), key).json();
            let s = g["status"].as_str().unwrap().to_owned();
            if ["succeeded", "failed", "canceled"].contains(&s.as_str()) {
                return g;
            }
            assert!(Instant::now() < deadline, "generation {id} stuck in {s}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls a comparison until it is terminal.
    pub fn wait_cmp(&self, id: &str, key: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let c = self.get(&format!("/v1/comparisons/{id}"), key).json();
            let s = c["status"].as_str().unwrap().to_owned();
            if ["succeeded", "failed", "partial"].contains(&s.as_str()) {
                return c;
            }
            assert!(Instant::now() < deadline, "comparison {id} stuck in {s}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A parsed HTTP response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Asserts an error envelope with this status and code; returns `error`.
    pub fn expect_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        let v = self.json();
        let e = v["error"].clone();
        assert_eq!(e["code"], code, "body: {}", self.text());
        assert!(e["type"].is_string() && e["message"].is_string(), "{e}");
        let rid = self.header("x-request-id").expect("X-Request-Id");
        assert!(rid.starts_with("req_"));
        assert_eq!(e["request_id"], rid);
        e
    }
}

/// Sends raw bytes, reads until close. `None` if the server closed without an answer.
pub fn raw_exchange(addr: &str, raw: &[u8]) -> Option<Resp> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    // The server may answer (413) and close before reading everything.
    let _ = s.write_all(raw);
    let _ = s.flush();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    if buf.is_empty() {
        return None;
    }
    Some(parse_response(&buf))
}

fn parse_response(buf: &[u8]) -> Resp {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap().trim(), 16)
                .unwrap();
            rest = &rest[nl + 2..];
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body = out;
    } else if let Some((_, len)) = headers.iter().find(|(n, _)| n == "content-length") {
        body.truncate(len.parse().unwrap());
    }
    Resp {
        status,
        headers,
        body,
    }
}

/// The width and height in a PNG's IHDR, after checking the signature.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    (
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
    )
}

/// Path part of an absolute URL served by the mock.
pub fn path_of(url: &str, mock: &Mock) -> String {
    url.strip_prefix(&mock.base)
        .unwrap_or_else(|| panic!("{url} is not served by {}", mock.base))
        .to_owned()
}
