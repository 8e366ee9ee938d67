// Puts back what a signed-out tab posted (people/kept_text.py): the fields go into the form on this page
// whose action is the address it was posted to. The server shows a note that the text is back.
(function () {
  "use strict";
  function restore() {
    var data = document.getElementById("restored-form");
    if (!data) return;
    var kept = JSON.parse(data.textContent);
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (new URL(form.action, window.location.href).pathname !== kept.action) continue;
      kept.fields.forEach(function (pair) {
        var field = form.elements.namedItem(pair[0]);
        if (!field || field.type === "hidden" || field.type === "password") return;
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = field.value === pair[1] || pair[1] === "on";
        } else if (field.length !== undefined && field.tagName !== "SELECT" && field.tagName !== "TEXTAREA") {
          for (var j = 0; j < field.length; j++) {
            if (field[j].value === pair[1]) field[j].checked = true;
          }
        } else {
          field.value = pair[1];
        }
      });
      var first = form.querySelector("textarea, input[type=text]");
      if (first) first.focus();
      return;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
