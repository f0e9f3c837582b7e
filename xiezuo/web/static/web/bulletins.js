// The bulletins portal: the article page's "copy link" button.
(function () {
  "use strict";
  document.querySelectorAll(".bulletins-copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var url = button.getAttribute("data-copy");
      var done = button.parentElement.querySelector(".bulletins-copied");
      var shown = function () { if (done) { done.hidden = false; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(shown);
        return;
      }
      var field = button.parentElement.querySelector(".bulletins-share-url");
      if (field) {
        field.select();
        if (document.execCommand("copy")) { shown(); }
      }
    });
  });
})();
