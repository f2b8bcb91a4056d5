// ClientLens dashboard: draw each page's Vega-Lite specs (vega-embed from the installed
// vl-convert bundle) and make chart marks drill down to the customers behind them.
(function () {
  "use strict";
  var drillEl = document.getElementById("drill");
  var drill = drillEl ? JSON.parse(drillEl.textContent) : {};
  var keys = Object.keys(drill);

  function target(datum) {
    // The filter a mark stands for: a value of the mark's row that names a code
    // (a segment's name, a risk band's label, a province as the chart writes it).
    if (!datum) return null;
    for (var field in datum) {
      var value = String(datum[field]);
      if (Object.prototype.hasOwnProperty.call(drill, value)) return drill[value];
      for (var i = 0; i < keys.length; i++) {
        if (drill[keys[i]]._prefix && value.indexOf(keys[i]) === 0) return drill[keys[i]];
      }
    }
    return null;
  }

  function go(filters) {
    var here = new URLSearchParams(window.location.search);
    var next = new URLSearchParams();
    ["start", "end", "segment", "region", "channel"].forEach(function (k) {
      if (here.get(k)) next.set(k, here.get(k));
    });
    Object.keys(filters).forEach(function (k) { if (k !== "_prefix") next.set(k, filters[k]); });
    window.location.href = "/customers?" + next.toString() + "#customer-list";
  }

  document.querySelectorAll("script.spec").forEach(function (el) {
    var box = document.getElementById(el.dataset.target);
    var spec = JSON.parse(el.textContent);
    vegaEmbed(box, spec, { actions: false, renderer: "svg" }).then(function (result) {
      if (!keys.length) return;
      box.classList.add("drillable");
      result.view.addEventListener("click", function (event, item) {
        var f = item && target(item.datum);
        if (f) go(f);
      });
    }).catch(function (err) { box.textContent = String(err); });
  });

  // Reports: refresh the list while a report is being written; a page under a filter,
  // while the filter's analyses are being built.
  if (document.querySelector('#report-jobs tr[data-status="running"], [data-refresh]')) {
    setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
