//! Buffer mode (Pike's `set_buffer_mode`, listed as missing in its Notes):
//! the input buffer keeps what the read callback leaves, the output buffer
//! sends what the user adds, the write callback refills it, nothing is lost
//! at close, and back-pressure still holds.

mod common;
use common::*;
use mio::net::UnixStream;
use ssl_file::{Backend, CloseMode, SharedBuffer, SslFile};
use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(10);

/// A handshaken pair on `backend` (both nonblocking, no callbacks).
fn handshaken(pki: &Pki, backend: &Backend) -> (SslFile<UnixStream>, SslFile<UnixStream>) {
    let (client, server) = unix_pair(pki, backend);
    server.accept(&[]).unwrap();
    client.connect(Some("localhost"), None).unwrap();
    let mut buf = [0u8; 16];
    let mut rounds = 0;
    while !(client.is_handshake_complete() && server.is_handshake_complete()) {
        let _ = (&client).read(&mut buf);
        let _ = (&server).read(&mut buf);
        rounds += 1;
        assert!(rounds < 200, "handshake does not progress");
    }
    (client, server)
}

/// Reads in nonblocking mode until `n` bytes arrived (rotating `backend`).
fn read_n(file: &SslFile<UnixStream>, backend: &Backend, n: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65536];
    let ok = run_until(backend, LIMIT, || {
        loop {
            match (&*file).read(&mut buf) {
                Ok(0) => break,
                Ok(k) => got.extend_from_slice(&buf[..k]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => panic!("{e}"),
            }
        }
        got.len() >= n
    });
    assert!(ok, "only {} of {n} bytes arrived", got.len());
    got
}

#[test]
fn a_line_protocol_consumes_whole_lines_and_keeps_partial_ones() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = handshaken(&pki, &backend);
    let (input, output) = (SharedBuffer::new(), SharedBuffer::new());
    server.set_buffer_mode(Some(input.clone()), Some(output.clone())).unwrap();
    let (i, o) = server.query_buffer_mode();
    assert!(SharedBuffer::ptr_eq(&i.unwrap(), &input) && SharedBuffer::ptr_eq(&o.unwrap(), &output));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    server.set_buffer_read_callback(move |_f, buf| {
        // Only whole lines are taken; each is answered through the output buffer.
        while let Some(line) = buf.read_line() {
            output.add(b"> ");
            output.add(&line);
            s2.lock().unwrap().push(line);
        }
    });
    for piece in [&b"hel"[..], b"lo\nwor", b"ld\n", b"par"] {
        (&client).write_all(piece).unwrap();
        client.flush_output().unwrap();
        thread::sleep(Duration::from_millis(20));
        backend.run_once(Some(Duration::from_millis(20))).unwrap();
    }
    let answer = read_n(&client, &backend, 16);
    assert_eq!(answer, b"> hello\n> world\n");
    assert_eq!(*seen.lock().unwrap(), [b"hello\n".to_vec(), b"world\n".to_vec()]);
    // The partial line waits in the buffer; its end arrives later.
    assert_eq!(input.len(), 3);
    (&client).write_all(b"tial\n").unwrap();
    let answer = read_n(&client, &backend, 10);
    assert_eq!(answer, b"> partial\n");
    assert!(input.is_empty());
    // Back to normal mode: the plain read callback gets the data again.
    server.set_buffer_mode(None, None).unwrap();
    assert!(matches!(server.query_buffer_mode(), (None, None)));
    let plain = Arc::new(Mutex::new(Vec::new()));
    let p2 = plain.clone();
    server.set_read_callback(move |_f, d| p2.lock().unwrap().extend_from_slice(d));
    (&client).write_all(b"plain").unwrap();
    assert!(run_until(&backend, LIMIT, || plain.lock().unwrap().len() == 5));
    assert_eq!(*plain.lock().unwrap(), b"plain");
    // One buffer cannot be both sides.
    let both = SharedBuffer::new();
    let e = server.set_buffer_mode(Some(both.clone()), Some(both)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[test]
fn the_output_buffer_sends_what_is_added_and_the_write_callback_refills_it() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = handshaken(&pki, &backend);
    let output = SharedBuffer::new();
    server.set_buffer_mode(None, Some(output.clone())).unwrap();
    // Added outside any callback: more than the stream takes at once.
    let big = pattern(3 * 1024 * 1024 + 17, 5);
    output.add(&big);
    // The write callback is called with the drained buffer, three times, and
    // what it adds is sent (Pike's buffer-mode write path threw there).
    let refills = Arc::new(AtomicUsize::new(0));
    let r2 = refills.clone();
    server.set_buffer_write_callback(move |_f, buf| {
        assert!(buf.is_empty(), "called with a buffer that has not drained");
        let k = r2.fetch_add(1, Ordering::SeqCst);
        if k < 3 {
            buf.add(format!("refill {k};").as_bytes());
        }
    });
    let expected: Vec<u8> = [big.clone(), b"refill 0;refill 1;refill 2;".to_vec()].concat();
    let got = read_n(&client, &backend, expected.len());
    assert!(got == expected, "the output arrived changed ({} bytes)", got.len());
    assert!(run_until(&backend, LIMIT, || refills.load(Ordering::SeqCst) >= 4));
    // write() queues behind what is still in the output buffer.
    server.set_buffer_write_callback(|_f, _b| {});
    output.add(&pattern(200_000, 9));
    (&server).write_all(b"after").unwrap();
    let got = read_n(&client, &backend, 200_005);
    assert_eq!(&got[..200_000], &pattern(200_000, 9)[..]);
    assert_eq!(&got[200_000..], b"after");
}

