// imagesweep report: the device table (sort, filter) and one device's details.
// Device text only ever reaches the page through textContent, never as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("imagesweep-data").textContent);
  var devices = data.devices;
  var SEV = { critical: 0, high: 1, medium: 2, low: 3, info: 4, "": 5 };
  var STATUS = { findings: 0, incomplete: 1, clean: 2 };
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var tbody = document.querySelector("#devices tbody");
  var filter = document.getElementById("filter");
  var statusFilter = document.getElementById("status-filter");
  var sevFilter = document.getElementById("severity-filter");
  var shown = document.getElementById("shown");
  var detail = document.getElementById("detail");
  var sortKey = "k";
  var sortDir = 1;
  var columns = ["h", "p", "n", "v", "s", "i", "x", "c", "r"];

  devices.forEach(function (d) {
    d.hay = [d.h, d.a, d.p, d.n, d.v, d.s, d.i, d.x, d.r, d.m].join(" ").toLowerCase();
  });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function badge(value) {
    var b = el("span", value, "b");
    if (value) b.classList.add("b-" + value.replace(/[^a-z-]/g, ""));
    return b;
  }
  function compare(a, b) {
    var x = a[sortKey], y = b[sortKey], r;
    if (sortKey === "x") r = SEV[x] - SEV[y];
    else if (sortKey === "s") r = STATUS[x] - STATUS[y];
    else if (typeof x === "number") r = x - y;
    else r = collator.compare(x, y);
    return (r || a.k - b.k) * sortDir;
  }
  function render() {
    var q = filter.value.trim().toLowerCase();
    var st = statusFilter.value, sv = sevFilter.value;
    var rows = devices.filter(function (d) {
      if (st && d.s !== st) return false;
      if (sv && (d.x || "none") !== sv) return false;
      return !q || d.hay.indexOf(q) >= 0;
    });
    rows.sort(compare);
    var frag = document.createDocumentFragment();
    rows.forEach(function (d) {
      var tr = document.createElement("tr");
      tr.dataset.k = d.k;
      columns.forEach(function (key) {
        var td = document.createElement("td");
        if (key === "s" || key === "i" || key === "x") td.appendChild(badge(d[key]));
        else td.textContent = String(d[key]);
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    });
    tbody.replaceChildren(frag);
    shown.textContent = rows.length + " of " + devices.length + " devices";
  }
  // Raw outputs are gzip+base64 in the page: the browser's own DecompressionStream opens them.
  function inflate(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }
  function section(title) {
    var s = document.createElement("div");
    s.appendChild(el("h3", title));
    detail.appendChild(s);
    return s;
  }
  function show(k) {
    var d = devices[k];
    if (!d) return;
    Array.prototype.forEach.call(tbody.querySelectorAll("tr.sel"), function (r) {
      r.classList.remove("sel");
    });
    var row = tbody.querySelector('tr[data-k="' + k + '"]');
    if (row) row.classList.add("sel");
    detail.replaceChildren();
    detail.hidden = false;
    detail.dataset.host = d.h;
    delete detail.dataset.raw;
    detail.appendChild(el("h2", d.h));
    var dl = document.createElement("dl");
    [["address", d.a], ["platform", d.p], ["hostname", d.n], ["model", d.m], ["serial", d.sn],
     ["release", d.v], ["running image", d.ri], ["boot", d.b], ["verdict", d.s],
     ["integrity", d.i], ["hash status", d.hs], ["audited at", d.t], ["error", d.e]]
      .forEach(function (p) {
        if (!p[1]) return;
        dl.appendChild(el("dt", p[0]));
        dl.appendChild(el("dd", p[1]));
      });
    detail.appendChild(dl);
    var fs = section("Findings (" + d.f.length + ")");
    d.f.forEach(function (f) {
      var box = el("div", null, "finding sev-" + f[1]);
      var head = document.createElement("p");
      head.appendChild(badge(f[1]));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("strong", f[0], "rule"));
      if (f[3]) head.appendChild(document.createTextNode(" (" + f[3] + ")"));
      head.appendChild(document.createTextNode(": "));
      head.appendChild(el("span", f[2], "summary"));
      box.appendChild(head);
      var ul = el("ul", null, "evidence");
      f[4].forEach(function (line) { ul.appendChild(el("li", line)); });
      box.appendChild(ul);
      var rec = f[5] || data.rec[f[0]];
      if (rec) box.appendChild(el("p", rec, "recommendation"));
      fs.appendChild(box);
    });
    if (d.gap.length) {
      var gs = section("Audit gaps");
      var gl = document.createElement("ul");
      d.gap.forEach(function (g) { gl.appendChild(el("li", g[0] + ": " + g[1])); });
      gs.appendChild(gl);
    }
    var is = section("Images (" + d.g.length + ")");
    if (d.g.length) {
      var t = el("table", null, "small images");
      var hr = document.createElement("tr");
      ["path", "size", "running", "boot", "md5", "sha512", "known-good", "verdict"]
        .forEach(function (h) { hr.appendChild(el("th", h)); });
      t.appendChild(hr);
      d.g.forEach(function (g) {
        var tr = document.createElement("tr");
        tr.appendChild(el("td", g[0], "mono"));
        tr.appendChild(el("td", g[1] === null ? "" : g[1]));
        tr.appendChild(el("td", g[2] ? "yes" : ""));
        tr.appendChild(el("td", g[3] ? "yes" : ""));
        tr.appendChild(el("td", g[4], "mono"));
        tr.appendChild(el("td", g[5] ? g[5].slice(0, 32) + "\u2026" : "", "mono"));
        tr.appendChild(el("td", g[6]));
        var v = document.createElement("td");
        v.appendChild(badge(g[7]));
        tr.appendChild(v);
        t.appendChild(tr);
      });
      is.appendChild(t);
    }
    var rs = section("Raw outputs");
    if (d.o === null) {
      var p = el("p", "Not embedded (the page's raw-output budget was spent on worse devices): ");
      var a = el("a", d.rd);
      a.href = d.rd.split("/").map(encodeURIComponent).join("/");
      p.appendChild(a);
      rs.appendChild(p);
    } else {
      inflate(d.o).then(function (outputs) {
        if (detail.dataset.host !== d.h) return;  // another device was chosen meanwhile
        outputs.forEach(function (o) {
          var det = document.createElement("details");
          det.appendChild(el("summary", o[0], "mono"));
          det.appendChild(el("pre", o[1]));
          rs.appendChild(det);
        });
        detail.dataset.raw = "ready";
      }, function (e) {
        rs.appendChild(el("p", "Raw outputs unreadable: " + e));
      });
    }
    detail.scrollIntoView();
  }
  document.querySelectorAll("#devices th").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.dataset.key;
      if (sortKey === key) sortDir = -sortDir; else { sortKey = key; sortDir = 1; }
      document.querySelectorAll("#devices th").forEach(function (o) {
        o.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      render();
    });
  });
  tbody.addEventListener("click", function (ev) {
    var tr = ev.target.closest("tr");
    if (tr) location.hash = "device-" + tr.dataset.k;
  });
  window.addEventListener("hashchange", function () {
    var m = /^#device-(\d+)$/.exec(location.hash);
    if (m) show(Number(m[1]));
  });
  [filter, statusFilter, sevFilter].forEach(function (c) { c.addEventListener("input", render); });
  render();
  var m = /^#device-(\d+)$/.exec(location.hash);
  if (m) show(Number(m[1]));
  document.body.dataset.ready = String(Math.round(performance.now()));
})();
