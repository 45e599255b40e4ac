// Review queue: "select all" and a highlight of the checked entries. The form works without it.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="entry_id"]'));
  function mark(box) {
    var item = box.closest(".queue-item");
    if (item) item.classList.toggle("is-selected", box.checked);
  }
  function sync() {
    var checked = boxes.filter(function (b) { return b.checked; }).length;
    all.checked = checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }
  all.closest(".select-all").hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = all.checked; mark(b); });
    sync();
  });
  boxes.forEach(function (b) {
    b.addEventListener("change", function () { mark(b); sync(); });
  });
  sync();
})();
