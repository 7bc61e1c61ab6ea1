// Keyboard shortcuts: "/" focuses the search box (unless the agent is typing in a field); Esc leaves it.
(function () {
  "use strict";
  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(document.activeElement)) {
      var box = document.querySelector("[data-search-box]");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    } else if (event.key === "Escape" && document.activeElement && document.activeElement.matches("[data-search-box]")) {
      document.activeElement.blur();
    }
  });
})();

// Forms with a source choice ask for the account ID only when a multi-account source is chosen
// (the list comes from the page as JSON, id="multi-account-sources"); without JavaScript the field simply stays visible.
(function () {
  "use strict";
  function setUp() {
    var data = document.getElementById("multi-account-sources");
    if (!data) return;
    var multi = JSON.parse(data.textContent);
    document.querySelectorAll("form").forEach(function (form) {
      var source = form.querySelector("select[name=source]");
      var account = form.querySelector("[data-account-field]");
      if (!source || !account) return;
      var toggle = function () {
        var needed = multi.indexOf(source.value) !== -1;
        var invalid = account.querySelector("[aria-invalid=true]");
        account.hidden = !needed && !invalid;
      };
      source.addEventListener("change", toggle);
      toggle();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
