// Page tabs and quick filters. The address's fragment names the page and, optionally, the
// filters: #overview, #details, #overview?room=conference1&day=5. A quick filter shows the
// precomputed variant of each chart that matches the selected room and day.
(function () {
  var pages = Array.prototype.slice.call(document.querySelectorAll("section.page"));
  function parseHash() {
    var parts = (location.hash || "#overview").slice(1).split("?");
    var params = {};
    (parts[1] || "").split("&").forEach(function (pair) {
      var kv = pair.split("=");
      if (kv[0]) { params[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1] || ""); }
    });
    return { page: parts[0], params: params };
  }
  function applyFilters(page) {
    var room = page.querySelector("select[data-filter=room]").value;
    var day = page.querySelector("select[data-filter=day]").value;
    page.querySelectorAll(".variant").forEach(function (v) {
      v.hidden = !(v.dataset.room === room && v.dataset.day === day);
    });
  }
  function showPage() {
    var wanted = parseHash();
    var known = pages.some(function (p) { return p.dataset.page === wanted.page; });
    var current = known ? wanted.page : "overview";
    pages.forEach(function (page) {
      page.hidden = page.dataset.page !== current;
      if (page.dataset.page !== current) { return; }
      // Filters named in the address win over the page's current choice.
      ["room", "day"].forEach(function (name) {
        var select = page.querySelector("select[data-filter=" + name + "]");
        var value = wanted.params[name];
        if (value !== undefined && !select.disabled &&
            Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
          select.value = value;
        }
      });
      applyFilters(page);
    });
    document.querySelectorAll("nav a").forEach(function (a) {
      a.classList.toggle("active", a.dataset.page === current);
    });
  }
  pages.forEach(function (page) {
    page.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () { applyFilters(page); });
    });
    applyFilters(page);
  });
  window.addEventListener("hashchange", showPage);
  showPage();
})();
