// "Copy the link": a button tied by data-copy to a read-only field; the result is announced
// in the status region beside it. Without this script the button stays hidden.
(function () {
  "use strict";

  function fallbackCopy(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  function announce(button, text) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) {
      status.textContent = "";
      // A fresh text each time, so that a screen reader announces a second copy too.
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { announce(button, button.getAttribute("data-copied")); };
      var failed = function () {
        if (fallbackCopy(field)) {
          done();
        } else {
          announce(button, button.getAttribute("data-failed"));
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        failed();
      }
    });
  });
})();
