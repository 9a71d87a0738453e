#!/usr/bin/env bash
# Build selfassess/static/vendor/plotly-selfassess-<version>.min.js: plotly.js with only the
# traces selfassess draws (see plotly-selfassess.js), minified, with its .gz and .br beside it.
# For maintainers only: the result is committed, so neither CI nor an install needs node.
# Needs node and npm (the npm registry), and a Python with whitenoise and Brotli (the
# project's .venv: pip install -e '.[test]'). Change the versions in package.json, then run:
#   tools/plotly-bundle/build-plotly.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
vendor="$root/selfassess/static/vendor"
python="${PYTHON:-$root/.venv/bin/python}"

cd "$here"
npm ci --no-audit --no-fund
version="$(node -p "require('plotly.js/package.json').version")"
out="$vendor/plotly-selfassess-$version.min.js"

mkdir -p "$vendor"
rm -f "$vendor"/plotly-selfassess-*.min.js*
# The options of plotly.js's own esbuild-config.js, less its plugins: the glsl and CSS ones
# serve only WebGL and map traces, which this bundle leaves out (their CSS import is emptied).
npx esbuild plotly-selfassess.js --bundle --minify --format=iife --global-name=Plotly \
    --target=es2016 --define:global=window --define:define.amd=false \
    --define:process.env.NODE_DEBUG=false --alias:regl=@plotly/regl \
    --loader:.css=empty --legal-comments=eof --log-level=warning --metafile=node_modules/.meta.json \
    --banner:js="/*! plotly.js v$version, partial bundle for selfassess (scatterpolar, box) | MIT, see LICENSE-plotly.txt */" \
    --outfile="$out"
# plotly.js's licence, then those of the packages bundled with it.
node - "$vendor/LICENSE-plotly.txt" <<'JS'
const fs = require('fs');
const path = require('path');
const meta = require('./node_modules/.meta.json');
const packages = new Set();
for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const match = bytesInOutput > 0 && !input.endsWith('.css') && input.match(/^node_modules\/((@[^/]+\/)?[^/]+)\//);
        if (match) packages.add(match[1]);
    }
}
const names = [...packages].sort((a, b) => (a === 'plotly.js' ? -1 : b === 'plotly.js' ? 1 : a.localeCompare(b)));
const parts = names.map((name) => {
    const dir = path.join('node_modules', name);
    const { version, license } = require(`./${dir}/package.json`);
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() : `License: ${license}`;
    return `${name} ${version}\n${'='.repeat(name.length + version.length + 1)}\n\n${text}\n`;
});
fs.writeFileSync(process.argv[2], parts.join('\n\n'));
JS
# Precompressed copies, which WhiteNoise serves to browsers that accept them.
"$python" - "$out" <<'PY'
import sys

from whitenoise.compress import Compressor

for written in Compressor(quiet=True).compress(sys.argv[1]):
    print(written)
PY
ls -l "$out"*
echo "If the version changed: name $(basename "$out") in templates/_plotly_head.html and selfassess/static/vendor/README.md."
