// cnibundle HTML report: finding filters and printing. Plain DOM, no eval, no network,
// no inline handlers (the page's CSP would refuse them anyway).
(function () {
  "use strict";

  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-filter]"));
  var findings = Array.prototype.slice.call(document.querySelectorAll("li.finding"));
  var status = document.getElementById("filter-status");
  var noMatch = document.getElementById("no-match");

  function checked(kind) {
    var on = new Set();
    boxes.forEach(function (box) {
      if (box.dataset.filter === kind && box.checked) {
        on.add(box.value);
      }
    });
    return on;
  }

  function applyFilters() {
    var severities = checked("severity");
    var categories = checked("category");
    var shown = 0;
    findings.forEach(function (item) {
      var visible = severities.has(item.dataset.severity) && categories.has(item.dataset.category);
      item.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    if (status) {
      status.textContent = "Showing " + shown + " of " + findings.length + " findings";
    }
    if (noMatch) {
      noMatch.hidden = shown !== 0 || findings.length === 0;
    }
  }

  boxes.forEach(function (box) {
    box.addEventListener("change", applyFilters);
  });

  var all = document.getElementById("filter-all");
  if (all) {
    all.addEventListener("click", function () {
      boxes.forEach(function (box) {
        box.checked = true;
      });
      applyFilters();
    });
  }

  function setEvidence(open) {
    document.querySelectorAll("details.evidence").forEach(function (d) {
      d.open = open;
    });
  }
  var expand = document.getElementById("expand-evidence");
  if (expand) {
    expand.addEventListener("click", function () { setEvidence(true); });
  }
  var collapse = document.getElementById("collapse-evidence");
  if (collapse) {
    collapse.addEventListener("click", function () { setEvidence(false); });
  }

  // Paper cannot click: open every <details> for printing, then put them back.
  var closedBeforePrint = [];
  window.addEventListener("beforeprint", function () {
    closedBeforePrint = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    closedBeforePrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedBeforePrint.forEach(function (d) { d.open = false; });
    closedBeforePrint = [];
  });

  applyFilters();
})();
