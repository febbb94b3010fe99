// The stage form's message fields matter only for a move that sends a
// message (a rejection or an offer): shown, and sent, only then. Without
// this script they are always shown, and ignored for other moves.
document.addEventListener("DOMContentLoaded", () => {
  for (const fields of document.querySelectorAll("fieldset[data-message-stages]")) {
    const stage = fields.form && fields.form.elements.namedItem("stage");
    if (!stage) continue;
    const stages = fields.dataset.messageStages.split(" ");
    const show = () => {
      const on = stages.includes(stage.value);
      fields.hidden = !on;
      fields.disabled = !on;
    };
    stage.addEventListener("change", show);
    show();
  }
});
