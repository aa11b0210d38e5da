//! The dashboard opens in a real browser, offline, and both of its pages show charts.

use std::path::Path;
use std::process::Command;

use flowcube_viz::{dashboard, DASHBOARD_TITLE};

/// Set to 1 to skip the browser part where Chromium cannot be installed.
const SKIP_BROWSER: &str = "FLOWCUBE_SKIP_BROWSER";

#[test]
fn the_dashboard_shows_both_pages_in_headless_chromium() {
    let html = dashboard(super::sample()).unwrap();

    // The page is whole: no address to fetch, both pages, every chart slot.
    assert!(html.contains(&format!("<title>{DASHBOARD_TITLE}</title>")));
    for page in ["overview", "details"] {
        assert!(html.contains(&format!("<section class=\"page\" data-page=\"{page}\">")));
    }
    for id in ["5", "9", "8", "11", "6", "7"] {
        assert!(html.contains(&format!("data-chart=\"{id}\"")), "chart {id}");
    }
    for fetch in ["src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(fetch), "the page fetches something: {fetch}");
    }

    if std::env::var(SKIP_BROWSER).as_deref() == Ok("1") {
        eprintln!("{SKIP_BROWSER}=1: not opening the dashboard in Chromium");
        return;
    }
    let has_chromium = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_chromium,
        "this test opens the dashboard in headless Chromium, which is not installed: \
         `apt-get install -y chromium` (Debian), or set {SKIP_BROWSER}=1 to skip this part"
    );

    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index.html");
    std::fs::write(&index, &html).unwrap();
    let overview = screenshot(&index, "overview", dir.path());
    let details = screenshot(&index, "details", dir.path());
    assert_ne!(overview, details, "the two pages look the same");
}

/// Screenshots `index#page` and checks the picture has something on it; returns its pixels.
fn screenshot(index: &Path, page: &str, dir: &Path) -> Vec<u8> {
    let png = dir.join(format!("{page}.png"));
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1400,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}#{page}", index.display()))
        .output()
        .expect("chromium runs");
    assert!(
        status.status.success(),
        "chromium failed on #{page}: {}",
        String::from_utf8_lossy(&status.stderr)
    );

    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot of #{page}: {e}"));
    assert!(!bytes.is_empty(), "the screenshot of #{page} is empty");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; decoder.output_buffer_size().unwrap()];
    let info = decoder.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    assert_eq!((info.width, info.height), (1400, 2400), "#{page}");

    // A blank or failed page is one colour; a drawn one has many.
    let channels = info.color_type.samples();
    let mut colours: Vec<&[u8]> = pixels.chunks(channels).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 50,
        "#{page} shows only {} colours",
        colours.len()
    );
    pixels
}
