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
    // The same page with a script that lists where its charts are, for --dump-dom.
    let probe = dir.path().join("probe.html");
    std::fs::write(&probe, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();

    let mut pages = Vec::new();
    for (page, charts) in [("overview", ["5", "9", "8"]), ("details", ["11", "6", "7"])] {
        let pixels = screenshot(&index, page, dir.path());
        let places = chart_places(&probe, page);
        let ids: Vec<&str> = places.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, charts, "the charts of #{page}");
        for place in &places {
            place.assert_drawn(&pixels, page);
        }
        pages.push(pixels);
    }
    assert_ne!(pages[0], pages[1], "the two pages look the same");
}

/// The size of the browser window, in CSS pixels (one screenshot pixel each).
const WINDOW: (usize, usize) = (1400, 2400);

/// Chromium's arguments for a headless, offline run in a window of [`WINDOW`].
fn chromium(profile: &Path) -> Command {
    let mut command = Command::new("chromium");
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--window-size={},{}", WINDOW.0, WINDOW.1))
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// Lists, once the page has drawn itself, the chart slots of the page shown, one line
/// each: id, left, top, width and height in CSS pixels.
const PROBE: &str = r##"<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var page = (location.hash || "#overview").slice(1);
    var slots = document.querySelectorAll('section[data-page="' + page + '"] [data-chart]');
    var lines = [];
    slots.forEach(function (slot) {
      var r = slot.getBoundingClientRect();
      lines.push([slot.dataset.chart, r.left, r.top, r.width, r.height].join(" "));
    });
    var pre = document.createElement("pre");
    pre.id = "chart-places";
    pre.textContent = lines.join("\n");
    document.body.appendChild(pre);
  }, 100);
});
</script>"##;

/// Where a chart is drawn on a page.
#[derive(Debug)]
struct Place {
    id: String,
    left: usize,
    top: usize,
    width: usize,
    height: usize,
}

impl Place {
    /// Checks that the chart lies within the screenshot and that its area holds a drawing:
    /// many colours, not a blank or one-colour box. (Each chart shows hundreds.)
    fn assert_drawn(&self, pixels: &[u8], page: &str) {
        assert!(
            self.width > 100 && self.height > 100,
            "chart {} of #{page} is {}x{}",
            self.id,
            self.width,
            self.height
        );
        assert!(
            self.left + self.width <= WINDOW.0 && self.top + self.height <= WINDOW.1,
            "chart {} of #{page} reaches past the screenshot: {self:?}",
            self.id
        );
        let mut colours: Vec<&[u8]> = (self.top..self.top + self.height)
            .flat_map(|y| {
                let row = (y * WINDOW.0 + self.left) * 4;
                pixels[row..row + self.width * 4].chunks(4)
            })
            .collect();
        colours.sort_unstable();
        colours.dedup();
        assert!(
            colours.len() > 50,
            "chart {} of #{page} shows only {} colours",
            self.id,
            colours.len()
        );
    }
}

/// The chart slots of `page`, read from the DOM of `probe` (the dashboard with [`PROBE`]).
fn chart_places(probe: &Path, page: &str) -> Vec<Place> {
    let profile = tempfile::tempdir().unwrap();
    let out = chromium(profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}#{page}", probe.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("<pre id=\"chart-places\">")
        .unwrap_or_else(|| panic!("the probe did not run on #{page}: {dom}"));
    let body = &dom[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</pre>").unwrap()];
    body.lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let number = |i: usize| fields[i].parse::<f64>().unwrap().round() as usize;
            Place {
                id: fields[0].to_owned(),
                left: number(1),
                top: number(2),
                width: number(3),
                height: number(4),
            }
        })
        .collect()
}

/// Screenshots `index#page`; returns its pixels as RGBA.
fn screenshot(index: &Path, page: &str, dir: &Path) -> Vec<u8> {
    let png = dir.join(format!("{page}.png"));
    let profile = tempfile::tempdir().unwrap();
    let status = chromium(profile.path())
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
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::ALPHA);
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    assert_eq!(
        (info.width as usize, info.height as usize),
        WINDOW,
        "#{page}"
    );
    assert_eq!(info.color_type, png::ColorType::Rgba, "#{page}");
    pixels
}
