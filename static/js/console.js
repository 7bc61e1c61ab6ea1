// The console's only script: small progressive enhancements driven by data attributes. Every page works without it,
// and there is no inline script anywhere (the Content-Security-Policy allows scripts from this origin only).
(function () {
  "use strict";

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  // Keyboard: "/" focuses the search box (unless the agent is typing in a field); Esc leaves it.
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

  // A source choice with data-multi-account="WECHAT LINE ...": the form's account ID field ([data-account-field])
  // shows only for those sources (or while it holds an error). Without JavaScript it simply stays visible.
  function setUpAccountFields(root) {
    root.querySelectorAll("select[data-multi-account]").forEach(function (source) {
      var form = source.form;
      var account = form && form.querySelector("[data-account-field]");
      if (!account || source.dataset.accountToggle) return;
      source.dataset.accountToggle = "1";
      var multi = source.dataset.multiAccount.split(/\s+/);
      var toggle = function () {
        var invalid = account.querySelector("[aria-invalid=true]");
        account.hidden = multi.indexOf(source.value) === -1 && !invalid;
      };
      source.addEventListener("change", toggle);
      toggle();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A text box with data-max-chars: the server refuses form fields over 2.5 MB before any view runs, so say it
    // here (the message element is named by data-too-long-message) instead of a bare error page.
    var boxes = form.querySelectorAll("[data-max-chars]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.value.length > parseInt(box.dataset.maxChars, 10)) {
        event.preventDefault();
        var message = document.getElementById(box.dataset.tooLongMessage);
        if (message) message.hidden = false;
        box.setAttribute("aria-invalid", "true");
        box.focus();
        return;
      }
    }
    // A form with data-submit-once (registration): a second click or Enter does not send it again, and the agent
    // sees it is on its way ([data-sending]). The server's one-time token is what guarantees it; this saves a trip.
    if (form.matches("[data-submit-once]")) {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("[type=submit]").forEach(function (button) { button.disabled = true; });
      var sending = form.querySelector("[data-sending]");
      if (sending) sending.hidden = false;
    }
  });

  // A button with data-copy puts its value on the clipboard (a mobile's digits, as a dialler or form wants them).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // The duplicate check as the agent leaves an identifier field ([data-check-for] names the input): when the answer
  // says the value is invalid, the input is marked invalid and described by that answer, for screen readers too.
  document.addEventListener("htmx:afterSwap", function (event) {
    var area = event.detail && event.detail.target;
    if (!area || !area.dataset || !area.dataset.checkFor) return;
    var input = document.getElementById(area.dataset.checkFor);
    if (!input) return;
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    ids = ids.filter(function (id) { return id !== area.id; });
    if (area.querySelector("[data-invalid]")) {
      input.setAttribute("aria-invalid", "true");
      input.dataset.checkInvalid = "1";
      ids.push(area.id);
    } else if (input.dataset.checkInvalid) {
      input.removeAttribute("aria-invalid");
      delete input.dataset.checkInvalid;
    }
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  });

  // The customer page's activity parts load when opened ([data-activity-part] holds a [data-activity-section]). When
  // the console does not answer, or answers with an error page htmx will not swap in, the part says so in words
  // instead of loading forever.
  function activityFailed(event) {
    var elt = event.detail && event.detail.elt;
    var section = elt && elt.closest ? elt.closest("[data-activity-section]") : null;
    if (!section && elt && elt.matches && elt.matches("[data-activity-part]")) {
      section = elt.querySelector("[data-activity-section]");
    }
    var area = section && section.closest("[data-activity-failed]");
    if (!section || !area) return;
    var xhr = event.detail.xhr;
    var limited = xhr && xhr.status === 429;
    var note = section.querySelector(".activity-failed");
    if (!note) {
      note = document.createElement("p");
      note.className = "alert alert-error activity-failed";
      note.setAttribute("role", "alert");
      section.appendChild(note);
    }
    note.textContent = limited ? area.dataset.activityLimited : area.dataset.activityFailed;
    section.removeAttribute("aria-busy");
    section.classList.remove("activity-pending");
  }
  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, activityFailed);
  });

  // A bill opened from the transactions takes the focus, so a keyboard or screen-reader user reads it next.
  // (htmx:afterRequest fires on the link, which stays in the page; the swapped-out target's own events do not bubble.)
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!event.detail.successful || !elt || !elt.getAttribute || elt.getAttribute("hx-target") !== "#activity-bill") return;
    var bill = document.getElementById("activity-bill");
    if (bill && bill.hasAttribute("tabindex")) bill.focus();
  });

  // A table wider than its card (on a tablet) scrolls sideways inside it ([.table-wrap]). Such a scroll area becomes a
  // labelled region in the tab order, so a keyboard user can scroll it too; it stops being one when it fits again.
  function markScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && wrap.getAttribute("role") !== "region") {
        var section = wrap.closest("section");
        var name = wrap.querySelector("caption") || (section && section.querySelector("h2, h3, h4"));
        wrap.setAttribute("role", "region");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("aria-label", (name ? name.textContent.trim() : "Table") + " (scrolls sideways)");
      } else if (!scrolls && wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("role");
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(markScrollingTables, 150);
  });
  document.addEventListener("htmx:afterSettle", markScrollingTables);

  // After a submit that failed, focus goes to the first field in error (or the error summary), so a keyboard or
  // screen-reader user lands where the problem is.
  function focusFirstError() {
    var field = document.querySelector("main form [aria-invalid=true]");
    if (field) {
      field.focus();
      return;
    }
    var alert = document.querySelector("main .alert-error[role=alert]");
    if (alert) {
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  }

  function setUp() {
    setUpAccountFields(document);
    markScrollingTables();
    focusFirstError();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
