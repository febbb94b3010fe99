// After a form comes back with errors or a notice, move focus to the summary
// so keyboard and screen-reader users start where the problems are listed.
document.addEventListener("DOMContentLoaded", () => {
  const target = document.getElementById("error-summary") || document.getElementById("apply-notice");
  if (target) {
    target.focus();
    target.scrollIntoView({ block: "start" });
  }
});
