// CNN Lab page loader: mounts a lab into an element, downloads the app (WebAssembly) and its font
// with a real progress bar (bytes received of total), starts the Dear ImGui app on a canvas, shows
// what failed with a Retry button, and returns the lab's JavaScript API.
//
//   const lab = CNNLab.mount(element, {base: 'https://example.org/cnnlab/',
//                                      pack: 'data/cifar10-1k.pack'});
//   await lab.ready;          // resolves once the app runs and the dataset (if any) is loaded; it
//                             // stays pending through failures: lab.state().phase === 'error'
//                             // says one happened, lab.retry() retries what failed
//   lab.state();              // {phase, error, loading, dataset, model, epoch, step, ...}
//   await lab.configure({model: 'cnn', kernel: 5, epochs: 1, subset: '1k'});  // rejects: why
//   lab.train(); lab.pause(); lab.step(); lab.reset();  // throw an Error when refused
//   lab.history();            // every run's per-epoch records
//   await lab.loadPack(url);  // another dataset (a pack file), with the progress bar
//   lab.showPanel('model');   // brings a tab to the front: data, model, inside, eval
//   const file = await lab.saveModel();      // Uint8Array: a .cnnlab model file
//   await lab.loadModel(file, 'mine.cnnlab'); // rejects with an Error saying why it does not fit
//   lab.exportNpz(); lab.exportCurves('csv'); // weights (PyTorch layout), every run's curves
//   const {top3} = await lab.classifyImage(pngBytes, 'cat.png');  // also File menu / drop
//
// Training runs in a Web Worker (page/trainer-worker.js hosting cnnlab_trainer.wasm): the app
// posts commands to it through this loader (Module.cnnlabPostToTrainer) and the loader hands the
// worker's reports, weight snapshots and test results back to the app (cnnlab_trainer_*). On a
// cross-origin isolated page the worker hosts the site's threaded trainer instead
// (cnnlab_trainer_threads.wasm, 2 threads; chooseTrainer); state().trainerThreads says which.
//
// index.html does `window.cnnlab = CNNLab.mount(...)`. Each mount creates its own wasm instance
// (the build is MODULARIZE'd as createCnnLabModule).
//
// Options (mount's or a link's: CNNLab.optionsFromUrl) set the dataset, model, training, the
// panels shown, read-only controls and the theme; lab.link() makes such a link; lab.on('epoch' |
// 'done' | 'error', fn); {embed: true} in an iframe takes postMessage commands. All of it is in
// web/README.md ("Embedding, links and offline use").
//
// [SECTION] Downloads with progress
// [SECTION] The overlay (progress and error box)
// [SECTION] Options (mount options and links)
// [SECTION] Offline (service worker)
// [SECTION] Embedding in an iframe (postMessage)
// [SECTION] Mounting a lab
// [SECTION] The training worker
// [SECTION] The JavaScript API
'use strict';

