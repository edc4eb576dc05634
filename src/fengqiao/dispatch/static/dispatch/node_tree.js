// The recipient tree on the send page: a filter that keeps matching nodes and their ancestors in sight, a button
// ticking a node with everything under it, and the "N selected" count. Without it the tree is plain checkboxes.
(function () {
  "use strict";

  function items(root) { return Array.prototype.slice.call(root.querySelectorAll("li[data-fq-node]")); }
  function parentItem(li) { return li.parentElement ? li.parentElement.closest("li[data-fq-node]") : null; }
  function ownDetails(li) {
    var first = li.firstElementChild;
    return first && first.tagName === "DETAILS" ? first : null;
  }

  function setUp(root) {
    var boxes = root.querySelectorAll("input[type=checkbox]");
    var count = root.querySelector("[data-fq-tree-count]");
    var filter = root.querySelector("[data-fq-tree-filter]");
    var empty = root.querySelector("[data-fq-tree-empty]");
    var saved = null; // each branch's open state before filtering, given back when the filter is cleared

    Array.prototype.forEach.call(root.querySelectorAll("[data-fq-tree-filter], [data-fq-tree-clear], [data-fq-tree-all]"),
      function (el) { el.hidden = false; });

    function recount() {
      var n = 0;
      Array.prototype.forEach.call(boxes, function (box) { if (box.checked) { n += 1; } });
      count.textContent = count.dataset.text.replace("__N__", String(n));
    }

    function applyFilter() {
      var query = filter.value.trim().toLowerCase();
      var all = items(root);
      if (!query) {
        all.forEach(function (li) { li.hidden = false; });
        if (saved) { saved.forEach(function (pair) { pair[0].open = pair[1]; }); saved = null; }
        if (empty) { empty.hidden = true; }
        return;
      }
      if (!saved) {
        saved = Array.prototype.map.call(root.querySelectorAll("details"), function (d) { return [d, d.open]; });
      }
      all.forEach(function (li) { li.hidden = true; });
      var found = 0;
      all.forEach(function (li) {
        if ((li.dataset.fqSearch || "").indexOf(query) === -1) { return; }
        found += 1;
        li.hidden = false;
        for (var up = parentItem(li); up; up = parentItem(up)) {
          up.hidden = false;
          var details = ownDetails(up);
          if (details) { details.open = true; }
        }
      });
      if (empty) { empty.hidden = found > 0; }
    }

    root.addEventListener("change", function (e) {
      if (e.target && e.target.type === "checkbox") { recount(); }
    });
    root.addEventListener("click", function (e) {
      var button = e.target.closest ? e.target.closest("[data-fq-tree-all], [data-fq-tree-clear]") : null;
      if (!button) { return; }
      e.preventDefault(); // a button in a <summary> must not fold the branch
      var scope = button.hasAttribute("data-fq-tree-clear") ? root : button.closest("li[data-fq-node]");
      var inside = Array.prototype.slice.call(scope.querySelectorAll("input[type=checkbox]"));
      // Ticks the node and all below; pressed again once all are ticked, it unticks them.
      var tick = !button.hasAttribute("data-fq-tree-clear") && inside.some(function (box) { return !box.checked; });
      inside.forEach(function (box) { box.checked = tick; });
      recount();
    });
    if (filter) {
      filter.addEventListener("input", applyFilter);
      filter.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); } // Enter in the filter must not send the instruction
      });
    }
    recount();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-fq-node-tree]"), setUp);
})();
