// Conflicts between two reviewers: each reviewer's decision, and buttons that record the resolution.

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function render({ model, el: root }) {
  root.classList.add("qes-screen");
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  const draw = () => {
    root.replaceChildren();
    const agree = model.get("agreement") || [];
    for (const a of agree) {
      root.append(el("div", "qes-progress", `stage ${a.stage}: ${a.records} records decided by both reviewers · ` +
        `agreement ${a.percent_agreement ?? "-"}% · Cohen's kappa ${a.cohen_kappa ?? "-"}`));
    }
    const msg = model.get("message");
    if (msg) root.append(el("div", "qes-message", msg));
    const rows = model.get("rows") || [];
    if (!rows.length) root.append(el("p", null, "No conflict waits to be resolved at this stage."));
    for (const r of rows) {
      const box = el("div", "qes-conflict");
      box.dataset.recordId = r.record_id;
      box.append(el("h4", null, `${r.record_id}: ${r.title}`));
      for (const d of r.decisions) {
        box.append(el("div", null, `${d.reviewer}: ${d.decision}${d.reason ? " (" + d.reason + ")" : ""}`));
      }
      const inc = el("button", "qes-btn qes-include", "Resolve: include");
      inc.onclick = () => model.send({ record_id: r.record_id, decision: "include" });
      box.append(inc);
      for (const reason of model.get("reasons") || []) {
        const b = el("button", "qes-btn qes-exclude", `Resolve: exclude (${reason.label})`);
        b.onclick = () => model.send({ record_id: r.record_id, decision: "exclude", reason: reason.id });
        box.append(b);
      }
      root.append(box);
    }
  };
  for (const name of ["rows", "agreement", "message", "reasons"]) model.on(`change:${name}`, draw);
  draw();
}

export default { render };
