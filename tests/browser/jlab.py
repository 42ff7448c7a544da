"""Driving JupyterLab 4 from Playwright (through ``window.jupyterapp``, which the test server
exposes with ``--LabApp.expose_app_in_browser``)."""
from __future__ import annotations

import time

from browser_support import BROKEN, OUTPUTS, WIDGET_REPR

CURRENT = "window.jupyterapp.shell.currentWidget"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def open_notebook(page, base: str, token: str, name: str) -> None:
    """Open ``name`` in a fresh JupyterLab page and wait until its kernel is connected."""
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")     # reset: no tabs restored from earlier tests
    page.wait_for_function(
        f"() => window.jupyterapp && {CURRENT} && {CURRENT}.sessionContext"
        f" && {CURRENT}.sessionContext.session && {CURRENT}.sessionContext.session.kernel"
        f" && {CURRENT}.sessionContext.session.kernel.connectionStatus === 'connected'"
        f" && {CURRENT}.content && {CURRENT}.content.widgets.length > 0",
        timeout=120_000)


def start_run_all(page) -> float:
    """Clear the outputs and start Run All (it goes on in the kernel); returns the start time."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    t0 = time.monotonic()
    page.evaluate("() => { window.__runAll = window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    return t0


def wait_run_all(page, t0: float, timeout_s: float = 600.0) -> float:
    """Wait until every code cell has run and the kernel is idle; returns the seconds since ``t0``."""
    page.wait_for_function(
        f"""() => {{
            const panel = {CURRENT};
            const kernel = panel.sessionContext.session.kernel;
            const cells = panel.content.widgets.filter(c => c.model.type === 'code');
            return kernel.status === 'idle' && cells.every(c => c.model.executionCount !== null);
        }}""", timeout=int(timeout_s * 1000), polling=500)
    return time.monotonic() - t0


def run_all(page, timeout_s: float = 600.0) -> float:
    """Clear outputs, Run All, wait until every code cell has run and the kernel is idle; returns the seconds."""
    return wait_run_all(page, start_run_all(page), timeout_s)


def settle_widgets(page, timeout_ms: int = 60_000) -> None:
    """Wait until no widget output of the notebook says "Loading widget..." any more."""
    page.wait_for_function(
        f"() => !Array.from({CURRENT}.node.querySelectorAll('{OUTPUTS}'))"
        ".some(e => e.innerText.includes('Loading widget'))", timeout=timeout_ms, polling=250)


def cell_errors(page) -> list[str]:
    """Error outputs of cells that are not tagged ``raises-exception``."""
    return page.evaluate(
        f"""() => {{
            const out = [];
            {CURRENT}.content.widgets.forEach((c, i) => {{
                if (c.model.type !== 'code') return;
                const tags = c.model.getMetadata('tags') || [];
                if (tags.includes('raises-exception')) return;
                for (const o of c.model.outputs.toJSON()) {{
                    if (o.output_type === 'error') out.push(`cell ${{i}}: ${{o.ename}}: ${{o.evalue}}`);
                    if (o.output_type === 'stream' && o.name === 'stderr' && /Traceback|Error/.test(o.text))
                        out.push(`cell ${{i}} stderr: ${{String(o.text).slice(0, 300)}}`);
                }}
            }});
            return out;
        }}""")


def widget_outputs(page) -> list[dict]:
    """Each widget output of the notebook, as stored and as shown: ``{"cell", "fallback" (its
    text/plain), "shown" (the output area's text), "drawn" (a widget view is on the page)}``."""
    return page.evaluate(
        f"""() => {{
            const out = [];
            {CURRENT}.content.widgets.forEach((c, i) => {{
                if (c.model.type !== 'code') return;
                c.model.outputs.toJSON().forEach((o, k) => {{
                    if (!o.data || !o.data['{WIDGET_MIME}']) return;
                    const child = c.outputArea.widgets[k];
                    const area = child && child.node.querySelector(':scope > {OUTPUTS}');
                    out.push({{cell: i, fallback: String(o.data['text/plain'] || '').slice(0, 300),
                               shown: area ? area.innerText.slice(0, 3000) : '',
                               drawn: !!(area && area.querySelector('.jupyter-widgets:not(.jupyter-widgets-error-widget)')
                                         && !area.innerText.includes('Error displaying widget'))}});
                }});
            }});
            return out;
        }}""")


def unreadable(outputs: list[dict]) -> list[dict]:
    """Widget outputs that show neither a drawn widget nor readable text: empty, still loading, an
    error ("model not found") or a raw ``VBox(children=...)`` repr."""
    bad = []
    for o in outputs:
        shown = o["shown"].strip()
        if any(b in shown for b in BROKEN) or WIDGET_REPR.match(shown) or not (o["drawn"] or shown):
            bad.append(o)
    return bad


def save(page) -> None:
    """Save the notebook (JupyterLab signs it as trusted: every output came from this session)."""
    page.evaluate(f"async () => {{ await {CURRENT}.context.save(); }}")


def close(page) -> None:
    """Shut down the notebook's kernel (the page itself is closed by its browser context)."""
    page.evaluate(f"() => {CURRENT} && {CURRENT}.sessionContext.shutdown()")
