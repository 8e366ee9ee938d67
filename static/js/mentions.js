// Progressive enhancement for @mentions in text fields (people/mentions.py): typing "@" and a few letters
// asks the directory for colleagues and shows them in a listbox under the field. Arrow keys move, Enter or
// Tab picks (inserting "@handle "), Escape closes. Without JavaScript, typing "@handle" works the same.
(function () {
  "use strict";
  var URL_ = "/people/mention-suggestions/";
  var TYPED = /(?:^|[^\w@.+-])@([\w.+-]{1,60})$/;
  var counter = 0;

  function setup(field) {
    if (field.dataset.mentions) return;
    field.dataset.mentions = "on";
    counter += 1;
    var list = document.createElement("ul");
    list.id = "mention-list-" + counter;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", field.getAttribute("data-mentions-label") || document.body.getAttribute("data-mentions-label"));
    list.hidden = true;
    field.insertAdjacentElement("afterend", list);
    // A textarea keeps its own role (textbox): it may carry aria-autocomplete, aria-controls and
    // aria-activedescendant, and a polite live region says when suggestions are there.
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    list.insertAdjacentElement("afterend", status);
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    var active = -1;
    var pending = null;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[data-handle]"));
    }
    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      status.textContent = "";
      field.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
        option.id = list.id + "-" + i;
      });
      field.setAttribute("aria-activedescendant", all[active].id);
    }
    function typed() {
      var before = field.value.slice(0, field.selectionStart);
      var match = TYPED.exec(before);
      return match ? match[1] : null;
    }
    function pick(option) {
      var handle = option.getAttribute("data-handle");
      var caret = field.selectionStart;
      var before = field.value.slice(0, caret).replace(/@[\w.+-]*$/, "@" + handle + " ");
      field.value = before + field.value.slice(caret);
      field.selectionStart = field.selectionEnd = before.length;
      close();
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
    }
    function ask() {
      var words = typed();
      if (!words) return close();
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(URL_ + "?q=" + encodeURIComponent(words), {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
        signal: pending.signal,
      })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (typed() !== words) return;
          list.innerHTML = html;
          list.hidden = !html.trim();
          var count = options().length;
          var said = list.querySelector("[data-status]");
          status.textContent = count && said ? said.getAttribute("data-status") : "";
          active = -1;
          field.removeAttribute("aria-activedescendant");
        })
        .catch(function () {});
    }

    field.addEventListener("input", function (event) {
      if (event.isTrusted === false && list.hidden) return;
      ask();
    });
    field.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        pick(options()[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    field.addEventListener("blur", function () { setTimeout(close, 200); });
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[data-handle]");
      if (option) {
        event.preventDefault();
        pick(option);
      }
    });
  }

  function scan(root) {
    (root || document).querySelectorAll("textarea[name=body]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSettle", function (event) { scan(event.target); });
})();
