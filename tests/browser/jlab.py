"""Driving JupyterLab 4 from Playwright (through ``window.jupyterapp``, which the test server
exposes with ``--LabApp.expose_app_in_browser``)."""
from __future__ import annotations

import re
import time

WIDGET_REPR = re.compile(r"^\s*(VBox|HBox|Box|Tab|Accordion|Button|Image|HTML|HTMLMath|Label|IntSlider|FloatSlider|"
                         r"FloatLogSlider|Dropdown|RadioButtons|Checkbox|Output|Textarea|FloatText|IntText|"
                         r"BoundedIntText|FileUpload|Canvas|IntProgress|FloatProgress)\(")


def open_notebook(page, base: str, token: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")     # reset: no tabs restored from earlier tests
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.connectionStatus === 'connected'",
        timeout=120_000)


def run_all(page, timeout_s: float = 600.0) -> float:
    """Clear outputs, Run All, wait until every code cell has run and the kernel is idle."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    t0 = time.monotonic()
    page.evaluate("() => { window.__runAll = window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const kernel = panel.sessionContext.session.kernel;
            const cells = panel.content.widgets.filter(c => c.model.type === 'code');
            return kernel.status === 'idle' && cells.every(c => c.model.executionCount !== null);
        }""", timeout=int(timeout_s * 1000), polling=500)
    return time.monotonic() - t0


def cell_errors(page) -> list[str]:
    """Error outputs of cells that are not tagged ``raises-exception``."""
    return page.evaluate(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const out = [];
            panel.content.widgets.forEach((c, i) => {
                if (c.model.type !== 'code') return;
                const tags = c.model.getMetadata('tags') || [];
                if (tags.includes('raises-exception')) return;
                for (const o of c.model.outputs.toJSON()) {
                    if (o.output_type === 'error') out.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
                    if (o.output_type === 'stream' && o.name === 'stderr' && /Traceback|Error/.test(o.text))
                        out.push(`cell ${i} stderr: ${String(o.text).slice(0, 300)}`);
                }
            });
            return out;
        }""")


def widget_outputs(page) -> int:
    """How many widget views the notebook's outputs hold."""
    return page.evaluate(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            let n = 0;
            panel.content.widgets.forEach(c => {
                if (c.model.type !== 'code') return;
                for (const o of c.model.outputs.toJSON())
                    if (o.data && o.data['application/vnd.jupyter.widget-view+json']) n++;
            });
            return n;
        }""")


def widget_problems(page) -> list[str]:
    """Outputs where a widget did not render: 'Loading widget...', an error, or a bare text repr."""
    texts = page.evaluate("""() => Array.from(window.jupyterapp.shell.currentWidget.node
        .querySelectorAll('.jp-OutputArea-output')).map(e => e.innerText)""")
    problems = []
    for t in texts:
        if "Loading widget" in t or "Error displaying widget" in t or "model not found" in t:
            problems.append(t[:200])
        elif WIDGET_REPR.match(t):
            problems.append(t[:200])
    return problems


def rendered_widgets(page) -> int:
    """Widget views actually drawn on the page (top-level ones inside output areas)."""
    return page.eval_on_selector_all(".jp-OutputArea-output > .jupyter-widgets, .jp-OutputArea-output .widget-box",
                                     "els => els.length")
