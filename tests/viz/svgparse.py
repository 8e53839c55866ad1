"""Reads back the structure of an SVG written by minitf-graph (ids and classes Graphviz copies
from our DOT attributes)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Drawn:
    nodes: dict[str, set[str]] = field(default_factory=dict)  # name -> classes
    clusters: dict[str, set[str]] = field(default_factory=dict)
    edges: dict[tuple[str, str], dict] = field(default_factory=dict)  # -> classes, label
    annotations: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)  # node -> its text lines

    def ops(self) -> set[str]:
        return {n for n, c in self.nodes.items() if "op" in c}

    def metanodes(self) -> set[str]:
        return {n for n, c in self.nodes.items() if "meta" in c}


def _texts(g: ET.Element) -> list[str]:
    return ["".join(t.itertext()).strip() for t in g.iter(f"{SVG}text")]


def parse_svg(svg: str | bytes) -> Drawn:
    root = ET.fromstring(svg)
    d = Drawn()
    for g in root.iter(f"{SVG}g"):
        gid = g.get("id", "")
        cls = set(g.get("class", "").split())
        if gid.startswith("node:"):
            d.nodes[gid[5:]] = cls
            d.labels[gid[5:]] = _texts(g)
        elif gid.startswith("cluster:"):
            d.clusters[gid[8:]] = cls
        elif gid.startswith("edge:"):
            src, dst = gid[5:].split("->")
            texts = _texts(g)
            d.edges[(src, dst)] = {"class": cls, "label": texts[0] if texts else None}
        elif gid.startswith("ann:"):
            host, side, _ = gid[4:].rsplit(":", 2)
            kind = next((c for c in cls if c not in ("node", "annotation")), "")
            d.annotations.setdefault(host, []).append((side, kind, " ".join(_texts(g))))
    return d
