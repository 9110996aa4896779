//! The fake carrier as a process, for the benchmark: prints its base URL, serves until killed.
fn main() {
    let workers = std::env::args().nth(1).and_then(|w| w.parse().ok()).unwrap_or(4);
    let carrier = e2e::FakeCarrier::start(workers);
    println!("{}", carrier.base);
    // Keep only the latest few records so a long benchmark does not grow memory.
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
        let mut received = carrier.received.lock().unwrap();
        let len = received.len();
        if len > 1000 {
            received.drain(..len - 100);
        }
    }
}
