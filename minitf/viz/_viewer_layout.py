"""The first half of the viewer's script: the graph data, sizes, and the layout engine (a
layered layout per open scope: cycle breaking, longest-path ranks, dummy nodes on long edges,
barycentre ordering, coordinates pulled towards neighbours; auxiliary nodes in a column on the
right). It opens the script's closure; :mod:`minitf.viz._viewer_assets` closes it."""

LAYOUT_JS = r"""
(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('graph-data').textContent);
  const N = D.nodes, R = D.renders, B = D.base;
  const ROOT = 0;
  const BT = D.rankdir !== 'TB';
  const byName = new Map();
  N.forEach((n, i) => byName.set(n.n, i));
  const expanded = new Set(D.expanded);
  expanded.add(ROOT);
  let colorMode = D.color;
  let selected = -1;
  let matches = new Set();
  let layoutRoot = null;
  let geo = new Map();
  let view = {k: 1, x: 0, y: 0};
  const svg = document.getElementById('canvas');
  const vp = document.getElementById('viewport');

  const OP_H = 22, META_H = 34, ANN_ROW = 12, PAD = 12, LABEL_H = 24;
  const GAP_X = 22, GAP_Y = 36, AUX_GAP = 44;

  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
  }
  function tw(s, size) { return String(s).length * size * 0.6; }
  function isGroup(i) { return N[i].k === 'meta' || N[i].k === 'series'; }
  function fmtShape(s) {
    if (s === null || s === undefined) return '?';
    return '[' + s.map(d => (d < 0 ? '?' : d)).join(',') + ']';
  }
  function subLabel(i) {
    const n = N[i];
    let s = n.k === 'series' ? n.c + ' \u00d7 ' + n.op : n.c + (n.c === 1 ? ' op' : ' ops');
    if (colorMode === 'compute' && n.tt) s += ' \u00b7 ' + n.tt;
    return s;
  }
  function annOf(g, i) {
    const r = R[g];
    return (r && r.ann[i]) || [[], []];
  }
  function annWidth(list) {
    let m = 0;
    for (const a of list) m = Math.max(m, tw(a[1], 9));
    return list.length ? m + 20 : 0;
  }

  // --- layout -------------------------------------------------------------------------
  function leafItem(g, i) {
    const n = N[i];
    let w, h;
    if (n.k === 'op') {
      const extra = colorMode === 'compute' && n.tt ? tw(n.tt, 9) + 8 : 0;
      w = Math.max(tw(n.l, 11) + 22 + extra, 40);
      h = OP_H;
    } else {
      w = Math.max(tw(n.l, 11) + 26, tw(subLabel(i), 9) + 26, 64);
      h = META_H;
    }
    const a = annOf(g, i);
    const wi = annWidth(a[0]), wo = annWidth(a[1]);
    const ah = Math.max(a[0].length, a[1].length) * ANN_ROW;
    return {i: i, g: g, w: w + wi + wo, h: Math.max(h, ah), cw: w, chh: h, wi: wi, wo: wo,
      ann: a, box: null, x: 0, y: 0};
  }

  function layoutGroup(g) {
    const r = R[g] || {core: [], aux: [], edges: [], ann: {}};
    const items = new Map();
    for (const i of r.core.concat(r.aux)) {
      if (isGroup(i) && expanded.has(i)) {
        const b = layoutGroup(i);
        items.set(i, {i: i, g: g, w: b.w, h: b.h, box: b, x: 0, y: 0});
      } else {
        items.set(i, leafItem(g, i));
      }
    }
    const res = layered(r.core.map(i => items.get(i)), r.edges);
    let w = res.w, h = res.h;
    let aux = null;
    if (r.aux.length) {
      const ax = r.core.length ? w + AUX_GAP : 0;
      let ay = 18, aw = tw('Auxiliary nodes', 9) + 8;
      for (const i of r.aux) {
        const it = items.get(i);
        it.x = ax + 10;
        it.y = ay;
        ay += it.h + 12;
        aw = Math.max(aw, it.w);
      }
      aux = {x: ax, y: 0, w: aw + 20, h: ay};
      w = ax + aw + 20;
      h = Math.max(h, ay);
    }
    const isRoot = g === ROOT;
    const pad = isRoot ? 24 : PAD, top = isRoot ? 16 : LABEL_H;
    const labelW = isRoot ? 0 : tw(N[g].l, 11) + tw(subLabel(g), 9) + 40;
    w = Math.max(w + 2 * pad, labelW);
    for (const it of items.values()) { it.x += pad; it.y += top; }
    for (const pts of res.routes.values()) {
      for (const p of pts) { p[0] += pad; p[1] += top; }
    }
    if (aux) { aux.x += pad; aux.y += top; }
    return {g: g, items: items, routes: res.routes, aux: aux, w: w, h: h + top + pad};
  }

  function layered(items, edges) {
    const n = items.length;
    const routes = new Map();
    if (!n) return {w: 0, h: 0, routes: routes};
    const pos = new Map();
    items.forEach((it, k) => pos.set(it.i, k));
    const E = [];
    const seen = new Set();
    for (const e of edges) {
      const u = pos.get(e[0]), v = pos.get(e[1]);
      if (u === undefined || v === undefined || u === v) continue;
      const key = u + ',' + v;
      if (seen.has(key)) continue;
      seen.add(key);
      E.push([u, v, e[0] + ',' + e[1]]);
    }
    // break cycles: reverse DFS back edges
    const out = [];
    for (let u = 0; u < n; u++) out.push([]);
    E.forEach((e, k) => out[e[0]].push(k));
    const state = new Uint8Array(n), rev = new Uint8Array(E.length);
    for (let s = 0; s < n; s++) {
      if (state[s]) continue;
      const stack = [[s, 0]];
      state[s] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1], u = top[0];
        if (top[1] < out[u].length) {
          const k = out[u][top[1]++], v = E[k][1];
          if (state[v] === 1) rev[k] = 1;
          else if (!state[v]) { state[v] = 1; stack.push([v, 0]); }
        } else { state[u] = 2; stack.pop(); }
      }
    }
    const preds = [], succs = [];
    for (let u = 0; u < n; u++) { preds.push([]); succs.push([]); }
    const dag = E.map((e, k) => (rev[k] ? [e[1], e[0]] : [e[0], e[1]]));
    for (const [u, v] of dag) { succs[u].push(v); preds[v].push(u); }
    // ranks: longest path from the sources, sources pulled up next to their successors
    const indeg = preds.map(p => p.length), queue = [], topo = [];
    const rank = new Int32Array(n);
    indeg.forEach((d, u) => { if (!d) queue.push(u); });
    for (let qi = 0; qi < queue.length; qi++) {
      const u = queue[qi];
      topo.push(u);
      for (const v of succs[u]) {
        rank[v] = Math.max(rank[v], rank[u] + 1);
        if (--indeg[v] === 0) queue.push(v);
      }
    }
    for (let k = topo.length - 1; k >= 0; k--) {
      const u = topo[k];
      if (!preds[u].length && succs[u].length) {
        let m = Infinity;
        for (const v of succs[u]) m = Math.min(m, rank[v]);
        rank[u] = m - 1;
      }
    }
    let minR = Infinity, maxR = -Infinity;
    for (let u = 0; u < n; u++) { minR = Math.min(minR, rank[u]); }
    for (let u = 0; u < n; u++) { rank[u] -= minR; maxR = Math.max(maxR, rank[u]); }
    // virtual nodes: real ones, then dummies along long edges
    const vw = [], vh = [], vr = [], vpr = [], vs = [];
    for (let u = 0; u < n; u++) {
      vw.push(items[u].w); vh.push(items[u].h); vr.push(rank[u]); vpr.push([]); vs.push([]);
    }
    const chains = [];
    dag.forEach((e, k) => {
      let u = e[0];
      const v = e[1], chain = [];
      for (let r = rank[e[0]] + 1; r < rank[v]; r++) {
        const d = vw.length;
        vw.push(4); vh.push(4); vr.push(r); vpr.push([u]); vs.push([]);
        vs[u].push(d);
        chain.push(d);
        u = d;
      }
      vs[u].push(v); vpr[v].push(u);
      chains.push(chain);
    });
    const layers = [];
    for (let r = 0; r <= maxR; r++) layers.push([]);
    const visited = new Uint8Array(vw.length);
    const order = [];
    function visit(s) {
      const st = [s];
      while (st.length) {
        const u = st.pop();
        if (visited[u]) continue;
        visited[u] = 1;
        order.push(u);
        for (let k = vs[u].length - 1; k >= 0; k--) st.push(vs[u][k]);
      }
    }
    for (const u of topo) if (!preds[u].length) visit(u);
    for (let u = 0; u < vw.length; u++) visit(u);
    for (const u of order) layers[vr[u]].push(u);
    const idx = new Float64Array(vw.length);
    function reindex(L) { L.forEach((u, k) => { idx[u] = k; }); }
    layers.forEach(reindex);
    for (let it = 0; it < 8; it++) {
      const down = it % 2 === 0;
      for (let a = 0; a < layers.length; a++) {
        const r = down ? a : layers.length - 1 - a;
        const L = layers[r];
        const bc = new Map();
        for (const u of L) {
          const nb = down ? vpr[u] : vs[u];
          if (nb.length) {
            let s = 0;
            for (const x of nb) s += idx[x];
            bc.set(u, s / nb.length);
          } else bc.set(u, idx[u]);
        }
        L.sort((p, q) => bc.get(p) - bc.get(q) || idx[p] - idx[q]);
        reindex(L);
      }
    }
    // x coordinates: packed, then pulled towards the neighbours' mean
    const X = new Float64Array(vw.length);
    let maxW = 0;
    for (const L of layers) {
      let x = 0;
      for (const u of L) { X[u] = x + vw[u] / 2; x += vw[u] + GAP_X; }
      maxW = Math.max(maxW, x);
    }
    for (const L of layers) {
      if (!L.length) continue;
      const last = L[L.length - 1], width = X[last] + vw[last] / 2;
      for (const u of L) X[u] += (maxW - width) / 2;
    }
    function gap(a, b) { return (vw[a] + vw[b]) / 2 + (vw[a] < 5 && vw[b] < 5 ? 6 : GAP_X); }
    for (let it = 0; it < 10; it++) {
      const down = it % 2 === 0;
      for (let a = 0; a < layers.length; a++) {
        const L = layers[down ? a : layers.length - 1 - a];
        if (!L.length) continue;
        const want = L.map(u => {
          const nb = vpr[u].concat(vs[u]);
          if (!nb.length) return X[u];
          let s = 0;
          for (const x of nb) s += X[x];
          return s / nb.length;
        });
        const A = want.slice(), Bv = want.slice();
        for (let k = 1; k < L.length; k++) A[k] = Math.max(A[k], A[k - 1] + gap(L[k - 1], L[k]));
        for (let k = L.length - 2; k >= 0; k--) {
          Bv[k] = Math.min(Bv[k], Bv[k + 1] - gap(L[k], L[k + 1]));
        }
        L.forEach((u, k) => { X[u] = (A[k] + Bv[k]) / 2; });
      }
    }
    let minX = Infinity, maxX = -Infinity;
    for (let u = 0; u < vw.length; u++) {
      minX = Math.min(minX, X[u] - vw[u] / 2);
      maxX = Math.max(maxX, X[u] + vw[u] / 2);
    }
    // y coordinates per rank; rank 0 at the bottom for bottom-to-top graphs
    const lh = layers.map(L => L.reduce((m, u) => Math.max(m, vh[u]), 0));
    const ly = [];
    let y = 0;
    for (let r = 0; r < layers.length; r++) { ly.push(y); y += lh[r] + GAP_Y; }
    const H = y - GAP_Y;
    function cy(u) {
      const r = vr[u], c = ly[r] + lh[r] / 2;
      return BT ? H - c : c;
    }
    for (let u = 0; u < n; u++) {
      items[u].x = X[u] - vw[u] / 2 - minX;
      items[u].y = cy(u) - vh[u] / 2;
    }
    dag.forEach((e, k) => {
      const pts = chains[k].map(d => [X[d] - minX, cy(d)]);
      if (rev[k]) pts.reverse();
      routes.set(E[k][2], pts);
    });
    return {w: maxX - minX, h: H, routes: routes};
  }

  function place(box, ox, oy) {
    box.ax = ox;
    box.ay = oy;
    for (const it of box.items.values()) {
      it.ax = ox + it.x;
      it.ay = oy + it.y;
      if (it.box) place(it.box, it.ax, it.ay);
      else {
        const cx = it.ax + it.wi + it.cw / 2, cy = it.ay + it.h / 2;
        geo.set(it.i, {cx: cx, cy: cy, w: it.cw, h: it.chh, op: N[it.i].k === 'op', item: it});
      }
    }
  }

  function visibleOf(i) {
    const chain = [];
    for (let j = i; j >= 0; j = N[j].p) chain.push(j);
    chain.reverse();
    for (let k = 1; k < chain.length; k++) {
      const c = chain[k];
      if (!(isGroup(c) && expanded.has(c))) return c;
    }
    return i;
  }

"""
