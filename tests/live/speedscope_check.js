// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Feed a folded-stacks file to speedscope's own importer, headless, and print what it made
// of it: "weight W frames F samples S", or "REJECTED" (exit 1). speedscope ships only as a
// browser bundle, so its collapsed-stack importer is reached by name from the bundle's
// text: the function that builds a profile from the parsed lines, and the module init
// that precedes it. Both patterns are checked; a speedscope that no longer matches makes
// this script exit 3 (the test then fails, saying so: pin the version in the Makefile).
// usage: node speedscope_check.js NPM_DIR FILE
'use strict';
const fs = require('fs');
const vm = require('vm');
const path = require('path');

const dir = path.join(process.argv[2], 'node_modules/speedscope/dist/release');
const js = fs.readdirSync(dir).find(f => /^speedscope-.*\.js$/.test(f));
let src = fs.readFileSync(path.join(dir, js), 'utf8');
const imp = /function (\w+)\(t\)\{let e=\w+\(t\),n=e\.reduce\(\(r,A\)=>r\+A\.duration,0\),a=new \w+\(n\)/.exec(src);
if (!imp) {
	console.log('speedscope importer not found in ' + js);
	process.exit(3);
}
const init = /\}var (\w+)=re\(\(\)=>\{"use strict";\w+\(\)\}\);/.exec(src.slice(imp.index));
if (!init) {
	console.log('speedscope module init not found in ' + js);
	process.exit(3);
}
const at = imp.index + init.index + init[0].length;
src = src.slice(0, at) + `globalThis.__mt={importFolded:${imp[1]},init:${init[1]}};` +
	src.slice(at);

// the rest of the bundle starts the web UI: give it nothing, and let it stop
const ctx = { console: { log() {}, error() {}, warn() {} }, setTimeout, clearTimeout,
	      TextDecoder, TextEncoder, URL };
vm.createContext(ctx);
try {
	vm.runInContext(src, ctx);
} catch (e) {
	/* expected: no DOM */
}
if (!ctx.__mt) {
	console.log('speedscope bundle stopped before its importer was defined');
	process.exit(3);
}
ctx.__mt.init();
const lines = fs.readFileSync(process.argv[3], 'utf8').split('\n').filter(l => l.length);
const prof = ctx.__mt.importFolded({ splitLines: () => lines });
if (!prof) {
	console.log('REJECTED');
	process.exit(1);
}
let frames = 0;
prof.forEachFrame(() => frames++);
console.log(`weight ${prof.getTotalWeight()} frames ${frames} samples ${lines.length}`);
