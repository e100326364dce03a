/* Tables of report.html: search, sort, pages, and a row's detail one click away.
   Vanilla JS, no network; cells are written with textContent (never as markup). */
(function () {
  "use strict";
  var UI = JSON.parse(document.getElementById("report-strings").textContent);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? String(values[k]) : m; });
  }

  function initTable(root) {
    var data = JSON.parse(root.querySelector("script.table-data").textContent);
    var cols = data.columns, rows = data.rows, detail = data.detail, size = data.page_size;
    var tbody = root.querySelector("tbody"), search = root.querySelector("input.search");
    var count = root.querySelector(".count"), pageLabel = root.querySelector(".page");
    var prev = root.querySelector("button.prev"), next = root.querySelector("button.next");
    var heads = root.querySelectorAll("th[aria-sort]");
    var formats = cols.map(function (c) {
      return c.numeric ? new Intl.NumberFormat(data.locale, {minimumFractionDigits: c.decimals,
                                                             maximumFractionDigits: c.decimals}) : null;
    });
    var shown = rows.map(function (r) {
      return r.map(function (v, j) { return v === null ? "" : formats[j] ? formats[j].format(v) : String(v); });
    });
    var hay = shown.map(function (r, i) {
      return (r.join("\u0001") + "\u0001" + rows[i].join("\u0001") + (detail ? "\u0001" + detail[i] : "")).toLowerCase();
    });
    var view = rows.map(function (_, i) { return i; }), all = view.slice(), page = 0, open = {};
    var sortCol = -1, sortDir = 1;
    var collator = new Intl.Collator(data.locale, {numeric: true, sensitivity: "base"});

    function render() {
      var pages = Math.max(1, Math.ceil(view.length / size));
      page = Math.min(page, pages - 1);
      var frag = document.createDocumentFragment();
      view.slice(page * size, (page + 1) * size).forEach(function (i) {
        var tr = document.createElement("tr");
        tr.dataset.row = i;
        if (detail) {
          var td0 = document.createElement("td"), b = document.createElement("button");
          b.type = "button"; b.className = "expander"; b.textContent = open[i] ? "\u25BE" : "\u25B8";
          b.title = UI.show_detail; b.setAttribute("aria-label", UI.show_detail);
          b.setAttribute("aria-expanded", open[i] ? "true" : "false");
          b.addEventListener("click", function () { open[i] = !open[i]; render(); });
          td0.appendChild(b); tr.appendChild(td0);
        }
        shown[i].forEach(function (v, j) {
          var td = document.createElement("td");
          td.className = cols[j].numeric ? "num" : "txt";
          td.textContent = v;
          tr.appendChild(td);
        });
        frag.appendChild(tr);
        if (detail && open[i]) {
          var dr = document.createElement("tr"), dd = document.createElement("td");
          var text = document.createElement("div");
          dr.className = "detail"; dd.colSpan = cols.length + 1;
          text.className = "detail-text"; text.textContent = detail[i];
          dd.appendChild(text); dr.appendChild(dd); frag.appendChild(dr);
        }
      });
      tbody.replaceChildren(frag);
      count.textContent = fill(UI.rows, {shown: view.length, total: rows.length});
      pageLabel.textContent = fill(UI.page, {page: page + 1, pages: pages});
      prev.disabled = page === 0; next.disabled = page >= pages - 1;
    }

    function compare(a, b) {
      var x = rows[a][sortCol], y = rows[b][sortCol];
      var ex = x === null || x === "", ey = y === null || y === "";
      if (ex || ey) { return ex === ey ? a - b : (ex ? 1 : -1); }  /* empty cells last */
      var c = cols[sortCol].numeric ? x - y : collator.compare(String(x), String(y));
      return c !== 0 ? sortDir * c : a - b;
    }

    function apply() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      view = all.filter(function (i) { return words.every(function (w) { return hay[i].indexOf(w) >= 0; }); });
      if (sortCol >= 0) { view.sort(compare); }
      page = 0; render();
    }

    heads.forEach(function (th, j) {
      th.querySelector("button.sort").addEventListener("click", function () {
        sortDir = sortCol === j ? -sortDir : 1; sortCol = j;
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
        apply();
      });
    });
    search.addEventListener("input", apply);
    prev.addEventListener("click", function () { page -= 1; render(); });
    next.addEventListener("click", function () { page += 1; render(); });
    render();
  }

  document.querySelectorAll("[data-table]").forEach(initTable);
})();
