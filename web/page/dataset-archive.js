// A dataset the student brings, on the page's side: what kind of file it is, the archive limits,
// a .zip turned into the tar the engine reads (the engine reads .tar and .tar.gz itself:
// engine/data/loaders.h, load_upload_bytes), and several dropped class folders made into one tar.
// Decoding, cropping, resizing and packing happen in the training worker, in WebAssembly.
//
// Why fflate for .zip (web/vendor/package.json, copied into <site>/page/vendor/ at build time):
// a small, maintained, dependency-free ES module whose unzipSync lists every entry with its
// declared sizes before inflating any, so an archive bomb is refused from its directory before
// a byte of it expands; the browser's DecompressionStream inflates but cannot read a zip's
// directory, and a hand-written inflate is what the project does not want to keep.
//
// [SECTION] Limits and kinds
// [SECTION] .zip -> tar
// [SECTION] Dropped folders -> tar
// [SECTION] Writing a tar

// fflate is imported when a .zip arrives (most visits never open one); the service worker keeps
// it for offline use all the same.
let fflate = null;
async function loadFflate() {
  if (!fflate) fflate = await import('./vendor/fflate.js');
  return fflate;
}

// ---- [SECTION] Limits and kinds -----------------------------------------------------------------

// The same figures as engine/data/loaders.h (kMaxUploadArchiveBytes, kMaxUploadExpandedBytes,
// kMaxUploadFiles); docs/limits.md lists them. The engine checks a tar and a .tar.gz itself; a
// .zip is checked here, from its directory, before it is inflated.
export const UPLOAD_LIMITS = Object.freeze({
  archiveBytes: 500 * 1024 * 1024,   // the file itself: 524,288,000 bytes
  expandedBytes: 500 * 1024 * 1024,  // what its files expand to
  files: 200000,
});

// The input sizes a dataset can be fitted to: 32x32 colour (default, CIFAR-10's) or 28x28 grey
// (MNIST's). {channels, height, width} for the worker.
export const DATASET_INPUTS = Object.freeze({
  '32x32': {channels: 3, height: 32, width: 32},
  '28x28-grey': {channels: 1, height: 28, width: 28},
});

export function datasetInput(name) {
  const key = name === undefined || name === null ? '32x32' : String(name);
  if (!DATASET_INPUTS[key]) {
    throw new Error(`input must be '32x32' (colour) or '28x28-grey', not ${JSON.stringify(name)}`);
  }
  return DATASET_INPUTS[key];
}

// What a file's first bytes say it is: 'zip', 'gzip', 'tar', 'pack', 'photo' (PNG/JPEG), 'model'
// (.cnnlab) or null.
export function fileKind(bytes) {
  const at = (i) => (i < bytes.length ? bytes[i] : -1);
  const text = (offset, s) => Array.from(s).every((c, i) => at(offset + i) === c.charCodeAt(0));
  if (text(0, 'PK\u0003\u0004') || text(0, 'PK\u0005\u0006')) return 'zip';
  if (at(0) === 0x1f && at(1) === 0x8b) return 'gzip';
  if (text(0, 'CNNLPACK')) return 'pack';
  if (text(0, 'CNNLABMF')) return 'model';
  if (text(257, 'ustar')) return 'tar';
  if (text(0, '\u0089PNG') || (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff)) return 'photo';
  return null;
}

// Whether a file with this name is meant as a dataset (for drops, before its bytes are read).
export function isDatasetName(name) {
  return /\.(zip|tar|tar\.gz|tgz|pack)$/i.test(String(name));
}

// Throws an Error naming the file when it is larger than an upload may be (read before its
// bytes are: a 2 GB file is never copied into the page).
export function checkArchiveSize(size, name) {
  if (size > UPLOAD_LIMITS.archiveBytes) {
    throw new Error(`${name}: ${size} bytes, larger than the 500 MB (${UPLOAD_LIMITS.archiveBytes} ` +
                    'bytes) an uploaded dataset may be');
  }
}

// ---- [SECTION] .zip -> tar ----------------------------------------------------------------------

// The entries of a zip as [{name, bytes}] (folders with bytes null), refused with an Error naming
// the file when it is not a readable zip or is past a limit. The directory is read first (no
// entry inflated: the filter refuses them all) and the limits are checked on its declared sizes;
// then the entries are inflated, each checked against its declared size.
export async function unzipEntries(bytes, name) {
  const {unzipSync} = await loadFflate();
  const listed = [];
  try {
    unzipSync(bytes, {filter: (file) => { listed.push(file); return false; }});
  } catch (e) {
    throw new Error(`${name}: not a readable .zip archive (${e && e.message ? e.message : e})`);
  }
  let expanded = 0;
  for (const file of listed) expanded += file.originalSize;
  if (listed.length > UPLOAD_LIMITS.files) {
    throw new Error(`${name}: holds ${listed.length} files, more than the ${UPLOAD_LIMITS.files} ` +
                    'an uploaded dataset may have');
  }
  if (expanded > UPLOAD_LIMITS.expandedBytes) {
    throw new Error(`${name}: expands to ${expanded} bytes, more than the 500 MB ` +
                    `(${UPLOAD_LIMITS.expandedBytes} bytes) an uploaded dataset may unpack to`);
  }
  const declared = new Map(listed.map((f) => [f.name, f.originalSize]));
  let files;
  try {
    files = unzipSync(bytes, {filter: (file) => !file.name.endsWith('/')});
  } catch (e) {
    throw new Error(`${name}: a corrupt .zip archive (${e && e.message ? e.message : e})`);
  }
  const entries = [];
  for (const file of listed) {
    if (file.name.endsWith('/')) {
      entries.push({name: file.name, bytes: null});
      continue;
    }
    const data = files[file.name];
    if (!data || data.length !== declared.get(file.name)) {
      throw new Error(`${file.name} (in ${name}): a corrupt .zip entry (it does not expand to the ` +
                      `${declared.get(file.name)} bytes its directory declares)`);
    }
    entries.push({name: file.name, bytes: data});
  }
  return entries;
}