#[test]
fn close_sends_the_output_buffer_first_and_the_reader_sees_everything_before_the_close_callback() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = handshaken(&pki, &backend);
    // The server leaves 1 MiB in its output buffer and closes at once.
    let output = SharedBuffer::new();
    server.set_buffer_mode(None, Some(output.clone())).unwrap();
    let data = pattern(1 << 20, 3);
    output.add(&data);
    server.close(CloseMode::Normal).unwrap();
    drop(server);
    // The client, in buffer mode, takes 1000-byte messages; the remainder
    // (576 bytes) stays in its buffer. The close callback comes after the
    // read callback saw the last data.
    let input = SharedBuffer::new();
    client.set_buffer_mode(Some(input.clone()), None).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let taken = Arc::new(Mutex::new(Vec::new()));
    let (e1, e2, t1) = (events.clone(), events.clone(), taken.clone());
    client.set_buffer_read_callback(move |_f, buf| {
        e1.lock().unwrap().push("read");
        while buf.len() >= 1000 {
            t1.lock().unwrap().extend(buf.read(1000));
        }
    });
    client.set_close_callback(move |_f, err| {
        assert!(err.is_none(), "{err:?}");
        e2.lock().unwrap().push("close");
    });
    assert!(run_until(&backend, LIMIT, || events.lock().unwrap().contains(&"close")));
    let ev = events.lock().unwrap().clone();
    assert_eq!(ev.last(), Some(&"close"));
    assert_eq!(ev.iter().filter(|e| **e == "close").count(), 1);
    let mut all = taken.lock().unwrap().clone();
    assert_eq!(all.len(), (1 << 20) / 1000 * 1000);
    assert_eq!(input.len(), (1 << 20) % 1000);
    all.extend(input.read_all());
    assert!(all == data, "data lost or reordered");
}

#[test]
fn a_callback_that_takes_nothing_does_not_make_the_input_buffer_grow_without_bound() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = handshaken(&pki, &backend);
    server.set_read_threshold(64 * 1024);
    let input = SharedBuffer::new();
    server.set_buffer_mode(Some(input.clone()), None).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    server.set_buffer_read_callback(move |_f, _buf| {
        c2.fetch_add(1, Ordering::SeqCst);
    });
    // The client writes 2 MiB from another thread (blocking), the server takes nothing.
    client.set_blocking().unwrap();
    let total = 2 << 20;
    let writer = {
        let client = client.clone();
        thread::spawn(move || (&client).write_all(&pattern(total, 1)))
    };
    assert!(run_until(&backend, LIMIT, || input.len() >= 64 * 1024));
    for _ in 0..30 {
        backend.run_once(Some(Duration::from_millis(10))).unwrap();
    }
    // Held to the threshold: what the input buffer holds plus what waits decrypted.
    let held = input.len() + server.buffered();
    assert!(held <= 4 * 64 * 1024 + 32 * 1024, "{held} bytes held by a reader that takes nothing");
    // Taking from the buffer (outside the callback) lets the data flow again.
    let mut got = Vec::new();
    let ok = run_until(&backend, Duration::from_secs(20), || {
        got.extend(input.read_all());
        got.len() >= total
    });
    assert!(ok, "stalled at {} bytes", got.len());
    assert!(got == pattern(total, 1), "data changed");
    writer.join().unwrap().unwrap();
    assert!(calls.load(Ordering::SeqCst) > 0);
}

