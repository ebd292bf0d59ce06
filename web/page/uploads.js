// A dataset the student brought, kept for the next visit: the training worker packs it
// (TrainerHost::load_upload) and the page stores the pack in the dataset cache (downloads.js,
// the Cache API) under a URL of the lab's site that no server holds, <site>/uploads/<name>.pack,
// and notes that URL in localStorage. A reload without a dataset option then loads it from the
// cache as it loads any cached pack (mount.js, appReady). Loading a site pack forgets the note.

import { DATASET_CACHE } from './downloads.js';

const NOTE_KEY = 'cnnlab-uploaded-dataset';

// The cache URL of an upload named `name` on site `base`.
export function uploadUrl(base, name) {
  return `${base}uploads/${encodeURIComponent(String(name).replace(/\.(zip|tar|tar\.gz|tgz|pack)$/i, ''))}.pack`;
}

export function isUploadUrl(base, url) {
  return typeof url === 'string' && url.startsWith(`${base}uploads/`);
}

function readNote() {
  try {
    return JSON.parse(localStorage.getItem(NOTE_KEY) || 'null');
  } catch (e) {
    return null;
  }
}

// Stores pack bytes as the upload named `name`: resolves with {url, problem} (problem: '' or why
// the browser could not keep it; the lab then runs from memory and the next visit does not
// have it).
export async function keepUpload(base, name, bytes) {
  const url = uploadUrl(base, name);
  try {
    if (typeof caches === 'undefined') throw new Error('this page has no Cache API (not a secure origin)');
    const cache = await caches.open(DATASET_CACHE);
    await cache.put(url, new Response(bytes, {headers: {
      'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length)}}));
    localStorage.setItem(NOTE_KEY, JSON.stringify({base, url, name}));
    return {url, problem: ''};
  } catch (e) {
    const why = e && e.name === 'QuotaExceededError' ? "the browser's storage for this site is full"
        : (e && e.message ? e.message : String(e));
    return {url, problem: `${name} could not be kept for the next visit (${why}); the lab ` +
                          'runs with it until the page is closed.'};
  }
}

// The URL of the upload to load at start on site base, or null (none noted, or no longer in the
// cache: the note is then dropped).
export async function keptUpload(base) {
  const note = readNote();
  if (!note || note.base !== base || !isUploadUrl(base, note.url)) return null;
  try {
    const cache = await caches.open(DATASET_CACHE);
    if (await cache.match(note.url)) return note.url;
  } catch (e) { /* no cache: nothing kept */ }
  forgetUpload();
  return null;
}

// Another dataset was chosen: the next visit starts with the site's own again.
export function forgetUpload() {
  try {
    localStorage.removeItem(NOTE_KEY);
  } catch (e) { /* storage disabled: nothing was noted */ }
}

// The pack bytes of the dataset at url: from the cache (an upload, or a site pack kept there),
// else downloaded. For "Download dataset (.pack)".
export async function datasetPackBytes(url) {
  try {
    if (typeof caches !== 'undefined') {
      const cache = await caches.open(DATASET_CACHE);
      const hit = await cache.match(url);
      if (hit) return new Uint8Array(await hit.arrayBuffer());
    }
  } catch (e) { /* fall back to the network */ }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not read ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
