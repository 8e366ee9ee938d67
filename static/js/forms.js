// Progressive enhancement for long text fields (socialbiz.forms.TextField): a live count once the text
// nears its limit. Without JavaScript the help text still states the limit and the server says by how much.
(function () {
  "use strict";
  var NEAR = 0.8; // start counting at 80 % of the limit

  function counterFor(field) {
    var id = field.id + "-count";
    var counter = document.getElementById(id);
    if (!counter) {
      counter = document.createElement("span");
      counter.id = id;
      counter.className = "char-count";
      counter.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", counter);
    }
    return counter;
  }

  function update(field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!limit) return;
    var counter = counterFor(field);
    var length = field.value.length;
    if (length >= limit * NEAR && length < limit * 4) {
      // Count as the server does: a line break is one character (the browser sends CRLF), and so is an
      // emoji (JavaScript's length counts it twice). Far past the limit the rough count is enough.
      length -= (field.value.match(/\r\n|[\uD800-\uDBFF]/g) || []).length;
    }
    if (length < limit * NEAR) {
      counter.textContent = "";
      counter.classList.remove("over");
      return;
    }
    var over = length > limit;
    var words = field.getAttribute(over ? "data-count-over" : "data-count-left") || "{n}";
    counter.textContent = words.replace("{n}", Math.abs(limit - length).toLocaleString(document.documentElement.lang || undefined));
    counter.classList.toggle("over", over);
  }

  function updateAll(root) {
    root.querySelectorAll("[data-maxlength]").forEach(update);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-maxlength]")) update(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { updateAll(document); });
  // htmx swaps in new forms (a re-rendered form with its errors): count those too.
  document.addEventListener("htmx:afterSettle", function (event) { updateAll(event.target); });
})();

// "3 of 21 will be invited": a checkbox list with data-count-checked="<id of the line to update>".
(function () {
  "use strict";
  function update(box) {
    var line = document.getElementById(box.getAttribute("data-count-checked"));
    if (!line) return;
    var boxes = document.querySelectorAll('input[name="' + box.name + '"][data-count-checked]');
    var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    line.textContent = (line.getAttribute("data-words") || "{n}/{total}")
      .replace("{n}", ticked).replace("{total}", boxes.length);
    line.hidden = false;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[data-count-checked]")) update(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var first = document.querySelector("input[data-count-checked]");
    if (first) update(first);
  });
})();
