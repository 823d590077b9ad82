// The boundary between a wasm-bindgen WASM and its JS glue, for scripts/minify-glue.mjs on the
// release build: shortens the names of the functions the WASM imports from the glue, in the WASM's
// import section and in the glue's import object alike (only the import section changes; every
// other section is copied byte for byte), and leaves out of the glue the classes whose exports the
// WASM no longer has.

/** Reads an unsigned LEB128 at `pos`: [value, position after it]. */
function readLeb(buf, pos) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    if (pos >= buf.length) throw new Error('the WASM ends inside a number');
    byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}

function leb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

/** `a` … `z`, `A` … `Z`, `aa`, `ab`, …: the shortest names first. */
function shortName(i) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let name = '';
  let n = i;
  for (;;) {
    name = letters[n % letters.length] + name;
    if (n < letters.length) return name;
    n = Math.floor(n / letters.length) - 1;
  }
}

/** Skips an import's description (function, table, memory, global or tag) from `pos`. */
function skipImportDesc(buf, pos) {
  const kind = buf[pos++];
  const limits = (p) => {
    const flags = buf[p++];
    [, p] = readLeb(buf, p);
    if (flags & 1) [, p] = readLeb(buf, p);
    return p;
  };
  switch (kind) {
    case 0: // function: type index
      return readLeb(buf, pos)[1];
    case 1: // table: reference type, limits
      return limits(pos + 1);
    case 2: // memory: limits
      return limits(pos);
    case 3: // global: value type, mutability
      return pos + 2;
    case 4: // tag: attribute, type index
      return readLeb(buf, pos + 1)[1];
    default:
      throw new Error(`an import of unknown kind ${kind}`);
  }
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Renames every function import whose name is a key of the glue's import object (`,name:` or
 * `{name:` in the minified glue, exactly once) to a short name, in both. Throws, changing nothing,
 * when the WASM cannot be read or a name is not defined exactly once in the glue: a WASM and a glue
 * that disagree would not start.
 */
export function shortenImports(wasm, glue) {
  if (wasm.length < 8 || wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('not a WASM module');
  const parts = [wasm.subarray(0, 8)];
  const renames = new Map();
  let pos = 8;
  while (pos < wasm.length) {
    const id = wasm[pos];
    const [size, start] = readLeb(wasm, pos + 1);
    const end = start + size;
    if (end > wasm.length) throw new Error('a WASM section runs past the end of the file');
    if (id !== 2) {
      parts.push(wasm.subarray(pos, end));
      pos = end;
      continue;
    }
    let [count, p] = readLeb(wasm, start);
    const body = [leb(count)];
    for (let i = 0; i < count; i++) {
      const [moduleLen, m] = readLeb(wasm, p);
      const module = wasm.subarray(m, m + moduleLen);
      const [fieldLen, f] = readLeb(wasm, m + moduleLen);
      const field = wasm.subarray(f, f + fieldLen).toString('utf8');
      const desc = f + fieldLen;
      p = skipImportDesc(wasm, desc);
      let name = field;
      if (wasm[desc] === 0) {
        if (!renames.has(field)) renames.set(field, shortName(renames.size));
        name = renames.get(field);
      }
      const nameBytes = Buffer.from(name, 'utf8');
      body.push(leb(module.length), module, leb(nameBytes.length), nameBytes, wasm.subarray(desc, p));
    }
    if (p !== end) throw new Error('the import section has bytes after its last import');
    const section = Buffer.concat(body);
    parts.push(Buffer.from([2]), leb(section.length), section);
    pos = end;
  }
  let out = glue;
  for (const [from, to] of renames) {
    const key = new RegExp(`([{,])${escape(from)}:`, 'g');
    const found = out.match(key)?.length ?? 0;
    if (found !== 1) throw new Error(`the import ${from} is defined ${found} times in the glue, not once`);
    out = out.replace(key, `$1${to}:`);
  }
  return { wasm: Buffer.concat(parts), glue: out, renamed: renames.size };
}

/** The names a WASM module exports. */
export function exportNames(wasm) {
  if (wasm.length < 8 || wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('not a WASM module');
  const names = new Set();
  let pos = 8;
  while (pos < wasm.length) {
    const id = wasm[pos];
    const [size, start] = readLeb(wasm, pos + 1);
    if (id === 7) {
      let [count, p] = readLeb(wasm, start);
      for (let i = 0; i < count; i++) {
        const [len, n] = readLeb(wasm, p);
        names.add(wasm.subarray(n, n + len).toString('utf8'));
        // kind, then index
        p = readLeb(wasm, n + len + 1)[1];
      }
    }
    pos = start + size;
  }
  return names;
}

/**
 * Removes from wasm-bindgen's glue (as it writes it, before minifying) each exported class that
 * calls a function the WASM no longer exports (index.html's wasm-opt removes the exports nothing
 * can reach), with its dispose line and its finalization registry. Throws when the glue still
 * calls a missing export afterwards, or a class is not written as expected: such a glue would fail
 * when called. Returns the glue and the names of the classes removed.
 */
export function dropOrphanClasses(glue, exports) {
  const missing = (text) => [...text.matchAll(/\bwasm\.(\w+)\(/g)].map((m) => m[1]).filter((n) => !exports.has(n));
  const removed = [];
  let out = glue;
  for (const m of glue.matchAll(/^export class (\w+) \{\n[\s\S]*?^\}\n/gm)) {
    if (missing(m[0]).length === 0) continue;
    const name = m[1];
    const dispose = `if (Symbol.dispose) ${name}.prototype[Symbol.dispose] = ${name}.prototype.free;\n`;
    const registry = new RegExp(`^const ${name}Finalization = \\(typeof FinalizationRegistry === 'undefined'\\)\\n[^\\n]*\\n[^\\n]*;\\n`, 'm');
    if (!out.includes(m[0] + dispose) || !registry.test(out)) throw new Error(`the glue's class ${name} is not written as expected`);
    out = out.replace(m[0] + dispose, '').replace(registry, '');
    removed.push(name);
  }
  const left = missing(out);
  if (left.length) throw new Error(`the glue calls ${left.join(', ')}, which the WASM does not export`);
  return { glue: out, removed };
}
