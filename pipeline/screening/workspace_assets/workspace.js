// The screening workspace: one record, its criteria and reasons, keys for every decision.
// Everything the reviewer does is sent to Python (session.Session), which writes it before the next
// record is shown; nothing is decided in the browser.  Text from the data is inserted as text nodes.

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function marked(text, terms) {
  // The text with the review's terms in <mark>, built from text nodes only.
  const out = document.createDocumentFragment();
  if (!text) return out;
  const words = (terms || []).filter((t) => t && t.length > 2)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!words.length) { out.append(document.createTextNode(text)); return out; }
  const re = new RegExp("(" + words.join("|") + ")", "gi");
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.append(document.createTextNode(text.slice(last, m.index)));
    out.append(el("mark", null, m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.append(document.createTextNode(text.slice(last)));
  return out;
}

function render({ model, el: root }) {
  root.classList.add("qes-screen");
  root.tabIndex = 0;
  root.setAttribute("data-lm-suppress-shortcuts", "true");  // JupyterLab's notebook keys stay quiet here
  let lastReason = null;

  const send = (action, extra) => {
    const record = model.get("record");
    if (model.get("busy") || (!record && action !== "undo")) return;
    model.send(Object.assign({ action, record_id: record ? record.record_id : null }, extra || {}));
  };

  const draw = () => {
    root.replaceChildren();
    const p = model.get("progress") || {};
    const bar = el("div", "qes-progress");
    const bound = p.unseen_relevant_at_most;
    bar.append(el("span", null, `stage ${p.stage || ""}${p.reviewer ? " · reviewer " + p.reviewer : ""} · ` +
      `screened ${p.screened ?? 0} · included ${p.included ?? 0} · waiting ${p.waiting ?? 0} · ` +
      (bound === null || bound === undefined ? "relevant still unseen: not yet estimable"
        : `relevant still unseen: at most ${bound} (95% confidence)`)));
    root.append(bar);
    if (p.stop && p.stop.stop) {
      const say = el("div", "qes-stop", "The stopping rule (95% recall, 95% confidence) says you may stop. ");
      const b = el("button", "qes-btn", "Stop screening (s)");
      b.onclick = () => send("stop", {});
      say.append(b);
      root.append(say);
    }
    const msg = model.get("message");
    if (msg) root.append(el("div", "qes-message", msg));
    const r = model.get("record");
    const main = el("div", "qes-main");
    const left = el("div", "qes-record");
    if (!r) {
      left.append(el("h3", null, "No record waits at this stage."));
    } else {
      left.dataset.recordId = r.record_id;
      const h = el("h3", "qes-title");
      h.append(marked(r.title || "(no title)", model.get("terms")));
      left.append(h);
      left.append(el("div", "qes-meta", [r.authors, r.year, r.journal].filter(Boolean).join(" · ")));
      left.append(el("div", "qes-id", `${r.record_id}${r.doi ? " · doi " + r.doi : ""}` +
        `${r.score !== null && r.score !== undefined ? " · score " + r.score : ""}${r.maybe ? " · marked maybe" : ""}`));
      const a = el("p", "qes-abstract");
      a.append(marked(r.abstract || "(no abstract)", model.get("terms")));
      left.append(a);
      if (r.keywords) {
        const k = el("div", "qes-keywords");
        k.append(marked("Keywords: " + r.keywords, model.get("terms")));
        left.append(k);
      }
    }
    main.append(left);
    const right = el("div", "qes-side");
    right.append(el("h4", null, "Criteria"));
    for (const c of model.get("criteria") || []) {
      const d = el("div", "qes-criterion");
      d.append(el("b", null, c.name + ": "), el("span", null, "include " + c.include + "; exclude " + c.exclude));
      right.append(d);
    }
    right.append(el("h4", null, "Decide"));
    const buttons = el("div", "qes-buttons");
    const include = el("button", "qes-btn qes-include", "Include (i)");
    include.onclick = () => send("include");
    const maybe = el("button", "qes-btn", "Maybe (m)");
    maybe.onclick = () => send("maybe");
    const undo = el("button", "qes-btn", "Undo (u)");
    undo.onclick = () => send("undo");
    buttons.append(include, maybe, undo);
    right.append(buttons);
    (model.get("reasons") || []).forEach((reason, k) => {
      const b = el("button", "qes-btn qes-exclude", `${k < 9 ? k + 1 : "·"} Exclude: ${reason.label}`);
      b.onclick = () => { lastReason = reason.id; send("exclude", { reason: reason.id }); };
      right.append(b);
    });
    if (!(model.get("reasons") || []).length) {
      right.append(el("div", "qes-message", "No exclusion reason applies at this stage: add one to " +
        "data/raw/exclusion_reasons.csv to exclude."));
    }
    main.append(right);
    root.append(main);
    root.classList.toggle("qes-busy", !!model.get("busy"));
  };

  root.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const reasons = model.get("reasons") || [];
    const key = event.key.toLowerCase();
    let handled = true;
    if (key === "i") send("include");
    else if (key === "m") send("maybe");
    else if (key === "u") send("undo");
    else if (key === "s" && (model.get("progress") || {}).stop?.stop) send("stop", {});
    else if (key === "e" && (lastReason || reasons.length === 1)) {
      lastReason = lastReason || reasons[0].id;
      send("exclude", { reason: lastReason });
    } else if (/^[1-9]$/.test(key) && reasons[Number(key) - 1]) {
      lastReason = reasons[Number(key) - 1].id;
      send("exclude", { reason: lastReason });
    } else handled = false;
    if (handled) { event.preventDefault(); event.stopPropagation(); }
  });

  for (const name of ["record", "progress", "message", "busy", "criteria", "reasons", "terms"]) {
    model.on(`change:${name}`, draw);
  }
  draw();
  setTimeout(() => root.focus(), 0);
}

export default { render };
