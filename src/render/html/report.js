// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// memtrace --html: draws the JSON report embedded in the page (docs/json-schema.md) with
// plain DOM and SVG; no library, nothing fetched. Every number a test reads carries
// data-testid and its exact integer in data-value: formatted text is for people only.
"use strict";

(function () {
	const SVGNS = "http://www.w3.org/2000/svg";
	const CLASSES = ["kernel_logical", "physical", "kernel_virtual", "bus", "user_virtual",
		"high_memory"];
	const CLASS_NAMES = {
		kernel_logical: "kernel logical", physical: "physical", kernel_virtual: "kernel virtual",
		bus: "bus", user_virtual: "user virtual", high_memory: "high memory",
	};
	const COLORS = {
		kernel_logical: "#2f6fdf", physical: "#e07b24", kernel_virtual: "#2e9d6b",
		bus: "#9b4dca", user_virtual: "#c9a227", high_memory: "#d04f6a",
	};

	// --- small helpers ------------------------------------------------------------------

	function h(tag, attrs, ...kids) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === undefined || v === null)
				continue;
			if (k === "text")
				e.textContent = v;
			else if (k.startsWith("on"))
				e.addEventListener(k.slice(2), v);
			else
				e.setAttribute(k, v);
		}
		for (const k of kids.flat())
			if (k !== null && k !== undefined)
				e.append(k instanceof Node ? k : String(k));
		return e;
	}

	function s(tag, attrs, ...kids) {
		const e = document.createElementNS(SVGNS, tag);
		for (const [k, v] of Object.entries(attrs || {}))
			if (v !== undefined && v !== null)
				e.setAttribute(k, v);
		for (const k of kids.flat())
			if (k !== null && k !== undefined)
				e.append(k instanceof Node ? k : document.createTextNode(String(k)));
		return e;
	}

	function num(n) {
		return typeof n === "number" ? n.toLocaleString("en-US") : "-";
	}

	function bytes(n) {
		if (typeof n !== "number")
			return "-";
		const u = ["B", "KiB", "MiB", "GiB", "TiB"];
		let v = Math.abs(n), i = 0;
		while (v >= 1024 && i < u.length - 1) {
			v /= 1024;
			i++;
		}
		return (n < 0 ? "-" : "") + (i ? v.toFixed(v < 10 ? 2 : 1) : v) + " " + u[i];
	}

	// log2 bucket edges the way libbpf-tools print them: 1K, 2M, ...
	function edge(n) {
		const u = ["", "K", "M", "G", "T", "P"];
		let i = 0;
		while (n >= 1024 && n % 1024 === 0 && i < u.length - 1) {
			n /= 1024;
			i++;
		}
		return n + u[i];
	}

	// A value a test compares: text for people, the exact integer in data-value.
	function val(testid, value, text) {
		return h("span", { "data-testid": testid, "data-value": String(value) },
			text === undefined ? num(value) : text);
	}

	function sum(a, f) {
		let t = 0;
		for (const x of a)
			t += f(x) || 0;
		return t;
	}

	const tip = h("div", { class: "tip" });

	function showTip(ev, text) {
		tip.textContent = text;
		tip.style.display = "block";
		const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
		tip.style.left = x + "px";
		tip.style.top = (ev.clientY + 14) + "px";
	}

	function hideTip() {
		tip.style.display = "none";
	}

	function section(id, title, ...kids) {
		return h("section", { id }, h("h2", { text: title }), ...kids);
	}

	function tracedClasses(d) {
		return CLASSES.filter((c) => d.classes && d.classes[c] && d.classes[c].traced &&
			typeof d.classes[c].allocs === "number");
	}

	// --- summary ------------------------------------------------------------------------

	function card(k, v) {
		return h("div", { class: "card" }, h("div", { class: "k", text: k }),
			h("div", { class: "v" }, v));
	}

	function summary(d) {
		const run = d.run || {};
		const lost = run.lost || {};
		const cards = h("div", { class: "cards" },
			card("duration", val("duration", run.duration_s, (run.duration_s || 0) + " s")),
			card("events", val("events", run.events)),
			card("processes", val("process-count", (d.processes || []).length)));
		const bad = Object.keys(lost).filter((k) => lost[k]);
		const lostEl = bad.length ?
			h("div", { class: "lost", "data-testid": "lost" }, "lost: ",
				bad.map((k) => h("span", { class: "lost" }, " " + k + " ",
					val("lost-" + k, lost[k])))) :
			h("p", { class: "ok", "data-testid": "no-lost", "data-value": "0" },
				"no events lost: every count is complete");
		const rows = tracedClasses(d).map((c) => {
			const x = d.classes[c];
			return h("tr", {},
				h("td", {}, h("i", { style: "display:inline-block;width:10px;height:10px;" +
					"margin-right:6px;background:" + COLORS[c] }), CLASS_NAMES[c]),
				h("td", { class: "n" }, val("total-allocs-" + c, x.allocs)),
				h("td", { class: "n" }, val("total-frees-" + c, x.frees)),
				h("td", { class: "n" }, val("total-bytes-" + c, x.bytes_allocated,
					bytes(x.bytes_allocated))),
				h("td", { class: "n" }, bytes(x.bytes_freed)),
				h("td", { class: "n" }, bytes(x.net_bytes)),
				h("td", { class: "n" }, num(x.failures)));
		});
		const untraced = CLASSES.filter((c) => d.classes && d.classes[c] &&
			!tracedClasses(d).includes(c)).map((c) => CLASS_NAMES[c] + " (" +
			(d.classes[c].availability || "not traced") + ")");
		return section("summary", "Summary", cards, lostEl,
			h("div", { class: "tablewrap", style: "max-height:none" },
				h("table", {}, h("thead", {}, h("tr", {},
					["class", "allocs", "frees", "bytes allocated", "bytes freed", "net",
						"failures"].map((t, i) => h("th", { class: i ? "n" : "", text: t })))),
				h("tbody", {}, rows))),
			untraced.length ? h("p", { class: "note", text: "not measured: " + untraced.join(", ") +
				". Classes are layers, not parts of a whole: do not add them." }) : null);
	}

	// --- sortable, filterable tables ----------------------------------------------------

	// cols: {key, label, num, fmt, get}; rows: objects. The filter matches every text column.
	function table(id, cols, rows, defaultSort) {
		let sortKey = defaultSort, desc = true, filter = "";
		const tbody = h("tbody");
		const count = h("span", { "data-testid": id + "-rows" });
		const sums = h("span", { hidden: "" });
		const get = (c, r) => (c.get ? c.get(r) : r[c.key]);
		const ths = cols.map((c) => h("th", {
			class: "sort" + (c.num ? " n" : ""), text: c.label,
			onclick: () => {
				desc = sortKey === c.key ? !desc : !!c.num;
				sortKey = c.key;
				draw();
			},
		}));

		function draw() {
			const f = filter.toLowerCase();
			let shown = rows.filter((r) => !f || cols.some((c) => !c.num &&
				String(get(c, r) === null || get(c, r) === undefined ? "" : get(c, r))
					.toLowerCase().includes(f)));
			const col = cols.find((c) => c.key === sortKey);
			if (col)
				shown = shown.slice().sort((a, b) => {
					const x = get(col, a), y = get(col, b);
					const r = col.num ? (x || 0) - (y || 0) :
						String(x === null ? "" : x).localeCompare(String(y === null ? "" : y));
					return desc ? -r : r;
				});
			ths.forEach((t, i) => {
				t.classList.toggle("asc", cols[i].key === sortKey && !desc);
				t.classList.toggle("desc", cols[i].key === sortKey && desc);
			});
			tbody.replaceChildren(...shown.map((r) => h("tr", {}, cols.map((c) => {
				const v = get(c, r);
				return h("td", { class: c.num ? "n" : "", "data-value": c.num ? v : null },
					c.fmt ? c.fmt(v, r) : (c.num ? num(v) : (v === null || v === undefined ? "-" : v)));
			}))));
			count.textContent = shown.length + " of " + rows.length + " rows";
			count.dataset.value = String(shown.length);
			// the shown rows' totals, for tests: a range's table must add up to its points
			sums.replaceChildren(...cols.filter((c) => c.num && c.key !== "tgid").map((c) =>
				h("span", { "data-testid": id + "-sum-" + c.key,
					"data-value": String(sum(shown, (r) => get(c, r))) })));
		}
		draw();
		const box = h("input", {
			type: "search", placeholder: "filter", "data-testid": id + "-filter",
			oninput: (e) => {
				filter = e.target.value;
				draw();
			},
		});
		return h("div", { id: id }, h("div", { class: "tools" }, box, count, sums),
			h("div", { class: "tablewrap" }, h("table", {}, h("thead", {}, h("tr", {}, ths)), tbody)));
	}

	function procTotal(p, k) {
		return sum(Object.values(p.classes || {}), (c) => c[k]);
	}

	function processRows(d) {
		return (d.processes || []).map((p) => ({
			tgid: p.tgid, comm: p.comm, allocs: procTotal(p, "allocs"),
			bytes_allocated: procTotal(p, "bytes_allocated"), frees: procTotal(p, "frees"),
			bytes_freed: procTotal(p, "bytes_freed"),
			outstanding: p.outstanding ? p.outstanding.total_bytes : null,
			state: p.exited ? "ended" + (p.processes > 1 ? " (" + p.processes + " folded)" : "") : "",
		}));
	}

	const PROC_COLS = [
		{ key: "tgid", label: "pid", num: true, fmt: (v) => (v === null ? "-" : String(v)) },
		{ key: "comm", label: "comm" },
		{ key: "allocs", label: "allocs", num: true },
		{ key: "bytes_allocated", label: "bytes allocated", num: true, fmt: bytes },
		{ key: "frees", label: "frees", num: true },
		{ key: "bytes_freed", label: "bytes freed", num: true, fmt: bytes },
		{ key: "outstanding", label: "outstanding", num: true, fmt: (v) => (v === null ? "-" : bytes(v)) },
		{ key: "state", label: "state" },
	];
	const CACHE_COLS = [
		{ key: "name", label: "cache" },
		{ key: "kind", label: "kind" },
		{ key: "size", label: "object", num: true },
		{ key: "allocs", label: "allocs", num: true },
		{ key: "frees", label: "frees", num: true },
		{ key: "bytes_requested", label: "requested", num: true, fmt: bytes },
		{ key: "bytes_allocated", label: "allocated", num: true, fmt: bytes },
		{ key: "frag", label: "fragmentation", num: true, fmt: bytes,
			get: (r) => r.bytes_allocated - r.bytes_requested },
	];
	const RANGE_COLS = (what) => [
		{ key: "name", label: what },
		{ key: "points", label: "points", num: true },
		{ key: "allocs", label: "allocs", num: true },
		{ key: "bytes_allocated", label: "bytes allocated", num: true, fmt: bytes },
	];

	// --- timeline -----------------------------------------------------------------------

	// Per-point top lists summed over the points in [i0, i1]: the range's processes/caches.
	function rangeRows(points, i0, i1, list, nameKey) {
		const m = new Map();
		for (let i = i0; i <= i1; i++)
			for (const x of points[i][list] || []) {
				const r = m.get(x[nameKey]) || { name: x[nameKey], points: 0, allocs: 0,
					bytes_allocated: 0 };
				r.points++;
				r.allocs += x.allocs || 0;
				r.bytes_allocated += x.bytes_allocated || 0;
				m.set(x[nameKey], r);
			}
		return [...m.values()];
	}

	function timeline(d, tables) {
		const tl = d.timeline;
		if (!tl || !Array.isArray(tl.points) || !tl.points.length)
			return section("timeline", "Timeline",
				h("p", { "data-testid": "no-timeline", class: "note" },
					"no timeline in this report"),
				val("timeline-points", 0, ""));
		const points = tl.points;
		const classes = CLASSES.filter((c) => points.some((p) => p.classes && p.classes[c]));
		const W = 1180, H = 240, L = 70, R = 10, T = 10, B = 28;
		const svg = s("svg", { width: W, height: H, "data-testid": "timeline-svg" });
		const rangeNote = h("p", { class: "note", "data-testid": "timeline-range" });
		const rangeInfo = h("span");
		let view = [0, points.length - 1];
		let drag = null, at = null, cur = null;

		window.addEventListener("mouseup", (ev) => {
			if (!drag)
				return;
			const a = at(ev), b = drag;
			drag = null;
			if (a.j === b.j && Math.abs(a.t - b.t) < cur.span / 200)
				return;
			select(cur.i0 + Math.min(a.j, b.j), cur.i0 + Math.max(a.j, b.j));
		});

		const start = (p) => p.t_s - (p.dt_s || 0);

		function draw() {
			const [i0, i1] = view;
			const pts = points.slice(i0, i1 + 1);
			const t0 = start(pts[0]), t1 = pts[pts.length - 1].t_s;
			const stackTop = pts.map((p) => sum(classes, (c) => (p.classes[c] || {}).bytes_allocated));
			const ymax = Math.max(1, ...stackTop);
			const x = (t) => L + (t - t0) / ((t1 - t0) || 1) * (W - L - R);
			const y = (v) => H - B - v / ymax * (H - T - B);
			svg.replaceChildren();
			for (let k = 0; k <= 4; k++) {
				const v = ymax * k / 4;
				svg.append(s("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#d9dee7" }),
					s("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, bytes(Math.round(v))));
			}
			for (let k = 0; k <= 6; k++) {
				const t = t0 + (t1 - t0) * k / 6;
				svg.append(s("text", { x: x(t), y: H - 8, "text-anchor": "middle" }, t.toFixed(1) + " s"));
			}
			// stacked bars: each point's width is its own interval
			const base = pts.map(() => 0);
			for (const c of classes)
				pts.forEach((p, j) => {
					const v = (p.classes[c] || {}).bytes_allocated || 0;
					if (!v)
						return;
					const x0 = x(start(p)), x1 = x(p.t_s);
					svg.append(s("rect", { x: x0, width: Math.max(1, x1 - x0 - 0.5), y: y(base[j] + v),
						height: Math.max(0.5, y(base[j]) - y(base[j] + v)), fill: COLORS[c] }));
					base[j] += v;
				});
			svg.append(s("line", { x1: L, x2: L, y1: T, y2: H - B, stroke: "#667085" }),
				s("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#667085" }));
			const cursor = s("line", { y1: T, y2: H - B, stroke: "#1d2330", "stroke-dasharray": "3 3",
				visibility: "hidden" });
			const sel = s("rect", { class: "sel", y: T, height: H - T - B, visibility: "hidden" });
			const hit = s("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "transparent",
				style: "cursor: crosshair" });
			svg.append(cursor, sel, hit);
			cur = { i0, span: t1 - t0 };
			at = (ev) => {
				const r = svg.getBoundingClientRect();
				const t = t0 + (ev.clientX - r.left - L) / (W - L - R) * (t1 - t0);
				let j = pts.findIndex((p) => t <= p.t_s);
				if (j < 0)
					j = pts.length - 1;
				return { t, j };
			};
			hit.addEventListener("mousedown", (ev) => {
				drag = at(ev);
				ev.preventDefault();
			});
			hit.addEventListener("mousemove", (ev) => {
				const a = at(ev), p = pts[a.j];
				cursor.setAttribute("x1", x(p.t_s));
				cursor.setAttribute("x2", x(p.t_s));
				cursor.setAttribute("visibility", "visible");
				if (drag) {
					const lo = Math.min(drag.t, a.t), hi = Math.max(drag.t, a.t);
					sel.setAttribute("x", Math.max(L, x(lo)));
					sel.setAttribute("width", Math.max(0, x(hi) - Math.max(L, x(lo))));
					sel.setAttribute("visibility", "visible");
				}
				showTip(ev, start(p).toFixed(2) + " - " + p.t_s.toFixed(2) + " s\n" +
					classes.map((c) => CLASS_NAMES[c] + ": " +
						bytes((p.classes[c] || {}).bytes_allocated || 0) + " in " +
						num((p.classes[c] || {}).allocs || 0) + " allocs").join("\n") +
					(p.lost ? "\nlost: " + num(p.lost) : "") +
					(p.stalls ? "\nstalls: " + num(p.stalls) : ""));
			});
			hit.addEventListener("mouseleave", () => {
				cursor.setAttribute("visibility", "hidden");
				hideTip();
			});
		}

		function select(i0, i1) {
			view = [Math.max(0, i0), Math.min(points.length - 1, i1)];
			const whole = view[0] === 0 && view[1] === points.length - 1;
			const pts = points.slice(view[0], view[1] + 1);
			rangeNote.replaceChildren(whole ? "the whole run: " : "selected " +
				start(pts[0]).toFixed(2) + " - " + pts[pts.length - 1].t_s.toFixed(2) + " s: ",
				val("range-points", pts.length), " points, ",
				val("range-bytes", sum(pts, (p) => sum(classes, (c) =>
					(p.classes[c] || {}).bytes_allocated)), bytes(sum(pts, (p) => sum(classes,
					(c) => (p.classes[c] || {}).bytes_allocated)))), " allocated");
			tables.range(whole ? null : {
				label: start(pts[0]).toFixed(2) + " - " + pts[pts.length - 1].t_s.toFixed(2) + " s",
				procs: rangeRows(points, view[0], view[1], "processes", "comm"),
				caches: rangeRows(points, view[0], view[1], "caches", "name"),
			});
			draw();
		}

		const legend = h("div", { class: "legend" }, classes.map((c) =>
			h("span", {}, h("i", { style: "background:" + COLORS[c] }), CLASS_NAMES[c])));
		const el = section("timeline", "Timeline",
			h("p", { class: "note" }, val("timeline-points", points.length), " points every ",
				String(tl.interval_s), " s; bytes allocated per interval, stacked by class. " +
				"Hover for values; drag to select a time range (it zooms, and the process and " +
				"cache tables show that range, from each point's top lists)."),
			legend, svg, h("div", { class: "tools" },
				h("button", { "data-testid": "timeline-reset", onclick: () => select(0, points.length - 1) },
					"whole run"), rangeInfo), rangeNote);
		select(0, points.length - 1);
		el.mtSelect = select;
		return el;
	}

	// --- flame graphs -------------------------------------------------------------------

	function flameTree(stacks, weight) {
		const root = { name: "all", value: 0, kids: new Map() };
		for (const st of stacks) {
			const v = st[weight] || 0;
			if (!v)
				continue;
			// frames are innermost first: the root side is the end of the array
			const path = [CLASS_NAMES[st.class] + " / " + st.allocator]
				.concat((st.frames || []).slice().reverse());
			if (st.stack_id === -1)
				path.push("[stack lost]");
			root.value += v;
			let n = root;
			for (const f of path) {
				let k = n.kids.get(f);
				if (!k) {
					k = { name: f, value: 0, kids: new Map(), parent: n };
					n.kids.set(f, k);
				}
				k.value += v;
				n = k;
			}
		}
		return root;
	}

	function flame(id, title, stacks, weight, estimated) {
		const root = flameTree(stacks || [], weight);
		const W = 1180, RH = 17;
		let depth = 0;
		(function walk(n, dd) {
			depth = Math.max(depth, dd);
			for (const k of n.kids.values())
				walk(k, dd + 1);
		})(root, 0);
		const svg = s("svg", { class: "flame", width: W, height: (depth + 1) * RH + 2 });
		const search = h("input", { type: "search", placeholder: "search symbols (highlight)",
			"data-testid": id + "-search" });
		const matched = h("span", { "data-testid": id + "-matched" });
		let zoom = root;

		function color(name) {
			let x = 0;
			for (let i = 0; i < name.length; i++)
				x = (x * 31 + name.charCodeAt(i)) >>> 0;
			return "hsl(" + (10 + x % 40) + "," + (70 + x % 20) + "%," + (55 + (x >> 8) % 15) + "%)";
		}

		function draw() {
			svg.replaceChildren();
			const q = search.value.toLowerCase();
			let hits = 0;
			const ancestors = [];
			for (let a = zoom; a; a = a.parent)
				ancestors.unshift(a);
			// ancestors of the zoomed frame span the width, as in flamegraph.pl
			ancestors.forEach((a, dd) => rect(a, dd, 0, W));
			(function kids(n, dd, x0, w) {
				let x = x0;
				for (const k of [...n.kids.values()].sort((a, b) => b.value - a.value)) {
					const kw = w * k.value / n.value;
					if (kw >= 0.5) {
						rect(k, dd, x, kw);
						kids(k, dd + 1, x, kw);
					}
					x += kw;
				}
			})(zoom, ancestors.length, 0, W);

			function rect(n, dd, x, w) {
				const m = q && n.name.toLowerCase().includes(q);
				if (m)
					hits++;
				const g = s("g", {});
				const r = s("rect", { x: x, y: dd * RH, width: Math.max(0.5, w - 0.5), height: RH - 1,
					fill: n === root ? "#b0b8c8" : color(n.name), class: m ? "match" : null });
				r.addEventListener("click", () => {
					zoom = n;
					draw();
				});
				r.addEventListener("mousemove", (ev) => showTip(ev, n.name + "\n" + bytes(n.value) +
					" (" + (100 * n.value / (root.value || 1)).toFixed(2) + "%)" +
					(estimated ? ", estimated" : "")));
				r.addEventListener("mouseleave", hideTip);
				g.append(r);
				if (w > 40) {
					const chars = Math.floor((w - 6) / 6.2);
					g.append(s("text", { x: x + 3, y: dd * RH + 12 },
						n.name.length > chars ? n.name.slice(0, Math.max(0, chars - 2)) + ".." : n.name));
				}
				svg.append(g);
			}
			matched.textContent = q ? hits + " frames match" : "";
			matched.dataset.value = String(hits);
		}
		search.addEventListener("input", draw);
		draw();
		return h("div", { id: id },
			h("h3", {}, title, " ", val("flame-root-" + weight.replace("_bytes", "").replace("bytes_", ""),
				root.value, bytes(root.value))),
			h("div", { class: "tools" }, search,
				h("button", { onclick: () => {
					zoom = root;
					draw();
				} }, "reset zoom"), matched),
			root.value ? svg : h("p", { class: "note", text: "nothing to draw" }));
	}

	function flames(d) {
		const st = d.stacks;
		if (!st)
			return section("flames", "Flame graphs",
				h("p", { class: "note", "data-testid": "no-stacks" },
					"no stacks in this report: run (or record) with --stacks to get the kernel " +
					"stack of each allocation, e.g. memtrace run -d 10 --stacks --html mem.html"));
		return section("flames", "Flame graphs",
			h("p", { class: "note", text: "Root at the top, callers above callees; width is bytes. " +
				"Click a frame to zoom, the search box highlights matching symbols." +
				(st.estimated ? " Stacks were sampled (1 in " + st.sample + "): per-stack " +
					"figures are estimates." : "") }),
			flame("flame-allocated", "Bytes allocated", st.allocating, "bytes_allocated", st.estimated),
			flame("flame-outstanding", "Bytes still allocated at the end", st.outstanding,
				"outstanding_bytes", st.estimated));
	}

	// --- histograms ---------------------------------------------------------------------

	function hist(id, title, buckets, unit) {
		const b = (buckets || []).filter((x) => x.count);
		const W = 360, RH = 15, LW = 110;
		const max = Math.max(1, ...b.map((x) => x.count));
		const svg = s("svg", { width: W, height: b.length * RH + 4 });
		b.forEach((x, i) => {
			const lab = edge(x.low) + " - " + edge(x.high);
			const w = (W - LW - 70) * x.count / max;
			const r = s("rect", { x: LW, y: i * RH + 2, width: Math.max(1, w), height: RH - 3 });
			r.addEventListener("mousemove", (ev) => showTip(ev, lab + " " + unit + ": " + num(x.count)));
			r.addEventListener("mouseleave", hideTip);
			svg.append(s("text", { x: LW - 6, y: i * RH + 12, "text-anchor": "end" }, lab), r,
				s("text", { x: LW + w + 4, y: i * RH + 12 }, num(x.count)));
		});
		return h("div", { class: "hist" }, h("h3", {}, title + " (" + unit + ") ",
			val("hist-" + id, sum(b, (x) => x.count), "")),
		b.length ? svg : h("p", { class: "note", text: "empty" }));
	}

	function histograms(d) {
		const out = [];
		for (const c of tracedClasses(d))
			if ((d.classes[c].size_histogram || []).length)
				out.push(hist("size-" + c, CLASS_NAMES[c] + " allocation size",
					d.classes[c].size_histogram, "bytes"));
		const oc = d.outstanding && d.outstanding.classes;
		if (oc)
			for (const c of CLASSES) {
				const x = oc[c];
				if (!x)
					continue;
				const parts = [["", x]];
				for (const a of ["vmalloc", "percpu"])
					if (x[a] && x[a].lifetime_histogram_us)
						parts.push([" " + a, x[a]]);
				for (const [sfx, y] of parts) {
					if ((y.lifetime_histogram_us || []).length)
						out.push(hist("lifetime-" + c + sfx.replace(" ", "-"), CLASS_NAMES[c] + sfx +
							" lifetime", y.lifetime_histogram_us, "us"));
					if ((y.age_histogram_us || []).length)
						out.push(hist("age-" + c + sfx.replace(" ", "-"), CLASS_NAMES[c] + sfx +
							" outstanding age", y.age_histogram_us, "us"));
				}
			}
		const k = d.latency && d.latency.kinds;
		if (k)
			for (const [name, x] of Object.entries(k))
				if ((x.histogram_us || []).length)
					out.push(hist("latency-" + name, name.replace(/_/g, " ") + " (" + x.kind + ")",
						x.histogram_us, "us"));
		return section("histograms", "Histograms (log2)",
			out.length ? h("div", { class: "hists" }, out) :
				h("p", { class: "note", text: "no histogram has any count" }));
	}

	// --- zones --------------------------------------------------------------------------

	function zones(d) {
		const kids = [];
		const z = d.pages && d.pages.zones;
		if (z)
			kids.push(h("h3", { text: "Zones (pages)" }), h("div", { class: "tablewrap", style: "max-height:none" },
				h("table", {}, h("thead", {}, h("tr", {}, ["node", "zone", "present pages",
					"pages allocated", "pages freed"].map((t, i) => h("th", { class: i > 1 ? "n" : "", text: t })))),
				h("tbody", {}, z.map((r) => h("tr", {}, h("td", { text: r.node }), h("td", { text: r.zone }),
					h("td", { class: "n", text: num(r.present_pages) }),
					h("td", { class: "n" }, val("zone-pages-" + r.node + "-" + r.zone, r.pages_allocated)),
					h("td", { class: "n", text: num(r.pages_freed) })))))));
		const ag = d.zones_asked_got || {};
		for (const [what, x] of Object.entries(ag)) {
			if (!x)
				continue;
			const rows = [];
			for (const a of x.asked || [])
				for (const g of a.got || [])
					rows.push(h("tr", {}, h("td", { text: "0x" + a.gfp_zone_bits.toString(16) }),
						h("td", { text: a.zone }), h("td", { text: a.effective_zone }),
						h("td", { text: g.node + " " + g.zone }), h("td", { class: "n", text: num(g.count) }),
						h("td", { class: g.zone !== a.effective_zone ? "lost" : "", text:
							g.zone !== a.effective_zone ? "fallback" : "" })));
			kids.push(h("h3", {}, "Asked vs got: " + what.replace("_", " ") + " (placed ",
				val("zones-placed-" + what, x.placed), ", fallbacks ", val("zones-fallbacks-" + what, x.fallbacks), ")"),
			h("div", { class: "tablewrap", style: "max-height:none" }, h("table", {},
				h("thead", {}, h("tr", {}, ["GFP zone bits", "asked", "starts at", "got", "count", ""]
					.map((t, i) => h("th", { class: i === 4 ? "n" : "", text: t })))), h("tbody", {}, rows))));
		}
		return section("zones", "Zones", kids.length ? kids :
			h("p", { class: "note", text: "physical class not traced: no zones" }));
	}

	// --- the page -----------------------------------------------------------------------

	function render(d, app) {
		const run = d.run || {};
		const k = d.kernel || {};
		const scope = run.scope || {};
		app.replaceChildren();
		document.body.append(tip);
		const procs = processRows(d);
		const caches = (d.slab && d.slab.caches) || [];
		const procBox = h("div"), cacheBox = h("div"), rangeLabel = h("p", { class: "note" });
		const tables = {
			range(r) {
				if (!r) {
					rangeLabel.textContent = "";
					procBox.replaceChildren(table("processes", PROC_COLS, procs, "bytes_allocated"));
					cacheBox.replaceChildren(table("caches", CACHE_COLS, caches, "bytes_allocated"));
					return;
				}
				rangeLabel.textContent = "filtered to " + r.label + " (from each point's top " +
					"processes and caches; rows outside a point's top list are not in it)";
				procBox.replaceChildren(table("processes", RANGE_COLS("comm"), r.procs, "bytes_allocated"));
				cacheBox.replaceChildren(table("caches", RANGE_COLS("cache"), r.caches, "bytes_allocated"));
			},
		};
		tables.range(null);
		const top = procs.slice().sort((a, b) => b.bytes_allocated - a.bytes_allocated)[0];
		const topCache = caches[0];
		const sites = (d.call_sites || []).map((c) => Object.assign({}, c, {
			name: c.symbol || c.address || "(no call site)",
		}));
		app.append(
			h("h1", { text: "memtrace report" }),
			h("p", { class: "sub", text: "kernel " + (k.release || "?") + " " + (k.arch || "") +
				", memtrace " + (d.memtrace_version || "?") + ", scope " + (scope.kind || "?") +
				(scope.command ? " (" + scope.command + ")" : "") +
				(run.pids && run.pids.length ? " pids " + run.pids.join(",") : "") +
				(run.recorded ? ", replayed from " + run.recorded.file +
					(run.recorded.truncated ? " (TRUNCATED)" : "") : "") }),
			h("nav", {}, [["summary", "summary"], ["timeline", "timeline"], ["flames", "flame graphs"],
				["histograms", "histograms"], ["zones", "zones"], ["procs", "processes"],
				["cachesec", "caches"], ["sitesec", "call sites"]].map(([a, t]) =>
				h("a", { href: "#" + a, text: t }))),
			summary(d),
			h("p", {}, "top process: ", top ? h("span", { "data-testid": "top-process",
				"data-value": String(top.bytes_allocated), "data-name": top.comm,
				"data-tgid": top.tgid === null ? "" : String(top.tgid) },
			top.comm + " (" + (top.tgid === null ? "ended" : top.tgid) + "), " + bytes(top.bytes_allocated)) : "-",
			"; top cache: ", topCache ? h("span", { "data-testid": "top-cache",
				"data-value": String(topCache.bytes_allocated), "data-name": topCache.name },
			topCache.name + ", " + bytes(topCache.bytes_allocated)) : "-"),
			timeline(d, tables),
			flames(d),
			histograms(d),
			zones(d),
			section("procs", "Processes", rangeLabel, procBox),
			section("cachesec", "Slab caches", d.slab ? h("p", { class: "note" }, "fragmentation ",
				val("slab-fragmentation", d.slab.fragmentation_bytes, bytes(d.slab.fragmentation_bytes))) : null,
			cacheBox),
			section("sitesec", "Call sites", d.call_sites ?
				table("sites", [
					{ key: "name", label: "call site" },
					{ key: "class", label: "class" },
					{ key: "allocator", label: "allocator" },
					{ key: "allocs", label: "allocs", num: true },
					{ key: "bytes_requested", label: "requested", num: true, fmt: bytes },
					{ key: "bytes_allocated", label: "allocated", num: true, fmt: bytes },
					{ key: "outstanding", label: "outstanding", num: true },
					{ key: "outstanding_bytes", label: "outstanding bytes", num: true, fmt: bytes },
				], sites, "bytes_allocated") :
				h("p", { class: "note", text: "no call sites (--no-call-sites)" })));
		app.dataset.ready = "1";
	}

	// the embedded report: JSON, gzip'd and in base64 (render_html.c), inflated by the
	// browser's own DecompressionStream (nothing is fetched)
	async function load(el) {
		if (el.dataset.encoding !== "gzip+base64")
			return JSON.parse(el.textContent);
		const bin = atob(el.textContent.replace(/\s+/g, ""));
		const bytes = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++)
			bytes[i] = bin.charCodeAt(i);
		const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
		return JSON.parse(await new Response(stream).text());
	}

	function main() {
		const el = document.getElementById("memtrace-data");
		const app = document.getElementById("app");
		if (!el || !app)
			return;
		load(el).then((d) => render(d, app), (e) => {
			app.textContent = "this page cannot read its report: " + e;
			console.error("memtrace: " + e);
		});
	}

	// for tests/html: draw a given report, select a time range by point index
	window.memtrace = {
		render, select(i0, i1) {
			const t = document.getElementById("timeline");
			if (t && t.mtSelect)
				t.mtSelect(i0, i1);
		},
	};
	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", main);
	else
		main();
})();
