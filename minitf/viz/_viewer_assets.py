"""CSS and JavaScript of the interactive HTML viewer (kept in Python strings so the package
needs no data files). The script has no dependencies: it lays the graph out itself
(:mod:`minitf.viz._viewer_layout`) and draws SVG, with zoom, pan, search and details."""

from minitf.viz._viewer_layout import LAYOUT_JS

VIEWER_CSS = r"""
html, body { margin: 0; height: 100%; font-family: Roboto, Helvetica, Arial, sans-serif;
  font-size: 13px; color: #333; }
#toolbar { height: 40px; display: flex; align-items: center; gap: 8px; padding: 0 10px;
  border-bottom: 1px solid #ddd; background: #fafafa; position: relative; }
#title { font-weight: bold; margin-right: 12px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; max-width: 30%; }
#search { width: 260px; padding: 4px 6px; }
#results { position: absolute; top: 36px; left: 10px; z-index: 5; background: white;
  border: 1px solid #ccc; max-height: 320px; overflow-y: auto; display: none; min-width: 300px;
  box-shadow: 0 2px 6px rgba(0,0,0,.2); }
#results div { padding: 3px 8px; cursor: pointer; white-space: nowrap; }
#results div:hover, #results div.active { background: #e8f0fe; }
button { padding: 3px 8px; }
#main { position: absolute; top: 41px; bottom: 0; left: 0; right: 0; display: flex; }
#canvas { flex: 1; height: 100%; background: white; cursor: grab; user-select: none; }
#canvas.dragging { cursor: grabbing; }
#side { width: 330px; border-left: 1px solid #ddd; overflow-y: auto; padding: 8px 10px;
  background: #fcfcfc; }
#details h3 { margin: 4px 0 8px; font-size: 14px; word-break: break-all; }
#details table { border-collapse: collapse; width: 100%; }
#details td { border-top: 1px solid #eee; padding: 2px 4px; vertical-align: top;
  word-break: break-all; font-size: 12px; }
#details td.k { color: #777; white-space: nowrap; word-break: normal; }
#details a { color: #1a73e8; cursor: pointer; text-decoration: none; }
.hint { color: #888; }
#legend { margin-top: 12px; font-size: 12px; }
#legend .sw { display: inline-block; width: 12px; height: 12px; border: 1px solid #aaa;
  vertical-align: middle; margin-right: 4px; }
.node { cursor: pointer; }
.node text { font-size: 11px; fill: #222; pointer-events: none; }
.node text.sub { font-size: 9px; fill: #555; }
.node.selected > .shape { stroke: #f57c00; stroke-width: 2.5px; }
.node.match > .shape { stroke: #1a73e8; stroke-width: 2.5px; }
.cluster > rect.box { stroke-width: 1px; }
.cluster.selected > rect.box { stroke: #f57c00; stroke-width: 2.5px; }
.cluster text { font-size: 11px; font-weight: bold; fill: #444; }
.cluster text.sub { font-weight: normal; font-size: 9px; fill: #666; }
.cluster .head { cursor: pointer; }
.auxarea { fill: none; stroke: #bbb; stroke-dasharray: 4 3; }
.auxlabel { font-size: 9px; fill: #888; }
.edge { fill: none; stroke: #999; stroke-width: 1.1px; }
.edge.control { stroke-dasharray: 4 3; stroke: #aaa; }
.edge.ref { stroke: #e07020; }
.elabel { font-size: 8px; fill: #666; paint-order: stroke; stroke: white; stroke-width: 3px; }
.ann text { font-size: 9px; fill: #666; }
.ann { cursor: pointer; }
.ann line { stroke: #bbb; stroke-width: 1px; }
.ann line.control { stroke-dasharray: 2 2; }
"""

