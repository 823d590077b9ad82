// The README's embed snippet pins public/embed.js with a subresource integrity hash; a loader
// changed without a new hash would be refused by every portal that copied the snippet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const HOW =
  'Update the README\'s "Embedding" snippet with the output of\n' +
  '  openssl dgst -sha384 -binary public/embed.js | openssl base64 -A\n' +
  '(a new loader means a new snippet: portals must copy the new hash).';

test('the README snippet carries the sha384 of public/embed.js', () => {
  const loader = readFileSync(new URL('public/embed.js', root));
  const want = `sha384-${createHash('sha384').update(loader).digest('base64')}`;
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Embedding'));
  assert.ok(section, 'the README has an "Embedding" section');
  const tags = [...section.matchAll(/<script\b[^>]*\bsrc="[^"]*\/embed\.js"[^>]*>/g)].map((m) => m[0]);
  assert.ok(tags.length > 0, 'the Embedding section shows a <script src=".../embed.js"> snippet');
  for (const tag of tags) {
    const got = (tag.match(/\bintegrity="([^"]+)"/) || [])[1];
    assert.equal(got, want, `The snippet's integrity is ${got}, but public/embed.js hashes to ${want}.\n${HOW}`);
    assert.match(tag, /\bcrossorigin="anonymous"/, 'a cross-origin integrity check needs crossorigin="anonymous"');
  }
  // Any other mention of a sha384 in the section (prose, other snippets) is the same hash.
  for (const [other] of section.matchAll(/sha384-[A-Za-z0-9+/=]{64}/g)) {
    assert.equal(other, want, `Stale hash ${other} in the Embedding section.\n${HOW}`);
  }
});
