// Progressive enhancement for long text fields (socialbiz.forms.TextField): a live count once the text
// nears its limit. Without JavaScript the help text still states the limit and the server says by how much.
(function () {
  "use strict";
  var NEAR = 0.8; // start counting at 80 % of the limit

  // The element with this id, made (a `tag` of `className`, with `attribute`) right after `anchor` if missing.
  function elementAfter(anchor, id, tag, className, attribute) {
    var element = document.getElementById(id);
    if (!element) {
      element = document.createElement(tag);
      element.id = id;
      element.className = className;
      element.setAttribute(attribute[0], attribute[1]);
      anchor.insertAdjacentElement("afterend", element);
    }
    return element;
  }

  function counterFor(field) {
    return elementAfter(field, field.id + "-count", "span", "char-count", ["aria-live", "polite"]);
  }

  function limitOf(field) {
    return parseInt(field.getAttribute("data-maxlength"), 10);
  }

  function lengthOf(field, limit) {
    var length = field.value.length;
    if (length >= limit * NEAR && length < limit * 4) {
      // Count as the server does: a line break is one character (the browser sends CRLF), and so is an
      // emoji (JavaScript's length counts it twice). Far past the limit the rough count is enough.
      length -= (field.value.match(/\r\n|[\uD800-\uDBFF]/g) || []).length;
    }
    return length;
  }

  function update(field) {
    var limit = limitOf(field);
    if (!limit) return;
    var counter = counterFor(field);
    var length = lengthOf(field, limit);
    if (length <= limit) clearRefusal(field);
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

  // A submit with a field over its limit is stopped here, before anything is sent: a big paste would be
  // more than the server reads (socialbiz/middleware.py keeps at most 4x the upload limit), so the text
  // stays whole in the field, the message stands next to it and the focus goes there.
  function refusalFor(field) {
    var id = field.id + "-too-long";
    var isNew = !document.getElementById(id);
    var note = elementAfter(counterFor(field), id, "p", "errorlist too-long", ["role", "alert"]);
    if (isNew) {
      var described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", described ? described + " " + id : id);
    }
    return note;
  }

  function clearRefusal(field) {
    var note = document.getElementById(field.id + "-too-long");
    if (!note) return;
    note.remove();
    var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== note.id;
    });
    if (described.length) field.setAttribute("aria-describedby", described.join(" "));
    else field.removeAttribute("aria-describedby");
    field.removeAttribute("aria-invalid");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.querySelectorAll) return;
    var over = Array.prototype.filter.call(form.querySelectorAll("[data-maxlength]"), function (field) {
      var limit = limitOf(field);
      return limit && !field.disabled && lengthOf(field, limit) > limit;
    });
    if (!over.length) return;
    event.preventDefault();
    event.stopPropagation(); // captured at the document: htmx's listener on the form never hears it either
    over.forEach(function (field) {
      var limit = limitOf(field);
      var words = field.getAttribute("data-too-long") || "{n}";
      var n = (lengthOf(field, limit) - limit).toLocaleString(document.documentElement.lang || undefined);
      update(field);
      refusalFor(field).textContent = words.replace("{n}", n);
      field.setAttribute("aria-invalid", "true");
    });
    over[0].focus();
  }, true);

  // The live preview and the similar-posts lookup send the text as it is typed: not when a field is over its
  // limit (the count says so already), so a big paste is never sent, not even in the background.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    var over = Array.prototype.some.call(document.querySelectorAll("[data-maxlength]"), function (field) {
      var limit = limitOf(field);
      return limit && field.name && data.has(field.name) && lengthOf(field, limit) > limit;
    });
    if (over) event.preventDefault();
  });

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