UI_JS = r"""
  // --- drawing ------------------------------------------------------------------------
  let gradients = [];
  function fillOf(i, expandedBox) {
    const n = N[i];
    if (expandedBox) return colorMode === 'structure' ? n.fx || '#f0f0f0' : '#f0f0f0';
    const f = (n.f && n.f[colorMode]) || [['#ffffff', 1]];
    if (f.length === 1) return f[0][0];
    const id = 'g' + gradients.length;
    let stops = '', acc = 0;
    for (const [c, p] of f) {
      stops += '<stop offset="' + acc + '" stop-color="' + c + '"/>';
      acc += p;
      stops += '<stop offset="' + Math.min(acc, 1) + '" stop-color="' + c + '"/>';
    }
    gradients.push('<linearGradient id="' + id + '">' + stops + '</linearGradient>');
    return 'url(#' + id + ')';
  }
  function strokeOf(i) { return N[i].k === 'meta' ? '#a6a6a6' : '#b2b2b2'; }

  function clip(g, from) {
    const dx = from[0] - g.cx, dy = from[1] - g.cy;
    if (!dx && !dy) return [g.cx, g.cy];
    const a = g.w / 2, b = g.h / 2;
    let t;
    if (g.op) t = 1 / Math.sqrt((dx * dx) / (a * a) + (dy * dy) / (b * b));
    else t = Math.min(dx ? a / Math.abs(dx) : Infinity, dy ? b / Math.abs(dy) : Infinity);
    return [g.cx + dx * Math.min(t, 1), g.cy + dy * Math.min(t, 1)];
  }

  function pathD(pts) {
    let d = 'M' + pts[0][0].toFixed(1) + ',' + pts[0][1].toFixed(1);
    if (pts.length === 2) return d + 'L' + pts[1][0].toFixed(1) + ',' + pts[1][1].toFixed(1);
    for (let k = 1; k < pts.length - 1; k++) {
      const m = [(pts[k][0] + pts[k + 1][0]) / 2, (pts[k][1] + pts[k + 1][1]) / 2];
      const end = k === pts.length - 2 ? pts[k + 1] : m;
      d += 'Q' + pts[k][0].toFixed(1) + ',' + pts[k][1].toFixed(1) + ' ' +
        end[0].toFixed(1) + ',' + end[1].toFixed(1);
    }
    return d;
  }

  function drawBox(box, out) {
    const g = box.g;
    if (g !== ROOT) {
      const cls = 'cluster ' + N[g].k + (g === selected ? ' selected' : '');
      out.push('<g class="' + cls + '" id="cluster:' + esc(N[g].n) + '" data-i="' + g + '">' +
        '<rect class="box" x="' + box.ax + '" y="' + box.ay + '" width="' + box.w +
        '" height="' + box.h + '" rx="6" fill="' + fillOf(g, true) + '" stroke="' +
        strokeOf(g) + '"/><g class="head" data-i="' + g + '"><rect x="' + box.ax + '" y="' +
        box.ay + '" width="' + box.w + '" height="' + LABEL_H + '" fill="transparent"/>' +
        '<text x="' + (box.ax + 8) + '" y="' + (box.ay + 15) + '">' + esc(N[g].l) +
        ' <tspan class="sub">' + esc(subLabel(g)) + '</tspan></text></g>' +
        '<title>' + esc(N[g].n) + '</title></g>');
    }
    if (box.aux) {
      const a = box.aux;
      out.push('<g class="aux-area" data-group="' + g + '"><rect class="auxarea" x="' +
        (box.ax + a.x) + '" y="' + (box.ay + a.y) + '" width="' + a.w + '" height="' + a.h +
        '" rx="4"/><text class="auxlabel" x="' + (box.ax + a.x + 6) + '" y="' +
        (box.ay + a.y + 12) + '">Auxiliary nodes</text></g>');
    }
    for (const it of box.items.values()) if (it.box) drawBox(it.box, out);
  }

  function drawLeaf(it, out) {
    const i = it.i, n = N[i], gm = geo.get(i);
    const aux = R[it.g] && R[it.g].aux.indexOf(i) >= 0;
    let cls = 'node ' + n.k + (aux ? ' aux' : '');
    if (i === selected) cls += ' selected';
    if (matches.has(i)) cls += ' match';
    const fill = fillOf(i, false), stroke = strokeOf(i);
    let s = '<g class="' + cls + '" id="node:' + esc(n.n) + '" data-i="' + i + '">';
    if (n.k === 'op') {
      s += '<ellipse class="shape" cx="' + gm.cx + '" cy="' + gm.cy + '" rx="' + gm.w / 2 +
        '" ry="' + gm.h / 2 + '" fill="' + fill + '" stroke="' + stroke + '"/>';
      const label = colorMode === 'compute' && n.tt ? n.l + ' \u00b7 ' + n.tt : n.l;
      s += '<text x="' + gm.cx + '" y="' + (gm.cy + 4) + '" text-anchor="middle">' +
        esc(label) + '</text>';
    } else {
      const x = gm.cx - gm.w / 2, y = gm.cy - gm.h / 2;
      if (n.k === 'series') {
        s += '<rect x="' + (x + 4) + '" y="' + (y - 4) + '" width="' + gm.w + '" height="' +
          gm.h + '" rx="5" fill="' + fill + '" stroke="' + stroke + '"/>';
      }
      s += '<rect class="shape" x="' + x + '" y="' + y + '" width="' + gm.w + '" height="' +
        gm.h + '" rx="5" fill="' + fill + '" stroke="' + stroke + '"/>';
      s += '<text x="' + gm.cx + '" y="' + (gm.cy - 2) + '" text-anchor="middle">' +
        esc(n.l) + '</text><text class="sub" x="' + gm.cx + '" y="' + (gm.cy + 11) +
        '" text-anchor="middle">' + esc(subLabel(i)) + '</text>';
    }
    s += '<title>' + esc(n.n + (n.op ? ' (' + n.op + ')' : '')) + '</title></g>';
    out.push(s);
    [0, 1].forEach(side => {
      const list = it.ann[side];
      list.forEach((a, k) => {
        const y = gm.cy + (k - (list.length - 1) / 2) * ANN_ROW;
        const edgeX = side === 0 ? gm.cx - gm.w / 2 : gm.cx + gm.w / 2;
        const dotX = side === 0 ? edgeX - 12 : edgeX + 12;
        const tx = side === 0 ? dotX - 5 : dotX + 5;
        const target = a[2] ? byName.get(a[2]) : undefined;
        out.push('<g class="ann ' + a[0] + '" data-ann="' + (target === undefined ? -1 : target) +
          '"><line class="' + (a[3] ? 'control' : '') + '" x1="' + edgeX + '" y1="' + gm.cy +
          '" x2="' + dotX + '" y2="' + y + '"/><circle cx="' + dotX + '" cy="' + y +
          '" r="2.5" fill="' + (a[0] === 'const' ? '#fff' : '#ccc') + '" stroke="#999"/>' +
          '<text x="' + tx + '" y="' + (y + 3) + '" text-anchor="' +
          (side === 0 ? 'end' : 'start') + '">' + esc(a[1]) + '</text><title>' +
          esc(a[0] + ': ' + (a[2] || a[1])) + '</title></g>');
      });
    });
  }

  function collectEdges(box, agg) {
    const r = R[box.g];
    if (!r) return;
    for (const e of r.edges) {
      const route = box.routes.get(e[0] + ',' + e[1]) || [];
      for (const id of e[2]) {
        const be = B[id];
        const s = visibleOf(be[0]), t = visibleOf(be[1]);
        if (s === t) continue;
        const key = s + ',' + t;
        let a = agg.get(key);
        if (!a) {
          a = {s: s, t: t, n: 0, label: be[2], ctl: true, ref: false,
            route: route.map(p => [p[0] + box.ax, p[1] + box.ay])};
          agg.set(key, a);
        }
        a.n++;
        if (!(be[3] & 1)) a.ctl = false;
        if (be[3] & 2) a.ref = true;
      }
    }
    for (const it of box.items.values()) if (it.box) collectEdges(it.box, agg);
  }

  function drawEdges(out) {
    const agg = new Map();
    collectEdges(layoutRoot, agg);
    const labels = [];
    for (const a of agg.values()) {
      const gs = geo.get(a.s), gt = geo.get(a.t);
      if (!gs || !gt) continue;
      const pts = [[gs.cx, gs.cy]].concat(a.route, [[gt.cx, gt.cy]]);
      pts[0] = clip(gs, pts[1]);
      pts[pts.length - 1] = clip(gt, pts[pts.length - 2]);
      const cls = 'edge ' + (a.ctl ? 'control' : 'data') + (a.ref ? ' ref' : '');
      const width = a.n > 1 ? Math.min(1 + Math.log2(a.n), 4) : 1.1;
      out.push('<path class="' + cls + '" id="edge:' + esc(N[a.s].n) + '->' + esc(N[a.t].n) +
        '" d="' + pathD(pts) + '" style="stroke-width:' + width + 'px" marker-end="url(#' +
        (a.ref ? 'arrowref' : 'arrow') + ')"/>');
      const text = a.n > 1 ? a.n + ' tensors' : a.label;
      if (text) {
        const m = Math.floor((pts.length - 1) / 2);
        const x = (pts[m][0] + pts[m + 1][0]) / 2, y = (pts[m][1] + pts[m + 1][1]) / 2;
        labels.push('<text class="elabel" x="' + (x + 4) + '" y="' + y + '">' + esc(text) +
          '</text>');
      }
    }
    return labels;
  }

  function render() {
    geo = new Map();
    gradients = [];
    layoutRoot = layoutGroup(ROOT);
    place(layoutRoot, 0, 0);
    const boxes = [], leaves = [], edges = [];
    drawBox(layoutRoot, boxes);
    (function walk(box) {
      for (const it of box.items.values()) {
        if (it.box) walk(it.box);
        else drawLeaf(it, leaves);
      }
    })(layoutRoot);
    const labels = drawEdges(edges);
    const defs = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" ' +
      'markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"' +
      ' fill="#999"/></marker><marker id="arrowref" viewBox="0 0 10 10" refX="9" refY="5" ' +
      'markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" ' +
      'fill="#e07020"/></marker>' + gradients.join('') + '</defs>';
    vp.innerHTML = defs + boxes.join('') + edges.join('') + leaves.join('') + labels.join('');
    applyView();
  }

  // --- view: zoom and pan -------------------------------------------------------------
  function applyView() {
    vp.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k +
      ')');
  }
  function fit() {
    const W = svg.clientWidth || 800, H = svg.clientHeight || 600;
    const k = Math.min(W / Math.max(layoutRoot.w, 1), H / Math.max(layoutRoot.h, 1), 1.5) * 0.95;
    view = {k: k, x: (W - layoutRoot.w * k) / 2, y: (H - layoutRoot.h * k) / 2};
    applyView();
  }
  function zoomAt(factor, px, py) {
    const k = Math.min(Math.max(view.k * factor, 0.02), 8);
    view.x = px - (px - view.x) * (k / view.k);
    view.y = py - (py - view.y) * (k / view.k);
    view.k = k;
    applyView();
  }
  function centerOn(i) {
    const g = geo.get(i) || boxGeo(i);
    if (!g) return;
    const W = svg.clientWidth || 800, H = svg.clientHeight || 600;
    if (view.k < 0.6) view.k = 0.9;
    view.x = W / 2 - g.cx * view.k;
    view.y = H / 2 - g.cy * view.k;
    applyView();
  }
  function boxGeo(i) {
    let found = null;
    (function walk(box) {
      if (box.g === i) found = {cx: box.ax + box.w / 2, cy: box.ay + box.h / 2};
      for (const it of box.items.values()) if (it.box && !found) walk(it.box);
    })(layoutRoot);
    return found;
  }

  svg.addEventListener('wheel', ev => {
    ev.preventDefault();
    const rect = svg.getBoundingClientRect();
    zoomAt(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - rect.left, ev.clientY - rect.top);
  }, {passive: false});
  let drag = null;
  svg.addEventListener('pointerdown', ev => {
    drag = {x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false};
  });
  window.addEventListener('pointermove', ev => {
    if (!drag) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    drag.moved = true;
    svg.classList.add('dragging');
    view.x = drag.vx + dx;
    view.y = drag.vy + dy;
    applyView();
  });
  window.addEventListener('pointerup', () => {
    svg.classList.remove('dragging');
    setTimeout(() => { drag = null; }, 0);
  });

  // --- interaction --------------------------------------------------------------------
  function toggle(i) {
    if (!isGroup(i) || i === ROOT) return;
    if (expanded.has(i)) {
      expanded.delete(i);
      for (const j of Array.from(expanded)) {
        if (j !== ROOT && isInside(j, i)) expanded.delete(j);
      }
    } else expanded.add(i);
    render();
  }
  function isInside(j, i) {
    for (let k = N[j].p; k >= 0; k = N[k].p) if (k === i) return true;
    return false;
  }
  function reveal(i) {
    let target = i;
    if (N[target].k === 'const' || N[target].k === 'summary') target = N[target].p;
    for (let k = N[target].p; k > 0; k = N[k].p) expanded.add(k);
    selected = target;
    render();
    showDetails(i);
    centerOn(target);
  }
  function select(i) {
    selected = i;
    render();
    showDetails(i);
  }

  svg.addEventListener('click', ev => {
    if (drag && drag.moved) return;
    const ann = ev.target.closest('[data-ann]');
    if (ann) {
      const t = +ann.getAttribute('data-ann');
      if (t >= 0) {
        if (N[t].k === 'const' || N[t].k === 'summary') { showDetails(t); return; }
        reveal(t);
      }
      return;
    }
    const el = ev.target.closest('[data-i]');
    if (!el) return;
    const i = +el.getAttribute('data-i');
    if (isGroup(i)) {
      const isHeader = el.classList.contains('head');
      if (!expanded.has(i) || isHeader) {
        selected = i;
        toggle(i);
        showDetails(i);
        return;
      }
    }
    select(i);
  });

  function row(k, v) { return '<tr><td class="k">' + esc(k) + '</td><td>' + v + '</td></tr>'; }
  function link(name) {
    const i = byName.get(name.replace(/^\^/, '').replace(/:\d+$/, ''));
    return i === undefined ? esc(name) : '<a data-goto="' + i + '">' + esc(name) + '</a>';
  }
  function showDetails(i) {
    const n = N[i];
    let h = '<h3>' + esc(n.n || '(root)') + '</h3><table>';
    if (isGroup(i)) {
      h += row('kind', n.k === 'meta' ? 'name scope' : 'series');
      h += row('ops', n.c);
      if (n.op) h += row('op', esc(n.op));
      h += row('children', n.ch.length);
      if (n.tt) h += row('compute time', esc(n.tt));
      h += row('op types', n.hist.map(p => esc(p[0]) + ' \u00d7 ' + p[1]).join('<br>'));
      if (n.dev.length) h += row('devices', n.dev.map(p => esc(p[0]) + ' \u00d7 ' + p[1])
        .join('<br>'));
      const gr = R[n.p];
      if (gr && gr.why && gr.why[i]) h += row('auxiliary', esc(gr.why[i]));
    } else {
      h += row('op', esc(n.op));
      if (n.k !== 'op') h += row('drawn as', esc(n.k) + ' annotation of ' + link(N[n.p].n));
      h += row('device', esc(n.d || '(unassigned)'));
      h += row('inputs', n.in.length ? n.in.map(link).join('<br>') : '(none)');
      if (n.sh && n.sh.length) h += row('outputs', n.sh.map(fmtShape).join(', '));
      if (n.tt) h += row('compute time', esc(n.tt));
      const gr = R[n.p];
      if (gr && gr.why && gr.why[i]) h += row('auxiliary', esc(gr.why[i]));
      for (const k of Object.keys(n.at)) h += row(k, esc(n.at[k]));
    }
    h += '</table>';
    document.getElementById('details').innerHTML = h;
  }
  document.getElementById('details').addEventListener('click', ev => {
    const a = ev.target.closest('[data-goto]');
    if (a) reveal(+a.getAttribute('data-goto'));
  });

  // --- search -------------------------------------------------------------------------
  const search = document.getElementById('search'), results = document.getElementById('results');
  function runSearch(q) {
    q = q.trim().toLowerCase();
    const found = [];
    if (q) {
      for (let i = 1; i < N.length && found.length < 50; i++) {
        if (N[i].n.toLowerCase().indexOf(q) >= 0) found.push(i);
      }
    }
    matches = new Set(found);
    results.innerHTML = found.map(i => '<div data-goto="' + i + '">' + esc(N[i].n) +
      ' <span class="hint">' + esc(N[i].op || N[i].k) + '</span></div>').join('');
    results.style.display = found.length ? 'block' : 'none';
    return found;
  }
  search.addEventListener('input', () => { runSearch(search.value); render(); });
  search.addEventListener('keydown', ev => {
    if (ev.key === 'Enter') {
      const found = runSearch(search.value);
      if (found.length) { results.style.display = 'none'; reveal(found[0]); }
    } else if (ev.key === 'Escape') { results.style.display = 'none'; }
  });
  results.addEventListener('click', ev => {
    const el = ev.target.closest('[data-goto]');
    if (!el) return;
    results.style.display = 'none';
    reveal(+el.getAttribute('data-goto'));
  });

  // --- toolbar and legend -------------------------------------------------------------
  const colorSel = document.getElementById('color');
  colorSel.innerHTML = D.modes.map(m => '<option value="' + m + '"' +
    (m === colorMode ? ' selected' : '') + '>' + m + '</option>').join('');
  colorSel.addEventListener('change', () => { colorMode = colorSel.value; legend(); render(); });
  document.getElementById('fit').addEventListener('click', fit);
  document.getElementById('zoomin').addEventListener('click', () =>
    zoomAt(1.25, svg.clientWidth / 2, svg.clientHeight / 2));
  document.getElementById('zoomout').addEventListener('click', () =>
    zoomAt(0.8, svg.clientWidth / 2, svg.clientHeight / 2));
  document.getElementById('collapse').addEventListener('click', () => {
    expanded.clear();
    expanded.add(ROOT);
    render();
    fit();
  });
  function sw(c) { return '<span class="sw" style="background:' + c + '"></span>'; }
  function legend() {
    let h = '<b>Legend</b><br>';
    h += D.counts.ops + ' ops in ' + D.counts.groups + ' scopes/series<br>';
    if (colorMode === 'device') {
      h += D.legend.device.map(p => sw(p[1]) + esc(p[0])).join('<br>') || 'no devices set';
    } else if (colorMode === 'type') {
      h += D.legend.type.slice(0, 40).map(p => sw(p[1]) + esc(p[0])).join('<br>');
    } else if (colorMode === 'compute' && D.legend.compute) {
      h += 'compute time ' + sw('#fff5f0') + esc(D.legend.compute[0]) + ' \u2192 ' +
        sw('#fb6a4a') + esc(D.legend.compute[1]);
    } else {
      h += sw('#d9d9d9') + 'name scope (click to open)<br>' + sw('#ffffff') +
        'op<br>stacked box: series of similar ops<br>dashed edge: control dependency';
    }
    document.getElementById('legend').innerHTML = h;
  }

  window.minitfViewer = {
    expand: name => {
      const i = byName.get(name);
      if (i !== undefined && !expanded.has(i)) toggle(i);
    },
    collapse: name => {
      const i = byName.get(name);
      if (i !== undefined && expanded.has(i)) toggle(i);
    },
    select: name => { const i = byName.get(name); if (i !== undefined) reveal(i); },
    search: q => runSearch(q).map(i => N[i].n),
    setColor: m => { colorMode = m; legend(); render(); },
    state: () => ({
      expanded: Array.from(expanded).filter(i => i !== ROOT).map(i => N[i].n).sort(),
      visible: Array.from(geo.keys()).map(i => N[i].n).sort(),
      edges: vp.querySelectorAll('path.edge').length,
      selected: selected >= 0 ? N[selected].n : null
    }),
    fit: fit
  };
  legend();
  render();
  fit();
  window.addEventListener('resize', fit);
})();
"""

VIEWER_JS = LAYOUT_JS + UI_JS