// A zip's contents as one tar (what the training worker's engine reads).
export async function zipToTar(bytes, name) {
  return writeTar(await unzipEntries(bytes, name));
}

// ---- [SECTION] Dropped folders -> tar -----------------------------------------------------------

// Folders dropped onto the lab (FileSystemEntry objects from DataTransferItem.webkitGetAsEntry:
// Chromium, Firefox, Safari), each a class folder (or one folder holding them, or train/ and
// test/), as one tar whose paths start with the folders' names. Resolves null when nothing
// dropped is a folder. The limits are checked as the files are listed, before any is read.
export async function droppedFoldersToTar(dropped) {
  const roots = Array.from(dropped || []);
  if (!roots.some((e) => e.isDirectory)) return null;
  const files = [];
  let total = 0;
  const readDir = (dir) => new Promise((resolve, reject) => {
    const reader = dir.createReader();
    const all = [];
    const next = () => reader.readEntries((batch) => {
      if (!batch.length) resolve(all);
      else { all.push(...batch); next(); }
    }, reject);
    next();
  });
  const walk = async (entry) => {
    if (entry.isDirectory) {
      files.push({entry, folder: true});
      for (const child of await readDir(entry)) await walk(child);
    } else {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      total += file.size;
      files.push({entry, file});
      if (files.length > UPLOAD_LIMITS.files || total > UPLOAD_LIMITS.expandedBytes) {
        throw new Error(`the dropped folders hold more than ${UPLOAD_LIMITS.files} files or ` +
                        '500 MB, more than an uploaded dataset may have');
      }
    }
  };
  for (const root of roots) await walk(root);
  const entries = [];
  for (const f of files) {
    const path = f.entry.fullPath.replace(/^\/+/, '');
    entries.push(f.folder ? {name: `${path}/`, bytes: null}
                          : {name: path, bytes: new Uint8Array(await f.file.arrayBuffer())});
  }
  return writeTar(entries);
}

// ---- [SECTION] Writing a tar --------------------------------------------------------------------

const TAR_BLOCK = 512;
const encoder = new TextEncoder();

// One 512-byte ustar header: name (or name in a pax record before it when longer than 100
// bytes), size, type '0' (file), '5' (folder) or 'x' (pax), checksum.
function tarHeader(nameBytes, size, type) {
  const h = new Uint8Array(TAR_BLOCK);
  h.set(nameBytes.subarray(0, 100), 0);
  const octal = (value, offset, width) =>
      h.set(encoder.encode(value.toString(8).padStart(width - 1, '0')), offset);
  octal(type === '5' ? 0o755 : 0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(0, 136, 12);
  h.fill(0x20, 148, 156);
  h[156] = type.charCodeAt(0);
  h.set(encoder.encode('ustar\u000000'), 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.set(encoder.encode(sum.toString(8).padStart(6, '0')), 148);
  h[154] = 0;
  return h;
}

// A pax 'path' record ("<len> path=<value>\n", len counting itself).
function paxPath(pathBytes) {
  const rest = pathBytes.length + ' path=\n'.length;
  let len = rest + String(rest).length;
  if (String(len).length + rest !== len) len += 1;
  const record = new Uint8Array(len);
  record.set(encoder.encode(`${len} path=`), 0);
  record.set(pathBytes, len - pathBytes.length - 1);
  record[len - 1] = 0x0a;
  return record;
}

// entries [{name, bytes}] (bytes null for a folder; '\' read as '/') as one tar archive.
export function writeTar(entries) {
  const parts = [];
  let size = 0;
  const push = (part) => {
    parts.push(part);
    size += Math.ceil(part.length / TAR_BLOCK) * TAR_BLOCK;
  };
  for (const entry of entries) {
    const name = entry.name.replace(/\\/g, '/');
    const nameBytes = encoder.encode(name);
    const length = entry.bytes ? entry.bytes.length : 0;
    if (nameBytes.length > 100) {
      const record = paxPath(nameBytes);
      push(tarHeader(encoder.encode('PaxHeader'), record.length, 'x'));
      push(record);
    }
    push(tarHeader(nameBytes, length, entry.bytes ? '0' : '5'));
    if (entry.bytes && length) push(entry.bytes);
  }
  const out = new Uint8Array(size + 2 * TAR_BLOCK);  // two zero blocks end the archive
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += Math.ceil(part.length / TAR_BLOCK) * TAR_BLOCK;
  }
  return out;
}
