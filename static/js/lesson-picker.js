// The 课 chooser's cascade (resources/lesson_picker.py): each select offers only
// the values that go with the coarser ones already chosen.
//
// Every <option> carries data-stage="…", data-grade="…" … listing the coarser
// values it goes with. The modal is loaded by Wagtail after the page, so the
// handlers sit on the document.
(function () {
  "use strict";

  var LEVELS = ["stage", "grade", "subject", "edition", "textbook", "unit"];

  function selects(form) {
    var found = {};
    form.querySelectorAll("select[data-cascade]").forEach(function (select) {
      found[select.dataset.cascade] = select;
    });
    return found;
  }

  function coarserChoices(all, level) {
    var chosen = {};
    LEVELS.slice(0, LEVELS.indexOf(level)).forEach(function (other) {
      if (all[other] && all[other].value) chosen[other] = all[other].value;
    });
    return chosen;
  }

  function fits(option, chosen) {
    if (!option.value) return true; // 全部
    return Object.keys(chosen).every(function (other) {
      var values = option.getAttribute("data-" + other);
      return values === null || values.split(" ").indexOf(chosen[other]) !== -1;
    });
  }

  function narrow(all, level) {
    var select = all[level];
    var chosen = coarserChoices(all, level);
    Array.prototype.forEach.call(select.options, function (option) {
      var ok = fits(option, chosen);
      option.hidden = !ok;
      option.disabled = !ok;
      if (!ok && option.selected) select.value = "";
    });
  }

  function narrowAll(form) {
    var all = selects(form);
    LEVELS.forEach(function (level) {
      if (all[level]) narrow(all, level);
    });
  }

  // Capture phase: the finer selects are reset before Wagtail's own change
  // handler sends the form for new results.
  document.addEventListener(
    "change",
    function (event) {
      var select = event.target;
      if (!select.matches || !select.matches("select[data-cascade]")) return;
      narrowAll(select.form);
    },
    true,
  );

  // The modal arrives later and may open already narrowed (the page form's
  // 教材/年级/学科): bring the lists in line as soon as it appears.
  new MutationObserver(function () {
    document.querySelectorAll("form[data-chooser-modal-search]").forEach(function (form) {
      if (form.dataset.cascadeReady) return;
      form.dataset.cascadeReady = "1";
      narrowAll(form);
    });
  }).observe(document.body, { childList: true, subtree: true });
})();
