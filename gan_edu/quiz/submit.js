// The quiz's Check / Commit button and lesson 08's Export (gan_edu/quiz/submit.py). Its click message carries what the
// page shows in the answer's widgets at the moment of the click, read from their models here in
// the browser. A stock button's click can overtake the answer it should score: ipywidgets holds
// back a widget's second change while the kernel has not yet answered its first (a busy kernel),
// but sends a button click at once, so the kernel would score the earlier choice.
function render({ model, el, host }) {
  const button = document.createElement("button");
  button.type = "button";
  // a stock button's width (148 px), or wider when the label needs it: never a label cut to "…"
  button.style.width = "auto";
  button.style.minWidth = "var(--jp-widgets-inline-width-short, 148px)";
  const icon = document.createElement("i");
  icon.setAttribute("aria-hidden", "true");
  const label = document.createElement("span");
  button.append(icon, label);

  function draw() {
    const style = model.get("button_style");
    button.className = "jupyter-widgets jupyter-button widget-button " + model.get("css") + (style ? " mod-" + style : "");
    icon.className = model.get("icon") ? "fa fa-" + model.get("icon") : "";
    label.textContent = model.get("description");
    button.disabled = model.get("disabled");
  }
  for (const name of ["description", "icon", "button_style", "disabled", "css"]) {
    model.on("change:" + name, draw);
  }

  button.addEventListener("click", async (event) => {
    event.preventDefault();
    const values = [];
    for (const [ref, field] of model.get("reads")) {
      const other = await host.getModel(ref);
      values.push(other.get(field));
    }
    model.send({ event: "click", values });
  });
  draw();
  el.appendChild(button);
}

export default { render };
