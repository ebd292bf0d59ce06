// Downloads and the dataset cache: files fetched with progress (bytes received of total), the
// Emscripten glue loaded as a classic script, dataset packs kept in the Cache API.
//
// Every fetch is a CORS request when the lab's site is on another origin than the page (a
// <cnn-lab> on a course site): the lab's host must then send Access-Control-Allow-Origin for the
// site's files (web/README.md, "Embedding from another origin"); errors say so.

// What a failed request to another origin most likely means (fetch gives no detail: a CORS
// refusal and a network failure look the same to the page).
function networkHint(url) {
  let crossOrigin = false;
  try { crossOrigin = new URL(url, location.href).origin !== location.origin; } catch (e) { /* */ }
  return crossOrigin ? ' The lab is on another origin than this page: its server must send ' +
                       'Access-Control-Allow-Origin (see "Embedding from another origin").' : '';
}

// Fetches url into a Uint8Array, calling onProgress(received, total) as bytes arrive (total is
// null when the server sends no Content-Length). Errors name the file and the HTTP status.
export async function fetchWithProgress(url, onProgress) {
  let response;
  try {
    response = await fetch(url, {cache: 'no-cache'});
  } catch (e) {
    throw new Error(`Could not download ${url}: the network request failed (${e.message}).${networkHint(url)}`);
  }
  if (!response.ok) {
    throw new Error(`Could not download ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const header = response.headers.get('Content-Length');
  // A compressed transfer's Content-Length counts compressed bytes, not what the reader yields.
  const encoded = response.headers.get('Content-Encoding');
  const total = header && !encoded ? Number(header) : null;
  onProgress(0, total);
  if (!response.body || !response.body.getReader) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress(bytes.length, total);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    let step;
    try {
      step = await reader.read();
    } catch (e) {
      throw new Error(`Download of ${url} was interrupted after ${received} bytes (${e.message}).`);
    }
    if (step.done) break;
    chunks.push(step.value);
    received += step.value.length;
    onProgress(received, total);
  }
  if (total !== null && received !== total) {
    throw new Error(`Download of ${url} is incomplete: ${received} of ${total} bytes.`);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

// Several downloads in parallel, reported as one progress: onProgress(received, total) where
// total is null until every response's size is known.
export function fetchAllWithProgress(urls, onProgress) {
  const received = urls.map(() => 0);
  const totals = urls.map(() => undefined);
  const report = () => {
    const sum = received.reduce((a, b) => a + b, 0);
    const known = totals.every((t) => typeof t === 'number');
    onProgress(sum, known ? totals.reduce((a, b) => a + b, 0) : null);
  };
  return Promise.all(urls.map((url, i) => fetchWithProgress(url, (r, t) => {
    received[i] = r;
    totals[i] = t === null ? null : t;
    report();
  })));
}

// A small text file of the site (data/packs.json, trainer.json), or null when it is missing or
// unreachable (the lab then does without it).
export async function fetchOptionalText(url) {
  try {
    const response = await fetch(url, {cache: 'no-cache'});
    return response.ok ? await response.text() : null;
  } catch (e) {
    return null;
  }
}

// Loads a classic script once per page (the Emscripten glue defines createCnnLabModule). From
// another origin as a CORS request, like the lab's other files: its errors are then reported
// in full, and a cross-origin isolated host page (COEP) accepts it.
const scriptPromises = new Map();
export function loadScript(src) {
  if (!scriptPromises.has(src)) {
    scriptPromises.set(src, new Promise((resolve, reject) => {
      const script = document.createElement('script');
      if (new URL(src, location.href).origin !== location.origin) script.crossOrigin = 'anonymous';
      script.src = src;
      script.async = true;
      script.onload = () => resolve();
      script.onerror = () => {
        scriptPromises.delete(src);
        script.remove();
        reject(new Error(`Could not load ${src}.${networkHint(src)}`));
      };
      document.head.appendChild(script);
    }));
  }
  return scriptPromises.get(src);
}

// Datasets are kept in the Cache API (when the page's origin offers it) so a reload does not
// download them again. A fresh download is stored before the worker reads it (cacheDataset)
// and dropped again if the worker refuses it (forgetDataset).
export const DATASET_CACHE = 'cnnlab-datasets-v1';

async function openDatasetCache() {
  try {
    return typeof caches !== 'undefined' ? await caches.open(DATASET_CACHE) : null;
  } catch (e) {
    return null;  // e.g. storage disabled: download every time
  }
}

// Bytes of url from the cache or the network, with progress: {bytes, fromCache, cache}.
export async function fetchDataset(url, onProgress) {
  const cache = await openDatasetCache();
  if (cache) {
    const cached = await cache.match(url);
    if (cached) {
      const bytes = new Uint8Array(await cached.arrayBuffer());
      onProgress(bytes.length, bytes.length);
      return {bytes, fromCache: true, cache};
    }
  }
  const bytes = await fetchWithProgress(url, onProgress);
  return {bytes, fromCache: false, cache};
}

// After the app accepted a dataset: a downloaded one is stored, and after it refused one: a
// cached copy is dropped (it would fail again on every reload).
// Puts a fresh download in the dataset cache. Call it before the bytes are handed to the
// worker: a Response copies them at once, and the hand-off transfers them away. Resolves when
// stored (a failure is only logged: the lab still runs from memory).
export function cacheDataset(fetched, url) {
  if (!fetched.cache || fetched.fromCache) return Promise.resolve();
  return fetched.cache.put(url, new Response(fetched.bytes,
      {headers: {'Content-Type': 'application/octet-stream'}})).catch((e) => {
    console.warn(`CNN Lab: could not cache ${url}: ${e.message}`);
  });
}

// Drops a cached dataset the worker refused, so a Retry downloads it again.
export async function forgetDataset(fetched, url) {
  if (fetched.cache) await fetched.cache.delete(url);
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
