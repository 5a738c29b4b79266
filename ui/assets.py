"""Styles and the one script of the web UI (citation links open their source; large-text mode)."""

from __future__ import annotations

CSS = """
.nav-holder { display: none !important; }  /* the staff page is deliberately not linked from the chat */
.pa-chat { display: flex; flex-direction: column; gap: 14px; font-size: 1rem; line-height: 1.7; }
.pa-turn { display: flex; flex-direction: column; gap: 6px; }
.pa-q, .pa-a { border-radius: 10px; padding: 10px 14px; max-width: 100%; overflow-wrap: anywhere; }
.pa-q { align-self: flex-end; background: #e8f0fe; }
.pa-a { background: #f6f7f9; border: 1px solid #e3e5e8; }
.pa-who { display: block; font-size: 0.8em; color: #555; margin-bottom: 2px; }
.pa-q p, .pa-a p { margin: 0.2em 0; }
.pa-refused { color: #7a4b00; }
.pa-notice { font-size: 0.9em; color: #7a4b00; }
.pa-error { color: #b00020; }
.pa-label { font-size: 0.85em; color: #444; border-left: 3px solid #c0392b; padding-left: 6px; }
.pa-cite { font-weight: 600; text-decoration: none; color: #1a56db; padding: 0 1px; }
.pa-cite:focus, .pa-cite:hover { text-decoration: underline; }
.pa-sources h4 { margin: 8px 0 4px; font-size: 0.9em; }
.pa-source { border-top: 1px solid #e3e5e8; padding: 4px 0; }
.pa-source summary { cursor: pointer; }
.pa-source[open] { background: #fffdf3; }
.pa-source:target, .pa-source.pa-focus { outline: 2px solid #1a56db; }
.pa-passage { margin: 6px 0; padding: 6px 10px; border-left: 3px solid #ccc; white-space: pre-wrap; }
.pa-quote { background: #ffe58a; padding: 0 1px; }
.pa-badge { font-size: 0.8em; border-radius: 4px; padding: 0 4px; }
.pa-valid { background: #dff5e1; color: #1e6b2a; }
.pa-invalid { background: #fde2e1; color: #9b1c1c; }
.pa-unknown { background: #eee; color: #444; }
.pa-src-meta, .pa-src-heading, .pa-src-file { color: #555; font-size: 0.9em; }
.pa-ai-banner { font-weight: 600; color: #9b1c1c; }
body.pa-large .pa-chat, body.pa-large .pa-welcome, body.pa-large textarea { font-size: 1.35rem !important; }
body.pa-large button { font-size: 1.15rem !important; }
@media (max-width: 480px) { .pa-q { align-self: stretch; } .pa-chat { font-size: 0.98rem; } }
"""

# Event delegation on the document: Gradio re-renders the chat HTML on every update.
HEAD = """
<script>
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.pa-cite") : null;
  if (!link) { return; }
  var target = document.getElementById(link.getAttribute("data-target"));
  if (!target) { return; }
  event.preventDefault();
  document.querySelectorAll(".pa-source.pa-focus").forEach(function (el) { el.classList.remove("pa-focus"); });
  target.open = true;
  target.classList.add("pa-focus");
  target.scrollIntoView({behavior: "smooth", block: "center"});
  var summary = target.querySelector("summary");
  if (summary) { summary.focus({preventScroll: true}); }
});
</script>
"""

LARGE_TEXT_JS = "(on) => { document.body.classList.toggle('pa-large', !!on); return on; }"
