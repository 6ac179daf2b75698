(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ledger-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var DAY = 86400000;
  var KINDS = data.kinds;
  var STATUSES = data.statuses;
  var SUPPORTS = { claimed: true, confirmed: true };
  var ROW_H = 58, PIN_Y = 9, SUP_Y = 20, BAND_Y = 28, BAND_H = 12, OPP_Y = 49;
  var BREAK = 14, BUCKET = 9, LISTED = 12;
  var segs = data.segments;
  var domEnd = segs[segs.length - 1][1];
  var bandEnd = Math.min(data.cutoff, domEnd);
  var rows = data.rows.map(prepare);
  var state = { day: null, page: 0, shown: rows, width: 0, pinned: null };
  var $ = function (id) { return document.getElementById(id); };
  var dateBox = $("cursor-date"), range = $("cursor-range"), details = $("details");

  function prepare(row, index) {
    var marks = row.m.map(function (m) {
      return {
        t: m[0], kind: KINDS[m[1]], source: data.sources[m[2]],
        reported: m[3] === null ? iso(m[0]) : m[3],
        occurred: m[4], occurredAt: m[5], quote: m[6], link: m[7], url: m[8],
        struck: m[9], id: m[10]
      };
    });
    var text = [row.k, row.s || "", row.q || ""].concat(
      marks.map(function (m) { return m.source; })).join("\n").toLowerCase();
    return {
      index: index, key: row.k, statement: row.s, question: row.q, marks: marks,
      periods: row.p.map(function (p) { return { t: p[0], status: STATUSES[p[1]] }; }),
      text: text
    };
  }

  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function dayOf(text) {
    var m = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text);
    if (!m) { return null; }
    var ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    return iso(ms) === m[1] + "-" + m[2] + "-" + m[3] ? ms : null;
  }
  // "Believed on D" means by the end of day D, UTC (PRODUCT.md, three clocks).
  function endOf(day) { return day + DAY - 1; }

  function statusAt(row, instant) {
    var found = null;
    for (var i = 0; i < row.periods.length && row.periods[i].t <= instant; i++) {
      found = row.periods[i];
    }
    return found;
  }

  function html(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs) { node.setAttribute(name, attrs[name]); }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var name in attrs) { node.setAttribute(name, attrs[name]); }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function chip(status) {
    return html("span", { "class": "chip", "data-status": status }, status);
  }
  function isWebLink(url) { return typeof url === "string" && /^https?:\/\//i.test(url); }

  // -- the axis: stretches of time side by side, long empty gaps folded out -----
  function scale(width) {
    var total = 0;
    segs.forEach(function (s) { total += s[1] - s[0]; });
    var weights = segs.map(function (s) { return Math.max(s[1] - s[0], total * 0.2); });
    var sum = weights.reduce(function (a, b) { return a + b; }, 0);
    var avail = Math.max(width - BREAK * (segs.length - 1), 10);
    var parts = [], offset = 0;
    segs.forEach(function (s, i) {
      var px = avail * weights[i] / sum;
      parts.push({ a: s[0], b: s[1], x0: offset, x1: offset + px });
      offset += px + BREAK;
    });
    function x(t) {
      for (var i = 0; i < parts.length; i++) {
        var p = parts[i];
        if (t < p.a) { return i === 0 ? p.x0 : p.x0 - BREAK / 2; }
        if (t <= p.b) { return p.x0 + (t - p.a) / (p.b - p.a) * (p.x1 - p.x0); }
      }
      return parts[parts.length - 1].x1;
    }
    function invert(px) {
      for (var i = 0; i < parts.length; i++) {
        var p = parts[i];
        if (px <= p.x1 || i === parts.length - 1) {
          if (px < p.x0) { return i === 0 ? p.a : (px < p.x0 - BREAK / 2 ? parts[i - 1].b : p.a); }
          return p.a + Math.min(1, (px - p.x0) / (p.x1 - p.x0)) * (p.b - p.a);
        }
      }
      return parts[parts.length - 1].b;
    }
    return { x: x, invert: invert, parts: parts, width: width };
  }

  var STEPS = [
    [1, "d"], [2, "d"], [7, "d"], [14, "d"], [1, "m"], [2, "m"], [3, "m"], [6, "m"],
    [1, "y"], [2, "y"], [5, "y"], [10, "y"], [25, "y"], [50, "y"]
  ];
  function ticks(part) {
    var perMs = (part.x1 - part.x0) / (part.b - part.a);
    for (var s = 0; s < STEPS.length; s++) {
      var n = STEPS[s][0], unit = STEPS[s][1];
      var label = unit === "d" ? 78 : unit === "m" ? 60 : 40;
      var approx = n * (unit === "d" ? DAY : unit === "m" ? 30.44 * DAY : 365.25 * DAY);
      if (approx * perMs >= label) { return tickTimes(part, n, unit); }
    }
    return [];
  }
  function tickTimes(part, n, unit) {
    var d = new Date(part.a), out = [];
    var y = d.getUTCFullYear(), m = d.getUTCMonth(), day = d.getUTCDate();
    var t;
    if (unit === "d") {
      t = Date.UTC(y, m, day + 1);
      t += ((n - (Math.floor(t / DAY) % n)) % n) * DAY;
      for (; t <= part.b; t += n * DAY) { out.push([t, iso(t)]); }
    } else if (unit === "m") {
      var month = m + 1;
      month += (n - (month % n)) % n;
      for (t = Date.UTC(y, month, 1); t <= part.b; month += n, t = Date.UTC(y, month, 1)) {
        out.push([t, iso(t).slice(0, 7)]);
      }
    } else {
      var year = y + 1;
      year += (n - (year % n)) % n;
      for (t = Date.UTC(year, 0, 1); t <= part.b; year += n, t = Date.UTC(year, 0, 1)) {
        out.push([t, String(year)]);
      }
    }
    return out;
  }

  function drawAxis(sc) {
    var axis = $("axis");
    axis.textContent = "";
    axis.setAttribute("width", sc.width);
    axis.setAttribute("height", 30);
    sc.parts.forEach(function (part, i) {
      axis.appendChild(svg("line", { x1: part.x0, x2: part.x1, y1: 22, y2: 22, "class": "axis-line" }));
      ticks(part).forEach(function (tick) {
        var x = sc.x(tick[0]);
        axis.appendChild(svg("line", { x1: x, x2: x, y1: 18, y2: 22, "class": "tick" }));
        var anchor = x < 30 ? "start" : x > sc.width - 30 ? "end" : "middle";
        axis.appendChild(svg("text", { x: x, y: 13, "text-anchor": anchor, "class": "tick-label" }, tick[1]));
      });
      if (i > 0) {
        var bx = part.x0 - BREAK / 2;
        axis.appendChild(svg("path", {
          d: "M" + (bx - 4) + " 27 L" + (bx) + " 17 M" + (bx) + " 27 L" + (bx + 4) + " 17",
          "class": "fold"
        })).appendChild(svg("title", {}, "time folded: " + iso(sc.parts[i - 1].b) + " to " + iso(part.a)));
      }
    });
    var cursor = svg("g", { id: "axis-cursor" });
    cursor.appendChild(svg("line", { x1: 0, x2: 0, y1: 0, y2: 30, "class": "cursor" }));
    axis.appendChild(cursor);
  }

  // -- one proposition ----------------------------------------------------------
  function renderRow(row, sc) {
    var node = html("div", { "class": "row", "data-key": row.key });
    var label = html("div", { "class": "label" });
    label.appendChild(html("div", { "class": "statement" }, row.statement || row.key));
    label.appendChild(html("div", { "class": "key" }, row.key));
    label.appendChild(html("div", { "class": "now" }));
    node.appendChild(label);
    var track = html("div", { "class": "track" });
    var pic = svg("svg", { width: sc.width, height: ROW_H, "class": "lane", role: "group",
      "aria-label": "Reports about " + row.key });
    pic.appendChild(svg("line", { x1: 0, x2: sc.width, y1: BAND_Y + BAND_H / 2, y2: BAND_Y + BAND_H / 2, "class": "baseline" }));
    sc.parts.slice(1).forEach(function (part) {
      pic.appendChild(svg("rect", { x: part.x0 - BREAK + 2, y: 0, width: BREAK - 4, height: ROW_H, "class": "fold-gap" }));
    });
    drawBands(pic, row, sc);
    drawHappened(pic, row, sc);
    drawMarks(pic, row, sc);
    // What was not yet known on the cursor's date is veiled, not hidden.
    pic.appendChild(svg("rect", { x: 0, y: 0, width: 0, height: ROW_H, "class": "future" }));
    pic.appendChild(svg("line", { x1: 0, x2: 0, y1: 0, y2: ROW_H, "class": "cursor" }));
    track.appendChild(pic);
    node.appendChild(track);
    return node;
  }

  function drawBands(pic, row, sc) {
    row.periods.forEach(function (period, i) {
      var end = i + 1 < row.periods.length ? row.periods[i + 1].t : bandEnd;
      var widest = null;
      sc.parts.forEach(function (part) {
        var a = Math.max(period.t, part.a), b = Math.min(end, part.b);
        if (b < a) { return; }
        var x0 = sc.x(a), x1 = Math.max(sc.x(b), x0 + 2);
        var rect = svg("rect", {
          x: x0, y: BAND_Y, width: x1 - x0, height: BAND_H, "class": "band",
          "data-status": period.status, fill: "url(#pattern-" + period.status + ")"
        });
        rect.appendChild(svg("title", {}, period.status + " from " + iso(period.t) +
          (i + 1 < row.periods.length ? " to " + iso(end) : "")));
        pic.appendChild(rect);
        if (!widest || x1 - x0 > widest[1] - widest[0]) { widest = [x0, x1]; }
      });
      if (widest && widest[1] - widest[0] > period.status.length * 6.5 + 8) {
        pic.appendChild(svg("text", { x: (widest[0] + widest[1]) / 2, y: BAND_Y + BAND_H - 2.5,
          "text-anchor": "middle", "class": "band-label", "aria-hidden": "true" }, period.status));
      }
    });
  }

  function drawHappened(pic, row, sc) {
    var seen = {};
    row.marks.forEach(function (m) {
      if (m.occurredAt === null) { return; }
      var pin = seen[m.occurredAt];
      if (!pin) { pin = seen[m.occurredAt] = { at: m.occurredAt, text: m.occurred, marks: [] }; }
      pin.marks.push(m);
    });
    // Pins closer than a few pixels are drawn as one, so a row stays light.
    var pins = [];
    Object.keys(seen).map(function (k) { return seen[k]; })
      .sort(function (a, b) { return a.at - b.at; })
      .forEach(function (pin) {
        var last = pins[pins.length - 1];
        if (last && sc.x(pin.at) - sc.x(last.at) < 4) {
          last.marks = last.marks.concat(pin.marks);
        } else { pins.push(pin); }
      });
    pins.forEach(function (pin) {
      pin.marks.sort(function (a, b) { return a.t - b.t; });
      var first = pin.marks[0];
      var xo = sc.x(pin.at), xr = sc.x(first.t);
      var days = Math.round((first.t - pin.at) / DAY);
      var g = svg("g", { "class": "happened", tabindex: "0", role: "button",
        "aria-label": "happened " + pin.text + ", first reported " + first.reported });
      g.appendChild(svg("line", { x1: xo, x2: xr, y1: PIN_Y, y2: PIN_Y, "class": "gap" }));
      g.appendChild(svg("path", { d: "M" + xo + " " + (PIN_Y - 5) + " l4 5 l-4 5 l-4 -5 z", "class": "pin" }));
      if (Math.abs(xr - xo) > 34) {
        g.appendChild(svg("text", { x: (xo + xr) / 2, y: PIN_Y - 2, "text-anchor": "middle", "class": "gap-label" },
          days + " d"));
      }
      pic.appendChild(g);
      var lines = [["Happened", pin.text], ["First reported", first.reported + " (" + days + " days later)"],
        ["Dated by", pin.marks.length + (pin.marks.length === 1 ? " report" : " reports")]];
      hook(g, function (panel) {
        panel.appendChild(html("h2", {}, row.statement || row.key));
        var dl = html("dl", {});
        lines.forEach(function (pair) {
          dl.appendChild(html("dt", {}, pair[0]));
          dl.appendChild(html("dd", { "class": "date" }, pair[1]));
        });
        panel.appendChild(dl);
      });
    });
  }

  function shape(kind, x, y, struck) {
    var g = svg("g", { "class": "shape" });
    var attrs = { "class": "glyph", "data-kind": kind };
    var node;
    if (kind === "claimed") {
      node = svg("circle", Object.assign({ cx: x, cy: y, r: 4.5 }, attrs));
    } else if (kind === "confirmed") {
      node = svg("rect", Object.assign({ x: x - 4.5, y: y - 4.5, width: 9, height: 9 }, attrs));
    } else if (kind === "disputed") {
      node = svg("path", Object.assign({ d: "M" + (x - 5) + " " + (y - 4) + " h10 l-5 9 z" }, attrs));
    } else {
      node = svg("path", Object.assign({ d: "M" + (x - 4.5) + " " + (y - 4.5) + " l9 9 m0 -9 l-9 9" }, attrs));
    }
    g.appendChild(node);
    if (struck) {
      g.appendChild(svg("line", { x1: x - 7, x2: x + 7, y1: y + 5, y2: y - 5, "class": "strike" }));
    }
    return g;
  }

  function drawMarks(pic, row, sc) {
    var lanes = { up: [], down: [] };
    row.marks.forEach(function (m) {
      var lane = SUPPORTS[m.kind] ? lanes.up : lanes.down;
      var x = sc.x(m.t), last = lane[lane.length - 1];
      if (last && x - last.x < BUCKET) { last.marks.push(m); } else { lane.push({ x: x, marks: [m] }); }
    });
    [["up", SUP_Y], ["down", OPP_Y]].forEach(function (lane) {
      lanes[lane[0]].forEach(function (cluster) { drawCluster(pic, row, cluster, lane[1]); });
    });
  }

  function drawCluster(pic, row, cluster, y) {
    var marks = cluster.marks;
    var standing = marks.filter(function (m) { return m.struck === null; });
    var lead = (standing.length ? standing : marks).reduce(function (best, m) {
      var decisive = m.kind === "confirmed" || m.kind === "refuted";
      return best === null || (decisive && !(best.kind === "confirmed" || best.kind === "refuted")) ? m : best;
    }, null);
    var kinds = marks.map(function (m) { return m.kind; }).join(" ");
    var first = marks[0], label = marks.length === 1
      ? first.kind + " by " + first.source + ", " + first.reported + (first.struck !== null ? " (struck)" : "")
      : marks.length + " reports, " + first.reported + (marks.length > 1 ? " to " + marks[marks.length - 1].reported : "");
    var g = svg("g", {
      "class": "mark", tabindex: "0", role: "button", "aria-label": label,
      "data-kind": lead.kind, "data-kinds": kinds, "data-count": marks.length,
      "data-struck": marks.length - standing.length
    });
    g.appendChild(svg("rect", { x: cluster.x - 8, y: y - 8, width: 16, height: 16, "class": "hit" }));
    g.appendChild(shape(lead.kind, cluster.x, y, standing.length === 0));
    if (marks.length > 1) {
      g.appendChild(svg("text", { x: cluster.x + 7, y: y + (y > BAND_Y ? 8 : -2), "class": "count" }, grouped(marks.length)));
    }
    pic.appendChild(g);
    hook(g, function (panel) {
      panel.appendChild(html("h2", {}, row.statement || row.key));
      var list = html("ol", { "class": "reports" });
      marks.slice(0, LISTED).forEach(function (m) { list.appendChild(reportItem(m)); });
      panel.appendChild(list);
      if (marks.length > LISTED) {
        panel.appendChild(html("p", { "class": "more" }, "and " + (marks.length - LISTED) + " more reports in this stretch"));
      }
    });
  }

  function reportItem(m) {
    var li = html("li", { "class": m.struck !== null ? "report struck" : "report" });
    var head = html("div", { "class": "head" });
    head.appendChild(chip(m.kind));
    head.appendChild(html("span", { "class": "source" }, m.source));
    head.appendChild(html("time", { "class": "date" }, m.reported));
    li.appendChild(head);
    if (m.occurred !== null) { li.appendChild(html("div", { "class": "occurred" }, "happened " + m.occurred)); }
    if (m.quote !== null) { li.appendChild(html("blockquote", {}, m.quote)); }
    if (m.link !== null && isWebLink(m.link)) {
      li.appendChild(html("a", { href: m.link, rel: "noreferrer noopener", target: "_blank" }, m.link));
    } else if (m.url !== null) {
      li.appendChild(html("div", { "class": "url" }, m.url));
    }
    if (m.struck !== null) { li.appendChild(html("div", { "class": "struck-reason" }, "struck: " + m.struck)); }
    li.appendChild(html("div", { "class": "rid" }, m.id));
    return li;
  }

  // -- details of a marker, on hover, focus or tap --------------------------------
  var hideTimer = null;
  function hook(node, fill) {
    function open() { show(node, fill); }
    node.addEventListener("focus", open);
    node.addEventListener("click", function () { node.focus(); open(); });
    node.addEventListener("mouseenter", open);
    node.addEventListener("mouseleave", function () { if (state.pinned !== node) { later(); } });
    node.addEventListener("blur", function () { if (state.pinned === node) { state.pinned = null; later(); } });
    node.addEventListener("keydown", function (e) { if (e.key === "Escape") { hide(); } });
  }
  function show(node, fill) {
    clearTimeout(hideTimer);
    details.textContent = "";
    fill(details);
    details.hidden = false;
    if (document.activeElement === node) { state.pinned = node; }
    // Below the whole lane, so the panel never hides the row's other markers.
    var box = node.getBoundingClientRect(), lane = node.closest("svg");
    var bottom = lane ? lane.getBoundingClientRect().bottom : box.bottom;
    var width = details.offsetWidth, page = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(box.left + window.scrollX - 24, page - width - 8 + window.scrollX));
    details.style.left = left + "px";
    details.style.top = (bottom + window.scrollY + 2) + "px";
  }
  function later() { clearTimeout(hideTimer); hideTimer = setTimeout(hide, 350); }
  function hide() { details.hidden = true; state.pinned = null; }
  details.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
  details.addEventListener("mouseleave", function () { if (!state.pinned) { later(); } });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { hide(); } });

  // -- the page of rows, the filter and the pager --------------------------------
  function render() {
    var holder = $("rows");
    var width = Math.floor($("axis-track").getBoundingClientRect().width);
    state.width = Math.max(width, 120);
    var sc = state.scale = scale(state.width);
    drawAxis(sc);
    range.max = String(state.width);
    holder.textContent = "";
    var start = state.page * data.page, shown = state.shown.slice(start, start + data.page);
    var question = null;
    shown.forEach(function (row) {
      if (row.question && row.question !== question) {
        var group = html("div", { "class": "group", role: "heading", "aria-level": "2" });
        group.appendChild(html("span", { "class": "question-label" }, "Question"));
        group.appendChild(html("span", { "class": "question" }, row.question));
        holder.appendChild(group);
      }
      question = row.question;
      holder.appendChild(renderRow(row, sc));
    });
    if (!shown.length) { holder.appendChild(html("p", { "class": "empty" }, "No proposition matches.")); }
    var pager = $("pager");
    pager.hidden = state.shown.length <= data.page;
    $("page-info").textContent = shown.length
      ? "propositions " + grouped(start + 1) + "\u2013" + grouped(start + shown.length) + " of " + grouped(state.shown.length)
      : "";
    $("prev").disabled = state.page === 0;
    $("next").disabled = start + data.page >= state.shown.length;
    moveCursor(state.day, false);
  }

  function moveCursor(day, fromRange) {
    state.day = day;
    var instant = endOf(day), sc = state.scale, x = sc.x(instant);
    if (!fromRange) { range.value = String(Math.round(x)); }
    if (document.activeElement !== dateBox) { dateBox.value = iso(day); }
    dateBox.removeAttribute("aria-invalid");
    Array.prototype.forEach.call(document.querySelectorAll(".cursor"), function (line) {
      line.setAttribute("x1", x);
      line.setAttribute("x2", x);
    });
    var counts = {}, reported = 0;
    STATUSES.forEach(function (s) { counts[s] = 0; });
    rows.forEach(function (row) {
      var found = statusAt(row, instant);
      if (found) { counts[found.status] += 1; reported += 1; }
    });
    var summary = $("summary");
    summary.textContent = "";
    summary.setAttribute("data-day", iso(day));
    var lead = html("span", { "class": "lead" }, "By the end of ");
    lead.appendChild(html("time", { "class": "date" }, iso(day)));
    lead.appendChild(document.createTextNode(
      ", " + grouped(reported) + " of " + grouped(rows.length) + (rows.length === 1 ? " proposition" : " propositions") + " had a report:"));
    summary.appendChild(lead);
    STATUSES.forEach(function (s) {
      if (s === "unknown" && !counts[s]) { return; }
      var item = html("span", { "class": "count-item", "data-status": s, "data-count": counts[s] });
      item.appendChild(html("b", {}, grouped(counts[s])));
      item.appendChild(chip(s));
      summary.appendChild(item);
    });
    Array.prototype.forEach.call(document.querySelectorAll("#rows .row"), function (node, i) {
      var row = state.shown[state.page * data.page + i];
      var found = statusAt(row, instant), now = node.querySelector(".now");
      now.textContent = "";
      if (found) {
        node.setAttribute("data-status", found.status);
        node.classList.remove("not-yet");
        now.appendChild(chip(found.status));
        now.appendChild(document.createTextNode(" since "));
        now.appendChild(html("time", { "class": "date" }, iso(found.t)));
      } else {
        node.setAttribute("data-status", "none");
        node.classList.add("not-yet");
        now.appendChild(html("span", { "class": "none" }, "no report yet"));
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll(".future"), function (veil) {
      veil.setAttribute("x", x);
      veil.setAttribute("width", Math.max(sc.width - x, 0));
    });
  }

  function dayAt(px) {
    var t = state.scale.invert(px);
    return Math.floor(Math.min(Math.max(t, segs[0][0]), domEnd) / DAY) * DAY;
  }

  range.addEventListener("input", function () { moveCursor(dayAt(+range.value), true); });
  dateBox.addEventListener("input", function () {
    var day = dayOf(dateBox.value);
    if (day === null) { dateBox.setAttribute("aria-invalid", "true"); return; }
    moveCursor(day, false);
  });
  dateBox.addEventListener("keydown", function (e) {
    var step = e.key === "ArrowUp" ? 1 : e.key === "ArrowDown" ? -1 : 0;
    if (step) { e.preventDefault(); moveCursor(state.day + step * DAY, false); dateBox.value = iso(state.day); }
  });
  var axis = $("axis"), dragging = false;
  function fromPointer(e) {
    var box = axis.getBoundingClientRect();
    moveCursor(dayAt(e.clientX - box.left), false);
  }
  axis.addEventListener("pointerdown", function (e) { dragging = true; axis.setPointerCapture(e.pointerId); fromPointer(e); });
  axis.addEventListener("pointermove", function (e) { if (dragging) { fromPointer(e); } });
  axis.addEventListener("pointerup", function () { dragging = false; });
  $("filter").addEventListener("input", function () {
    var words = this.value.toLowerCase().split(/\s+/).filter(Boolean);
    state.shown = rows.filter(function (row) {
      return words.every(function (w) { return row.text.indexOf(w) >= 0; });
    });
    state.page = 0;
    render();
  });
  $("prev").addEventListener("click", function () { state.page -= 1; render(); });
  $("next").addEventListener("click", function () { state.page += 1; render(); });
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      var width = Math.floor($("axis-track").getBoundingClientRect().width);
      if (Math.abs(width - state.width) > 2) { hide(); render(); }
    }, 120);
  });

  state.day = dayOf(data.on);
  document.documentElement.classList.add("drawn");
  render();
})();
