// Where a process's resident memory (RSS) is, for the memory rows of bench/run.mjs: Node's own
// executable (its code and data, paged in as they are first used: V8's optimizing compilers among
// them), the shared libraries (keytar's libsecret, GLib, libgcrypt…), V8's JS heap (code included),
// and the rest of the process's own memory (malloc's arenas, one per thread that allocates, thread
// stacks, buffers). From /proc/self/smaps: Linux only, undefined elsewhere. CommonJS, so that a
// bare `node -e` baseline can require it as the bundled children import it.
'use strict';
const { readdirSync, readFileSync, realpathSync } = require('node:fs');
const { getHeapSpaceStatistics } = require('node:v8');

/** @returns {{ node: number, libraries: number, jsHeap: number, otherNative: number } | undefined} bytes */
function rssParts() {
  let text;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  const executable = realpathSync(process.execPath);
  let mapping = '';
  let node = 0;
  let libraries = 0;
  let anonymous = 0;
  for (const line of text.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      mapping = header[1] ?? '';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss) continue;
    const bytes = Number(rss[1]) * 1024;
    if (mapping === executable) node += bytes;
    else if (mapping.startsWith('/')) libraries += bytes;
    else anonymous += bytes; // [heap], [stack], and mappings with no name: V8's heap pages among them
  }
  const jsHeap = getHeapSpaceStatistics().reduce((sum, space) => sum + space.physical_space_size, 0);
  return { node, libraries, jsHeap, otherNative: anonymous - jsHeap };
}

/**
 * @param {string} [script] the helper's file name
 * @returns {number} bytes: the RSS of this process's helpers of that name (children running
 * keychain-helper.cjs by default; not the lock probe's dbus-send), 0 when there is none or off Linux
 */
function childrenRss(script = 'keychain-helper.cjs') {
  let total = 0;
  let names;
  try {
    names = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
      if (!readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(script)) continue;
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

module.exports = { rssParts, childrenRss };
