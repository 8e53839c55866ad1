"""``tf.viz``: draw graphs the way TensorBoard's graph dashboard does.

    from minitf import viz
    viz.render(tf.get_default_graph(), "graph.svg")            # or .png .pdf .dot .html
    view = viz.GraphView(graph_def, run_metadata)               # compute-time colours
    view.write("profile.html", color="compute", expand=["layer1"])
    viz.show_graph(sess.graph)                                  # in Jupyter

The command line is ``minitf-graph SOURCE -o OUT`` (or ``python -m minitf.viz``).
"""

from minitf.viz.api import FORMATS, GraphView, render
from minitf.viz.dot import GraphvizMissingError, dot_available
from minitf.viz.hierarchy import Hierarchy, build_hierarchy
from minitf.viz.notebook import graph_html, graph_svg, show_graph
from minitf.viz.scene import Scene, build_scene
from minitf.viz.sources import VizInputError, load_run_metadata, load_source

__all__ = ["GraphView", "render", "FORMATS", "show_graph", "graph_svg", "graph_html",
           "build_hierarchy", "build_scene", "Hierarchy", "Scene", "load_source",
           "load_run_metadata", "VizInputError", "GraphvizMissingError", "dot_available"]
