// CNN Lab's service worker: once the lab has loaded, it works without network. The site's own
// files (page, app and trainer js/wasm, font, packs.json, and each page that mounted a lab) are
// kept in the Cache API under 'cnnlab-site-v1'; requests go to the network first (a new build is
// picked up as soon as it is online) and fall back to the cache when the network fails. Dataset
// packs are not handled here: the page keeps them in its own cache ('cnnlab-datasets-v1', see
// page/downloads.js). Registered by page/offline.js once a lab runs; its scope is the site
// folder. (A lab mounted from another origin's page is not kept: a service worker serves its
// own origin's pages only.)
// Cross-origin isolation survives offline use: the Cache API keeps each response's headers
// (COOP/COEP/CORP when the server sent them), so a cached page is isolated as it was online and
// runs the threaded trainer, whose files trainer.json lists and the install keeps too.
'use strict';

const SITE_CACHE = 'cnnlab-site-v1';
// What a lab needs to start, relative to the site folder (this file's folder).
// PAGE_FILES is every file of web/page/ (the page's ES modules, its stylesheet and the training
// worker's script) and page/vendor/fflate.js (web/vendor, copied by the build):
// tests/browser/embed.test.mjs's offline test checks it against the site.
const PAGE_FILES = [
  'cnnlab.js', 'mount.js', 'api.js', 'app-instance.js', 'worker-client.js', 'options.js',
  'downloads.js', 'overlay.js', 'events.js', 'files.js', 'embed-bridge.js', 'offline.js',
  'cnn-lab-element.js', 'cnnlab.css', 'trainer-worker.js', 'mirror.js', 'announcer.js',
  'text-format.js', 'color-scheme.js', 'lessons.js', 'dataset-archive.js', 'uploads.js',
  'webcam-panel.js', 'webcam-camera.js', 'webcam-dataset.js', 'early-dataset.js',
  'vendor/fflate.js',
].map((file) => 'page/' + file);
const CORE_FILES = PAGE_FILES.concat([
  'index.html', 'cnnlab_app.js', 'cnnlab_app.wasm', 'cnnlab_trainer.js', 'cnnlab_trainer.wasm',
  'fonts/DejaVuSans.ttf', 'data/packs.json', 'trainer.json',
]);

// The threaded trainer's files, when the site has it (trainer.json, made by the build).
async function threadedTrainerFiles(scope) {
  try {
    const response = await fetch(new Request(new URL('trainer.json', scope), {cache: 'no-cache'}));
    const threaded = response.ok ? (await response.json()).threaded : null;
    return threaded ? [threaded.script, threaded.wasm, threaded.worker].filter(Boolean) : [];
  } catch (e) {
    return [];
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SITE_CACHE);
    const scope = self.registration.scope;
    // One by one: a file a site lacks (a build without packs) must not stop the rest.
    const files = CORE_FILES.concat(await threadedTrainerFiles(scope));
    await Promise.all(files.map(async (file) => {
      try {
        const response = await fetch(new Request(new URL(file, scope), {cache: 'no-cache'}));
        if (response.ok) await cache.put(new URL(file, scope).href, response);
      } catch (e) {
        // Offline while installing: what the page fetched later is cached on the way.
      }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('cnnlab-site-') && name !== SITE_CACHE) await caches.delete(name);
    }
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.endsWith('.pack')) return;  // the page's dataset cache has them
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok && response.type === 'basic') {
        const copy = response.clone();
        caches.open(SITE_CACHE).then((cache) => cache.put(request, copy)).catch(() => {});
      }
      return response;
    } catch (networkError) {
      const cache = await caches.open(SITE_CACHE);
      // A page opened offline with other options (?kernel=5) is the same page.
      const cached = await cache.match(request, {ignoreSearch: request.mode === 'navigate'});
      if (cached) return cached;
      if (url.pathname.endsWith('/')) {
        const index = await cache.match(new URL('index.html', url).href);
        if (index) return index;
      }
      throw networkError;
    }
  })());
});
