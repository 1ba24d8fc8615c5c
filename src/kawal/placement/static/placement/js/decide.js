// The decision form's "Check the rules" posts through htmx and swaps the form
// in place, so a chosen agreement file (hx-preserve) survives the preview.
// A form with errors comes back as 400 (a 409 when the rules changed): swap it
// too, so the errors are shown rather than nothing happening.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  const from = event.detail.elt;
  if ((status === 400 || status === 409) && from && from.closest("[data-decision-form]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
