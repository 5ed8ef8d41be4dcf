(function () {
  "use strict";
  var table = document.getElementById("claims-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  function value(row, column, numeric) {
    var cell = row.cells[column];
    var raw = cell.getAttribute("data-sort");
    if (raw === null) { raw = cell.textContent.trim(); }
    return numeric ? parseFloat(raw) : raw.toLowerCase();
  }
  Array.prototype.forEach.call(headers, function (header, column) {
    var numeric = header.getAttribute("data-type") === "number";
    header.addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = value(a, column, numeric), y = value(b, column, numeric);
        if (x < y) { return ascending ? -1 : 1; }
        if (x > y) { return ascending ? 1 : -1; }
        return 0;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  var filter = document.getElementById("verdict-filter");
  if (filter) {
    filter.addEventListener("change", function () {
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = filter.value !== "" && row.getAttribute("data-verdict") !== filter.value;
      });
    });
  }
}());
