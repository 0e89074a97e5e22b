//! A hostile HTTP server on loopback: answers every request with a JSON-looking body of a given
//! size (1 GiB, say), announced by `Content-Length` or streamed chunked, generated as it is sent.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub struct FloodServer {
    pub url: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl FloodServer {
    /// `size` bytes per answer; `announced` sends `Content-Length`, otherwise chunks.
    pub fn start(size: u64, announced: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, stopped) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let count = count.clone();
                let stopped = stopped.clone();
                std::thread::spawn(move || serve(stream, size, announced, &count, &stopped));
            }
        });
        Self {
            url,
            requests,
            stop,
        }
    }

    /// Requests answered (or being answered) so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for FloodServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn serve(stream: TcpStream, size: u64, announced: bool, count: &AtomicUsize, stop: &AtomicBool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        // One request: its head up to the blank line (bodies are small forms; skipped).
        let mut line = String::new();
        let mut content_length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                content_length = v.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0u8; content_length];
        if std::io::Read::read_exact(&mut reader, &mut body).is_err() {
            return;
        }
        count.fetch_add(1, Ordering::SeqCst);
        let head = if announced {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
            )
        } else {
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                .to_string()
        };
        if writer.write_all(head.as_bytes()).is_err() {
            return;
        }
        let piece = br#"{"organizations":[{"id":"x","name":"flood"}],"pad":"#.repeat(1024);
        let mut sent = 0u64;
        while sent < size {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            let n = piece.len().min((size - sent) as usize);
            let written = if announced {
                writer.write_all(&piece[..n])
            } else {
                write!(writer, "{n:x}\r\n")
                    .and_then(|()| writer.write_all(&piece[..n]))
                    .and_then(|()| writer.write_all(b"\r\n"))
            };
            if written.is_err() {
                return;
            }
            sent += n as u64;
        }
        if !announced && writer.write_all(b"0\r\n\r\n").is_err() {
            return;
        }
    }
}
