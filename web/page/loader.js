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
//
// Training runs in a Web Worker (page/trainer-worker.js hosting cnnlab_trainer.wasm): the app
// posts commands to it through this loader (Module.cnnlabPostToTrainer) and the loader hands the
// worker's reports, weight snapshots and test results back to the app (cnnlab_trainer_*).
//
// index.html does `window.cnnlab = CNNLab.mount(...)`. Each mount creates its own wasm instance
// (the build is MODULARIZE'd as createCnnLabModule).
//
// [SECTION] Downloads with progress
// [SECTION] The overlay (progress and error box)
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

  // ---- [SECTION] Mounting a lab -------------------------------------------------------------

  function mount(root, options) {
    options = options || {};
    const base = options.base ? new URL(options.base, location.href).href : defaultBase;
    const ui = buildDom(root);

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

    let resolveReady;
    const ready = new Promise((resolve) => { resolveReady = resolve; });

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
        const [wasmBytes, fontBytes, trainerBytes] = await fetchAllWithProgress(
            [base + 'cnnlab_app.wasm', base + 'fonts/DejaVuSans.ttf', base + 'cnnlab_trainer.wasm'],
            (received, total) => showProgress('Downloading the app…', received, total));
        startTrainer(trainerBytes);
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
                (result) => receiveInstance(result.instance, result.module),
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
            if (datasetUrl) {
              loadDataset(datasetUrl).then(() => { if (pagePhase === 'running') resolveReady(api); },
                                           () => {});
            } else {
              showApp();
              resolveReady(api);
            }
          },
          cnnlabOnFatalError: (message) => { runtimeStarted = true; fail(new Error(message)); },
          // The Data panel's Load button (a file relative to the site).
          cnnlabRequestDataset: (file) => { loadDataset(new URL(file, base).href).catch(() => {}); },
          // Called by the app's WorkerBackend: a command (JSON text), with a pack's bytes.
          cnnlabPostToTrainer: (command, bytes) => postToTrainer(command, bytes),
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
      // Let the overlay paint before the (synchronous) parsing.
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      const error = handToApp(fetched.bytes, url);
      if (error) {
        if (fetched.fromCache && fetched.cache) await fetched.cache.delete(url);
        const e = new Error(`${name} is not a usable dataset: ${error}`);
        fail(e, 'dataset');
        throw e;
      }
      if (!fetched.fromCache && fetched.cache) {
        try {
          await fetched.cache.put(url, new Response(fetched.bytes,
              {headers: {'Content-Type': 'application/octet-stream'}}));
        } catch (e) {
          console.warn(`CNN Lab: could not cache ${name}: ${e.message}`);
        }
      }
      showApp();
    }

    // Copies the bytes into this instance's heap and lets the engine read them; "" or the error.
    function handToApp(bytes, origin) {
      const ptr = module._malloc(bytes.length);
      if (!ptr) return `not enough memory for ${formatBytes(bytes.length)}`;
      try {
        module.HEAPU8.set(bytes, ptr);  // read HEAPU8 after malloc: memory growth replaces it
        return module.ccall('cnnlab_load_dataset', 'string', ['number', 'number', 'string'],
                            [ptr, bytes.length, origin]);
      } finally {
        module._free(ptr);
      }
    }

    // ---- [SECTION] The training worker ------------------------------------------------------

    // Starts this lab's worker with the trainer's wasm bytes (downloaded with the app's progress).
    // Commands the app posts before it is ready wait in the worker's own queue.
    function startTrainer(wasmBytes) {
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
      trainer.postMessage({type: 'init', script: base + 'cnnlab_trainer.js', wasm: wasmBytes},
                          [wasmBytes.buffer]);
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
        } else if (message.type === 'snapshot') {
          withHeapCopy(message.bytes, (ptr) => module.ccall(
              'cnnlab_trainer_snapshot', null, ['number', 'number'], [ptr, message.bytes.length]));
        } else if (message.type === 'test') {
          withHeapCopy(message.probs, (ptr) => module.ccall(
              'cnnlab_trainer_test', null, ['string', 'number', 'number'],
              [message.json, ptr, message.probs.length]));
        } else if (message.type === 'error') {
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

    ui.retry.addEventListener('click', () => api.retry());
    ui.dismiss.addEventListener('click', () => {
      if (pagePhase === 'error' && failedStage === 'dataset' && appRunning) {
        pageError = null;
        showApp();
        resolveReady(api);
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
        if (Object.keys(rest).length) {
          const error = module.ccall('cnnlab_configure', 'string', ['string'], [JSON.stringify(rest)]);
          if (error) throw new Error(error);
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
      // A controlled experiment (the engine's Session::start_experiment options); its progress
      // and results are state().experiment.
      experiment(options) {
        requireRunning();
        const error = module.ccall('cnnlab_experiment', 'string', ['string'], [JSON.stringify(options)]);
        if (error) return Promise.reject(new Error(error));
        return Promise.resolve(api.state());
      },
      stopExperiment() { command('stopExperiment'); },
      results() { const s = api.state(); return s.experiment || null; },
      // Loads another dataset (a pack file URL, relative to the site); resolves when the app has
      // it, rejects with an Error saying what failed.
      loadPack(url) {
        if (!appRunning) return Promise.reject(new Error('the app is not running yet'));
        return loadDataset(new URL(url, base).href);
      },
      // Brings a panel's tab to the front: 'data', 'model', 'inside' or 'eval'.
      showPanel(name) {
        if (!appRunning) throw new Error('the app is not running yet');
        if (!module.ccall('cnnlab_select_tab', 'number', ['string'], [String(name)])) {
          throw new Error(`unknown panel '${name}': expected data, model, inside or eval`);
        }
      },
      // Retries after a failure: downloads again, or reloads the page once an app instance ran
      // (a crashed wasm instance cannot be restarted in place).
      retry() {
        if (pagePhase !== 'error') return;
        if (failedStage === 'dataset' && appRunning) {
          loadDataset(datasetUrl).then(() => resolveReady(api), () => {});
        } else if (runtimeStarted) {
          location.reload();
        } else {
          start();
        }
      },
      get element() { return root; },
    };

    start();
    return api;
  }

  // Options a page URL can carry: ?pack=URL (a dataset pack to load at start).
  function optionsFromUrl(search) {
    const params = new URLSearchParams(search === undefined ? location.search : search);
    const options = {};
    if (params.get('pack')) options.pack = params.get('pack');
    return options;
  }

  window.CNNLab = {mount, optionsFromUrl, fetchWithProgress};
})();
