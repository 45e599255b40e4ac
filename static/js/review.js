// Review queue: "select all", a highlight and a count of the checked entries, and an entry's own
// "Avslå…" opening the reject panel for that entry alone. The form works without it.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="entry_id"]'));
  var counts = Array.prototype.slice.call(document.querySelectorAll("[data-picked]"));
  var panel = document.querySelector(".reject-panel");
  function mark(box) {
    var item = box.closest(".queue-item");
    if (item) item.classList.toggle("is-selected", box.checked);
  }
  function sync() {
    var checked = boxes.filter(function (b) { return b.checked; }).length;
    all.checked = checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
    counts.forEach(function (c) { c.textContent = "(" + checked + ")"; });
  }
  all.closest(".select-all").hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = all.checked; mark(b); });
    sync();
  });
  boxes.forEach(function (b) {
    b.addEventListener("change", function () { mark(b); sync(); });
  });
  document.querySelectorAll("[data-reject-one]").forEach(function (button) {
    button.addEventListener("click", function (e) {
      if (!panel) return;
      e.preventDefault();
      boxes.forEach(function (b) { b.checked = b.value === button.dataset.rejectOne; mark(b); });
      sync();
      panel.open = true;
      document.getElementById("reject-reason").focus();
    });
  });
  sync();
})();
