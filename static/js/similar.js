// Similar posts while the feedback form is typed: nothing is sent while "post anonymously" is ticked, so
// no request of the writer's carries the words of an anonymous post (feedback/views_similar.py).
(function () {
  "use strict";
  document.addEventListener("htmx:confirm", function (event) {
    var anonymous = document.getElementById("id_anonymous");
    if (event.target.id === "similar" && anonymous && anonymous.checked) {
      event.preventDefault();
      event.target.innerHTML = "";
    }
  });
  document.addEventListener("change", function (event) {
    var similar = document.getElementById("similar");
    if (event.target.id === "id_anonymous" && event.target.checked && similar) similar.innerHTML = "";
  });
})();
