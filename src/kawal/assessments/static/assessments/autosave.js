// Autosave of an assessment draft: posts the whole form a moment after each
// change (and every 30 seconds while something is unsaved). The server stores
// it exactly as the "Save draft" button does, which keeps working without
// this script. A save refused because the draft changed elsewhere is shown,
// never retried over the newer draft.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var bar = form.querySelector(".save-bar");
  var version = form.querySelector("input[name='expected_version']");
  var dirty = false;
  var busy = false;
  var stopped = false;
  var timer = null;
  var pending = null;

  function say(text, unsaved) {
    status.textContent = text;
    if (bar) {
      bar.classList.toggle("unsaved", Boolean(unsaved));
    }
  }

  function save(keepalive) {
    if (!dirty || busy || stopped) {
      return;
    }
    busy = true;
    dirty = false;
    say(form.dataset.saving, false);
    // Not form.action: the buttons named "action" shadow that property.
    pending = fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Kawal-Autosave": "1", "Accept": "application/json" },
      keepalive: Boolean(keepalive)
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) {
            version.value = answer.version;
            say(answer.message, false);
          } else {
            if (response.status === 409) {
              stopped = true;
            }
            dirty = response.status !== 409;
            say(answer.message, true);
          }
        });
      })
      .catch(function () {
        dirty = true;
        say(form.dataset.offline, true);
      })
      .then(function () {
        busy = false;
        pending = null;
        // Answers tapped while this save was on its way go next.
        if (dirty && !stopped) {
          changed(800);
        }
      });
  }

  function changed(delay) {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("change", function () {
    changed(800);
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") {
      changed(2500);
    }
  });
  // A submit button saves the same answers itself; it waits for a save in
  // flight, whose new version it must carry.
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    if (pending) {
      event.preventDefault();
      var submitter = event.submitter;
      pending.then(function () {
        stopped = true;
        if (form.requestSubmit) {
          form.requestSubmit(submitter);
        } else {
          form.submit();
        }
      });
      return;
    }
    stopped = true;
  });
  window.setInterval(save, 30000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      save(true);
    }
  });
})();