#[test]
fn blocking_mode_with_buffers_reads_the_input_buffer_first_and_flush_waits_for_the_output_buffer() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = handshaken(&pki, &backend);
    let (input, output) = (SharedBuffer::new(), SharedBuffer::new());
    server.set_blocking().unwrap();
    client.set_blocking().unwrap();
    server.set_buffer_mode(Some(input.clone()), Some(output.clone())).unwrap();
    // Data the user left in the input buffer comes before newer data.
    input.add(b"earlier ");
    (&client).write_all(b"later").unwrap();
    let mut got = vec![0u8; 13];
    (&server).read_exact(&mut got).unwrap();
    assert_eq!(got, b"earlier later");
    // What is added to the output buffer reaches the client once flushed.
    let reader = {
        let client = client.clone();
        thread::spawn(move || {
            let mut got = vec![0u8; 500_000];
            (&client).read_exact(&mut got).map(|_| got)
        })
    };
    output.add(&pattern(500_000, 7));
    server.flush_output().unwrap();
    assert!(output.is_empty());
    assert!(reader.join().unwrap().unwrap() == pattern(500_000, 7));
}

#[test]
fn buffers_used_from_other_threads_while_the_backend_runs_do_not_deadlock() {
    // The backend runs in its own thread; one thread adds to the server's
    // output buffer, another takes from its input buffer, while the
    // callbacks use the same buffers on the backend thread.
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = handshaken(&pki, &backend);
    let (input, output) = (SharedBuffer::new(), SharedBuffer::new());
    server.set_buffer_mode(Some(input.clone()), Some(output.clone())).unwrap();
    let echoed = Arc::new(AtomicUsize::new(0));
    let (o2, e2) = (output.clone(), echoed.clone());
    // The callback takes half of what arrived and echoes it; the other thread takes the rest.
    server.set_buffer_read_callback(move |_f, buf| {
        let half = buf.read(buf.len() / 2);
        e2.fetch_add(half.len(), Ordering::SeqCst);
        o2.add(&half);
    });
    let runner = {
        let b = backend.clone();
        thread::spawn(move || b.run().unwrap())
    };
    client.set_blocking().unwrap();
    client.set_timeout(Some(Duration::from_secs(20)));
    let total_in = 400_000;
    let writer = {
        let client = client.clone();
        thread::spawn(move || (&client).write_all(&pattern(total_in, 2)))
    };
    let taker = {
        let input = input.clone();
        thread::spawn(move || {
            let mut taken = 0;
            let start = std::time::Instant::now();
            while start.elapsed() < Duration::from_secs(20) {
                taken += input.read(1000).len();
                thread::yield_now();
                if taken > 0 && input.is_empty() && start.elapsed() > Duration::from_secs(2) {
                    break;
                }
            }
            taken
        })
    };
    let adder = {
        let output = output.clone();
        thread::spawn(move || {
            for _ in 0..200 {
                output.add(&[b'+'; 500]);
                thread::sleep(Duration::from_millis(1));
            }
        })
    };
    adder.join().unwrap();
    writer.join().unwrap().unwrap();
    let taken = taker.join().unwrap();
    // Everything the client wrote ends up taken, echoed or still in the input buffer.
    let start = std::time::Instant::now();
    while taken + echoed.load(Ordering::SeqCst) + input.len() < total_in && start.elapsed() < LIMIT {
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(taken + echoed.load(Ordering::SeqCst) + input.len(), total_in, "input lost or duplicated");
    // And the client gets every byte added to the output buffer, from either thread.
    let expected = 200 * 500 + echoed.load(Ordering::SeqCst);
    let mut got = vec![0u8; expected];
    (&client).read_exact(&mut got).unwrap();
    assert!(got.iter().filter(|b| **b == b'+').count() >= 200 * 500);
    backend.stop();
    runner.join().unwrap();
}
