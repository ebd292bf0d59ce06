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
// onResponse(response), when given, sees the response before its body is read (to tee it).
// sink, when given and the size is known, receives the bytes as they arrive instead (see
// readWithProgress), and the result is null.
export async function fetchWithProgress(url, onProgress, onResponse = null, sink = null) {
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
  if (onResponse) onResponse(response);
  onProgress(0, total);
  return readWithProgress(response, url, total, onProgress, sink);
}

// The body of response, read with progress. With a known size and a sink ({begin(size),
// piece(bytes), end(), abort()}), each piece goes to the sink as it arrives and nothing is kept
// here (returns null); with a known size and no sink the bytes go straight into one buffer of
// that size (never held twice, as pieces and then joined).
async function readWithProgress(response, url, total, onProgress, sink) {
  if (!response.body || !response.body.getReader) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress(bytes.length, total);
    if (!sink) return bytes;
    sink.begin(bytes.length);  // then the bytes go to the sink whole
    sink.piece(bytes);
    sink.end();
    return null;
  }
  const streaming = sink && total !== null;
  if (streaming) sink.begin(total);
  try {
    const bytes = await readBody(response.body.getReader(), url, total, onProgress,
                                 streaming ? sink : null);
    if (streaming) sink.end();
    return bytes;
  } catch (e) {
    if (streaming) sink.abort();
    throw e;
  }
}

async function readBody(reader, url, total, onProgress, sink) {
  let bytes = total !== null && !sink ? new Uint8Array(total) : null;
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
    const length = step.value.length;  // before a sink takes the piece (it may transfer it)
    if (total !== null && received + length > total) {
      throw new Error(`Download of ${url} sent more than the ${total} bytes it announced.`);
    }
    if (sink) {
      sink.piece(step.value);
    } else if (bytes) {
      bytes.set(step.value, received);
    } else {
      chunks.push(step.value);
    }
    received += length;
    onProgress(received, total);
  }
  if (total !== null && received !== total) {
    throw new Error(`Download of ${url} is incomplete: ${received} of ${total} bytes.`);
  }
  if (sink) return null;
  if (bytes) return bytes;
  const joined = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

// Several downloads in parallel, reported as one progress: onProgress(received, total) where
// total is null until every response's size is known. onResponses[i], when given, sees the i-th
// response before its body is read (fetchWithProgress's onResponse); onFetched[i], when given,
// gets the i-th file's bytes as soon as they are in (an exception it throws fails the whole).
export function fetchAllWithProgress(urls, onProgress, onResponses = [], onFetched = []) {
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
  }, onResponses[i] || null).then((bytes) => {
    if (onFetched[i]) onFetched[i](bytes);
    return bytes;
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
// download them again. A fresh download is stored as it arrives (fetchDataset; cacheDataset
// waits for it) and dropped again if the worker refuses it (forgetDataset). When the browser's
// storage cannot keep it (its quota is full, storage is disabled) the lab runs from memory all
// the same and says so: the next visit downloads it again.
export const DATASET_CACHE = 'cnnlab-datasets-v1';

// What the student is told when the dataset cache failed with error e (a DOMException: its name
// says what kind; QuotaExceededError is the common one).
function storageProblem(url, e) {
  let name = url;
  try {
    name = decodeURIComponent(new URL(url, location.href).pathname.split('/').pop()) || url;
  } catch (e) { /* the URL as given */ }
  const why = e && e.name === 'QuotaExceededError' ? "the browser's storage for this site is full"
      : `the browser's storage refused it: ${e && e.message ? e.message : e}`;
  return `${name} could not be kept for the next visit (${why}). The lab runs with it from ` +
         'memory; it will be downloaded again next time.';
}

// {cache, problem}: the dataset cache, or null without one; problem says why when the browser
// has the Cache API but refused to open it (no Cache API at all, e.g. on plain http from another
// host, is no problem worth a message).
async function openDatasetCache(url) {
  if (typeof caches === 'undefined') return {cache: null, problem: ''};
  try {
    return {cache: await caches.open(DATASET_CACHE), problem: ''};
  } catch (e) {
    return {cache: null, problem: storageProblem(url, e)};
  }
}

// A dataset from the cache or the network, with progress: {bytes, fromCache, cache, stored}.
// With a sink ({begin(size), piece(bytes), end(), abort()}: the training worker's) the bytes go
// to it as they arrive and bytes is null; without one, or when the size is not known in
// advance, bytes holds the file. A download is stored in the cache as it arrives (a second
// branch of the response's stream: the page never copies the file for the cache); stored
// resolves when it is, with '' or the message saying it could not be.
export async function fetchDataset(url, onProgress, sink = null) {
  const {cache, problem} = await openDatasetCache(url);
  if (cache) {
    let cached = null;
    try {
      cached = await cache.match(url);
    } catch (e) {
      cached = null;  // an unreadable cache entry: download it
    }
    if (cached) {
      const header = cached.headers.get('Content-Length');
      const size = header && !cached.headers.get('Content-Encoding') ? Number(header) : null;
      const bytes = await readWithProgress(cached, url, size, onProgress, sink);
      return {bytes, fromCache: true, cache, stored: Promise.resolve('')};
    }
  }
  let stored = Promise.resolve(problem);
  const keep = (response) => {
    let copy;
    try {
      copy = response.clone();
      stored = cache.put(url, copy).then(() => '', (e) => {
        console.warn(`CNN Lab: could not cache ${url}: ${e.message}`);
        return storageProblem(url, e);
      });
    } catch (e) {
      stored = Promise.resolve(storageProblem(url, e));
    }
  };
  try {
    const bytes = await fetchWithProgress(url, onProgress, cache ? keep : null, sink);
    return {bytes, fromCache: false, cache, stored};
  } catch (e) {
    // Never keep a broken download (what put stored of it, if anything).
    stored.then(() => cache && cache.delete(url)).catch(() => {});
    throw e;
  }
}

// Resolves once a fresh download is in the dataset cache, with '' or the message saying the
// browser could not keep it (the lab still runs from memory).
export function cacheDataset(fetched) {
  return fetched.stored || Promise.resolve('');
}

// Drops a cached dataset the worker refused, so a Retry downloads it again.
export async function forgetDataset(fetched, url) {
  if (fetched.cache) await fetched.cache.delete(url).catch(() => {});
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
