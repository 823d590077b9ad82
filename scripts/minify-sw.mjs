// Minifies the service worker Trunk copied into dist/ (public/sw.js stays as written, with its
// comments): a first visit downloads it with the app, and every update check compares it again.
// A classic script, so terser keeps its top-level names; a syntax error fails the build.
//
// Usage: node scripts/minify-sw.mjs dist/sw.js
import { readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/minify-sw.mjs dist/sw.js');
  process.exit(2);
}
const source = readFileSync(file, 'utf8');
const { code } = await minify(source, { compress: { passes: 2 }, mangle: true, format: { comments: false } });
if (!code) {
  console.error(`minify-sw: ${file}: terser returned nothing`);
  process.exit(1);
}
writeFileSync(file, `${code}\n`);
console.log(`minify-sw: ${file} ${source.length} → ${code.length + 1} B`);
