#!/usr/bin/env node
// The npm bin: runs the bundled CLI (dist/cli.js), or the tsc output when only that was built.
const fs = require('fs');
const path = require('path');
const bundled = path.join(__dirname, '..', 'dist', 'cli.js');
const compiled = path.join(__dirname, '..', 'out', 'src', 'cli', 'main.js');
const entry = fs.existsSync(bundled) ? bundled : compiled;
if (!fs.existsSync(entry)) {
  console.error('vasculature-explorer: not built yet. Run `npm run build` in the project folder first.');
  process.exit(2);
}
require(entry).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
