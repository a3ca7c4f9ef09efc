// sanctions web pages: progress of a background screening job (no other script).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-job-url");
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  function show(job) {
    bar.value = job.percent;
    bar.textContent = job.percent + "%";
    status.textContent = job.state + ": " + job.done + " of " + job.rows + " rows";
    if (job.state === "done") {
      document.getElementById("job-download").hidden = false;
      var summary = document.getElementById("job-summary");
      summary.textContent = job.summary.screened + " screened, " + job.summary.alerts +
        " with a match, " + job.summary.errors + " rows not screened; run " + job.summary.run_id + ".";
      summary.hidden = false;
    } else if (job.state === "failed") {
      var error = document.getElementById("job-error");
      error.textContent = job.error;
      error.hidden = false;
    }
    return job.state === "done" || job.state === "failed";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (!show(data.job)) { setTimeout(poll, 700); } })
      .catch(function () { setTimeout(poll, 2000); });
  }
  var state = box.getAttribute("data-state");
  if (state !== "done" && state !== "failed") { poll(); }
})();

// The audit page: show the chain check once the background verification is done.
(function () {
  "use strict";
  var box = document.getElementById("chain");
  if (!box || box.getAttribute("data-current") === "yes") { return; }
  var url = box.getAttribute("data-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var v = data.verify;
        if (!v.current || !v.result) { setTimeout(poll, 700); return; }
        var p = document.createElement("p");
        var strong = document.createElement("strong");
        p.className = v.result.ok ? "ok" : "error";
        strong.textContent = v.result.ok ? "Chain verified" : "Chain BROKEN";
        p.appendChild(strong);
        p.appendChild(document.createTextNode(" up to entry " + v.checked_head.split(":")[0] + ": " + v.result.summary));
        box.replaceChildren(p);
        box.setAttribute("data-current", "yes");
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();

// Sortable tables (class "sortable"): each column header becomes a button; the table
// sorts by that column (numbers as numbers), ascending then descending (aria-sort).
(function () {
  "use strict";
  function key(cell) {
    var text = (cell ? cell.textContent : "").trim();
    var number = parseFloat(text.replace(/[,%+]/g, ""));
    return isNaN(number) || !/^[-+\d.,%\s]+$/.test(text) ? text.toLowerCase() : number;
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var heads = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(heads, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column]), y = key(b.cells[column]);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return up ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