(function () {
  // The site root: loader.js lives in <site>/page/.
  const defaultBase = (function () {
    const script = document.currentScript;
    return script && script.src ? new URL('..', script.src).href : new URL('.', location.href).href;
  })();

  // ---- [SECTION] Downloads with progress ----------------------------------------------------

  // Fetches url into a Uint8Array, calling onProgress(received, total) as bytes arrive (total is
  // null when the server sends no Content-Length). Errors name the file and the HTTP status.
  async function fetchWithProgress(url, onProgress) {
    let response;
    try {
      response = await fetch(url, {cache: 'no-cache'});
    } catch (e) {
      throw new Error(`Could not download ${url}: the network request failed (${e.message}).`);
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
  function fetchAllWithProgress(urls, onProgress) {
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

  // Loads a classic script once per page (the Emscripten glue defines createCnnLabModule).
  const scriptPromises = new Map();
  function loadScript(src) {
    if (!scriptPromises.has(src)) {
      scriptPromises.set(src, new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = src;
        script.async = true;
        script.onload = () => resolve();
        script.onerror = () => {
          scriptPromises.delete(src);
          script.remove();
          reject(new Error(`Could not load ${src}.`));
        };
        document.head.appendChild(script);
      }));
    }
    return scriptPromises.get(src);
  }

  // Datasets are kept in the Cache API (when the page's origin offers it) so a reload does not
  // download them again. A copy is stored only after the app accepted it.
  const DATASET_CACHE = 'cnnlab-datasets-v1';

  async function openDatasetCache() {
    try {
      return typeof caches !== 'undefined' ? await caches.open(DATASET_CACHE) : null;
    } catch (e) {
      return null;  // e.g. storage disabled: download every time
    }
  }

  // Bytes of url from the cache or the network, with progress; {bytes, fromCache}.
  async function fetchDataset(url, onProgress) {
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

  function formatBytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
    return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  }

  // ---- [SECTION] The overlay (progress and error box) ---------------------------------------

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function buildDom(root) {
    root.classList.add('cnnlab');
    for (const child of Array.from(root.children)) {
      if (child.tagName === 'NOSCRIPT') child.remove();
    }
    const canvas = element('canvas', 'cnnlab-canvas');
    canvas.tabIndex = 0;
    canvas.setAttribute('aria-label', 'CNN Lab app');
    canvas.addEventListener('contextmenu', (e) => e.preventDefault());
    // A lost WebGL context cannot be recovered by the app: say so instead of freezing.
    canvas.addEventListener('webglcontextlost', (e) => e.preventDefault());

    const loading = element('div', 'cnnlab-overlay cnnlab-loading');
    loading.setAttribute('role', 'status');
    loading.setAttribute('aria-live', 'polite');
    const title = element('h1', 'cnnlab-title', 'CNN Lab');
    const step = element('p', 'cnnlab-step', 'Starting…');
    const progress = element('div', 'cnnlab-progress');
    progress.setAttribute('role', 'progressbar');
    progress.setAttribute('aria-valuemin', '0');
    progress.setAttribute('aria-valuemax', '100');
    const bar = element('div', 'cnnlab-progress-bar');
    progress.appendChild(bar);
    const bytes = element('p', 'cnnlab-bytes', '');
    loading.append(title, step, progress, bytes);

    const errorOverlay = element('div', 'cnnlab-overlay cnnlab-error');
    errorOverlay.hidden = true;
    errorOverlay.setAttribute('role', 'alert');
    const box = element('div', 'cnnlab-error-box');
    const heading = element('h2', '', 'CNN Lab could not start');
    const message = element('p', 'cnnlab-error-message', '');
    const details = element('pre', 'cnnlab-error-details', '');
    details.hidden = true;
    const retry = element('button', 'cnnlab-retry', 'Retry');
    retry.type = 'button';
    // Only after a failed dataset download in a running lab: back to the data it already has.
    const dismiss = element('button', 'cnnlab-dismiss', 'Back to the lab');
    dismiss.type = 'button';
    dismiss.hidden = true;
    box.append(heading, message, details, retry, dismiss);
    errorOverlay.appendChild(box);

    root.append(canvas, loading, errorOverlay);
    return {root, canvas, loading, step, progress, bar, bytes, errorOverlay, heading, message,
            details, retry, dismiss};
  }

  // ---- [SECTION] Options (mount options and links) ------------------------------------------
  //
  // A page passes options to CNNLab.mount; a link carries the same names in its query or hash
  // (optionsFromUrl), so a URL reproduces a set-up. Four kinds: the training set-up (the engine's
  // SessionOptions, applied through configure), the data (dataset, subset; pack), the app's look
  // (theme, panels, hide, readOnly: app/embed_options.h) and the page's own (autostart, embed,
  // origin, offline, base). Unknown or invalid ones are reported (a notice in the app, ready
  // rejects with an Error naming them) and the lab runs with its defaults for those.

  const TRAINING_KEYS = ['model', 'kernel', 'filters', 'dense', 'dropout', 'blocks', 'pooling',
                         'stride', 'epochs', 'batch', 'lr', 'optimizer', 'momentum', 'weightDecay',
                         'seed', 'augment', 'valFraction', 'patience', 'standardize'];
  const DATA_KEYS = ['dataset', 'subset'];
  const UI_KEYS = ['theme', 'panels', 'hide', 'readOnly'];
  const PANEL_NAMES = ['data', 'model', 'training', 'curves', 'inside', 'eval', 'experiment'];
  const PAGE_KEYS = ['base', 'pack', 'autostart', 'embed', 'origin', 'offline'];
  const NUMBER_KEYS = ['kernel', 'filters', 'dense', 'dropout', 'blocks', 'stride', 'epochs',
                       'batch', 'lr', 'momentum', 'weightDecay', 'seed', 'valFraction', 'patience'];
  const BOOLEAN_KEYS = ['augment', 'standardize', 'autostart', 'embed', 'offline', 'readOnly'];

  // A URL parameter's text as the option's type where it reads as one ("5" -> 5, "true" -> true);
  // anything else stays text, so the engine's validation names what is wrong with it.
  function valueFromText(key, text) {
    if (NUMBER_KEYS.includes(key) && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text.trim())) {
      return Number(text);
    }
    if (BOOLEAN_KEYS.includes(key)) {
      if (text === '' || text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
    }
    return text;
  }

  // Options of a page URL: its query and its hash (#kernel=5&...), the hash winning.
  function optionsFromUrl(search, hash) {
    const options = {};
    const read = (text) => {
      const params = new URLSearchParams(String(text || '').replace(/^[?#]/, ''));
      for (const [key, value] of params) {
        if (key) options[key] = valueFromText(key, value);
      }
    };
    read(search === undefined ? location.search : search);
    read(hash === undefined ? location.hash : hash);
    return options;
  }

  // Sorts options into {training, data, ui, page} and the errors of unknown names or invalid
  // page options (the others are checked by the app when they are applied).
  function splitOptions(options) {
    const split = {training: {}, data: {}, ui: {}, page: {}, errors: []};
    const known = TRAINING_KEYS.concat(DATA_KEYS, UI_KEYS, PAGE_KEYS);
    for (const [key, value] of Object.entries(options || {})) {
      if (value === undefined) continue;
      if (TRAINING_KEYS.includes(key)) split.training[key] = value;
      else if (DATA_KEYS.includes(key)) split.data[key] = value;
      else if (UI_KEYS.includes(key)) split.ui[key] = value;
      else if (PAGE_KEYS.includes(key)) split.page[key] = value;
      else split.errors.push(`option ${key}: unknown option (known: ${known.join(', ')})`);
    }
    for (const key of ['autostart', 'embed', 'offline']) {
      if (key in split.page && typeof split.page[key] !== 'boolean') {
        split.errors.push(`option ${key}: must be true or false, got ${JSON.stringify(split.page[key])}`);
        delete split.page[key];
      }
    }
    if ('origin' in split.page) {
      const origin = split.page.origin;
      let valid = origin === '*';
      try { valid = valid || new URL(origin).origin === origin; } catch (e) { /* invalid */ }
      if (!valid) {
        split.errors.push(`option origin: must be an origin such as https://course.example.org (or *), got ${JSON.stringify(origin)}`);
        delete split.page.origin;
      }
    }
    return split;
  }

  // A number as a link writes it: float32 noise removed (0.0010000000474974513 -> 0.001).
  function linkNumber(value) {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  }

  // ---- [SECTION] Offline (service worker) ---------------------------------------------------

  // Registers <base>service-worker.js (keeps the site's files for offline use; datasets are in
  // the dataset cache already) and stores this page itself in the site cache.
  const SITE_CACHE = 'cnnlab-site-v1';
  const offlineRegistrations = new Map();
  function keepForOffline(base) {
    if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return null;
    if (!offlineRegistrations.has(base)) {
      offlineRegistrations.set(base, navigator.serviceWorker.register(
          base + 'service-worker.js', {scope: base}).then(async (registration) => {
        try {
          const cache = await caches.open(SITE_CACHE);
          await cache.add(new Request(location.href, {cache: 'no-cache'}));
        } catch (e) {
          console.warn(`CNN Lab: could not keep this page for offline use: ${e.message}`);
        }
        return registration;
      }, (e) => {
        console.warn(`CNN Lab: offline use is not available (${e.message})`);
        return null;
      }));
    }
    return offlineRegistrations.get(base);
  }

  // ---- [SECTION] Embedding in an iframe (postMessage) ---------------------------------------

  // The host page (window.parent) drives the lab with messages and receives its events; the
  // formats are in web/README.md. Messages are accepted from the parent window only, and only
  // from hostOrigin ('*': any); replies and events are posted to hostOrigin.
  function embedBridge(api, hostOrigin) {
    if (window.parent === window) return;
    const post = (message) => window.parent.postMessage(message, hostOrigin);
    let warned = false;
    window.addEventListener('message', async (event) => {
      if (event.source !== window.parent) return;
      if (hostOrigin !== '*' && event.origin !== hostOrigin) {
        if (!warned) console.warn(`CNN Lab: ignored a message from ${event.origin} (accepting ${hostOrigin}; see the origin option)`);
        warned = true;
        return;
      }
      const message = event.data;
      if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
      const id = message.id;
      try {
        switch (message.type) {
          case 'configure':
            post({type: 'configured', id, state: await api.configure(message.options)});
            break;
          case 'train': case 'pause': case 'step': case 'reset': case 'clearHistory':
            api[message.type]();
            post({type: 'ok', id, command: message.type});
            break;
          case 'state': post({type: 'state', id, state: api.state()}); break;
          case 'history': post({type: 'history', id, history: api.history()}); break;
          case 'link': post({type: 'link', id, url: api.link()}); break;
          case 'showPanel':
            api.showPanel(message.panel);
            post({type: 'ok', id, command: 'showPanel'});
            break;
          default:
            throw new Error(`unknown message type '${message.type}' (configure, train, pause, step, reset, clearHistory, state, history, link, showPanel)`);
        }
      } catch (e) {
        post({type: 'error', id, message: e && e.message ? e.message : String(e)});
      }
    });
    api.on('epoch', (record) => post(Object.assign({type: 'epoch'}, record)));
    api.on('done', (record) => post(Object.assign({type: 'done'}, record)));
    api.on('error', (record) => post({type: 'error', message: record.message}));
    api.ready.then(() => post({type: 'ready', state: api.state()}),
                   (e) => {
                     post({type: 'error', message: e.message, options: e.errors || []});
                     post({type: 'ready', state: api.state()});
                   });
  }

  // Emscripten's GLFW listens for keys on the whole window and cancels Backspace and Tab there:
  // with several labs on a page, or a course page's own text fields, a lab must only take the
  // keys typed into its own canvas. Its listeners are added while the instance starts (main runs
  // inside receiveInstance), so keydown/keypress listeners added during start() are wrapped.
  // (keyup passes to every lab: a key released elsewhere must not stay pressed.)
  function keysOnlyFrom(canvas, start) {
    const original = window.addEventListener;
    window.addEventListener = function (type, listener, options) {
      if ((type === 'keydown' || type === 'keypress') && typeof listener === 'function') {
        const inner = listener;
        listener = function (event) {
          if (event.target === canvas) return inner.call(this, event);
          return undefined;
        };
      }
      return original.call(this, type, listener, options);
    };
    try {
      return start();
    } finally {
      window.addEventListener = original;
    }
  }

  // ---- [SECTION] Mounting a lab -------------------------------------------------------------

  function mount(root, options) {
    options = options || {};
    const base = options.base ? new URL(options.base, location.href).href : defaultBase;
    const ui = buildDom(root);
    // The options by kind (see [SECTION] Options); unknown or invalid ones collect in
    // optionErrors and are reported once the lab runs with its defaults for them.
    const setup = splitOptions(options);
    const optionErrors = setup.errors.slice();
    if (setup.ui.theme === 'dark') root.classList.add('cnnlab-dark');  // the loading overlay too
    let defaultOptions = null;  // the app's training options before any were applied (links)
    const listeners = new Map();  // event type -> handlers (api.on)

    // 'loading' until the app's first frame, 'dataset' while a dataset downloads, then
    // 'running' (the app reports its own phase); 'error' when anything fails (pageError holds the
    // message, failedStage says what Retry must redo: 'app' or 'dataset').
    let pagePhase = 'loading';
    let failedStage = 'app';
    let datasetUrl = options.pack ? new URL(options.pack, base).href : null;
    let appRunning = false;
    let pageError = null;
    let runtimeStarted = false;  // a wasm instance ran: a retry must reload the page
    let module = null;           // the Emscripten module object of this lab
    let trainer = null;          // the training worker of this lab
    let manifest = null;         // data/packs.json of the site (null: none)
    let starting = false;
    const loading = {step: 'starting', receivedBytes: 0, totalBytes: null};
    const logLines = [];

    let resolveReady, rejectReady;
    const ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
    // Once the lab runs: resolves, or rejects with an Error naming the options not applied (the
    // lab then runs with its defaults for those; error.errors lists them, error.api is the API).
    function settleReady() {
      if (!optionErrors.length) {
        resolveReady(api);
        return;
      }
      const error = new Error(`CNN Lab: options not applied: ${optionErrors.join('; ')}`);
      error.errors = optionErrors.slice();
      error.api = api;
      rejectReady(error);
      emit('error', {message: error.message});
    }

    function showProgress(stepText, received, total) {
      loading.step = stepText;
      loading.receivedBytes = received;
      loading.totalBytes = total;
      ui.step.textContent = stepText;
      if (total) {
        const percent = Math.min(100, (100 * received) / total);
        ui.bar.classList.remove('cnnlab-indeterminate');
        ui.bar.style.width = `${percent.toFixed(1)}%`;
        ui.progress.setAttribute('aria-valuenow', percent.toFixed(0));
        ui.bytes.textContent = `${formatBytes(received)} of ${formatBytes(total)}`;
      } else {
        ui.bar.classList.add('cnnlab-indeterminate');
        ui.bar.style.width = '';
        ui.progress.removeAttribute('aria-valuenow');
        ui.bytes.textContent = received ? formatBytes(received) : '';
      }
    }

    function fail(error, stage) {
      const text = error && error.message ? error.message : String(error);
      if (pagePhase === 'error') return;  // keep the first cause, the rest follow from it
      failedStage = stage || 'app';
      pagePhase = 'error';
      pageError = text;
      starting = false;
      ui.loading.hidden = true;
      ui.errorOverlay.hidden = false;
      ui.heading.textContent = failedStage === 'dataset' ? 'The dataset could not be loaded'
          : runtimeStarted ? 'CNN Lab stopped' : 'CNN Lab could not start';
      ui.message.textContent = text;
      const details = logLines.slice(-20).join('\n');
      ui.details.textContent = details;
      ui.details.hidden = details.length === 0;
      ui.dismiss.hidden = !(failedStage === 'dataset' && appRunning);
      ui.retry.focus();
    }

    async function start() {
      if (starting) return;
      starting = true;
      pagePhase = 'loading';
      pageError = null;
      ui.errorOverlay.hidden = true;
      ui.loading.hidden = false;
      showProgress('Downloading the app…', 0, null);
      try {
        const trainerChoice = await chooseTrainer();
        const [wasmBytes, fontBytes, trainerBytes] = await fetchAllWithProgress(
            [base + 'cnnlab_app.wasm', base + 'fonts/DejaVuSans.ttf', base + trainerChoice.wasm],
            (received, total) => showProgress('Downloading the app…', received, total));
        startTrainer(trainerBytes, trainerChoice);
        showProgress('Starting the app…', loading.receivedBytes, loading.totalBytes);
        await loadScript(base + 'cnnlab_app.js');
        if (typeof createCnnLabModule !== 'function') {
          throw new Error(`${base}cnnlab_app.js did not define createCnnLabModule.`);
        }
        const moduleOptions = {
          canvas: ui.canvas,
          print: (text) => { logLines.push(text); console.log(text); },
          printErr: (text) => { logLines.push(text); console.warn(text); },
          instantiateWasm(imports, receiveInstance) {
            WebAssembly.instantiate(wasmBytes, imports).then(
                (result) => keysOnlyFrom(ui.canvas,
                                         () => receiveInstance(result.instance, result.module)),
                (e) => fail(new Error(`cnnlab_app.wasm is not a valid WebAssembly module for this page: ${e.message}`)));
            return {};
          },
          // From here on this instance owns the canvas and window listeners.
          onRuntimeInitialized: () => { runtimeStarted = true; },
          preRun: [() => {
            moduleOptions.FS.mkdir('/fonts');
            moduleOptions.FS.writeFile('/fonts/DejaVuSans.ttf', fontBytes);
          }],
          onAbort: (what) => fail(new Error(`The app stopped unexpectedly: ${what}`)),
          // Called by the app (web/platform/platform_web.cpp).
          cnnlabOnReady: async () => {
            runtimeStarted = true;
            appRunning = true;
            starting = false;
            await offerSubsets();
            applyStartOptions();
            if (datasetUrl) {
              loadDataset(datasetUrl).then(() => { if (pagePhase === 'running') started(); },
                                           () => {});
            } else {
              showApp();
              started();
            }
          },
          // The menu bar's Copy link (app/embed_options.cpp).
          cnnlabCopyLink: () => { copyLink(); },
          cnnlabOnFatalError: (message) => { runtimeStarted = true; fail(new Error(message)); },
          // The Data panel's Load button (a file relative to the site).
          cnnlabRequestDataset: (file) => { loadDataset(new URL(file, base).href).catch(() => {}); },
          // Called by the app's WorkerBackend: a command (JSON text), with a pack's bytes.
          cnnlabPostToTrainer: (command, bytes) => postToTrainer(command, bytes),
          // The File menu's Load model / Classify photo: the page's file chooser.
          cnnlabPickFile: (kind, accept) => pickFile(kind, accept),
        };
        module = moduleOptions;  // the factory fills this same object in
        await createCnnLabModule(moduleOptions);
      } catch (e) {
        fail(e);
      }
    }

    // The subsets the site offers (data/packs.json, made at build time). None is fine: the
    // app says that no dataset is loaded. Without an explicit pack, the manifest's default is
    // loaded before `ready` resolves.
    async function offerSubsets() {
      let text = null;
      try {
        const response = await fetch(base + 'data/packs.json', {cache: 'no-cache'});
        if (!response.ok) return;
        text = await response.text();
      } catch (e) {
        return;
      }
      const error = module.ccall('cnnlab_set_subsets', 'string', ['string'], [text]);
      if (error) {
        console.warn(`CNN Lab: ${error}`);
        return;
      }
      manifest = JSON.parse(text);
      if (!datasetUrl) {
        const parsed = manifest;
        const chosen = parsed.packs.find((p) => p.id === parsed.default) || parsed.packs[0];
        if (chosen) datasetUrl = new URL(chosen.file, base).href;
      }
    }

    // ---- Options, events and links of this lab (see [SECTION] Options) ----

    function setUi(values) {
      return module.ccall('cnnlab_set_ui', 'string', ['string'], [JSON.stringify(values)]);
    }

    // Applies options with fn (returns "" or why): all at once, or one by one when refused, so
    // that the valid ones still apply; the refusals go to optionErrors.
    function applyEach(values, fn) {
      if (!Object.keys(values).length || !fn(values)) return;
      for (const [key, value] of Object.entries(values)) {
        const error = fn({[key]: value});
        // The model's own checks name the layer ("layer 1 conv2d ...: kernel size must be ...").
        if (error) optionErrors.push(error.startsWith('option ') ? error : `option ${key}: ${error}`);
      }
    }

    // The mount's look and data options, once the app runs (before its dataset loads; the
    // training options follow the dataset: the engine checks the model against its shape).
    function applyStartOptions() {
      defaultOptions = api.state().options || null;
      applyEach(setup.ui, setUi);
      if (Object.keys(setup.data).length) {
        try {
          datasetUrl = packFor(setup.data.dataset, setup.data.subset);
        } catch (e) {
          optionErrors.push(e.message);
        }
      }
    }

    // The lab runs (its dataset, if any, is loaded): report the options not applied, settle
    // `ready`, start the events, keep the site for offline use, autostart.
    let hasStarted = false;
    function started() {
      if (hasStarted) return;
      hasStarted = true;
      applyEach(setup.training, (values) => module.ccall('cnnlab_configure', 'string', ['string'],
                                                         [JSON.stringify(values)]));
      if (optionErrors.length) setUi({notice: optionErrors.join('\n')});
      settleReady();
      startWatching();
      if (setup.page.offline !== false) keepForOffline(base);
      if (setup.page.autostart) {
        try {
          api.train();
        } catch (e) {
          setUi({notice: optionErrors.concat([`option autostart: ${e.message}`]).join('\n')});
        }
      }
    }

    function emit(type, detail) {
      for (const handler of listeners.get(type) || []) {
        try {
          handler(detail);
        } catch (e) {
          console.error(e);
        }
      }
    }

    // Events for api.on and the iframe host, from the app's state ~4x/s: 'epoch' (each finished
    // epoch's record), 'done' (a run ended, with its test results), 'error' (the lab's phase
    // became 'error'), 'phase' (every change of phase).
    let watcher = null;
    function startWatching() {
      if (watcher) return;
      const seen = new Set();  // "run:epoch" already reported
      for (const run of api.history()) for (const e of run.epochs) seen.add(`${run.run}:${e.epoch}`);
      let phase = null, doneRun = 0, doneSince = 0;
      watcher = setInterval(() => {
        let s, history;
        try {
          s = api.state();
          history = api.history();
        } catch (e) {
          return;  // the instance aborted: its error was reported
        }
        for (const run of history) {
          for (const e of run.epochs) {
            const key = `${run.run}:${e.epoch}`;
            if (seen.has(key)) continue;
            seen.add(key);
            emit('epoch', Object.assign({run: run.run, label: run.label,
                                         epochs: run.options ? run.options.epochs : null}, e));
          }
        }
        if (s.phase !== phase) {
          phase = s.phase;
          doneSince = Date.now();
          emit('phase', {phase});
          if (phase === 'error') emit('error', {message: s.error});
        }
        // The test results follow the end of a run within a report or two.
        if (phase === 'done' && doneRun !== s.run &&
            (s.testAcc !== null || Date.now() - doneSince > 3000)) {
          doneRun = s.run;
          emit('done', {run: s.run, epoch: s.epoch, epochs: s.epochs, testAcc: s.testAcc,
                        testLoss: s.testLoss, trainAcc: s.trainAcc, valAcc: s.valAcc,
                        stopReason: s.stopReason});
        }
      }, 250);
    }

    // The menu bar's Copy link: the clipboard (or, where the page may not write it, a text field
    // the browser copies from); the app's menu bar says how it went.
    async function copyLink() {
      const url = api.link();
      let copied = false;
      try {
        await navigator.clipboard.writeText(url);
        copied = true;
      } catch (e) {
        // No clipboard permission (e.g. an iframe without allow="clipboard-write").
        const field = document.createElement('textarea');
        field.value = url;
        field.style.cssText = 'position:fixed;left:-9999px;opacity:0';
        document.body.appendChild(field);
        field.select();
        try {
          copied = document.execCommand('copy');
        } catch (e2) {
          copied = false;
        }
        field.remove();
        ui.canvas.focus({preventScroll: true});
      }
      if (appRunning) setUi({linkStatus: copied ? 'Link copied.' : `Copy this link: ${url}`});
      emit('link', {url, copied});
      return {url, copied};
    }

    function showApp() {
      pagePhase = 'running';
      ui.loading.hidden = true;
      ui.errorOverlay.hidden = true;
      ui.canvas.focus({preventScroll: true});
    }

    function setDataStatus(text) {
      if (appRunning && module && module.ccall) {
        module.ccall('cnnlab_set_data_status', null, ['string'], [text]);
      }
    }

    // Downloads a dataset (with progress), hands it to the app, caches it. Rejects (and shows
    // the error box, whose Retry downloads it again) when the download or the file is bad.
    async function loadDataset(url) {
      const name = decodeURIComponent(url.split('/').pop() || url);
      datasetUrl = url;  // what Retry downloads again
      pagePhase = 'dataset';
      pageError = null;
      ui.errorOverlay.hidden = true;
      ui.loading.hidden = false;
      const step = `Downloading the dataset ${name}…`;
      showProgress(step, 0, null);
      setDataStatus(step);
      let fetched;
      try {
        fetched = await fetchDataset(url, (received, total) => showProgress(step, received, total));
      } catch (e) {
        setDataStatus(e.message);
        fail(e, 'dataset');
        throw e;
      }
      showProgress(`Reading the dataset ${name}…`, fetched.bytes.length, fetched.bytes.length);
      // Cached before the bytes go to the worker (a Response copies them; the hand-off transfers
      // them away); dropped again if the worker refuses them.
      let cached = null;
      if (!fetched.fromCache && fetched.cache) {
        cached = fetched.cache.put(url, new Response(fetched.bytes,
            {headers: {'Content-Type': 'application/octet-stream'}})).catch((e) => {
          console.warn(`CNN Lab: could not cache ${name}: ${e.message}`);
        });
      }
      const error = await handPackToTrainer(fetched.bytes, url);
      if (error) {
        if (fetched.cache) {
          await cached;
          await fetched.cache.delete(url);
        }
        const e = new Error(`${name} is not a usable dataset: ${error}`);
        setDataStatus(e.message);
        fail(e, 'dataset');
        throw e;
      }
      showApp();
    }

    // ---- [SECTION] The training worker ------------------------------------------------------

    // Which trainer this lab runs: {script, wasm, threads, note}. The threaded one when the page
    // is cross-origin isolated (only then does it have shared memory for wasm threads) and the
    // site has it (trainer.json, made by the build; asked for only then); else the
    // single-threaded one, which works on any page.
    async function chooseTrainer() {
      const single = (note) => ({script: 'cnnlab_trainer.js', wasm: 'cnnlab_trainer.wasm',
                                 threads: 1, note});
      if (self.crossOriginIsolated !== true || typeof SharedArrayBuffer !== 'function') {
        return single('the page is not cross-origin isolated');
      }
      let threaded = null;
      try {
        const response = await fetch(base + 'trainer.json', {cache: 'no-cache'});
        if (response.ok) threaded = (await response.json()).threaded;
      } catch (e) {
        threaded = null;  // an older site, or offline without it: the single-threaded trainer
      }
      if (!threaded || typeof threaded.script !== 'string' || typeof threaded.wasm !== 'string' ||
          !(threaded.threads > 1)) {
        return single('this site has no threaded trainer');
      }
      return {script: threaded.script, wasm: threaded.wasm, threads: threaded.threads,
              note: 'cross-origin isolated page'};
    }

    // Starts this lab's worker with the trainer's wasm bytes (downloaded with the app's progress).
    // Commands the app posts before it is ready wait in the worker's own queue.
    function startTrainer(wasmBytes, choice) {
      if (trainer) return;
      try {
        trainer = new Worker(base + 'page/trainer-worker.js');
      } catch (e) {
        throw new Error(`Could not start the training worker (${base}page/trainer-worker.js): ${e.message}`);
      }
      trainer.onmessage = (event) => fromTrainer(event.data);
      trainer.onerror = (event) => {
        event.preventDefault();
        trainerFailed(`The training worker failed: ${event.message || 'could not load page/trainer-worker.js'}`);
      };
      trainer.postMessage({type: 'init', script: base + choice.script, wasm: wasmBytes,
                           threads: choice.threads, note: choice.note}, [wasmBytes.buffer]);
    }

    // Hands a downloaded pack straight to this lab's training worker (transferred, never copied
    // through the app): the worker loads it and reports what the app shows (a 'dataset'
    // message). Resolves '' once the app has it, or why the worker refused it.
    let packSettled = null;
    function handPackToTrainer(bytes, origin) {
      if (!trainer) return Promise.resolve('the training worker is not running');
      return new Promise((resolve) => {
        if (packSettled) packSettled('another dataset was chosen');
        packSettled = (error) => {
          packSettled = null;
          resolve(error);
        };
        trainer.postMessage({type: 'pack', command: JSON.stringify({origin}), bytes},
                            [bytes.buffer]);
      });
    }

    function postToTrainer(command, bytes) {
      if (!trainer) return;
      if (bytes) trainer.postMessage({type: 'pack', command, bytes}, [bytes.buffer]);
      else trainer.postMessage({type: 'command', command});
    }

    function trainerFailed(message) {
      logLines.push(message);
      console.error(`CNN Lab: ${message}`);
      if (appRunning && module && module.ccall) {
        module.ccall('cnnlab_trainer_error', null, ['string', 'number'], [message, 1]);
      } else {
        fail(new Error(message));
      }
    }

    // Copies bytes into the app's heap for the duration of fn(ptr).
    function withHeapCopy(bytes, fn) {
      const ptr = module._malloc(Math.max(1, bytes.byteLength));
      if (!ptr) throw new Error(`not enough memory for ${formatBytes(bytes.byteLength)}`);
      try {
        module.HEAPU8.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), ptr);
        return fn(ptr);
      } finally {
        module._free(ptr);
      }
    }

    function fromTrainer(message) {
      if (message.type === 'fatal') {
        trainerFailed(message.message);
        return;
      }
      if (!appRunning || !module || !module.ccall) return;  // nothing asked for it yet
      try {
        if (message.type === 'report') {
          module.ccall('cnnlab_trainer_report', null, ['string'], [message.json]);
        } else if (message.type === 'dataset') {
          withHeapCopy(message.bytes, (ptr) => module.ccall(
              'cnnlab_trainer_dataset', null, ['number', 'number'], [ptr, message.bytes.length]));
          if (packSettled) packSettled('');
        } else if (message.type === 'snapshot') {
          withHeapCopy(message.bytes, (ptr) => module.ccall(
              'cnnlab_trainer_snapshot', null, ['number', 'number'], [ptr, message.bytes.length]));
        } else if (message.type === 'experimentSnapshot') {
          withHeapCopy(message.bytes, (ptr) => module.ccall(
              'cnnlab_trainer_experiment_snapshot', null, ['number', 'number', 'number'],
              [message.config, ptr, message.bytes.length]));
        } else if (message.type === 'test') {
          withHeapCopy(message.probs, (ptr) => module.ccall(
              'cnnlab_trainer_test', null, ['string', 'number', 'number'],
              [message.json, ptr, message.probs.length]));
        } else if (message.type === 'error') {
          if (message.command === 'pack' && packSettled) packSettled(message.message);
          console.warn(`CNN Lab trainer (${message.command}): ${message.message}`);
          module.ccall('cnnlab_trainer_error', null, ['string', 'number'], [message.message, 0]);
        }
      } catch (e) {
        // The app instance aborted (onAbort reported it); nothing more to hand over.
      }
    }

    // ---- [SECTION] The JavaScript API --------------------------------------------------------

    // The pack a configure({dataset, subset}) names: a subset id of data/packs.json, or a dataset
    // that is a pack URL. Throws an Error that lists what the site offers.
    function packFor(dataset, subset) {
      const packs = manifest ? manifest.packs : [];
      const ids = packs.map((p) => p.id);
      if (dataset !== undefined) {
        if (typeof dataset !== 'string' || !dataset) {
          throw new Error(`option dataset: must be 'cifar10' or a pack file URL, got ${JSON.stringify(dataset)}`);
        }
        if (/\.pack(\?.*)?$/.test(dataset)) {
          if (subset !== undefined) throw new Error('option subset: not with a dataset pack URL');
          return new URL(dataset, base).href;
        }
        if (dataset !== 'cifar10') {
          throw new Error(`option dataset: unknown dataset '${dataset}' (this site offers cifar10${ids.length ? ` in subsets ${ids.join(', ')}` : ' only as a pack URL'})`);
        }
      }
      if (subset === undefined) {
        if (!packs.length) throw new Error('option dataset: this site has no packed subsets (pass a pack file URL)');
        return datasetUrl || new URL(packs[0].file, base).href;
      }
      const chosen = packs.find((p) => p.id === String(subset));
      if (!chosen) {
        throw new Error(`option subset: unknown subset '${subset}' (${ids.length ? `one of ${ids.join(', ')}` : 'this site has none'})`);
      }
      return new URL(chosen.file, base).href;
    }

    function requireRunning() {
      if (!appRunning || !module || !module.ccall) throw new Error('the app is not running yet');
    }

    // train, pause, step, reset, clearHistory, stopExperiment: throws an Error when refused.
    function command(name) {
      requireRunning();
      const error = module.ccall('cnnlab_command', 'string', ['string'], [name]);
      if (error) throw new Error(error);
    }

    // ---- Files: save/load model, exports, your own photo (app/files_actions.h) ---------------
    // The app decides what a file is and what is wrong with it (it shows a notice); the API's
    // promises reject with the same message.
    const MAX_USER_FILE = 256 * 1024 * 1024;  // larger files are not even copied into the app

    function fileBytes(bytes, what) {
      if (bytes instanceof Uint8Array) return bytes;
      if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
      if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      throw new Error(`${what}: expected the file's bytes (a Uint8Array or ArrayBuffer), got ${typeof bytes}`);
    }

    // kind: 'model', 'photo' or 'auto' (decided by the first bytes). Throws an Error saying why.
    function openUserFile(kind, bytes, name) {
      requireRunning();
      if (bytes.byteLength > MAX_USER_FILE) {
        throw new Error(`${name}: ${formatBytes(bytes.byteLength)} is too large to open here`);
      }
      const error = withHeapCopy(bytes, (ptr) => module.ccall(
          'cnnlab_open_file', 'string', ['string', 'number', 'number', 'string'],
          [kind, ptr, bytes.byteLength, name]));
      if (error) throw new Error(error);
    }

    // A file the app prepared (cnnlab_export_file: 'model', 'npz', 'csv', 'json'): {bytes, name}.
    function exportFile(what) {
      requireRunning();
      const error = module.ccall('cnnlab_export_file', 'string', ['string'], [what]);
      if (error) throw new Error(error);
      const ptr = module._cnnlab_file_data();
      const bytes = module.HEAPU8.slice(ptr, ptr + module._cnnlab_file_size());
      return {bytes, name: module.ccall('cnnlab_file_name', 'string', [], [])};
    }

    async function openPicked(kind, file) {
      try {
        if (file.size > MAX_USER_FILE) throw new Error(`${file.name}: ${formatBytes(file.size)} is too large to open here`);
        openUserFile(kind, new Uint8Array(await file.arrayBuffer()), file.name);
      } catch (e) {
        console.warn(`CNN Lab: ${e.message}`);  // the app shows it too
      }
    }

    function pickFile(kind, accept) {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = accept;
      input.style.display = 'none';
      input.addEventListener('change', () => {
        const file = input.files && input.files[0];
        input.remove();
        if (file) openPicked(kind, file);
      });
      document.body.appendChild(input);
      input.click();
    }

    // Drop a photo or a .cnnlab file onto the lab.
    ui.canvas.addEventListener('dragover', (event) => {
      if (!appRunning || !event.dataTransfer || !Array.from(event.dataTransfer.types).includes('Files')) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    });
    ui.canvas.addEventListener('drop', (event) => {
      const file = event.dataTransfer && event.dataTransfer.files && event.dataTransfer.files[0];
      if (!appRunning || !file) return;
      event.preventDefault();
      openPicked('auto', file);
    });

    ui.retry.addEventListener('click', () => api.retry());
    ui.dismiss.addEventListener('click', () => {
      if (pagePhase === 'error' && failedStage === 'dataset' && appRunning) {
        pageError = null;
        showApp();
        started();
      }
    });

    const api = {
      ready,
      // A plain object; see web/page/README.md. Accuracies are fractions; unknown values null.
      state() {
        let state = null;
        if (appRunning && module && module.ccall) {
          try {
            state = JSON.parse(module.ccall('cnnlab_state_json', 'string', [], []));
          } catch (e) {
            state = null;  // the instance aborted: onAbort has reported it
          }
        }
        if (!state) {
          state = {
            phase: 'loading', error: null, dataset: null, model: null, epoch: null, step: null,
            trainLoss: null, trainAcc: null, valLoss: null, valAcc: null, testAcc: null,
            imagesPerSecond: null, fps: null,
          };
        }
        if (pagePhase === 'error') {
          state.phase = 'error';
          state.error = pageError;
        } else if (pagePhase !== 'running') {
          state.phase = 'loading';
        }
        state.loading = pagePhase === 'running' ? null : Object.assign({}, loading);
        return state;
      },
      // Applies options (model, kernel, filters, dense, dropout, epochs, batch, lr, optimizer,
      // momentum, weightDecay, seed, augment, valFraction, patience, ...; dataset / subset switch
      // the pack). Resolves with state() once applied; rejects with an Error saying why
      // (unknown or invalid options: the engine's own message; nothing is changed then).
      async configure(options) {
        requireRunning();
        if (typeof options !== 'object' || options === null || Array.isArray(options)) {
          throw new Error(`configure: options must be an object, got ${JSON.stringify(options)}`);
        }
        const rest = Object.assign({}, options);
        let pack = null;
        if ('dataset' in rest || 'subset' in rest) {
          pack = packFor(rest.dataset, rest.subset);
          delete rest.dataset;
          delete rest.subset;
        }
        // The app's look: theme, panels, hide, readOnly (app/embed_options.h).
        const look = {};
        for (const key of UI_KEYS) {
          if (key in rest) {
            look[key] = rest[key];
            delete rest[key];
          }
        }
        if (Object.keys(rest).length) {
          const error = module.ccall('cnnlab_configure', 'string', ['string'], [JSON.stringify(rest)]);
          if (error) throw new Error(error);
        }
        if (Object.keys(look).length) {
          const error = setUi(look);
          if (error) throw new Error(error);
          if ('theme' in look) root.classList.toggle('cnnlab-dark', look.theme === 'dark');
        }
        if (pack && pack !== datasetUrl) await loadDataset(pack);
        return api.state();
      },
      // Starts or resumes training (a finished run: a new one).
      train() { command('train'); },
      pause() { command('pause'); },
      // Exactly one training mini-batch, then paused.
      step() { command('step'); },
      // Fresh weights from the seed; the current run's curves stay in history().
      reset() { command('reset'); },
      // Forgets finished runs' curves (history() then holds the current run only).
      clearHistory() { command('clearHistory'); },
      // Every run (past and current): [{run, label, options, epochs: [{epoch, trainLoss,
      // trainAcc, valLoss, valAcc, imagesPerSecond, seconds}], testAcc, testLoss, stopReason}].
      history() {
        if (!appRunning || !module || !module.ccall) return [];
        return JSON.parse(module.ccall('cnnlab_history_json', 'string', [], []));
      },
      // A controlled experiment: {vary: 'kernel'|'filters'|'depth'|'pooling'|'stride'|'model',
      // values: [...], repeats: 1..5, and any configure() option as the base}. Resolves with
      // state() once started; rejects with an Error saying why an invalid sweep is refused (the
      // engine's check, before anything starts). Its progress and results: results().
      experiment(options) {
        try {
          requireRunning();
        } catch (e) {
          return Promise.reject(e);
        }
        if (typeof options !== 'object' || options === null || Array.isArray(options)) {
          return Promise.reject(new Error(`experiment: options must be an object, got ${JSON.stringify(options)}`));
        }
        const error = module.ccall('cnnlab_experiment', 'string', ['string'], [JSON.stringify(options)]);
        if (error) return Promise.reject(new Error(error));
        return Promise.resolve(api.state());
      },
      // Stops every run where it stands; the results so far stay in results(). pause() pauses
      // an experiment too; resumeExperiment() continues it.
      stopExperiment() { command('stopExperiment'); },
      resumeExperiment() { command('resumeExperiment'); },
      // The experiment's state and results (null before one): {id, running, done, progress,
      // config, runs: [{configuration, repeat, seed, parameters, macs, step, epoch, finished,
      // imagesPerSecond, seconds, bestValAcc, testAcc, testLoss, dataOrder, epochs, ...}],
      // summary, table (Markdown), csv, interpretation, identicalDataOrder}.
      results() { const s = api.state(); return s.experiment || null; },
      // The experiment's results: 'csv' or 'markdown' (the table), 'json' (config, summary and
      // every run's history) resolve with the text; 'png' draws the plots, offers them as a
      // download and resolves with the PNG Blob. Rejects with an Error saying why not.
      exportExperiment(format) {
        try {
          requireRunning();
        } catch (e) {
          return Promise.reject(e);
        }
        const result = JSON.parse(module.ccall('cnnlab_experiment_export', 'string', ['string'],
                                               [String(format)]));
        if (result.error) return Promise.reject(new Error(result.error));
        if (format !== 'png') return Promise.resolve(result.text);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            module.cnnlabOnPng = null;
            reject(new Error('experiment export png: the plots were not drawn (is the lab visible?)'));
          }, 10000);
          module.cnnlabOnPng = (name, blob) => {
            clearTimeout(timer);
            module.cnnlabOnPng = null;
            resolve(blob);
          };
        });
      },

      // Loads another dataset (a pack file URL, relative to the site); resolves when the app has
      // it, rejects with an Error saying what failed.
      loadPack(url) {
        if (!appRunning) return Promise.reject(new Error('the app is not running yet'));
        return loadDataset(new URL(url, base).href);
      },
      // Brings a panel's tab to the front: 'data', 'model', 'inside', 'eval' or 'experiment'
      // (the Experiment tabs of the Setup, Curves and Results windows).
      showPanel(name) {
        if (!appRunning) throw new Error('the app is not running yet');
        if (!module.ccall('cnnlab_select_tab', 'number', ['string'], [String(name)])) {
          throw new Error(`unknown panel '${name}': expected data, model, inside, eval or experiment`);
        }
      },
      // A URL of index.html that opens the lab with this set-up: the dataset, the training
      // options that differ from the defaults, the theme, panels and readOnly.
      link() {
        const s = api.state();
        const params = new URLSearchParams();
        if (datasetUrl) {
          const subset = manifest && manifest.packs.find((p) => new URL(p.file, base).href === datasetUrl);
          if (subset) params.set('subset', subset.id);
          else params.set('pack', datasetUrl);
        }
        const options = s.options || {};
        for (const key of TRAINING_KEYS) {
          if (!(key in options)) continue;
          const value = options[key];
          if (defaultOptions && JSON.stringify(defaultOptions[key]) === JSON.stringify(value)) continue;
          params.set(key, typeof value === 'number' ? linkNumber(value) : String(value));
        }
        const look = s.ui || {};
        if (look.theme === 'dark') params.set('theme', 'dark');
        if (look.panels && look.panels.length < PANEL_NAMES.length) params.set('panels', look.panels.join(','));
        if (look.readOnly) params.set('readOnly', look.readOnly === 'all' ? 'all' : 'true');
        const url = new URL('index.html', base);
        url.search = params.toString().replace(/%2C/g, ',');
        return url.href;
      },
      // What the menu bar's Copy link does; resolves with {url, copied}.
      copyLink() { requireRunning(); return copyLink(); },
      // Calls handler(detail) on 'epoch' (a finished epoch's record, with run and label), 'done'
      // (a run ended: run, epoch, testAcc, testLoss, stopReason, ...), 'error' ({message}),
      // 'phase' ({phase}), 'link' ({url, copied}). Returns a function that stops it.
      on(type, handler) {
        if (!listeners.has(type)) listeners.set(type, new Set());
        listeners.get(type).add(handler);
        return () => listeners.get(type).delete(handler);
      },
      // The options given to mount (or in the URL) that were not applied, as messages.
      get optionErrors() { return optionErrors.slice(); },
      // Retries after a failure: downloads again, or reloads the page once an app instance ran
      // (a crashed wasm instance cannot be restarted in place).
      retry() {
        if (pagePhase !== 'error') return;
        if (failedStage === 'dataset' && appRunning) {
          loadDataset(datasetUrl).then(() => started(), () => {});
        } else if (runtimeStarted) {
          location.reload();
        } else {
          start();
        }
      },
      // Files (app/files_actions.h). saveModel: the model as a model file (.cnnlab, with the
      // lab's settings; while training, the latest snapshot, at most ~1 s old). loadModel(bytes):
      // makes a saved model the lab's (its settings, its weights; the test evaluation follows in
      // state().testAcc; Start continues training); rejects with an Error saying why (another
      // model or input shape, another version, corrupt bytes) and changes nothing then.
      async saveModel() { return exportFile('model').bytes; },
      async loadModel(bytes, name) {
        openUserFile('model', fileBytes(bytes, 'loadModel'), String(name || 'model.cnnlab'));
        return api.state();
      },
      // The weights as .npz (PyTorch nn.Sequential names and layouts: '0.weight' ...).
      exportNpz() { return exportFile('npz').bytes; },
      // Every run's curves: 'csv' (one row per epoch) or 'json' ({runs: history()}).
      exportCurves(format) {
        const kind = format === undefined ? 'csv' : format;
        if (kind !== 'csv' && kind !== 'json') throw new Error(`exportCurves: format must be 'csv' or 'json', got ${JSON.stringify(format)}`);
        return new TextDecoder().decode(exportFile(kind).bytes);
      },
      // Classifies a PNG or JPEG (centre-cropped, resized to the model's input) and shows it in
      // Inside the network: {name, width, height, input: [C, H, W], top3: [{label, class,
      // probability}], probabilities}. Rejects with an Error saying why (not an image, over 20 MB
      // or 8,000 px a side, empty, no model yet).
      async classifyImage(bytes, name) {
        openUserFile('photo', fileBytes(bytes, 'classifyImage'), String(name || 'photo'));
        return JSON.parse(module.ccall('cnnlab_photo_json', 'string', [], []));
      },
      get element() { return root; },
    };

    // In an iframe with embed: the host page (the origin option, else the embedding page's
    // origin from the referrer, else this site's) drives it with postMessage.
    if (setup.page.embed) {
      let host = setup.page.origin;
      if (!host) {
        try {
          host = document.referrer ? new URL(document.referrer).origin : location.origin;
        } catch (e) {
          host = location.origin;
        }
      }
      embedBridge(api, host);
    }
    start();
    return api;
  }

  window.CNNLab = {mount, optionsFromUrl, fetchWithProgress};
})();
