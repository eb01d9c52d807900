"""Chapter 06 in real JupyterLab: the board and the wait-for graph render, and pressing the
app's back button in the browser steps the kernel-side app, whose graph loses the closing
edge — visible as a change of the graph's pixels."""
from __future__ import annotations

import json

import pytest

from browser import chromium_page, jupyterlab, open_notebook, render_errors, run_all_cells

pytestmark = pytest.mark.browser

KERNEL_EVAL = """
async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let text = "";
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === "stream") { text += msg.content.text; }
  };
  await future.done;
  return text;
}
"""


def kernel_print(page, expr: str) -> str:
    return page.evaluate(KERNEL_EVAL, f"import json; print(json.dumps({expr}))").strip()


def graph_canvas(page):
    """The ring app's wait-for graph: the lowest canvas in its output (the board's figure
    and the client table come first)."""
    output = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-button")).first
    canvases = output.locator("canvas")
    best, best_y = None, float("-inf")
    for i in range(canvases.count()):
        box = canvases.nth(i).bounding_box()
        if box and box["width"] > 100 and box["y"] > best_y:
            best, best_y = canvases.nth(i), box["y"]
    assert best is not None, "no canvas in the app's output"
    return best


def test_chapter06_graph_changes_when_stepping_back(tmp_path):
    with jupyterlab(tmp_path) as (base, token), chromium_page(tmp_path) as (page, console):
        open_notebook(page, base, token, "06-deadlocks-and-wait-for-graphs.ipynb")
        run_all_cells(page, "right — A:")
        page.locator(".widget-button").first.wait_for(timeout=60_000)
        page.locator("canvas").first.wait_for(timeout=60_000)
        # put the ring app just after the closing detect row (one move, so no echo of
        # intermediate slider values from the browser can interfere), and let it settle
        kernel_print(page, "app.goto(int(app.history.where('detect', 'deadlock')[0]) + 1)")
        page.wait_for_timeout(1000)
        assert json.loads(kernel_print(page, "app.position")) == 18
        labels = json.loads(kernel_print(page, 'app.graph.edge_source.data["label"]'))
        assert labels == ["z", "x", "y (closes a cycle)"]
        page.get_by_text("A -> B closes a cycle").first.wait_for(timeout=30_000)

        back = page.locator(".jp-OutputArea-output").filter(
            has=page.locator(".widget-button")).first.get_by_role("button", name="◀ back")
        back.scroll_into_view_if_needed()
        canvas = graph_canvas(page)
        canvas.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        before = canvas.screenshot()
        back.click()
        page.get_by_text("A waits for B on y").first.wait_for(timeout=30_000)
        assert json.loads(kernel_print(page, "app.position")) == 17
        labels = json.loads(kernel_print(page, 'app.graph.edge_source.data["label"]'))
        assert labels == ["z", "x"]
        canvas.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        after = canvas.screenshot()
        assert before != after, "the wait-for graph did not redraw after stepping back"
        assert render_errors(console) == [], "\n".join(console)
